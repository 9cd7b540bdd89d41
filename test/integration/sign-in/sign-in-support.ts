/** The sign-in tests' shared setup: the stand-ins, a core per test, and what each test counts from. */
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { type StandIns, startStandIns } from '../../servers/stack';
import { type CoreFixture, createCoreFixture } from '../../support/core-fixture';

export let stack: StandIns;
export let fx: CoreFixture;
let codeCallsBefore = 0;
export let apiRequestsBefore = 0;

/** One stand-in stack per file and a fresh core per test, with a 60 s sign-in timeout; each sign-in test file calls this once. */
export function useSignInFixture(): void {
  beforeAll(async () => {
    stack = await startStandIns();
  });
  afterAll(async () => {
    await stack.close();
  });
  beforeEach(async () => {
    stack.auth.faults.reset();
    stack.api.faults.reset();
    fx = await createCoreFixture(stack, { options: { signInTimeoutMs: 60_000 } });
    codeCallsBefore = stack.auth.tokenCalls('authorization_code');
    apiRequestsBefore = stack.api.requests.length;
  });
  afterEach(async () => {
    await fx.dispose();
  });
}

/** Code exchanges made by this test. */
export const tokenCalls = () => stack.auth.tokenCalls('authorization_code') - codeCallsBefore;

export function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
