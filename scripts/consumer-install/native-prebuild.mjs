// better-sqlite3 has no prebuilt binary reachable here, so every consumer install would compile it (~100 s on two
// cores). The workspace install already compiled it for this Node: that addon is offered to the consumers'
// installs as a local prebuild (prebuild-install's `<package>_local_prebuilds` directory), and the consumers are
// pinned to the workspace's better-sqlite3 version so the binary matches its source. Any other version compiles.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** `{ version, env }` for the installs, or undefined when the workspace has no compiled addon to offer. */
export function betterSqlitePrebuild(root, workDir) {
  const sqliteAdapter = join(root, "packages", "adapters", "sqlite", "package.json");
  let packageDir;
  try {
    packageDir = dirname(realpathSync(createRequire(sqliteAdapter).resolve("better-sqlite3/package.json")));
  } catch {
    return undefined;
  }
  const { version } = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
  const addon = join(packageDir, "build", "Release", "better_sqlite3.node");
  if (!existsSync(addon)) return undefined;
  const dir = join(workDir, "prebuilds");
  const stage = join(dir, "stage");
  mkdirSync(join(stage, "build", "Release"), { recursive: true });
  copyFileSync(addon, join(stage, "build", "Release", "better_sqlite3.node"));
  // The name prebuild-install looks for: <name>-v<version>-<runtime>-v<abi>-<platform><libc>-<arch>.tar.gz.
  const tarball = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  execFileSync("tar", ["-czf", join(dir, tarball), "-C", stage, "build"]);
  return { version, env: { npm_config_better_sqlite3_local_prebuilds: dir } };
}
