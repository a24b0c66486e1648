import { purgeHousekeeping } from "@org/payments-core";
import type { PaymentFilter, PaymentService, PaymentStore, StatsFilter } from "@org/payments-core";
import type { LogEvent } from "kysely";
import type { QueryPlan } from "./plans.js";

export interface Measurement {
  name: string;
  /** Median of the timed runs, or p50 for the per-operation figures. */
  ms: number;
  p99Ms?: number;
  detail?: Record<string, unknown>;
  plan?: QueryPlan;
}

export interface MeasureContext {
  store: PaymentStore;
  service: PaymentService;
  /** Statements the store ran since the last `take()`, from kysely's query log. */
  statements: { take(): Array<{ sql: string; parameters: readonly unknown[] }> };
  explain(sql: string, parameters: readonly unknown[]): Promise<QueryPlan>;
  runs: number;
  charges: number;
  refunds: number;
}

/** A kysely `log` that keeps the statements run, for EXPLAIN of exactly what the adapter sent. */
export function statementRecorder(): { log: (event: LogEvent) => void; take(): Array<{ sql: string; parameters: readonly unknown[] }> } {
  let statements: Array<{ sql: string; parameters: readonly unknown[] }> = [];
  return {
    log: (event) => {
      if (event.level === "query") statements.push({ sql: event.query.sql, parameters: event.query.parameters });
    },
    take: () => {
      const taken = statements;
      statements = [];
      return taken;
    },
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const round = (ms: number) => Math.round(ms * 100) / 100;

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

/** Times a query `runs` times and explains the last payments statement it issued. */
async function query(ctx: MeasureContext, name: string, work: () => Promise<{ rows: number }>): Promise<Measurement> {
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < ctx.runs; i++) {
    ctx.statements.take();
    const { ms, value } = await timed(work);
    times.push(ms);
    rows = value.rows;
  }
  const statement = ctx.statements.take().filter((s) => /from "payments"/i.test(s.sql)).at(-1);
  return { name, ms: round(median(times)), detail: { rows }, ...(statement ? { plan: await ctx.explain(statement.sql, statement.parameters) } : {}) };
}

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Everything the growth table reports for one size, through the public store API and the service: every list
 * filter (first page of 50) and stats with their plans, charges, refunds, an outbox drain, reconcile's page walk,
 * and last the idempotency purge (it deletes what the other figures read).
 */
export async function measureAll(ctx: MeasureContext, size: number): Promise<Measurement[]> {
  const out: Measurement[] = [];
  const list = (name: string, filter: PaymentFilter) =>
    query(ctx, `list ${name}`, async () => ({ rows: (await ctx.store.listPayments(filter, { limit: 50 })).items.length }));
  const stats = (name: string, filter: StatsFilter) => query(ctx, `stats ${name}`, async () => ({ rows: (await ctx.store.stats(filter)).length }));

  out.push(await list("status=succeeded", { status: "succeeded" }));
  out.push(await list("status=authorized", { status: "authorized" }));
  out.push(await list("owner", { owner: "owner_7" }));
  out.push(await list("provider=simulated", { provider: "simulated" }));
  out.push(await list("reference=booking:X", { reference: { key: "booking", value: `booking:${Math.floor(size / 2)}` } }));
  out.push(await list("created since 10 min", { createdFrom: ago(10 * 60_000) }));
  out.push(await list("created one day, 6 months ago", { createdFrom: ago(182 * DAY), createdTo: ago(181 * DAY) }));
  out.push(await list("updatedFrom 1 h", { updatedFrom: ago(HOUR) }));
  out.push(await list("authorizationExpiresBefore +1 day", { authorizationExpiresBefore: new Date(Date.now() + DAY).toISOString() }));
  out.push(await stats("all time", {}));
  out.push(await stats("last 24 h", { createdFrom: ago(DAY) }));

  // Charges one at a time: the latency of one, without queueing.
  const chargeTimes: number[] = [];
  const charged: string[] = [];
  for (let i = 0; i < ctx.charges; i++) {
    const { ms, value } = await timed(async () => {
      const key = `scale-${size}-${i}`;
      const { payment } = await ctx.service.createPayment({ owner: "user_scale", amount: 1999, currency: "USD" }, { scope: "user_scale", idempotencyKey: `create-${key}` });
      await ctx.service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, { scope: "user_scale", idempotencyKey: `confirm-${key}` });
      return payment.id;
    });
    chargeTimes.push(ms);
    charged.push(value);
  }
  out.push({ name: "charge (create + confirm)", ms: round(percentile(chargeTimes, 50)), p99Ms: round(percentile(chargeTimes, 99)), detail: { charges: ctx.charges } });

  const refundTimes: number[] = [];
  for (const [i, id] of charged.slice(0, ctx.refunds).entries()) {
    const { ms } = await timed(() => ctx.service.refundPayment(id, { amount: 100, reason: "scale bench" }, { scope: "user_scale", idempotencyKey: `refund-${size}-${i}` }));
    refundTimes.push(ms);
  }
  out.push({ name: "refund", ms: round(percentile(refundTimes, 50)), p99Ms: round(percentile(refundTimes, 99)), detail: { refunds: refundTimes.length } });

  // The outbox backlog: the seeded pending events plus those the charges and refunds just wrote.
  const claimTimes: number[] = [];
  let delivered = 0;
  const drain = await timed(async () => {
    for (;;) {
      const now = new Date().toISOString();
      const { ms, value: batch } = await timed(() => ctx.store.claimOutbox({ claimant: "scale-bench", now, leaseUntil: new Date(Date.now() + 60_000).toISOString(), limit: 100 }));
      claimTimes.push(ms);
      if (batch.length === 0) break;
      for (const entry of batch) if (await ctx.store.markOutboxDelivered(entry.sequence, "scale-bench", now)) delivered++;
    }
  });
  out.push({
    name: "outbox drain (claim 100 + deliver)",
    ms: round(drain.ms),
    p99Ms: round(percentile(claimTimes, 99)),
    detail: { delivered, claims: claimTimes.length, claimP50Ms: round(percentile(claimTimes, 50)), claimMaxMs: round(Math.max(...claimTimes)) },
  });

  // Reconcile's local walk over a one-day window: both of its filters, pages of 500, as reconcile.ts walks them.
  const since = ago(DAY);
  const until = new Date(Date.now() + 1).toISOString();
  const pageTimes: number[] = [];
  let walked = 0;
  const walk = await timed(async () => {
    for (const filter of [
      { provider: "simulated", createdFrom: since, createdTo: until },
      { provider: "simulated", updatedFrom: since, createdTo: until },
    ]) {
      let cursor: string | undefined;
      do {
        const { ms, value: page } = await timed(() => ctx.store.listPayments(filter, { limit: 500, cursor }));
        pageTimes.push(ms);
        walked += page.items.length;
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    }
  });
  ctx.statements.take();
  await ctx.store.listPayments({ provider: "simulated", updatedFrom: since, createdTo: until }, { limit: 500 });
  const reconcileStatement = ctx.statements.take().filter((s) => /from "payments"/i.test(s.sql)).at(-1);
  out.push({
    name: "reconcile page walk (1 day)",
    ms: round(walk.ms),
    p99Ms: round(Math.max(...pageTimes)),
    detail: { payments: walked, pages: pageTimes.length, lastPageMs: round(pageTimes.at(-1)!) },
    ...(reconcileStatement ? { plan: await ctx.explain(reconcileStatement.sql, reconcileStatement.parameters) } : {}),
  });

  // The default retention (what a host's startRetention runs hourly), last: it deletes what the others read.
  const purge = await timed(() => purgeHousekeeping(ctx.store, { now: new Date() }));
  out.push({ name: "retention pass (default policy)", ms: round(purge.ms), detail: { ...purge.value } });
  return out;
}
