import { type AcmeAnswer, refusal } from "./answer.js";

interface KeptAnswer {
  fingerprint: string;
  answer: Promise<AcmeAnswer>;
}

/** Only answers that acted or declined are kept; a refused request leaves its key free for the corrected one. */
function isKept(answer: AcmeAnswer): boolean {
  return answer.status < 400 || answer.status === 402;
}

/**
 * Acme's Idempotency-Key layer (API.md, "Idempotency"). The answer is held as a promise from the moment the first
 * request starts, so a concurrent request with the same key waits for it instead of acting a second time.
 */
export class IdempotencyKeys {
  private kept = new Map<string, KeptAnswer>();

  async run(key: string, fingerprint: string, act: () => AcmeAnswer): Promise<{ answer: AcmeAnswer; replayed: boolean }> {
    const earlier = this.kept.get(key);
    if (earlier) {
      if (earlier.fingerprint !== fingerprint) {
        return {
          answer: refusal(422, "idempotency_key_reused", "This key was used for another request."),
          replayed: false,
        };
      }
      return { answer: await earlier.answer, replayed: true };
    }
    // A bug in the fake answers 500 rather than leaving the waiters on a rejected promise.
    const answer = Promise.resolve()
      .then(act)
      .catch(() => refusal(500, "internal", "Something broke."));
    this.kept.set(key, { fingerprint, answer });
    const settled = await answer;
    if (!isKept(settled)) this.kept.delete(key);
    return { answer: settled, replayed: false };
  }

  clear(): void {
    this.kept.clear();
  }
}
