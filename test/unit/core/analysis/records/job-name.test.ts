import { describe, expect, it } from 'vitest';
import { defaultJobName } from '../../../../../electron/core/analysis/records/job-name';
import { safeFolderName } from '../../../../../electron/core/analysis/output/output-folder';

// Local time, as the person reads their clock.
const AT = new Date(2026, 11, 1, 13, 16, 42).getTime();

describe('defaultJobName', () => {
  it('reads like a person wrote it: how many photos and when', () => {
    expect(defaultJobName(['/p/a.jpg', '/p/b.jpg', '/p/c'], AT, 10)).toBe('10 photos · 1 Dec 13:16');
    expect(defaultJobName(['/p/Kitchen'], AT, 12, true)).toBe('Kitchen · 12 photos · 1 Dec 13:16');
    expect(defaultJobName(['/p/IMG_0001.jpg'], AT, 1)).toBe('IMG_0001.jpg · 1 Dec 13:16');
    expect(defaultJobName(['/p/a.jpg', '/p/b.jpg'], new Date(2026, 0, 9, 7, 5).getTime())).toBe('2 photos · 9 Jan 07:05');
    expect(defaultJobName(['/p/x'], AT, 1_234, true)).toBe('x · 1,234 photos · 1 Dec 13:16');
  });

  it('makes a folder name that is valid everywhere', () => {
    expect(safeFolderName(defaultJobName(['/a', '/b'], AT, 10))).toBe('10 photos · 1 Dec 13-16');
  });
});
