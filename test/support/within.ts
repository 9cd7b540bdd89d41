/**
 * A hang guard, not a sleep: resolves as `promise` does, or rejects naming
 * `what` if it has not settled after `ms` of real time.
 */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let guard: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    guard = setTimeout(() => reject(new Error(`${what} did not happen in ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, hung]);
  } finally {
    clearTimeout(guard);
  }
}
