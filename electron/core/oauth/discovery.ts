/**
 * Where a sign-in server's metadata comes from: OpenID Connect Discovery 1.0 /
 * RFC 8414 through oauth4webapi (a success is cached for the process lifetime;
 * a failure is not, so the next attempt retries), or endpoints written by hand.
 */
import * as oauth from 'oauth4webapi';
import type { Clock } from '../kernel/deps';
import type { LoupeError } from '../kernel/errors';
import type { Endpoints } from './endpoints';
import { oauthError } from './errors';
import { httpOptions } from './http-options';

/** Where an authorization server's metadata (RFC 8414 §2) comes from: discovery, or endpoints entered by hand. */
export interface MetadataSource {
  get(): Promise<oauth.AuthorizationServer>;
  /** See Discovery.forgetKeys. */
  forgetKeys(as: oauth.AuthorizationServer): boolean;
}

/** Which endpoints the metadata must name (RFC 8414 §2), beyond authorization and token. */
export interface DiscoveryRequirements {
  /** SIWC needs revocation for sign-out; a custom provider may not offer it. */
  requireRevocation: boolean;
  requireJwks: boolean;
}

/** RFC 8414 §3 / OIDC Discovery 1.0 §4: the issuer's metadata, same-origin endpoints and the exact issuer checked. */
export class Discovery implements MetadataSource {
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
        ...httpOptions({ allowInsecure: this.endpoints.allowInsecure, fetch: this.fetchImpl, clock: this.clock }),
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
        throw oauthError('discovery_failed', `The sign-in server's configuration is missing a valid ${key.replace(/_/g, ' ')} on ${issuer.host}.`, {
          retryable: true,
        });
      }
    }
    this.#cached = as;
    return as;
  }
}

function unreachable(issuer: URL, cause: unknown): LoupeError {
  return oauthError('discovery_failed', `Could not reach the sign-in server (${issuer.host}). Check your connection and try again.`, {
    retryable: true,
    cause,
  });
}

/** The answer's issuer is never quoted: it is whatever the server chose to say. */
function issuerMismatch(expected: string, cause?: unknown): LoupeError {
  return oauthError(
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

/** Metadata written by hand (a provider without discovery); keys are fetched from `jwks_uri` when present. */
export class StaticMetadata implements MetadataSource {
  #as: oauth.AuthorizationServer;
  constructor(as: oauth.AuthorizationServer) {
    this.#as = as;
  }
  get(): Promise<oauth.AuthorizationServer> {
    return Promise.resolve(this.#as);
  }
  forgetKeys(as: oauth.AuthorizationServer): boolean {
    if (as !== this.#as) return false;
    this.#as = { ...as };
    return true;
  }
}
