/**
 * At most one read per `ttlMs`, however often /metrics is scraped (it may be public, and several Prometheus
 * replicas may scrape it). A failed read is not cached: the next scrape tries again.
 */
export function cachedFor<T>(ttlMs: number, read: () => Promise<T>): () => Promise<T> {
  let cached: { at: number; value: Promise<T> } | null = null;
  return () => {
    if (!cached || Date.now() - cached.at >= ttlMs) {
      const value = read();
      const entry = { at: Date.now(), value };
      cached = entry;
      value.catch(() => {
        if (cached === entry) cached = null;
      });
    }
    return cached.value;
  };
}
