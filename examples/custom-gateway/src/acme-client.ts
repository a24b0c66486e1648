import { PaymentError } from "@org/payments-core";

/** One HTTP answer from Acme, whatever its status. */
export interface AcmeAnswer {
  status: number;
  body: unknown;
  /** From `Retry-After`, when Acme sent one. */
  retryAfterSeconds: number | undefined;
  /** `Acme-Request-Id`, for Acme's support. */
  requestId: string | undefined;
}

export interface AcmeClient {
  post(path: string, body: Record<string, unknown>, idempotencyKey: string): Promise<AcmeAnswer>;
  get(path: string): Promise<AcmeAnswer>;
}

export interface AcmeClientOptions {
  baseUrl: string;
  apiKey: string;
  /** A call without an answer by then is given up: `gateway_outcome_unknown`. */
  timeoutMs: number;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** True when the connection was refused before anything was sent (every address tried, for localhost's two). */
function refusedBeforeSending(error: unknown): boolean {
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof AggregateError) return cause.errors.length > 0 && cause.errors.every((e) => codeOf(e) === "ECONNREFUSED");
  return codeOf(cause) === "ECONNREFUSED";
}

/**
 * No answer at all. A refused connection sent nothing, so Acme certainly did not act: retryable. Anything else (our
 * timeout, a connection cut after sending) may have reached Acme and acted: unknown outcome, and the core looks the
 * charge up by our payment id before sending again.
 */
function noAnswer(error: unknown, timeoutMs: number): PaymentError {
  if (refusedBeforeSending(error)) {
    return new PaymentError("gateway_error", "Acme refused the connection; nothing was sent", { cause: error, details: { provider: "acme" } });
  }
  const why = (error as { name?: unknown }).name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : "the connection failed";
  return new PaymentError("gateway_outcome_unknown", `Acme's answer is unknown (${why}); look the charge up by payment id`, {
    retryAfterSeconds: 1,
    cause: error,
    details: { provider: "acme" },
  });
}

/** Acme over `fetch`: the API key on every call, the Idempotency-Key on every POST, one deadline per call. */
export function createAcmeClient(options: AcmeClientOptions): AcmeClient {
  async function send(method: "GET" | "POST", path: string, body?: Record<string, unknown>, idempotencyKey?: string): Promise<AcmeAnswer> {
    const headers: Record<string, string> = { authorization: `Bearer ${options.apiKey}`, accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (idempotencyKey !== undefined) headers["idempotency-key"] = idempotencyKey;
    try {
      // The deadline covers the body too: a server that sends headers and then stalls is still no answer.
      const response = await fetch(new URL(path, options.baseUrl), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      const text = await response.text();
      let parsed: unknown = null;
      try {
        parsed = text === "" ? null : JSON.parse(text);
      } catch {
        // Not JSON (a proxy's error page): the status alone decides, and an unreadable 200 is checked by its reader.
      }
      const retryAfter = Number(response.headers.get("retry-after") ?? Number.NaN);
      return {
        status: response.status,
        body: parsed,
        retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter >= 0 ? Math.ceil(retryAfter) : undefined,
        requestId: response.headers.get("acme-request-id") ?? undefined,
      };
    } catch (error) {
      throw noAnswer(error, options.timeoutMs);
    }
  }

  return {
    post: (path, body, idempotencyKey) => send("POST", path, body, idempotencyKey),
    get: (path) => send("GET", path),
  };
}
