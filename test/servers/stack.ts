/**
 * The two stand-ins wired together the way OpenAI's services are: the API
 * accepts only bearer tokens the authorization server issued and has not
 * revoked (and the API keys it is given).
 */
import { type AuthServer, type AuthServerOptions, startAuthServer } from './auth/auth-server';
import { type OpenAIStandIn, type OpenAIStandInOptions, startOpenAIStandIn } from './openai/openai-api';

export interface StandIns {
  auth: AuthServer;
  api: OpenAIStandIn;
  endpoints: { issuer: string; apiBase: string };
  close(): Promise<void>;
}

export async function startStandIns(options: { auth?: AuthServerOptions; api?: Omit<OpenAIStandInOptions, 'verifyToken'> } = {}): Promise<StandIns> {
  const auth = await startAuthServer(options.auth);
  const api = await startOpenAIStandIn({
    ...options.api,
    verifyToken: async (bearer) => {
      const verified = await auth.verifyAccessToken(bearer);
      if (!verified) return null;
      // Tokens of the stand-in's static clients play a company gateway's OAuth tokens: plain bearer credentials, no ChatGPT-plan rules.
      if (!verified.clientId.startsWith('oaiapp_')) return { kind: 'apiKey', keyId: `oauth:${verified.clientId}` };
      return { kind: 'oauth', sub: verified.sub, clientId: verified.clientId, scopes: verified.scopes };
    },
  });
  return {
    auth,
    api,
    endpoints: { issuer: auth.issuer, apiBase: api.url },
    close: async () => {
      await api.close();
      await auth.close();
    },
  };
}
