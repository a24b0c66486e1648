import { isPaymentError } from "../errors/index.js";

/**
 * Runs `work` again when it lost a version race (`conflict`), up to `maxRetries` more times; any other error, or the
 * last conflict, is thrown. Each retry reads afresh, so a racer that lost simply decides again on what won. A short
 * jittered pause keeps racers from colliding again in lockstep.
 */
export async function retryOnConflict<R>(work: () => Promise<R>, maxRetries: number): Promise<R> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isPaymentError(error, "conflict") || attempt >= maxRetries) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * (attempt + 1)));
    }
  }
}
