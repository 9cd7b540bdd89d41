/** The sequential baseline: what a simple script does, for the speed-up and upload comparisons. */
import { readFile } from 'node:fs/promises';
import OpenAI from 'openai';
import { MODEL } from './scenarios';

export async function runBaseline(
  paths: string[],
  apiBase: string,
  token: string,
): Promise<{ perImageMs: number; failed: number; uploadedBytes: number; sourceBytes: number }> {
  let uploaded = 0;
  const client = new OpenAI({
    apiKey: token,
    baseURL: apiBase,
    maxRetries: 0,
    fetch: (input, init) => {
      if (typeof init?.body === 'string') uploaded += Buffer.byteLength(init.body);
      return fetch(input, init);
    },
  });
  let failed = 0;
  let sourceBytes = 0;
  const started = performance.now();
  for (const path of paths) {
    // What a simple script does: the whole file, base64, one request at a time.
    const data = await readFile(path);
    sourceBytes += data.length;
    try {
      const stream = await client.responses.create({
        model: MODEL,
        instructions: 'Describe the photo as JSON with description and tags.',
        input: [
          {
            role: 'user',
            content: [
              { type: 'input_text', text: 'Analyse this photo.' },
              { type: 'input_image', image_url: `data:image/jpeg;base64,${data.toString('base64')}`, detail: 'auto' },
            ],
          },
        ],
        store: false,
        stream: true,
      });
      let completed = false;
      for await (const event of stream) if (event.type === 'response.completed') completed = true;
      if (!completed) failed++;
    } catch {
      failed++;
    }
  }
  return { perImageMs: (performance.now() - started) / paths.length, failed, uploadedBytes: uploaded, sourceBytes };
}
