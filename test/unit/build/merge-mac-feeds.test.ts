import { describe, expect, it } from 'vitest';
import { type MacFeed, mergeMacFeeds } from '../../../build/merge-mac-feeds';

const feed = (arch: 'arm64' | 'x64', version = '0.2.0'): MacFeed => ({
  version,
  files: [
    { url: `Loupe-${version}-${arch}.zip`, sha512: `zip-${arch}`, size: 1 },
    { url: `Loupe-${version}-${arch}.dmg`, sha512: `dmg-${arch}`, size: 2 },
  ],
  path: `Loupe-${version}-${arch}.zip`,
  sha512: `zip-${arch}`,
  releaseDate: '2026-12-07T00:00:00.000Z',
});

describe('one macOS update feed for both arches', () => {
  it('lists both builds, keeping the Intel build as the legacy path', () => {
    const merged = mergeMacFeeds(feed('arm64'), feed('x64'));
    expect(merged.files.map((f) => f.url)).toEqual(['Loupe-0.2.0-x64.zip', 'Loupe-0.2.0-x64.dmg', 'Loupe-0.2.0-arm64.zip', 'Loupe-0.2.0-arm64.dmg']);
    expect(merged).toMatchObject({ version: '0.2.0', path: 'Loupe-0.2.0-x64.zip', sha512: 'zip-x64' });
  });

  it('refuses builds of two versions, or feeds swapped', () => {
    expect(() => mergeMacFeeds(feed('arm64', '0.2.0'), feed('x64', '0.2.1'))).toThrow(/disagree on the version/);
    expect(() => mergeMacFeeds(feed('x64'), feed('arm64'))).toThrow(/arm64/);
  });
});
