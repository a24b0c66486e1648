import { runConcurrently } from "./run-concurrently.js";

export interface ComparisonOptions {
  /** Charges per timed round, per side. */
  charges: number;
  /** Charges in flight at once, the same on both sides. */
  concurrency: number;
  rounds: number;
  warmup: number;
}

export interface Comparison {
  concurrency: number;
  /** Charges per round (count-timed rounds), or 0 when rounds are timed by `secondsPerRound`. */
  chargesPerRound: number;
  secondsPerRound?: number;
  rounds: number;
  service: { chargesPerSecond: number; rounds: number[] };
  floor: { chargesPerSecond: number; rounds: number[] };
  /** service ÷ floor, from the medians. */
  ratio: number;
}

export const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/**
 * Times the service's charge path beside the floor in alternating rounds of the same size and concurrency, so
 * that both see the same machine load (two shared cores, a database that grows); medians damp the noise.
 */
export async function compareWithFloor(
  options: ComparisonOptions,
  service: (n: number) => Promise<void>,
  floor: (n: number) => Promise<void>,
): Promise<Comparison> {
  let serviceN = 0;
  let floorN = 0;
  const round = async (side: "service" | "floor", charges: number) => {
    const ms =
      side === "service"
        ? await runConcurrently(charges, options.concurrency, () => service(serviceN++))
        : await runConcurrently(charges, options.concurrency, () => floor(floorN++));
    return Math.round((charges / ms) * 1000);
  };
  await round("floor", options.warmup);
  await round("service", options.warmup);
  const serviceRounds: number[] = [];
  const floorRounds: number[] = [];
  for (let i = 0; i < options.rounds; i++) {
    floorRounds.push(await round("floor", options.charges));
    serviceRounds.push(await round("service", options.charges));
  }
  const serviceRate = median(serviceRounds);
  const floorRate = median(floorRounds);
  return {
    concurrency: options.concurrency,
    chargesPerRound: options.charges,
    rounds: options.rounds,
    service: { chargesPerSecond: serviceRate, rounds: serviceRounds },
    floor: { chargesPerSecond: floorRate, rounds: floorRounds },
    ratio: Math.round((serviceRate / floorRate) * 100) / 100,
  };
}
