/** An answer PayPal gives again for a repeated `PayPal-Request-Id`. */
export interface StoredResponse {
  status: number;
  body: unknown;
  storedAt: number;
}

/**
 * PayPal-Request-Id memory. PayPal documents that a repeated id gets "the latest status of the previous request
 * that used that same header" and that two simultaneous requests with one id may fail the second; Orders v2 keeps
 * ids 6 hours. The fake keeps every answer it decided (success or refusal) and answers a request that arrives while
 * one with the same id is still being processed with 409 PREVIOUS_REQUEST_IN_PROGRESS (Payments v2's documented
 * answer). Retention and clock come from the fake's options so a test can step past them without waiting.
 */
export class RequestIdCache {
  readonly #entries = new Map<string, StoredResponse>();
  readonly #inFlight = new Set<string>();

  constructor(
    private readonly retentionMs: number,
    private readonly now: () => number,
  ) {}

  get(scope: string, requestId: string): StoredResponse | undefined {
    const key = `${scope}\u0000${requestId}`;
    const entry = this.#entries.get(key);
    if (entry && this.now() - entry.storedAt > this.retentionMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  put(scope: string, requestId: string, status: number, body: unknown): void {
    this.#entries.set(`${scope}\u0000${requestId}`, { status, body, storedAt: this.now() });
  }

  /** Marks the id as being processed; false when another request with it is already in flight. */
  begin(scope: string, requestId: string): boolean {
    const key = `${scope}\u0000${requestId}`;
    if (this.#inFlight.has(key)) return false;
    this.#inFlight.add(key);
    return true;
  }

  end(scope: string, requestId: string): void {
    this.#inFlight.delete(`${scope}\u0000${requestId}`);
  }

  clear(): void {
    this.#entries.clear();
    this.#inFlight.clear();
  }
}
