// What every packed tarball must say about itself before anyone installs it: its license (with the file), where its
// source lives (repository with the package's folder), a homepage, and no `workspace:` range left unresolved.
import { execFileSync } from "node:child_process";

export function packedManifest(tarball) {
  return JSON.parse(execFileSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" }));
}

export function packedFiles(tarball) {
  return execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n").filter(Boolean);
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
  return problems;
}
