/**
 * OpenID Connect Discovery 1.0 / RFC 8414 for the sign-in issuer, through
 * oauth4webapi. A success is cached for the process lifetime; a failure is
 * not, so the next attempt retries.
 */
import * as oauth from 'oauth4webapi';
import { type Clock, timeoutSignal } from '../kernel/deps';
import { LoupeError } from '../kernel/errors';
import type { Endpoints } from './endpoints';

export type HttpOptions = {
  // oauth4webapi's options are fetch's RequestInit with `body` possibly undefined.
  [oauth.customFetch]: (url: string, options: oauth.CustomFetchOptions<string, unknown>) => Promise<Response>;
  [oauth.allowInsecureRequests]: boolean;
  signal: () => AbortSignal;
};

export function httpOptions(allowInsecure: boolean, fetchImpl: typeof fetch, clock: Clock, timeoutMs = 15_000): HttpOptions {
  return {
    [oauth.customFetch]: (url, options) => fetchImpl(url, options as RequestInit),
    [oauth.allowInsecureRequests]: allowInsecure,
    signal: () => timeoutSignal(clock, timeoutMs),
  };
}

export interface DiscoveryRequirements {
  /** SIWC needs revocation for sign-out; a custom provider may not offer it. */
  requireRevocation: boolean;
  requireJwks: boolean;
}

export class Discovery {
  #cached: oauth.AuthorizationServer | undefined;
  #inflight: Promise<oauth.AuthorizationServer> | undefined;

  constructor(
    private readonly endpoints: Endpoints,
    private readonly fetchImpl: typeof fetch,
    private readonly clock: Clock,
    private readonly requirements: DiscoveryRequirements = { requireRevocation: true, requireJwks: true },
  ) {}

  get(): Promise<oauth.AuthorizationServer> {
    if (this.#cached) return Promise.resolve(this.#cached);
    this.#inflight ??= this.#load().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  /**
   * oauth4webapi caches JWKS per metadata object and refetches an unknown key
   * only after a minute; a fresh copy of the metadata lets one retry fetch the
   * rotated set now. Returns false when the keys were just refetched.
   */
  forgetKeys(as: oauth.AuthorizationServer): boolean {
    if (this.#cached !== as) return false;
    this.#cached = { ...as };
    return true;
  }

  async #load(): Promise<oauth.AuthorizationServer> {
    const issuer = this.endpoints.issuer;
    let response: Response;
    try {
      response = await oauth.discoveryRequest(issuer, {
        ...httpOptions(this.endpoints.allowInsecure, this.fetchImpl, this.clock),
        algorithm: 'oidc',
      });
    } catch (cause) {
      throw unreachable(issuer, cause);
    }
    let as: oauth.AuthorizationServer;
    try {
      as = await oauth.processDiscoveryResponse(issuer, response);
    } catch (cause) {
      // A server that answers for another issuer is not an outage: retrying
      // cannot help, and signing in there would hand the code to the wrong
      // party (RFC 8414 §3.3). Everything else (5xx, not JSON) may pass.
      if (cause instanceof oauth.OperationProcessingError && cause.code === oauth.JSON_ATTRIBUTE_COMPARISON)
        throw issuerMismatch(this.endpoints.issuerId, cause);
      throw unreachable(issuer, cause);
    }
    // URL parsing hides a trailing slash on a bare origin; the ID token's iss is compared as a string, so pin it exactly.
    if (as.issuer !== this.endpoints.issuerId) throw issuerMismatch(this.endpoints.issuerId);
    const required = [
      'authorization_endpoint',
      'token_endpoint',
      ...(this.requirements.requireJwks ? (['jwks_uri'] as const) : []),
      ...(this.requirements.requireRevocation ? (['revocation_endpoint'] as const) : []),
    ] as const;
    for (const key of required) {
      const value = as[key];
      if (typeof value !== 'string' || !sameOrigin(value, issuer)) {
        throw new LoupeError(
          'discovery_failed',
          `The sign-in server's configuration is missing a valid ${key.replace(/_/g, ' ')} on ${issuer.host}.`,
          {
            retryable: true,
          },
        );
      }
    }
    this.#cached = as;
    return as;
  }
}

function unreachable(issuer: URL, cause: unknown): LoupeError {
  return new LoupeError('discovery_failed', `Could not reach the sign-in server (${issuer.host}). Check your connection and try again.`, {
    retryable: true,
    cause,
  });
}

/** The answer's issuer is never quoted: it is whatever the server chose to say. */
function issuerMismatch(expected: string, cause?: unknown): LoupeError {
  return new LoupeError(
    'issuer_mismatch',
    `The sign-in server at ${expected} identified itself as a different issuer, so Loupe did not sign in. Check the issuer address.`,
    { cause },
  );
}

function sameOrigin(value: string, issuer: URL): boolean {
  try {
    const url = new URL(value);
    return url.origin === issuer.origin && !url.username && !url.password;
  } catch {
    return false;
  }
}
