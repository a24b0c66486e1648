import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { MIN_WEBHOOK_RETENTION_MS, type PaymentGateway, type PaymentStore, type RetentionPolicy, type createPaymentService } from "@org/payments-core";
import { createSimulatedGateway, simulatedStateFileFor } from "@org/payments-core/simulated";
import type { JwtAlgorithm, JwtOptions, RateLimitOptions, TrustProxy } from "@org/payments-express";
import { createPayPalGateway } from "@org/payments-paypal";
import { createPostgresStore, migrate as migratePostgres } from "@org/payments-postgres";
import { createSqliteStore, migrate as migrateSqlite } from "@org/payments-sqlite";
import { createStripeGateway } from "@org/payments-stripe";
import { createClient } from "redis";
import { parseDuration } from "./parse-duration.js";
import { parseRateLimits } from "./parse-rate-limits.js";

/** Everything the host reads from the environment (DESIGN.md "Decisions"), resolved once at start. */
export interface HostConfig {
  port: number;
  databaseUrl: string;
  /** A readable description of where data lives (a file path, or the URL without credentials). */
  databaseLabel: string;
  defaultProvider: string;
  simulatedStateFile: string;
  jwt: JwtOptions;
  jwtNote: string | null;
  /** PAYMENTS_REDIS_URL: rate-limit counters every instance shares; unset, each process counts on its own. */
  redisUrl: string | undefined;
  /** PAYMENTS_RATE_LIMITS (`create=60,authFailures=300`…), PAYMENTS_RATE_LIMIT_WINDOW_MS and PAYMENTS_REDIS_PREFIX. */
  rateLimit: Omit<RateLimitOptions, "redis" | "store"> & { redisPrefix: string | undefined };
  /** PAYMENTS_TRUST_PROXY, read as Express reads `trust proxy`: `true`/`false`, a hop count, or addresses and names. */
  trustProxy: TrustProxy | undefined;
  /**
   * PAYMENTS_SERVICE_CLAIM: the claim of host services' tokens (the booking service charging a no-show fee off-session,
   * a back office managing a rider's cards); unset, the router's default `payments_service`.
   */
  serviceClaim: string | undefined;
  /**
   * PAYMENTS_STORE_METRICS=true makes this instance the fleet's one exporter of the store-derived gauges (set it on
   * one instance only, or run `payments-cli metrics serve` and set it on none); every instance serves its own.
   */
  storeMetrics: boolean;
  /** PAYMENTS_IDEMPOTENCY_TTL, or its other name PAYMENTS_RETENTION_IDEMPOTENCY: a record is deleted once past its TTL. */
  idempotencyTtlMs: number | undefined;
  /** PAYMENTS_RETENTION_OUTBOX and PAYMENTS_RETENTION_WEBHOOKS; unset, the library's defaults (7 days each). */
  retention: Partial<RetentionPolicy>;
  /** PAYMENTS_GATEWAY_MAX_ATTEMPTS and PAYMENTS_GATEWAY_MAX_AGE; unset, the service's defaults (8 attempts, 24 h). */
  gatewayRetryPolicy: NonNullable<Parameters<typeof createPaymentService>[0]["gatewayRetryPolicy"]>;
  /** PAYMENTS_LOCALE, PAYMENTS_TIME_ZONE, PAYMENTS_MERCHANT_NAME, PAYMENTS_MERCHANT_ADDRESS, PAYMENTS_RECEIPT_LINK_SECRET. */
  receipts: ReceiptSettings;
}

export interface ReceiptSettings {
  locale: string | undefined;
  timeZone: string | undefined;
  merchant: { name: string; address: string[] | undefined } | undefined;
  /** Comma-separated for rotation (the first signs); set, the host serves signed receipt links. */
  linkSecrets: string[] | undefined;
}

const env = (name: string): string | undefined => {
  const value = process.env[name];
  return value === undefined || value === "" ? undefined : value;
};

function isPostgres(url: string): boolean {
  return url.startsWith("postgres://") || url.startsWith("postgresql://");
}

/** No JWT configured: a development secret kept in a local file, so tokens survive restarts. Never for production. */
function developmentSecret(file: string): string {
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

function jwtFromEnv(devSecretFile: string): Pick<HostConfig, "jwt" | "jwtNote"> {
  const algorithms = (env("PAYMENTS_JWT_ALGORITHMS")?.split(",").map((a) => a.trim()) ?? []) as JwtAlgorithm[];
  const common = { issuer: env("PAYMENTS_JWT_ISSUER"), audience: env("PAYMENTS_JWT_AUDIENCE"), adminClaim: env("PAYMENTS_ADMIN_CLAIM") };
  const secret = env("PAYMENTS_JWT_SECRET");
  const publicKey = env("PAYMENTS_JWT_PUBLIC_KEY");
  const jwksUrl = env("PAYMENTS_JWKS_URL");
  if (secret) return { jwt: { ...common, secret, algorithms: algorithms.length ? algorithms : ["HS256"] }, jwtNote: null };
  if (publicKey) return { jwt: { ...common, publicKey, algorithms: algorithms.length ? algorithms : ["RS256"] }, jwtNote: null };
  if (jwksUrl) return { jwt: { ...common, jwksUrl, algorithms: algorithms.length ? algorithms : ["RS256"] }, jwtNote: null };
  return {
    jwt: { ...common, secret: developmentSecret(devSecretFile), algorithms: ["HS256"] },
    jwtNote: `no PAYMENTS_JWT_* setting: using a generated DEVELOPMENT secret stored in ${devSecretFile} (HS256). Configure a real key for production.`,
  };
}

/** `1` → one hop, `true`/`false` → all/none, anything else → addresses, subnets or names, comma-separated. */
export function parseTrustProxy(text: string | undefined): TrustProxy | undefined {
  if (text === undefined) return undefined;
  if (text === "true" || text === "false") return text === "true";
  if (/^\d+$/.test(text)) return Number(text);
  return text;
}

function positiveInteger(name: string): number | undefined {
  const text = env(name);
  if (text === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(text)) throw new Error(`${name} must be a positive whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

function rateLimitFromEnv(): HostConfig["rateLimit"] {
  return {
    windowMs: positiveInteger("PAYMENTS_RATE_LIMIT_WINDOW_MS"),
    limits: parseRateLimits("PAYMENTS_RATE_LIMITS", env("PAYMENTS_RATE_LIMITS")),
    redisPrefix: env("PAYMENTS_REDIS_PREFIX"),
  };
}

/** Two names for one setting: the library deletes an idempotency record once its TTL has passed. */
function idempotencyTtlFromEnv(): number | undefined {
  const ttl = parseDuration("PAYMENTS_IDEMPOTENCY_TTL", env("PAYMENTS_IDEMPOTENCY_TTL"));
  const retention = parseDuration("PAYMENTS_RETENTION_IDEMPOTENCY", env("PAYMENTS_RETENTION_IDEMPOTENCY"));
  if (ttl !== undefined && retention !== undefined && ttl !== retention) {
    throw new Error("PAYMENTS_IDEMPOTENCY_TTL and PAYMENTS_RETENTION_IDEMPOTENCY are one setting (a record is deleted once its TTL has passed): set one, or both to the same duration");
  }
  return ttl ?? retention;
}

function retentionFromEnv(): Partial<RetentionPolicy> {
  const processedWebhooksMs = parseDuration("PAYMENTS_RETENTION_WEBHOOKS", env("PAYMENTS_RETENTION_WEBHOOKS"));
  if (processedWebhooksMs !== undefined && processedWebhooksMs < MIN_WEBHOOK_RETENTION_MS) {
    throw new Error("PAYMENTS_RETENTION_WEBHOOKS must be at least 3d: a provider may still redeliver a webhook purged sooner");
  }
  return { deliveredEventsMs: parseDuration("PAYMENTS_RETENTION_OUTBOX", env("PAYMENTS_RETENTION_OUTBOX")), processedWebhooksMs };
}

/** Only the parts set: the service spreads this over its defaults, so an undefined would erase one. */
function gatewayRetryPolicyFromEnv(): HostConfig["gatewayRetryPolicy"] {
  const maxAttempts = positiveInteger("PAYMENTS_GATEWAY_MAX_ATTEMPTS");
  const maxAgeMs = parseDuration("PAYMENTS_GATEWAY_MAX_AGE", env("PAYMENTS_GATEWAY_MAX_AGE"));
  return { ...(maxAttempts === undefined ? {} : { maxAttempts }), ...(maxAgeMs === undefined ? {} : { maxAgeMs }) };
}

function receiptsFromEnv(): ReceiptSettings {
  const locale = env("PAYMENTS_LOCALE");
  if (locale !== undefined) {
    try {
      Intl.getCanonicalLocales(locale);
    } catch {
      throw new Error(`PAYMENTS_LOCALE must be a BCP 47 locale such as en-US, got ${JSON.stringify(locale)}`);
    }
  }
  const timeZone = env("PAYMENTS_TIME_ZONE");
  if (timeZone !== undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone });
    } catch {
      throw new Error(`PAYMENTS_TIME_ZONE must be an IANA time zone such as America/New_York, got ${JSON.stringify(timeZone)}`);
    }
  }
  const name = env("PAYMENTS_MERCHANT_NAME");
  // Lines separated by ";", since an address line itself often holds a comma.
  const address = env("PAYMENTS_MERCHANT_ADDRESS")?.split(";").map((line) => line.trim()).filter((line) => line !== "");
  if (address !== undefined && name === undefined) throw new Error("PAYMENTS_MERCHANT_ADDRESS is set but PAYMENTS_MERCHANT_NAME is not");
  const linkSecrets = env("PAYMENTS_RECEIPT_LINK_SECRET")?.split(",").map((secret) => secret.trim());
  // Never echo the secret itself: say only which rule it breaks.
  if (linkSecrets?.some((secret) => Buffer.byteLength(secret) < 32)) {
    throw new Error("PAYMENTS_RECEIPT_LINK_SECRET: every secret must be at least 32 bytes");
  }
  return { locale, timeZone, merchant: name === undefined ? undefined : { name, address }, linkSecrets };
}

export function loadConfig(): HostConfig {
  const databaseUrl = env("PAYMENTS_DATABASE_URL") ?? "./payments.db";
  const postgres = isPostgres(databaseUrl);
  const databaseLabel = postgres ? databaseUrl.replace(/\/\/[^@/]*@/, "//") : resolve(databaseUrl);
  const simulatedStateFile = resolve(env("PAYMENTS_SIMULATED_STATE") ?? simulatedStateFileFor(databaseUrl));
  return {
    port: Number(env("PORT") ?? 3000),
    databaseUrl,
    databaseLabel,
    defaultProvider: env("PAYMENTS_PROVIDER") ?? "simulated",
    simulatedStateFile,
    ...jwtFromEnv(resolve(".payments/dev-jwt-secret")),
    redisUrl: env("PAYMENTS_REDIS_URL"),
    rateLimit: rateLimitFromEnv(),
    trustProxy: parseTrustProxy(env("PAYMENTS_TRUST_PROXY")),
    serviceClaim: env("PAYMENTS_SERVICE_CLAIM"),
    storeMetrics: env("PAYMENTS_STORE_METRICS") === "true",
    idempotencyTtlMs: idempotencyTtlFromEnv(),
    retention: retentionFromEnv(),
    gatewayRetryPolicy: gatewayRetryPolicyFromEnv(),
    receipts: receiptsFromEnv(),
  };
}

/** Opens the store and migrates it: the store itself never migrates implicitly, the host does it at start. */
export async function openStore(config: HostConfig): Promise<PaymentStore> {
  if (isPostgres(config.databaseUrl)) {
    const store = await createPostgresStore({ connectionString: config.databaseUrl });
    await migratePostgres(store);
    return store;
  }
  const store = await createSqliteStore({ filename: config.databaseUrl });
  await migrateSqlite(store);
  return store;
}

export interface RateLimitRedis {
  sendCommand: (...args: string[]) => Promise<unknown>;
  close(): Promise<void>;
}

/**
 * Connects to the rate-limit Redis before the router is built: the router's stores load their scripts at once, and
 * a Redis configured but unreachable should stop the start, not leave every instance counting nothing. Commands
 * fail fast while the connection is down (no offline queue), so requests are served unthrottled, not held.
 */
export async function openRateLimitRedis(config: HostConfig): Promise<RateLimitRedis | null> {
  if (!config.redisUrl) return null;
  const client = createClient({ url: config.redisUrl, disableOfflineQueue: true });
  client.on("error", (error: unknown) => console.error("[host] rate-limit redis:", error instanceof Error ? error.message : error));
  await client.connect();
  return { sendCommand: (...args) => client.sendCommand(args), close: () => client.close() };
}

/** The simulated provider always; Stripe and PayPal when their credentials are in the environment. */
export function gatewaysFromEnv(config: HostConfig): PaymentGateway[] {
  const gateways: PaymentGateway[] = [
    createSimulatedGateway({
      stateFile: config.simulatedStateFile,
      webhookSecrets: env("PAYMENTS_SIMULATED_WEBHOOK_SECRET")?.split(","),
    }),
  ];
  const stripeKey = env("STRIPE_SECRET_KEY");
  if (stripeKey) gateways.push(createStripeGateway({ secretKey: stripeKey, webhookSecrets: env("STRIPE_WEBHOOK_SECRET") ?? [] }));
  const paypalId = env("PAYPAL_CLIENT_ID");
  const paypalSecret = env("PAYPAL_CLIENT_SECRET");
  if (paypalId && paypalSecret) {
    gateways.push(
      createPayPalGateway({
        clientId: paypalId,
        clientSecret: paypalSecret,
        environment: env("PAYPAL_ENVIRONMENT") === "production" ? "production" : "sandbox",
        webhookId: env("PAYPAL_WEBHOOK_ID") ?? "",
        verification: "api",
      }),
    );
  }
  if (!gateways.some((g) => g.provider === config.defaultProvider)) {
    throw new Error(`PAYMENTS_PROVIDER=${config.defaultProvider} but its credentials are not set`);
  }
  return gateways;
}
