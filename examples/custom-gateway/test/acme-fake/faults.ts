/**
 * The fake's fault switches: each applies once, to the next request it fits, so a test can make Acme give the
 * answers a happy path never shows.
 * - `drop_after_acting`: the next POST is carried out (and its answer kept for its key), then the connection is
 *   closed without an answer.
 * - `slow_after_acting`: the next POST is carried out, and answered only after `delayMs`.
 * - `refuse`: the next POST is answered `status` with an error `code` before it is read (429, 503, 500, 401…, or a
 *   200 whose body is no charge); nothing is done.
 * - `decline_next_charge`: the next charge is declined with `code` whatever the card (a buyer refusal).
 * - `refuse_next_refund`: the next refund is answered 402 with `code` (a disputed charge).
 * - `fail_next_refund_later`: the next refund is accepted `pending`, and has failed with `reason` by the next read.
 */
export type AcmeFault =
  | { kind: "drop_after_acting" }
  | { kind: "slow_after_acting"; delayMs: number }
  | { kind: "refuse"; status: number; code: string; retryAfterSeconds?: number }
  | { kind: "decline_next_charge"; code: string }
  | { kind: "refuse_next_refund"; code: string }
  | { kind: "fail_next_refund_later"; reason: string };

export class FaultSwitches {
  private pending: AcmeFault[] = [];

  set(fault: AcmeFault): void {
    this.pending.push(fault);
  }

  /** Removes and returns the first pending fault of one of `kinds`, if any. */
  take<K extends AcmeFault["kind"]>(...kinds: K[]): Extract<AcmeFault, { kind: K }> | undefined {
    const index = this.pending.findIndex((fault) => (kinds as string[]).includes(fault.kind));
    if (index < 0) return undefined;
    return this.pending.splice(index, 1)[0] as Extract<AcmeFault, { kind: K }>;
  }

  clear(): void {
    this.pending = [];
  }
}
