import { randomUUID } from 'node:crypto';
import type { KeyValueStore } from '../kernel/deps';

/**
 * The `ext_agent_host_id` for this installation: a `urn:uuid:` chosen once
 * before the first sign-in and reused for every account. Not secret, and never
 * derived from anything that identifies the person.
 */
export async function ensureHostId(store: KeyValueStore): Promise<string> {
  const existing = store.get('hostId');
  if (typeof existing === 'string' && /^urn:uuid:[0-9a-f-]{36}$/.test(existing)) return existing;
  const created = `urn:uuid:${randomUUID()}`;
  await store.set('hostId', created);
  return created;
}
