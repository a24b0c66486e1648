// One temporary consumer project: the chosen tarballs installed with npm as a team would (registry packages from a
// reused npm cache), the snippets typechecked strictly with skipLibCheck false, then run, then the commands.
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The consumer's own compiler settings: strict, NodeNext, and every declaration file checked. */
const CONSUMER_TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    lib: ["ES2023"],
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    noUncheckedIndexedAccess: true,
    verbatimModuleSyntax: true,
    skipLibCheck: false,
    types: ["node"],
    rootDir: "src",
    outDir: "out",
  },
  include: ["src"],
};

/** What a consumer adds to typecheck and run TypeScript on Node 20. */
const CONSUMER_DEV_DEPENDENCIES = { typescript: "~5.9.2", "@types/node": "^20.19.0" };

async function step(label, command, args, options) {
  const started = Date.now();
  const took = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  try {
    const { stdout, stderr } = await run(command, args, { maxBuffer: 32 * 1024 * 1024, ...options });
    return { ok: true, label, took: took(), stdout, stderr };
  } catch (error) {
    return { ok: false, label, took: took(), code: error.code, stdout: error.stdout ?? "", stderr: error.stderr ?? String(error) };
  }
}

/**
 * Builds and checks one subset. `tarballs` maps every published package to its tarball: the subset's packages are
 * direct dependencies; the others are overrides, so that an internal dependency (kysely under sqlite) comes from
 * its tarball and never from the registry, while a package the subset did not choose is never installed.
 */
export async function checkConsumer({ subset, dir, tarballs, snippetsDir, npmCache, nativePrebuild, env }) {
  mkdirSync(join(dir, "src"), { recursive: true });
  const dependencies = { ...subset.registry };
  for (const name of subset.packages) dependencies[name] = `file:${tarballs[name]}`;
  const overrides = {};
  for (const [name, tarball] of Object.entries(tarballs)) if (!subset.packages.includes(name)) overrides[name] = `file:${tarball}`;
  if (nativePrebuild) overrides["better-sqlite3"] = nativePrebuild.version;
  const manifest = { name: `consumer-${subset.name.replace(/[^a-z0-9-]/g, "-")}`, private: true, type: "module", dependencies, devDependencies: CONSUMER_DEV_DEPENDENCIES, overrides };
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, "tsconfig.json"), `${JSON.stringify(CONSUMER_TSCONFIG, null, 2)}\n`);
  for (const snippet of subset.snippets) copyFileSync(join(snippetsDir, snippet), join(dir, "src", snippet));

  const processEnv = { ...process.env, ...nativePrebuild?.env, ...env, npm_config_update_notifier: "false" };
  const steps = [];
  const install = await step("npm install", "npm", ["install", "--cache", npmCache, "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, env: processEnv });
  steps.push(install);
  if (!install.ok) return steps;
  if (subset.snippets.length > 0) {
    const typecheck = await step("tsc (skipLibCheck: false)", join(dir, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.json"], { cwd: dir, env: processEnv });
    steps.push(typecheck);
    if (!typecheck.ok) return steps;
    for (const snippet of subset.snippets) {
      steps.push(await step(`node ${snippet}`, process.execPath, [join("out", snippet.replace(/\.ts$/, ".js"))], { cwd: dir, env: processEnv }));
    }
  }
  for (const command of subset.commands) {
    const result = await step(`payments-cli ${command.args.join(" ")}`, join(dir, "node_modules", ".bin", "payments-cli"), command.args, { cwd: dir, env: { ...processEnv, NO_COLOR: "1", PAYMENTS_OPERATOR: "consumer" } });
    const exit = result.ok ? 0 : result.code;
    const output = `${result.stdout}${result.stderr}`;
    const problems = [];
    if (exit !== command.exit) problems.push(`exit ${exit}, expected ${command.exit}`);
    if (!output.includes(command.output)) problems.push(`output lacks ${JSON.stringify(command.output)}`);
    if (command.absentFile && existsSync(join(dir, command.absentFile))) problems.push(`${command.absentFile} was created`);
    steps.push({ ...result, ok: problems.length === 0, stderr: problems.length ? `${problems.join("; ")}\n${result.stderr}` : result.stderr });
  }
  return steps;
}
