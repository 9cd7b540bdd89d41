import type { Adapter, AdapterPayload } from 'oidc-provider';

/**
 * In-memory storage for oidc-provider models, one instance per stand-in server (the bundled
 * MemoryAdapter shares a process-wide LRU, so two servers in one test file would see each other's
 * tokens).
 *
 * Nothing is evicted on expiry: oidc-provider checks `exp` itself, and keeping expired refresh
 * tokens around is what lets the server answer `refresh_token_expired` instead of a generic
 * "not found". Refresh tokens that were destroyed (revocation, family revocation after reuse,
 * user disconnect) are remembered so a later refresh can say `refresh_token_invalidated`.
 */
export class ModelStore {
  readonly models = new Map<string, Map<string, AdapterPayload>>();
  readonly destroyedRefreshTokens = new Set<string>();

  constructor(private readonly clientLookup: (id: string) => AdapterPayload | undefined) {}

  table(model: string): Map<string, AdapterPayload> {
    let t = this.models.get(model);
    if (!t) {
      t = new Map();
      this.models.set(model, t);
    }
    return t;
  }

  get(model: string, id: string): AdapterPayload | undefined {
    return this.table(model).get(id);
  }

  delete(model: string, id: string): void {
    if (this.table(model).delete(id) && model === 'RefreshToken') this.destroyedRefreshTokens.add(id);
  }

  deleteByGrantId(model: string, grantId: string): void {
    for (const [id, payload] of this.table(model)) {
      if (payload.grantId === grantId) this.delete(model, id);
    }
  }

  /** Ends a token family: every token minted under the grant, and the grant itself. */
  revokeGrant(grantId: string): void {
    for (const model of ['AccessToken', 'RefreshToken', 'AuthorizationCode']) this.deleteByGrantId(model, grantId);
    this.delete('Grant', grantId);
  }

  adapterFor(model: string): Adapter {
    if (model === 'Client') return this.clientAdapter();
    // The adapter's methods are called with oidc-provider's `this`, so they close over the store instead.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const store = this;
    return {
      async upsert(id, payload) {
        store.table(model).set(id, structuredClone(payload));
      },
      async find(id) {
        const found = store.get(model, id);
        return found ? structuredClone(found) : undefined;
      },
      async findByUid(uid) {
        for (const payload of store.table(model).values()) {
          if (payload.uid === uid) return structuredClone(payload);
        }
        return undefined;
      },
      async findByUserCode(userCode) {
        for (const payload of store.table(model).values()) {
          if (payload.userCode === userCode) return structuredClone(payload);
        }
        return undefined;
      },
      async consume(id) {
        const found = store.get(model, id);
        if (found) found.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        store.delete(model, id);
      },
      async revokeByGrantId(grantId) {
        store.deleteByGrantId(model, grantId);
      },
    };
  }

  /** Clients live in the server's registration table, not here; oidc-provider only reads them. */
  private clientAdapter(): Adapter {
    const lookup = this.clientLookup;
    const unsupported = async (): Promise<never> => {
      throw new Error('clients are registered by the stand-in, not through oidc-provider');
    };
    return {
      async find(id) {
        return lookup(id);
      },
      async findByUid() {
        return undefined;
      },
      async findByUserCode() {
        return undefined;
      },
      upsert: unsupported,
      consume: unsupported,
      destroy: unsupported,
      revokeByGrantId: async () => {},
    };
  }
}
