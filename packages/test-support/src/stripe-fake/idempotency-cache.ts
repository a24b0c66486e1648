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
 * Stripe's idempotency layer as documented: the first response to a key is stored and replayed for the same
 * parameters; the same key with different parameters is an `idempotency_error`; a key whose first request is still
 * running is a 409; keys are forgotten after the retention window (about 24 hours at Stripe).
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

  /** Only outcomes of an endpoint that ran are kept; Stripe does not save validation failures. */
  finish(key: string, fingerprint: string, status: number, body: Json): void {
    this.running.delete(key);
    if (status === 200 || status === 402) {
      this.stored.set(key, { fingerprint, status, body: structuredClone(body), storedAt: this.now() });
    }
  }

  clear(): void {
    this.stored.clear();
    this.running.clear();
  }
}
