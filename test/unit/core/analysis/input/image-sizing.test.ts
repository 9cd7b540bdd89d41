/**
 * Upload sizing by model family (image-sizing.ts): the box each family's
 * scheme fits an image into, and what it costs in tokens. Pure functions.
 */
import { describe, expect, it } from 'vitest';
import { imageScheme, imageTokens, modelFamily, patchSize, targetSize, tileSize } from '../../../../../electron/core/analysis/input/image-sizing';

describe('model image sizing', () => {
  it('looks models up by family, longest match first', () => {
    expect(modelFamily('gpt-4.1-mini-2025-04-14')?.prefix).toBe('gpt-4.1-mini');
    expect(modelFamily('gpt-4.1-2025-04-14')?.prefix).toBe('gpt-4.1');
    expect(modelFamily('gpt-4o-mini')?.prefix).toBe('gpt-4o-mini');
    expect(imageScheme('gpt-5-nano').kind).toBe('patches');
    expect(imageScheme('gpt-5').kind).toBe('tiles');
    expect(imageScheme('gpt-6.1-sol').kind).toBe('unknown');
  });

  it('tile models: inside 2048², then 768 on the short side', () => {
    expect(tileSize(4000, 3000)).toEqual({ width: 1024, height: 768 });
    expect(tileSize(3000, 4000)).toEqual({ width: 768, height: 1024 });
    expect(tileSize(8000, 1000)).toEqual({ width: 2048, height: 256 });
    expect(targetSize('gpt-4.1', 'high', 4000, 3000)).toEqual({ width: 1024, height: 768 });
    expect(targetSize('gpt-4o', 'auto', 600, 400)).toEqual({ width: 600, height: 400 });
  });

  it('patch models: the patch budget, whole patches on the limiting side', () => {
    const s = patchSize(4000, 3000, 1536);
    expect(Math.ceil(s.width / 32) * Math.ceil(s.height / 32)).toBeLessThanOrEqual(1536);
    expect(s.width).toBeGreaterThan(1300);
    expect(targetSize('gpt-4.1-mini', 'auto', 4000, 3000)).toEqual(s);
    expect(targetSize('gpt-4.1-mini', 'auto', 800, 600)).toEqual({ width: 800, height: 600 });
  });

  it('low detail is 512 for every family; unknown models keep 1536', () => {
    expect(targetSize('gpt-4.1', 'low', 4000, 3000)).toEqual({ width: 512, height: 384 });
    expect(targetSize('gpt-5-mini', 'low', 4000, 3000)).toEqual({ width: 512, height: 384 });
    expect(targetSize('gpt-6.1-sol', 'auto', 4000, 3000)).toEqual({ width: 1536, height: 1152 });
    expect(targetSize('gpt-6.1-sol', 'low', 4000, 3000)).toEqual({ width: 512, height: 384 });
  });

  it('counts image tokens by the family’s scheme', () => {
    expect(imageTokens('gpt-4.1', 'high', 1024, 768)).toBe(85 + 170 * 4);
    expect(imageTokens('gpt-4o', 'low', 4000, 3000)).toBe(85);
    expect(imageTokens('gpt-5', 'high', 1024, 768)).toBe(70 + 140 * 4);
    expect(imageTokens('gpt-4.1-mini', 'high', 512, 512)).toBe(Math.ceil(256 * 1.62));
  });
});
