import { existsSync } from "node:fs";
import { defineConfig } from "tsup";

// Each helper area is its own entry so suites import only what they use (no fake server in a store test).
const entries: Record<string, string> = {
  index: "src/index.ts",
  postgres: "src/postgres.ts",
  "stripe-fake/index": "src/stripe-fake/index.ts",
  "paypal-fake/index": "src/paypal-fake/index.ts",
};

export default defineConfig({
  entry: Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(file))),
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
});
