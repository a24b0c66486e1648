const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface LatencyAtRate {
  /** Arrivals per second offered: half the measured maximum. */
  ratePerSecond: number;
  charges: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/**
 * Open-loop latency: charges arrive on a fixed schedule at `ratePerSecond` whether or not earlier ones finished
 * (as independent customers do), and each latency runs from its scheduled arrival — so time spent queued behind a
 * slow charge counts, which a closed loop (the next request waits for the last) would hide.
 */
export async function latencyAtRate(ratePerSecond: number, seconds: number, task: (index: number) => Promise<void>): Promise<LatencyAtRate> {
  const total = Math.max(100, Math.round(ratePerSecond * seconds));
  const interval = 1000 / ratePerSecond;
  const latencies: number[] = [];
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  let next = 0;
  while (next < total) {
    const now = performance.now();
    while (next < total && start + next * interval <= now) {
      const arrival = start + next * interval;
      inFlight.push(task(next).then(() => void latencies.push(performance.now() - arrival)));
      next++;
    }
    await sleep(1);
  }
  await Promise.all(inFlight);
  latencies.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return {
    ratePerSecond: Math.round(ratePerSecond),
    charges: total,
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(latencies[latencies.length - 1]!),
  };
}
