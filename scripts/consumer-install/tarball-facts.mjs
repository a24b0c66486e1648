// What every packed tarball must say about itself before anyone installs it: its license (with the file), where its
// source lives (repository with the package's folder), a homepage, no `workspace:` range left unresolved, and
// declarations that import only what a consumer is sure to have installed.
import { execFileSync } from "node:child_process";

export function packedManifest(tarball) {
  return JSON.parse(execFileSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" }));
}

export function packedFiles(tarball) {
  return execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n").filter(Boolean);
}

/** The packages the tarball's declaration files import (bare specifiers, `node:` builtins aside). */
export function declarationImports(tarball) {
  const declarations = packedFiles(tarball).filter((file) => file.endsWith(".d.ts"));
  const imported = new Set();
  for (const file of declarations) {
    const text = execFileSync("tar", ["-xzOf", tarball, file], { encoding: "utf8" });
    for (const [, specifier] of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)["']([^"']+)["']/g)) {
      if (specifier.startsWith(".") || specifier.startsWith("node:")) continue;
      const parts = specifier.split("/");
      imported.add(specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]);
    }
  }
  return [...imported].sort();
}

/** The problems found in one tarball (empty when it is fit to publish). */
export function tarballFactProblems(pkg, tarball) {
  const manifest = packedManifest(tarball);
  const files = packedFiles(tarball);
  const problems = [];
  if (!manifest.license) problems.push("no license field");
  if (!files.includes("package/LICENSE")) problems.push("no LICENSE file in the tarball");
  if (!files.includes("package/README.md")) problems.push("no README.md in the tarball");
  if (manifest.repository?.directory !== pkg.folder) problems.push(`repository.directory is ${JSON.stringify(manifest.repository?.directory)}, not "${pkg.folder}"`);
  if (!manifest.repository?.url) problems.push("no repository.url");
  if (!manifest.homepage) problems.push("no homepage");
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (String(range).startsWith("workspace:")) problems.push(`${field}.${name} is still ${range}`);
    }
  }
  // A consumer gets only dependencies and required peers: a declaration importing anything else (a dev
  // dependency, an optional peer) fails to resolve in a project that did not install it by chance.
  const required = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}).filter((name) => manifest.peerDependenciesMeta?.[name]?.optional !== true),
  ]);
  for (const name of declarationImports(tarball)) {
    if (name !== manifest.name && !required.has(name)) problems.push(`its declarations import ${name}, which is neither a dependency nor a required peer`);
  }
  return problems;
}
