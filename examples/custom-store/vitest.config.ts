import { defineConfig } from "vitest/config";

export default defineConfig({
  // The kit races ten writers and sums 1,100 payments; every commit rewrites the file, so give it room.
  test: { include: ["test/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 60_000 },
});
