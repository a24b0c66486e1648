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

export function lastTokenFailure(client: Client): unknown {
  const entry = tokenFailures.get(client);
  tokenFailures.delete(client);
  return entry?.error;
}

/** Builds the SDK client the gateway uses (also what tests pass in as a preconfigured `client`). */
export function createPayPalClient(options: PayPalClientOptions): Client {
  let client: Client | undefined;
  const oAuthTokenProvider = async (
    last: OAuthToken | undefined,
    manager: ClientCredentialsAuthManager,
  ): Promise<OAuthToken> => {
    try {
      return await manager.updateToken(last);
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
  return client;
}
