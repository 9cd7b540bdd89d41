/**
 * The macOS tray uses template images: one colour, tinted by the menu bar,
 * so the states can only be told apart by shape (alpha). Each state's
 * template must differ from every other's, and the badge glyph must be cut
 * out as transparency rather than painted over in the same black.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { TrayIconState } from '../../electron/core/tray/tray-model';
import { repo } from './simulated-app';

const STATES: TrayIconState[] = ['signed-out', 'signed-in', 'expiring', 'needs-sign-in', 'busy'];
const BADGED: TrayIconState[] = ['expiring', 'needs-sign-in', 'busy'];

async function rgba(file: string) {
  const { data, info } = await sharp(join(repo, 'build/icons', file))
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const alpha = Array.from({ length: info.width * info.height }, (_, i) => data[i * 4 + 3]!);
  const rgb = Array.from({ length: info.width * info.height }, (_, i) => [data[i * 4]!, data[i * 4 + 1]!, data[i * 4 + 2]!]);
  return { width: info.width, height: info.height, alpha, rgb };
}
/** Pixels whose opacity differs clearly between two alpha channels. */
const differing = (a: number[], b: number[]) => a.filter((v, i) => Math.abs(v - b[i]!) > 128).length;

describe('macOS template tray icons', () => {
  for (const scale of ['', '@2x']) {
    it(`every state has its own silhouette (${scale || '1×'})`, async () => {
      const alphas = await Promise.all(STATES.map(async (s) => (await rgba(`tray-${s}Template${scale}.png`)).alpha));
      const minimum = scale ? 25 : 5;
      for (let i = 0; i < STATES.length; i++) {
        for (let j = i + 1; j < STATES.length; j++) {
          expect(differing(alphas[i]!, alphas[j]!), `${STATES[i]} vs ${STATES[j]}`).toBeGreaterThanOrEqual(minimum);
        }
      }
    });
  }

  it('cuts each badge glyph out as transparency (opaque in the coloured icon, a hole in the template)', async () => {
    // Where each badge's glyph sits in the 32 px drawing, well inside the badge's outline.
    const glyphArea: Record<string, { x: number; y: number; r: number }> = {
      expiring: { x: 25, y: 7, r: 4.5 },
      busy: { x: 25, y: 7, r: 4.5 },
      'needs-sign-in': { x: 25, y: 9, r: 3 },
    };
    for (const state of BADGED) {
      const colour = await rgba(`tray-${state}@2x.png`);
      const template = await rgba(`tray-${state}Template@2x.png`);
      const area = glyphArea[state]!;
      let cut = 0;
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 32; x++) {
          if ((x + 0.5 - area.x) ** 2 + (y + 0.5 - area.y) ** 2 > area.r ** 2) continue;
          const i = y * colour.width + x;
          if (colour.alpha[i]! > 192 && template.alpha[i]! < 64) cut++;
        }
      }
      expect(cut, `${state}: glyph pixels cut out of the badge`).toBeGreaterThanOrEqual(3);
    }
    // Without a badge there is nothing to cut: the template keeps the coloured icon's shape.
    for (const state of ['signed-out', 'signed-in'] as const) {
      const colour = await rgba(`tray-${state}@2x.png`);
      const template = await rgba(`tray-${state}Template@2x.png`);
      expect(differing(colour.alpha, template.alpha), state).toBe(0);
    }
  });

  it('is black wherever it is visible, so macOS can tint it', async () => {
    for (const state of STATES) {
      const { alpha, rgb } = await rgba(`tray-${state}Template@2x.png`);
      const coloured = rgb.filter((c, i) => alpha[i]! > 0 && c.some((v) => v > 8));
      expect(coloured, state).toEqual([]);
    }
  });

  it('comes at 16 and 32 px, like the coloured icons', async () => {
    for (const state of STATES) {
      expect((await rgba(`tray-${state}Template.png`)).width).toBe(16);
      expect((await rgba(`tray-${state}Template@2x.png`)).width).toBe(32);
      expect((await rgba(`tray-${state}@2x.png`)).width).toBe(32);
    }
  });
});
