/**
 * Failures and provider answers a test can arm on the fake, each for the next `times` matching requests:
 * - `drop_after_commit`: the request takes effect (state changes, the idempotent response is stored), then the
 *   socket is destroyed before any byte of the response: the client cannot know what happened.
 * - `drop_before`: the connection is destroyed before the request is processed.
 * - `status`: the request is answered with this HTTP status (500, 503, 429, 401, 403, 409 …) and is not processed.
 *   Not saved for its idempotency key unless `saved` (Stripe saves every answer of an endpoint that began
 *   executing, a 500 included; its rate limiter and authentication run before that and save nothing).
 * - `delay`: the request is processed, and its response held back for `ms` (client timeouts).
 * - `answer_lost`: the request is processed, then answered 500 `api_error`, and that 500 is saved for the key, so a
 *   retry under the same key gets the same 500 back (`Idempotent-Replayed: true`) although Stripe acted.
 * - `slow`: the request holds its idempotency key for `ms` before it runs: a second request with the same key meanwhile
 *   is answered 409 `idempotency_key_in_use`, and nothing is saved for it.
 * - `decline`: the next confirmation is declined as a card error with this `code` and `declineCode` (a buyer-side
 *   refusal such as `transaction_not_allowed` or `card_velocity_exceeded`), whatever the payment method.
 * - `processing`: the next confirmation leaves the PaymentIntent `processing` (money in flight) until
 *   `settlePayment` moves it.
 * - `dispute_charge`: before the next refund runs, the charge it refunds is disputed (a `charge.dispute.created`
 *   event), so Stripe answers 400 `charge_disputed`, saved for the key.
 * - `refund_fails_later`: the next refund is created `pending`, and fails (status `failed`, `failure_reason`) before
 *   the next read of the API, as a card network would report it later.
 */
export type FaultKind =
  | { kind: "drop_after_commit" }
  | { kind: "drop_before" }
  | { kind: "status"; status: number; type?: string; code?: string; message?: string; saved?: boolean }
  | { kind: "delay"; ms: number }
  | { kind: "answer_lost" }
  | { kind: "slow"; ms: number }
  | { kind: "decline"; code?: string; declineCode: string; message?: string }
  | { kind: "processing" }
  | { kind: "dispute_charge" }
  | { kind: "refund_fails_later"; failureReason?: string };

export type FaultSpec = FaultKind & {
  /** Matches the request method; any when absent. */
  method?: string;
  /** Matches the path: a prefix string or a regular expression; any when absent. */
  path?: string | RegExp;
  /** How many matching requests it affects (default 1). */
  times?: number;
};

interface ArmedFault {
  spec: FaultSpec;
  left: number;
}

export class FaultPlan {
  private armed: ArmedFault[] = [];

  arm(spec: FaultSpec): void {
    this.armed.push({ spec, left: spec.times ?? 1 });
  }

  /** Takes the first armed fault matching this request, consuming one of its uses. */
  take(method: string, path: string): FaultKind | null {
    for (const fault of this.armed) {
      const { spec } = fault;
      if (spec.method !== undefined && spec.method.toUpperCase() !== method) continue;
      if (spec.path !== undefined) {
        const hit = typeof spec.path === "string" ? path.startsWith(spec.path) : spec.path.test(path);
        if (!hit) continue;
      }
      fault.left -= 1;
      if (fault.left <= 0) this.armed = this.armed.filter((f) => f !== fault);
      return spec;
    }
    return null;
  }

  clear(): void {
    this.armed = [];
  }
}
