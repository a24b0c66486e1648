import { existsSync } from "node:fs";
import { defineConfig } from "tsup";

// Each helper area is its own entry so suites import only what they use (no fake server in a store test).
const entries: Record<string, string> = {
  index: "src/index.ts",
  postgres: "src/postgres.ts",
  "sql-read-back": "src/sql-read-back.ts",
  "store-fixtures": "src/store-fixtures.ts",
  "dispute-fixtures": "src/dispute-fixtures.ts",
  "customer-fixtures": "src/customer-fixtures.ts",
  "query-plan-fixtures": "src/query-plan-fixtures.ts",
  "payment-totals-upgrade": "src/payment-totals-upgrade.ts",
  "smaller-indexes-upgrade": "src/smaller-indexes-upgrade.ts",
  "failure-events": "src/failure-events.ts",
  "service-race": "src/service-race.ts",
  // Not imported: the child process `runServiceRacer` spawns, found beside service-race.js in dist.
  "service-racer-process": "src/service-racer-process.ts",
  "stripe-fake/index": "src/stripe-fake/index.ts",
  "paypal-fake/index": "src/paypal-fake/index.ts",
  rabbitmq: "src/rabbitmq.ts",
  redis: "src/redis.ts",
};

export default defineConfig({
  entry: Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(file))),
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  // The adapter suite runs inside the consumer's vitest: bundling a second copy would give it no runner.
  external: ["vitest"],
});
