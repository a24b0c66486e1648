/**
 * Faults the fake can inject, each matched on method and path (the PayPal path, e.g. `/v2/checkout/orders`), for a
 * number of requests. The OAuth token endpoint is matched only when a rule names it: a fault meant for a capture
 * must not break the token fetch that precedes it.
 */
export type PayPalFault =
  /** Process the request fully (state changes), then destroy the socket: the client never learns the outcome. */
  | { kind: "drop_after_success" }
  /** Destroy the socket before doing anything. */
  | { kind: "drop_before" }
  /**
   * Answer with this status and PayPal's error body for it (naming `issue`, with the description PayPal documents
   * for the operation), without processing. A 400 or 422 is PayPal's decided answer and is kept for the request's
   * PayPal-Request-Id like any other; a 401, 409, 429 or 5xx is not (nothing was decided) unless `saved`.
   */
  | { kind: "status"; status: number; retryAfterSeconds?: number; issue?: string; saved?: boolean }
  /**
   * Process the request fully and keep its real answer for the PayPal-Request-Id (as PayPal returns "the latest
   * status of the previous request"), but answer this status: the answer is lost after PayPal acted.
   */
  | { kind: "answer_after_success"; status: number }
  /** Wait, then process normally (a client timeout shorter than the delay sees an unknown outcome). */
  | { kind: "delay"; ms: number }
  /**
   * Process the request at once and keep its answer for the PayPal-Request-Id, but send that answer only after `ms`:
   * a client whose timeout is shorter gives up although PayPal acted (and a retry under the same id replays it).
   */
  | { kind: "answer_late"; ms: number };

export interface FaultRule {
  method?: string;
  /** A path prefix or pattern; absent matches every API path except the token endpoint. */
  path?: string | RegExp;
  /** How many matching requests the fault applies to; default 1. */
  times?: number;
  fault: PayPalFault;
}

const TOKEN_PATH = "/v1/oauth2/token";

export class FaultPlan {
  #rules: Array<FaultRule & { remaining: number }> = [];

  add(rule: FaultRule): void {
    this.#rules.push({ ...rule, remaining: rule.times ?? 1 });
  }

  clear(): void {
    this.#rules = [];
  }

  /** Consumes and returns the first rule matching this request, if any. */
  take(method: string, path: string): PayPalFault | undefined {
    for (const rule of this.#rules) {
      if (rule.remaining <= 0) continue;
      if (rule.method && rule.method.toUpperCase() !== method) continue;
      if (!matches(rule.path, path)) continue;
      rule.remaining -= 1;
      return rule.fault;
    }
    return undefined;
  }
}

function matches(pattern: string | RegExp | undefined, path: string): boolean {
  if (pattern === undefined) return path !== TOKEN_PATH;
  if (typeof pattern === "string") return path.startsWith(pattern);
  return pattern.test(path);
}
