import { Client, Environment, type ClientCredentialsAuthManager, type OAuthToken } from "@paypal/paypal-server-sdk";

export interface PayPalClientOptions {
  clientId: string;
  clientSecret: string;
  environment: "sandbox" | "production";
  /** Per-request timeout; the SDK's default of 0 waits forever, which would hang a payment. Default 30 s. */
  timeoutMs?: number;
  /** Passed to the SDK's axios config (`unstable_httpClientOptions`); tests point it at a local fake. */
  unstableHttpClientOptions?: Record<string, unknown>;
}

/**
 * The last token failure per client. The SDK's OAuth adapter keeps its token as a shared promise: if one token
 * request rejects, every later call on that client rejects with the same error, forever. Our token provider never
 * rejects (it records the failure and yields no token), so the next call tries again; the failure is looked up here
 * to explain the SDK's generic "Client is not authorized" error.
 */
const tokenFailures = new WeakMap<Client, { error: unknown }>();

/**
 * The token each client is using. The SDK keeps its token until its own expiry and has no way to discard it, so a
 * token PayPal rejects (revoked, or expired early by PayPal) would fail every call until then; marking it expired
 * makes the SDK ask our provider for a new one on the next call.
 */
const currentTokens = new WeakMap<Client, { token: OAuthToken | undefined }>();

export function lastTokenFailure(client: Client): unknown {
  const entry = tokenFailures.get(client);
  tokenFailures.delete(client);
  return entry?.error;
}

/**
 * Drops the client's cached access token after PayPal answered 401 to a call made with `rejected`, so the next call
 * fetches a fresh one. Returns whether a retry will present another token: false only when the client was not
 * built by `createPayPalClient` (its token cannot be reached).
 */
export function dropAccessToken(client: Client, rejected: string | undefined): boolean {
  const holder = currentTokens.get(client);
  if (!holder) return false;
  const token = holder.token;
  // Only the rejected token is dropped: concurrent calls that were all refused drop it once, and a token fetched
  // meanwhile by another call is fresh and kept. Either way the retry presents a token other than the refused one.
  if (token && (rejected === undefined || rejected === token.accessToken)) {
    token.expiry = 0n;
    holder.token = undefined;
  }
  return true;
}

/** Builds the SDK client the gateway uses (also what tests pass in as a preconfigured `client`). */
export function createPayPalClient(options: PayPalClientOptions): Client {
  let client: Client | undefined;
  const holder: { token: OAuthToken | undefined } = { token: undefined };
  const oAuthTokenProvider = async (
    last: OAuthToken | undefined,
    manager: ClientCredentialsAuthManager,
  ): Promise<OAuthToken> => {
    try {
      holder.token = await manager.updateToken(last);
      return holder.token;
    } catch (error) {
      if (client) tokenFailures.set(client, { error });
      // No token: this request fails with the SDK's "not authorized" error, and the next one fetches afresh.
      return undefined as unknown as OAuthToken;
    }
  };
  client = new Client({
    clientCredentialsAuthCredentials: {
      oAuthClientId: options.clientId,
      oAuthClientSecret: options.clientSecret,
      oAuthTokenProvider,
    },
    environment: options.environment === "production" ? Environment.Production : Environment.Sandbox,
    timeout: options.timeoutMs ?? 30_000,
    ...(options.unstableHttpClientOptions ? { unstable_httpClientOptions: options.unstableHttpClientOptions } : {}),
  });
  currentTokens.set(client, holder);
  return client;
}
