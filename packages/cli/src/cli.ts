import { EXIT } from "./errors/exit-codes.js";
import { run } from "./run.js";

// exitCode rather than exit(): stdout may still be draining into a pipe, and every store is closed by now.
process.exitCode = await run(process.argv, {
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  exitCode: EXIT.ok,
  signals: process,
  // Only when stopping by a signal with work still running (see runtime/interrupts.ts): nothing else is pending then.
  exit: (code) => process.exit(code),
});
