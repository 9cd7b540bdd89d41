/** The Responses API body for one photo (protocol notes §10.2), streamed or sent in a batch. */
import type { ResponseCreateParamsStreaming } from 'openai/resources/responses/responses';
import { promptedJsonInstructions } from '../records/presets';
import type { AnalysisCall } from './analysis-call';

export function buildBody(call: Pick<AnalysisCall, 'model' | 'preset' | 'image' | 'detail'>, structured: boolean): ResponseCreateParamsStreaming {
  const { preset } = call;
  const body: ResponseCreateParamsStreaming = {
    model: call.model,
    instructions: structured || !preset.schema ? preset.instructions : promptedJsonInstructions(preset),
    input: [
      {
        role: 'user',
        content: [
          { type: 'input_text', text: preset.prompt },
          { type: 'input_image', image_url: `data:${call.image.mime};base64,${call.image.data.toString('base64')}`, detail: call.detail },
        ],
      },
    ],
    store: false,
    stream: true,
  };
  if (structured && preset.schema) {
    body.text = { format: { type: 'json_schema', name: preset.formatName, schema: preset.schema, strict: true } };
  }
  return body;
}
