/**
 * An example host service: configured by environment (SQLite at ./payments.db and the simulated gateway when
 * nothing is set), migrates at start, runs recovery on a timer, and shuts down gracefully.
 */
import { createGracefulShutdown } from "@org/payments-express";
import { loadConfig, openStore } from "./config.js";
import { createHostApp } from "./create-host-app.js";

const config = loadConfig();
if (config.jwtNote) console.warn(`[host] ${config.jwtNote}`);
const store = await openStore(config);
const { app, service } = createHostApp(config, store);

// Finish operations whose gateway outcome was unknown (a crash, a timeout), every 30 s.
const recovery = setInterval(() => {
  service.recoverStale({ olderThanMs: 60_000 }).then(
    (report) => {
      if (report.settled.length > 0) console.log(`[host] recovered ${report.settled.length} pending operation(s)`);
    },
    (error: unknown) => console.error("[host] recovery failed", error),
  );
}, 30_000);
recovery.unref();

const server = app.listen(config.port, () => {
  console.log(`[host] listening on http://127.0.0.1:${config.port} (payments under /payments-api)`);
  console.log(`[host] database: ${config.databaseLabel}`);
  console.log(`[host] providers: ${service.providers.join(", ")} (default ${service.defaultProvider})`);
});
const shutdown = createGracefulShutdown(server, {
  onClose: async () => {
    clearInterval(recovery);
    await store.close();
  },
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.log(`[host] ${signal}: shutting down`);
    void shutdown().then(() => process.exit(0));
  });
}
