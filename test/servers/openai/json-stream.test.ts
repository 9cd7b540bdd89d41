/** The stand-in's streaming JSON body parser. */
import { describe, expect, it } from 'vitest';
import { JsonStreamParser } from './json-stream.ts';

describe('streaming JSON body parser', () => {
  it('matches JSON.parse at any chunking and keeps data URLs out of the tree', () => {
    const doc = {
      a: [1, -2.5e3, true, null, 'é\\"\n😀'],
      b: { c: '', 'd"e': [{}, []] },
      img: `data:image/png;base64,${Buffer.alloc(3000, 7).toString('base64')}`,
    };
    const text = Buffer.from(JSON.stringify(doc).replace(/\//g, '\\/'));
    for (const size of [1, 2, 3, 7, 64, 4096]) {
      const p = new JsonStreamParser();
      for (let i = 0; i < text.length; i += size) p.write(text.subarray(i, i + size));
      const value = p.end() as typeof doc;
      expect({ ...value, img: null }).toEqual({ ...doc, img: null });
      expect(value.img).toBe('data:image/png;base64,<3000 bytes>');
      expect(p.dataUrls[0]).toMatchObject({ path: 'img', mime: 'image/png', bytes: 3000, invalid: null });
      expect(p.dataUrls[0]!.data!.equals(Buffer.alloc(3000, 7))).toBe(true);
    }
  });
});
