import type { ApiResult } from "./fake-state.js";
import type { Json } from "./stripe-objects.js";

interface StoredResponse {
  fingerprint: string;
  status: number;
  body: Json;
  storedAt: number;
}

export type IdempotencyLookup =
  | { kind: "miss" }
  | { kind: "replay"; status: number; body: Json }
  | { kind: "mismatch" }
  | { kind: "in_flight" };

/**
 * Stripe's idempotency layer as documented (docs.stripe.com/api/idempotent_requests): the status and body of the
 * first request to a key are saved once its endpoint began executing — whatever they are, a 400 or a 500 included —
 * and replayed for the same parameters; the same key with different parameters is an `idempotency_error`; a key
 * whose first request is still running is a 409 and saves nothing; answers given before the endpoint runs (failed
 * parameter validation) save nothing either; keys are forgotten after the retention window (about 24 hours).
 */
export class IdempotencyCache {
  private readonly stored = new Map<string, StoredResponse>();
  private readonly running = new Set<string>();

  constructor(
    private readonly now: () => number,
    public retentionMs: number,
  ) {}

  lookup(key: string, fingerprint: string): IdempotencyLookup {
    if (this.running.has(key)) return { kind: "in_flight" };
    const hit = this.stored.get(key);
    if (!hit) return { kind: "miss" };
    if (this.now() - hit.storedAt >= this.retentionMs) {
      this.stored.delete(key);
      return { kind: "miss" };
    }
    if (hit.fingerprint !== fingerprint) return { kind: "mismatch" };
    return { kind: "replay", status: hit.status, body: structuredClone(hit.body) };
  }

  begin(key: string): void {
    this.running.add(key);
  }

  finish(key: string, fingerprint: string, result: ApiResult): void {
    this.running.delete(key);
    if (result.saved === false) return;
    this.stored.set(key, { fingerprint, status: result.status, body: structuredClone(result.body), storedAt: this.now() });
  }

  /** The endpoint crashed (a fake bug): the key is released and nothing is saved. */
  abandon(key: string): void {
    this.running.delete(key);
  }

  clear(): void {
    this.stored.clear();
    this.running.clear();
  }
}
