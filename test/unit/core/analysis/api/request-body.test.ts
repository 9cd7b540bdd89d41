import { expect, it } from 'vitest';
import { buildBody } from '../../../../../electron/core/analysis/api/request-body';
import { resolvePreset } from '../../../../../electron/core/analysis/records/presets';

const image = { mime: 'image/jpeg', data: Buffer.from([1, 2, 3]) };

it('one photo, the preset as instructions and prompt, never stored; strict structured output when the model takes it', () => {
  const preset = resolvePreset({ preset: 'describe' });
  const body = buildBody({ model: 'gpt-4.1', preset, image, detail: 'low' }, true);
  expect(body).toMatchObject({ model: 'gpt-4.1', instructions: preset.instructions, store: false, stream: true });
  expect(body.input).toEqual([
    {
      role: 'user',
      content: [
        { type: 'input_text', text: preset.prompt },
        { type: 'input_image', image_url: 'data:image/jpeg;base64,AQID', detail: 'low' },
      ],
    },
  ]);
  expect(body.text).toEqual({ format: { type: 'json_schema', name: 'loupe_describe', schema: preset.schema, strict: true } });
});

it('a model without structured outputs is asked for the JSON in the instructions, with the schema', () => {
  const preset = resolvePreset({ preset: 'damage' });
  const body = buildBody({ model: 'm', preset, image, detail: 'high' }, false);
  expect(body.text).toBeUndefined();
  expect(body.instructions).toContain('Reply with one JSON object and nothing else');
  expect(body.instructions).toContain('"severity"');
});

it('a custom prompt without a schema is sent as it is', () => {
  const preset = resolvePreset({ preset: 'custom', customPrompt: 'What colour is the door?' });
  const body = buildBody({ model: 'm', preset, image, detail: 'auto' }, false);
  expect(body.text).toBeUndefined();
  expect(body.instructions).toBe(preset.instructions);
});
