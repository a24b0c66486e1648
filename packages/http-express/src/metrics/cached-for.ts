/**
 * At most one read per `ttlMs`, however often /metrics is scraped (it may be public, and several Prometheus
 * replicas may scrape it); a read still in flight is shared whatever the TTL, so the gauges of one scrape (collected
 * together) see one read. A failed read is not cached: the next scrape tries again.
 */
export function cachedFor<T>(ttlMs: number, read: () => Promise<T>): () => Promise<T> {
  let cached: { at: number; value: Promise<T>; settled: boolean } | null = null;
  return () => {
    if (!cached || (cached.settled && Date.now() - cached.at >= ttlMs)) {
      const entry = { at: Date.now(), value: read(), settled: false };
      cached = entry;
      entry.value.then(
        () => (entry.settled = true),
        () => {
          entry.settled = true;
          if (cached === entry) cached = null;
        },
      );
    }
    return cached.value;
  };
}
