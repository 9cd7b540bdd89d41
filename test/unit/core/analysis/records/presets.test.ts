/** Presets and the prompted-JSON instructions. */
import { describe, expect, it } from 'vitest';
import { promptedJsonInstructions, resolvePreset } from '../../../../../electron/core/analysis/records/presets';
import { normaliseStrictSchema } from '../../../../../electron/core/analysis/schema/strict-schema';

describe('presets', () => {
  it('built-in schemas are strict-mode ready and their validators catch bad answers', () => {
    for (const id of ['describe', 'damage'] as const) {
      const preset = resolvePreset({ preset: id });
      expect(normaliseStrictSchema(preset.schema).changes).toEqual([]);
      expect(preset.instructions).toMatch(/instructions to follow/);
    }
    const damage = resolvePreset({ preset: 'damage' });
    const good = {
      area: 'shower',
      room_type: 'bathroom',
      damages: [{ type: 'mould', location: 'grout', severity: 2, probable_cause: 'damp', recommended_action: 'clean', urgency: 'low' }],
      overall_condition: 'fair',
      confidence: 0.8,
    };
    expect(damage.validate!(good)).toBeNull();
    expect(damage.validate!({ ...good, confidence: 1.5 })).toMatch(/confidence/);
    expect(damage.validate!({ ...good, damages: [{ ...good.damages[0], severity: 6 }] })).toMatch(/damages\.0\.severity/);
    expect(damage.validate!({ ...good, damages: [{ ...good.damages[0], urgency: 'whenever' }] })).toMatch(/urgency/);
    expect(promptedJsonInstructions(damage)).toContain('```json\n{');
  });
});
