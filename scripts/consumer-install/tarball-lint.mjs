// publint and Are the Types Wrong (esm-only profile: these packages are ESM, CommonJS consumers use import()) on
// one packed tarball. Each tool's report is printed only when it finds something.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The tool's report when it failed, or when `clean` does not accept its output; undefined when clean. */
async function tool(command, args, cwd, clean = () => true) {
  try {
    const { stdout, stderr } = await run(command, args, { cwd, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, FORCE_COLOR: "0" } });
    return clean(stdout) ? undefined : `${stdout}${stderr}`.trim();
  } catch (error) {
    return `${error.stdout ?? ""}${error.stderr ?? ""}`.trim() || String(error);
  }
}

/** Returns the failing reports (empty when both tools are clean). */
export async function lintTarball(root, tarball) {
  const bin = (name) => join(root, "node_modules", ".bin", name);
  const reports = await Promise.all([
    // Suggestions do not fail publint's exit code; clean means it says so in as many words.
    tool(bin("publint"), ["run", tarball, "--strict", "--level", "suggestion"], root, (out) => out.includes("All good!")).then((report) => report && `publint:\n${report}`),
    tool(bin("attw"), [tarball, "--profile", "esm-only", "--format", "ascii", "--no-emoji"], root).then((report) => report && `attw:\n${report}`),
  ]);
  return reports.filter(Boolean);
}
