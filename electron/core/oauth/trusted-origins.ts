/**
 * Where a credential may go without the person saying so in a main-process
 * dialog. A compromised renderer can call any command with any input, so
 * "the form said so" is not consent: saving an API key for a non-OpenAI base
 * URL, or a custom OAuth provider, first asks in a dialog the renderer cannot
 * draw or click (CoreDeps.confirm), showing the origins the secrets will go to.
 */
import type { ConfirmOptions } from '../kernel/deps';
import { oauthError } from './errors';
import type { CustomProvider } from './provider-config';

/** OpenAI's own API: an API key going here needs no extra confirmation. */
export const OPENAI_API_ORIGIN = 'https://api.openai.com';

const OPENAI_DOMAINS = ['openai.com', 'chatgpt.com'];

/** openai.com, chatgpt.com and every subdomain (auth.openai.com, chat.openai.com, …). */
export function isOpenAiHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return OPENAI_DOMAINS.some((domain) => host === domain || host.endsWith(`.${domain}`));
}

/**
 * A custom provider whose issuer or endpoints sit on OpenAI's or ChatGPT's
 * domains would obtain OpenAI-issued tokens (or a ChatGPT session) and send
 * them to the provider's own API base, which may be anyone's. Only the
 * built-in ChatGPT sign-in talks to those servers.
 */
export function refuseOpenAiEndpoints(provider: CustomProvider): void {
  const fields: Array<[string | undefined, string, string]> = [
    [provider.issuer, 'Issuer URL', 'issuer'],
    [provider.authorizationEndpoint, 'Authorization endpoint', 'authorizationEndpoint'],
    [provider.tokenEndpoint, 'Token endpoint', 'tokenEndpoint'],
    [provider.revocationEndpoint, 'Revocation endpoint', 'revocationEndpoint'],
    [provider.jwksUri, 'JWKS URL', 'jwksUri'],
  ];
  for (const [value, what, field] of fields) {
    if (value && isOpenAiHost(new URL(value).hostname)) {
      throw oauthError(
        'openai_domain_refused',
        `${what} is on OpenAI's or ChatGPT's servers. To use ChatGPT, choose "Continue with ChatGPT" instead of a custom provider.`,
        { field },
      );
    }
  }
}

/** Distinct origins, in the order given. */
function origins(urls: Array<string | undefined>): string[] {
  return [...new Set(urls.filter((u): u is string => !!u).map((u) => new URL(u).origin))];
}

/** The question before an API key goes to a server that is not OpenAI's; null when it is. */
export function apiKeyConfirmation(baseUrl: URL): ConfirmOptions | null {
  if (baseUrl.origin === OPENAI_API_ORIGIN) return null;
  return {
    title: 'Send an API key to another server?',
    message: `Loupe will send this API key, and the photos you analyse with it, to ${baseUrl.origin}.`,
    detail: 'This server is not OpenAI. Continue only if you added this key yourself and trust this server.',
    confirmLabel: 'Save key',
    origins: [baseUrl.origin],
  };
}

/** The question before a custom provider is saved and its sign-in opened, naming every origin involved. */
export function customProviderConfirmation(label: string, provider: CustomProvider): ConfirmOptions {
  const signIn = origins([provider.issuer, provider.authorizationEndpoint, provider.tokenEndpoint, provider.revocationEndpoint, provider.jwksUri]);
  const api = origins([provider.apiBase]);
  return {
    title: 'Add a custom sign-in provider?',
    message: `Loupe will sign in to “${label.slice(0, 80)}” at ${signIn.join(', ')} and send the tokens it receives, and your photos, to ${api.join(', ')}.`,
    detail: 'Continue only if you set up this provider yourself. Your browser will open its sign-in page next.',
    confirmLabel: 'Add and sign in',
    origins: [...new Set([...signIn, ...api])],
  };
}
