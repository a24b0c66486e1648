/** Runs `task(0 … total-1)` with at most `concurrency` in flight, like that many clients; returns elapsed ms. */
export async function runConcurrently(total: number, concurrency: number, task: (index: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      while (next < total) await task(next++);
    }),
  );
  return performance.now() - started;
}
