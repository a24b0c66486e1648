/** A response PayPal would replay for a repeated `PayPal-Request-Id`. */
export interface StoredResponse {
  status: number;
  body: unknown;
  storedAt: number;
}

/**
 * PayPal-Request-Id memory. Orders v2 documents 6 hours ("The server stores keys for 6 hours"); the fake takes the
 * retention and the clock from its options so a test can step past it without waiting. Only successful responses
 * are stored: a declined capture retried with the same id is attempted again, as with PayPal.
 */
export class RequestIdCache {
  readonly #entries = new Map<string, StoredResponse>();

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

  clear(): void {
    this.#entries.clear();
  }
}
