/** Runs `task` on `concurrency` workers until `seconds` have passed; returns completed tasks per second. */
export async function runForDuration(seconds: number, concurrency: number, task: () => Promise<void>): Promise<number> {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await task();
        done++;
      }
    }),
  );
  return Math.round((done / (performance.now() - started)) * 1000);
}
