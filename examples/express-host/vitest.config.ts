import { defineConfig } from "vitest/config";

export default defineConfig({
  // Host processes start in seconds on a loaded machine; the whole fleet file stays well under a minute.
  test: { include: ["test/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 60_000 },
});
