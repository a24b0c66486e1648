/**
 * An example host service: configured by environment (SQLite at ./payments.db and the simulated gateway when
 * nothing is set), migrates at start, runs recovery, the webhook inbox sweep and retention on timers, publishes payment events
 * when a publisher is configured, and shuts down gracefully. Several of it can run behind a proxy on one PostgreSQL:
 * PAYMENTS_REDIS_URL shares their rate limits, PAYMENTS_TRUST_PROXY says which proxy to believe (test/fleet.test.ts).
 */
import { startOutboxDispatcher, startRetention } from "@org/payments-core";
import { createGracefulShutdown } from "@org/payments-express";
import { loadConfig, openRateLimitRedis, openStore } from "./config.js";
import { createHostApp } from "./create-host-app.js";
import { publisherFromEnv } from "./event-publisher.js";

const config = loadConfig();
if (config.jwtNote) console.warn(`[host] ${config.jwtNote}`);
const store = await openStore(config);
const rateLimitRedis = await openRateLimitRedis(config);
const { app, service } = createHostApp(config, store, rateLimitRedis);

// Every 30 s: finish operations whose gateway outcome was unknown (a crash, a timeout), then apply webhooks held
// for payments that have appeared since (and report those held too long as orphaned).
const housekeeping = setInterval(() => {
  service.recoverStale({ olderThanMs: 60_000 }).then(
    (report) => {
      if (report.settled.length > 0) console.log(`[host] recovered ${report.settled.length} pending operation(s)`);
    },
    (error: unknown) => console.error("[host] recovery failed", error),
  );
  service.processHeldWebhooks().then(
    ({ results }) => {
      if (results.applied + results.orphaned + results.failed > 0) {
        console.log(`[host] held webhooks: ${results.applied} applied, ${results.orphaned} orphaned, ${results.failed} failed`);
      }
    },
    (error: unknown) => console.error("[host] webhook sweep failed", error),
  );
}, 30_000);
housekeeping.unref();

// Hourly: retention (idempotency records past their TTL, delivered events and processed webhooks after
// PAYMENTS_RETENTION_OUTBOX / PAYMENTS_RETENTION_WEBHOOKS, 7 days each by default), in small batches beside live traffic, then the planner statistics the list filters need.
const optimize = (store as { optimize?: () => Promise<void> }).optimize;
const retention = startRetention({
  store,
  retention: config.retention,
  afterPurge: optimize === undefined ? undefined : () => optimize.call(store),
  onReport: (report) => {
    const deleted = report.idempotencyRecords + report.outboxEvents + report.webhookEvents;
    if (deleted > 0) console.log(`[host] retention: ${report.idempotencyRecords} idempotency records, ${report.outboxEvents} events, ${report.webhookEvents} webhooks purged`);
  },
  onError: (error) => console.error("[host] retention pass failed", error),
});

// One call starts the outbox dispatcher when a publisher is configured; without one, events wait in the outbox.
const events = publisherFromEnv();
const dispatcher = events
  ? startOutboxDispatcher({
      store,
      publisher: events.publisher,
      onError: (error, { entry, dead }) =>
        console.error(`[host] ${dead ? "dead-lettered" : "publish failed"}${entry ? ` ${entry.event.type} ${entry.event.id}` : ""}:`, error instanceof Error ? error.message : error),
    })
  : null;

const server = app.listen(config.port, () => {
  console.log(`[host] listening on http://127.0.0.1:${config.port} (payments under /payments-api)`);
  console.log(`[host] database: ${config.databaseLabel}`);
  console.log(`[host] providers: ${service.providers.join(", ")} (default ${service.defaultProvider})`);
  console.log(`[host] rate limits: ${rateLimitRedis ? "shared in Redis (PAYMENTS_REDIS_URL)" : "per process (set PAYMENTS_REDIS_URL to share them)"}`);
  console.log(`[host] events: ${events ? `dispatching to ${events.target}` : "no publisher configured (set PAYMENTS_RABBITMQ_URL or PAYMENTS_EVENTS_WEBHOOK_URL)"}`);
});
const shutdown = createGracefulShutdown(server, {
  onClose: async () => {
    clearInterval(housekeeping);
    await retention.stop();
    // The batch in flight finishes (published and marked) before the publisher and the store close.
    await dispatcher?.stop();
    await events?.close();
    await rateLimitRedis?.close();
    await store.close();
  },
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.log(`[host] ${signal}: shutting down`);
    void shutdown().then(() => process.exit(0));
  });
}
