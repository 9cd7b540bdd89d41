import { randomBytes, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type JWK } from 'jose';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  privateJwk: JWK;
}

export async function newRsaKey(kidPrefix = 'siwc'): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const kid = `${kidPrefix}-${randomUUID().slice(0, 8)}`;
  const base = { kid, alg: 'RS256', use: 'sig' } as const;
  return {
    kid,
    privateKey,
    publicJwk: { ...(await exportJWK(publicKey)), ...base },
    privateJwk: { ...(await exportJWK(privateKey)), ...base },
  };
}

/**
 * Holds the JWKS the stand-in publishes. ID tokens are (re)signed here rather than by
 * oidc-provider because oidc-provider's keystore is fixed at construction and the rotation test
 * needs a key that appears in the JWKS mid-run.
 */
export class KeyRing {
  private rogue: SigningKey | undefined;

  private constructor(private readonly keys: SigningKey[]) {}

  static async create(): Promise<KeyRing> {
    return new KeyRing([await newRsaKey()]);
  }

  get current(): SigningKey {
    return this.keys[this.keys.length - 1]!;
  }

  get initial(): SigningKey {
    return this.keys[0]!;
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.keys.map((k) => k.publicJwk) };
  }

  async rotate(): Promise<void> {
    this.keys.push(await newRsaKey());
  }

  async sign(
    claims: Record<string, unknown>,
    opts: { key?: 'server' | 'rogue'; alg?: 'RS256' | 'HS256' | 'none'; kid?: string } = {},
  ): Promise<string> {
    const alg = opts.alg ?? 'RS256';
    if (alg === 'none') return new UnsecuredJWT(claims).encode();
    if (alg === 'HS256') {
      return new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT', ...(opts.kid ? { kid: opts.kid } : {}) }).sign(randomBytes(32));
    }
    let key = this.current;
    if (opts.key === 'rogue') {
      // Same kid shape as real keys so a client cannot tell it apart before verifying.
      this.rogue ??= await newRsaKey();
      key = this.rogue;
    }
    return new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT', kid: opts.kid ?? key.kid }).sign(key.privateKey);
  }
}
