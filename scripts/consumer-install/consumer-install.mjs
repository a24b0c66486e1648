#!/usr/bin/env node
// Packs every published package and proves it installs alone: publint and attw on each tarball, then, for each
// subset (every package alone, and the combinations teams install together), a fresh consumer project that
// installs the tarballs with npm, typechecks its snippets with skipLibCheck false and runs them.
//
//   node scripts/consumer-install/consumer-install.mjs [--keep] [--only core,sqlite]     (after `pnpm build`)
//
// PAYMENTS_CONSUMER_NPM_CACHE: npm cache reused between runs (default ~/.cache/payments-consumer-install/npm).
// PAYMENTS_TEST_POSTGRES_URL: the server the postgres snippets migrate a throw-away schema on.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkConsumer } from "./consumer-project.mjs";
import { betterSqlitePrebuild } from "./native-prebuild.mjs";
import { packPackage, publishedPackages } from "./published-packages.mjs";
import { consumerSubsets } from "./subsets.mjs";
import { lintTarball } from "./tarball-lint.mjs";
import { tarballFactProblems } from "./tarball-facts.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = join(here, "..", "..");
const keep = process.argv.includes("--keep");
// `--only sqlite,cli`: just those subsets (and every tarball's lint), for trying a change by hand.
const onlyArg = process.argv.indexOf("--only");
const only = onlyArg === -1 ? undefined : new Set((process.argv[onlyArg + 1] ?? "").split(","));
const npmCache = process.env.PAYMENTS_CONSUMER_NPM_CACHE || join(homedir(), ".cache", "payments-consumer-install", "npm");
const postgresBase = process.env.PAYMENTS_TEST_POSTGRES_URL || "postgres://postgres@127.0.0.1:5432/test";
// Two cores: two installs at a time keep both busy without starving each other.
const CONCURRENCY = 2;

const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const failures = [];

const workDir = mkdtempSync(join(tmpdir(), "payments-consumer-install-"));
const tarballDir = join(workDir, "tarballs");
mkdirSync(tarballDir);
mkdirSync(npmCache, { recursive: true });

async function inPool(items, work) {
  const queue = [...items];
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, async () => {
    while (queue.length > 0) await work(queue.shift());
  }));
}

function indent(text) {
  return text.trim().split("\n").slice(-40).map((line) => `      ${line}`).join("\n");
}

try {
  const packages = publishedPackages(root);
  const tarballs = {};
  for (const pkg of packages) tarballs[pkg.name] = packPackage(pkg, tarballDir);
  console.log(`packed ${packages.length} packages in ${seconds(started)}`);

  const lintStarted = Date.now();
  await inPool(packages, async (pkg) => {
    const problems = [...tarballFactProblems(pkg, tarballs[pkg.name]), ...(await lintTarball(root, tarballs[pkg.name]))];
    if (problems.length === 0) console.log(`  ok   ${pkg.name}: license, repository, homepage; publint and attw clean`);
    else {
      failures.push(`${pkg.name} tarball`);
      console.log(`  FAIL ${pkg.name}:\n${problems.map(indent).join("\n")}`);
    }
  });
  console.log(`checked the tarballs in ${seconds(lintStarted)}`);

  const nativePrebuild = betterSqlitePrebuild(root, workDir);
  if (!nativePrebuild) console.log("no compiled better-sqlite3 in the workspace: consumers compile it (slow)");

  const subsets = consumerSubsets(packages).filter((subset) => !only || only.has(subset.name));
  if (only && subsets.length !== only.size) throw new Error(`--only names an unknown subset: ${[...only].join(", ")}`);
  await inPool(subsets, async (subset) => {
    const subsetStarted = Date.now();
    const dir = join(workDir, "consumers", subset.name.replace(/[^a-z0-9+-]/g, "-"));
    // A throw-away schema per consumer that runs the postgres snippet, dropped afterwards.
    const schema = `consumer_install_${process.pid}_${subset.name.replace(/[^a-z0-9]/g, "_")}`;
    const url = new URL(postgresBase);
    url.searchParams.set("schema", schema);
    const env = { PAYMENTS_CONSUMER_POSTGRES_URL: url.toString() };
    let steps;
    try {
      steps = await checkConsumer({ subset, dir, tarballs, snippetsDir: join(here, "snippets"), npmCache, nativePrebuild, env });
    } finally {
      if (subset.snippets.includes("postgres.ts")) {
        execFileSync("psql", [postgresBase, "-qAtc", `drop schema if exists "${schema}" cascade`], {
          stdio: ["ignore", "ignore", "inherit"],
          env: { ...process.env, PGOPTIONS: "-c client_min_messages=warning" },
        });
      }
    }
    const failed = steps.find((s) => !s.ok);
    if (!failed) {
      // Each snippet's own last line (a host's JSON request log lines are not what it says).
      const said = steps.filter((s) => s.label.startsWith("node ")).map((s) => s.stdout.trim().split("\n").filter((line) => !line.startsWith("{")).pop());
      console.log(`  ok   ${subset.name} (${subset.packages.length} tarballs, ${seconds(subsetStarted)}): ${steps.map((s) => `${s.label} ${s.took}`).join(", ")}`);
      for (const line of said) console.log(`         ${line}`);
    } else {
      failures.push(subset.name);
      console.log(`  FAIL ${subset.name}: ${failed.label}\n${indent(`${failed.stdout}\n${failed.stderr}`)}`);
    }
  });
} finally {
  if (keep) console.log(`kept ${workDir}`);
  else rmSync(workDir, { recursive: true, force: true });
}

console.log(`${failures.length === 0 ? "packaging: all clean" : `packaging: ${failures.length} failed (${failures.join(", ")})`} in ${seconds(started)}`);
process.exit(failures.length === 0 ? 0 : 1);
