/**
 * The analysis engine end to end: a real core signed in against the stand-in
 * authorization server supplies bearer tokens, the engine sends real photos
 * (made with sharp) to the stand-in Responses API, and the tests read what
 * landed on disk. Timings are never asserted; waits poll for states.
 */
import { describe, expect, it } from 'vitest';
import { type SignedIn, isSettled, makePhotos, responsesRequests, resultFiles, waitForJob } from '../../../support/analysis-fixture';
import type { RequestRecord } from '../../../servers/openai/openai-api';
import { within } from '../../../support/within';
import { useEngineCleanups, MODEL, dirs, engineFor, successesByWidth, useSignedInStandIns } from './support';

useEngineCleanups();

describe('analysis engine — tight rate limit', () => {
  let s: SignedIn;
  useSignedInStandIns({ latencyMs: 50, rateLimit: { requestsPerMinute: 120, burst: 2 } }, (signedIn) => (s = signedIn));

  it('20 photos at 120 requests/min (burst 2), sharing the account with another client: 429s are met and none fails', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 20);
    // Another app on the same account spends part of the budget behind the engine's back,
    // so its pacing estimate is wrong and it has to recover from real 429s.
    const token = await s.session.accessToken();
    const engineSent = (requests: readonly RequestRecord[]) => requests.filter((r) => r.images?.length).length;
    const competitor = (async () => {
      for (let stolen = 0; stolen < 4; stolen++) {
        // Spread over the engine's run: one now, then one after every three of its requests.
        await within(
          s.stack.api.whenRequests((requests) => engineSent(requests) >= 3 * stolen),
          50_000,
          `the engine's request ${3 * stolen}`,
        );
        // Asks until the server takes one (a refused request costs nothing): that is a request the engine's pacing counted on.
        for (;;) {
          const response = await fetch(`${s.stack.endpoints.apiBase}/responses`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({
              model: MODEL,
              input: [{ role: 'user', content: [{ type: 'input_text', text: 'hi' }] }],
              store: false,
              stream: true,
            }),
          });
          await response.arrayBuffer();
          if (response.status !== 429) break;
        }
      }
    })();
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out });
    const job = await waitForJob(h.engine, id, isSettled, 50_000);
    await competitor;
    expect(job.counts).toMatchObject({ done: 20, failed: 0 });
    const engineRequests = responsesRequests(s.stack).filter((r) => r.images?.length);
    expect(engineRequests.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect([...successesByWidth(engineRequests).values()]).toEqual(Array(20).fill(1));
    expect(await resultFiles(d.out)).toHaveLength(20);
  }, 60_000);
});
