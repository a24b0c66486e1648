import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const EXAMPLE_DIR = fileURLToPath(new URL("..", import.meta.url));

export interface HostProcess {
  port: number;
  /** Everything the process printed, for the failure message of a test. */
  output(): string;
  /** SIGTERM, then waits for the exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

async function waitUntilReady(child: ChildProcess, port: number, output: () => string): Promise<void> {
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`host on port ${port} exited with ${child.exitCode}:\n${output()}`);
    try {
      const ready = await fetch(`http://127.0.0.1:${port}/payments-api/health/ready`);
      if (ready.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`host on port ${port} was not ready within 45 s:\n${output()}`);
}

/** `src/server.ts` as a deployment runs it, in a process of its own, configured by environment only. */
export async function startHostProcess(port: number, env: Record<string, string | undefined>): Promise<HostProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
    cwd: EXAMPLE_DIR,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const chunks: string[] = [];
  child.stdout?.on("data", (chunk: Buffer) => chunks.push(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => chunks.push(chunk.toString()));
  const output = () => chunks.join("");
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  try {
    await waitUntilReady(child, port, output);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    port,
    output,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}
