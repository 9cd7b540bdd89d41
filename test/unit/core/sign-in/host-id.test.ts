import { describe, expect, it } from 'vitest';
import { ensureHostId } from '../../../../electron/core/sign-in/host-id';
import { memoryStore } from '../../../support/memory-store';

describe('ensureHostId', () => {
  it('chooses a urn:uuid once and keeps it', async () => {
    const store = memoryStore();
    const first = await ensureHostId(store);
    expect(first).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(store.data.hostId).toBe(first);
    expect(await ensureHostId(store)).toBe(first);
  });

  it('replaces a stored value that is not one', async () => {
    const store = memoryStore({ hostId: 'alice@example.com' });
    const id = await ensureHostId(store);
    expect(id).toMatch(/^urn:uuid:/);
    expect(store.data.hostId).toBe(id);
  });
});
