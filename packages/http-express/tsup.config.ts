import { defineConfig } from "tsup";

export default defineConfig({
  // `metrics` imports no Express, so `payments-cli metrics serve` can load it without a web framework.
  entry: { index: "src/index.ts", metrics: "src/metrics/index.ts" },
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
});
