import { describe, expect, it } from 'vitest';
import { visionOf } from '../../../../electron/core/models/catalogue';

describe('detectedVision: what the server or known list says, apart from the override', () => {
  it('is kept beside an override so "Auto (…)" can name it', () => {
    expect(visionOf({ slug: 'gpt-6.1-sol', displayName: 'x' }, false)).toEqual({ vision: false, visionSource: 'override', detectedVision: true });
    expect(visionOf({ slug: 'text-only-1', displayName: 'x', serverVision: false }, true)).toEqual({
      vision: true,
      visionSource: 'override',
      detectedVision: false,
    });
  });

  it('equals vision when there is no override', () => {
    expect(visionOf({ slug: 'gpt-6.1-sol', displayName: 'x' }, undefined)).toEqual({ vision: true, visionSource: 'known', detectedVision: true });
    expect(visionOf({ slug: 'mystery', displayName: 'x', serverVision: true }, undefined)).toEqual({
      vision: true,
      visionSource: 'server',
      detectedVision: true,
    });
    expect(visionOf({ slug: 'mystery', displayName: 'x' }, undefined)).toEqual({ vision: false, visionSource: 'unknown', detectedVision: false });
  });
});
