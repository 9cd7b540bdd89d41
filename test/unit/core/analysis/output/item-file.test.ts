/** Result file names. */
import { describe, expect, it } from 'vitest';
import { outputFileName } from '../../../../../electron/core/analysis/output/item-file';

describe('result file names', () => {
  it('uses the photo name and the first 8 hex of its hash, made safe for every file system', () => {
    const hash = 'abcdef0123456789'.repeat(4);
    expect(outputFileName('/photos/IMG_0001.JPG', hash)).toBe('IMG_0001-abcdef01.json');
    expect(outputFileName('/photos/a:b*c?.jpg', hash)).toBe('a_b_c_-abcdef01.json');
    expect(outputFileName('/photos/..jpg', hash)).toBe('photo-abcdef01.json');
    expect(outputFileName('C:\\photos\\x.png', hash, 'i3')).toMatch(/-abcdef01-i3\.json$/);
    expect(outputFileName(`/p/${'x'.repeat(300)}.jpg`, hash).length).toBeLessThanOrEqual(80 + 14);
  });
});
