// The workspace packages that are published (not `private`), found from pnpm-workspace.yaml's folders, and packing
// them with pnpm — which rewrites `workspace:` ranges to the versions a registry would hold.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

const PACKAGE_FOLDERS = ["packages", "packages/adapters"];

export function publishedPackages(root) {
  const found = [];
  for (const folder of PACKAGE_FOLDERS) {
    for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
      const dir = join(root, folder, entry.name);
      const manifestFile = join(dir, "package.json");
      if (!entry.isDirectory() || !existsSync(manifestFile)) continue;
      const manifest = JSON.parse(readFileSync(manifestFile, "utf8"));
      if (manifest.private) continue;
      found.push({ name: manifest.name, dir, folder: relative(root, dir), manifest });
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** Packs one package into `destination`; returns the tarball's path. The package must be built (CI builds first). */
export function packPackage(pkg, destination) {
  const entry = pkg.manifest.exports?.["."]?.import ?? pkg.manifest.bin?.[Object.keys(pkg.manifest.bin)[0]];
  if (entry && !existsSync(join(pkg.dir, entry))) {
    throw new Error(`${pkg.name} is not built (${entry} is missing): run pnpm build first`);
  }
  const before = new Set(readdirSync(destination));
  execFileSync("pnpm", ["pack", "--pack-destination", destination], { cwd: pkg.dir, stdio: ["ignore", "ignore", "inherit"] });
  const added = readdirSync(destination).filter((file) => file.endsWith(".tgz") && !before.has(file));
  if (added.length !== 1) throw new Error(`pnpm pack of ${pkg.name} left ${added.length} new tarballs`);
  return join(destination, added[0]);
}
