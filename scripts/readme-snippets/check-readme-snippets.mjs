#!/usr/bin/env node
// Every ```ts snippet of every README.md in the repository typechecks (strict) against the BUILT workspace packages,
// as a reader would paste it. Markers for deliberately partial snippets are described in ./README.md. Exits 1 with
// "README:line: message" for each problem. Run by .ci/checks/readme-snippets.sh (after `pnpm build`).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const MARKER = /^<!--\s*snippet:\s*(.*?)\s*-->$/;
const FENCE_OPEN = /^```(ts|typescript)\s*$/;

/** README files known to git (tracked or new), never those of installed dependencies. */
function readmePaths() {
  const out = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "--", "README.md", "**/README.md"], { cwd: root, encoding: "utf8" });
  return [...new Set(out.split("\n").filter(Boolean))].filter((path) => existsSync(join(root, path))).sort();
}

/** The ```ts blocks of one README with the marker (if any) on the last non-blank line before each. */
function snippetsOf(readme) {
  const lines = readFileSync(join(root, readme), "utf8").split("\n");
  const snippets = [];
  for (let i = 0; i < lines.length; i++) {
    if (!FENCE_OPEN.test(lines[i])) continue;
    let before = i - 1;
    while (before >= 0 && lines[before].trim() === "") before--;
    const marker = before >= 0 ? MARKER.exec(lines[before].trim())?.[1] : undefined;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    snippets.push({ readme, marker, firstLine: start + 1, lines: lines.slice(start, end) });
    i = end;
  }
  return snippets;
}

/** Parses a marker: `continues`, `given <name>: <type>; …`, `excerpt of <path>`, `unchecked: <reason>`. */
function parseMarker(snippet, problems) {
  const marker = snippet.marker;
  if (marker === undefined) return { kind: "module", given: [] };
  if (marker === "continues") return { kind: "continues", given: [] };
  const excerpt = /^excerpt of (\S+)$/.exec(marker);
  if (excerpt) return { kind: "excerpt", source: excerpt[1] };
  // A reason is required: an unchecked snippet is a claim nobody tests, so the README says why.
  if (/^unchecked: \S.{9,}$/.test(marker)) return { kind: "unchecked" };
  const given = /^given (.+)$/.exec(marker);
  if (given) {
    const declarations = given[1].split(";").map((part) => part.trim()).filter(Boolean);
    return { kind: "module", given: declarations };
  }
  problems.push(`${snippet.readme}:${snippet.firstLine - 1}: unknown snippet marker "${marker}" (see scripts/readme-snippets/README.md)`);
  return { kind: "skip" };
}

/** Code of a line without its trailing `// comment` and surrounding space: READMEs annotate excerpts. */
const codeOf = (line) => line.replace(/\s+\/\/ .*$/, "").trim();

/** An excerpt must still be in its source, line by line (comments aside), or the README shows code that is gone. */
function checkExcerpt(snippet, source, problems) {
  const path = join(root, source);
  if (!existsSync(path)) {
    problems.push(`${snippet.readme}:${snippet.firstLine - 1}: excerpt source ${source} does not exist`);
    return;
  }
  const sourceLines = new Set(readFileSync(path, "utf8").split("\n").map(codeOf));
  snippet.lines.forEach((line, index) => {
    const code = codeOf(line);
    if (code !== "" && !sourceLines.has(code)) {
      problems.push(`${snippet.readme}:${snippet.firstLine + index}: this line of the excerpt is not in ${source}: ${code}`);
    }
  });
}

/** Where the workspace's packages and their installed dependencies live. */
function workspacePackages() {
  const dirs = [];
  for (const group of ["packages", "packages/adapters", "examples", "bench"]) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    if (existsSync(join(base, "package.json"))) dirs.push(base);
    for (const entry of readdirSync(base)) if (existsSync(join(base, entry, "package.json"))) dirs.push(join(base, entry));
  }
  return dirs.map((dir) => ({ dir, name: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name }));
}

const bareSpecifiers = (text) =>
  [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)["']([^"'./][^"']*)["']/g)].map((m) => {
    const parts = m[1].split("/");
    return m[1].startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
  });

/** A node_modules in the temporary project: the workspace packages by name, third-party ones from whoever installed them. */
function linkModules(project, specifiers, packages) {
  const unbuilt = [];
  const modules = join(project, "node_modules");
  const link = (name, target) => {
    const at = join(modules, name);
    if (existsSync(at)) return;
    mkdirSync(dirname(at), { recursive: true });
    symlinkSync(target, at, "dir");
  };
  const installedIn = [root, ...packages.map((p) => p.dir)].map((dir) => join(dir, "node_modules"));
  const findInstalled = (name) => installedIn.map((dir) => join(dir, name)).find((path) => existsSync(path));
  for (const name of new Set([...specifiers, "@types/node"])) {
    const own = packages.find((p) => p.name === name);
    if (own) {
      link(name, own.dir);
      unbuilt.push(...missingDeclarations(own));
      continue;
    }
    const installed = findInstalled(name);
    if (installed) link(name, installed);
    const typesName = `@types/${name.startsWith("@") ? name.slice(1).replace("/", "__") : name}`;
    const types = findInstalled(typesName);
    if (types) link(typesName, types);
  }
  return unbuilt;
}

/** The declaration files a workspace package's exports promise but its dist does not hold (not built, or mid-build). */
function missingDeclarations({ dir }) {
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const typesFiles = Object.values(manifest.exports ?? {})
    .map((entry) => (typeof entry === "object" && entry !== null ? entry.types : undefined))
    .filter((types) => typeof types === "string");
  return typesFiles.filter((types) => !existsSync(join(dir, types))).map((types) => relative(root, join(dir, types)));
}

function main() {
  const problems = [];
  const units = [];
  let snippetCount = 0;
  let unchecked = 0;
  for (const readme of readmePaths()) {
    for (const snippet of snippetsOf(readme)) {
      snippetCount++;
      const marker = parseMarker(snippet, problems);
      if (marker.kind === "excerpt") checkExcerpt(snippet, marker.source, problems);
      if (marker.kind !== "module" && marker.kind !== "continues") {
        if (marker.kind === "unchecked") unchecked++;
        continue;
      }
      const previous = units.at(-1);
      if (marker.kind === "continues") {
        if (!previous || previous.readme !== readme) {
          problems.push(`${readme}:${snippet.firstLine - 1}: "continues" but no checked snippet comes before it in this README`);
          continue;
        }
        previous.parts.push(snippet);
        continue;
      }
      units.push({ readme, given: marker.given, parts: [snippet] });
    }
  }

  const project = mkdtempSync(join(tmpdir(), "readme-snippets-"));
  try {
    writeFileSync(join(project, "package.json"), JSON.stringify({ type: "module", private: true }));
    const files = [];
    const lineMaps = new Map();
    units.forEach((unit, index) => {
      const text = [];
      const map = [];
      for (const declaration of unit.given) {
        text.push(`declare const ${declaration};`);
        map.push({ readme: unit.readme, line: unit.parts[0].firstLine - 2, given: true });
      }
      for (const part of unit.parts) {
        part.lines.forEach((line, offset) => {
          text.push(line);
          map.push({ readme: unit.readme, line: part.firstLine + offset });
        });
      }
      // A snippet without imports is still a module (top-level await, no global clashes between snippets).
      text.push("export {};");
      const file = join(project, `${unit.readme.replace(/[^A-Za-z0-9]+/g, "_")}_${index}.ts`);
      writeFileSync(file, `${text.join("\n")}\n`);
      files.push(file);
      lineMaps.set(file, map);
    });
    const allText = units.flatMap((u) => [...u.given, ...u.parts.flatMap((p) => p.lines)]).join("\n");
    const unbuilt = linkModules(project, bareSpecifiers(allText), workspacePackages());
    if (unbuilt.length) {
      console.error(`not built (run \`pnpm build\` first): ${unbuilt.join(", ")}`);
      process.exitCode = 1;
      return;
    }

    const options = {
      target: ts.ScriptTarget.ES2022,
      lib: ["lib.es2023.d.ts"],
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noUncheckedIndexedAccess: true,
      verbatimModuleSyntax: true,
      isolatedModules: true,
      // The snippets are under test, not the packages' declarations (the consumer-install check covers those).
      skipLibCheck: true,
      noEmit: true,
      types: ["node"],
      typeRoots: [join(project, "node_modules/@types")],
    };
    const program = ts.createProgram(files, options);
    for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
      if (!diagnostic.file || !lineMaps.has(diagnostic.file.fileName)) {
        problems.push(`(project) ${message}`);
        continue;
      }
      const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
      const where = lineMaps.get(diagnostic.file.fileName)[line] ?? { readme: "?", line: 0 };
      problems.push(`${where.readme}:${where.line}: ${where.given ? "(in the given marker) " : ""}TS${diagnostic.code}: ${message}`);
    }
  } finally {
    // README_SNIPPETS_KEEP=1 leaves the generated project for a look (its path is printed).
    if (process.env.README_SNIPPETS_KEEP === "1") console.error(`snippet project kept at ${project}`);
    else rmSync(project, { recursive: true, force: true });
  }

  const checked = units.reduce((n, unit) => n + unit.parts.length, 0);
  if (problems.length) {
    console.error(problems.join("\n"));
    console.error(`\n${problems.length} problem(s) in the README snippets (${snippetCount} found, ${checked} typechecked, ${unchecked} unchecked)`);
    process.exit(1);
  }
  console.log(
    `README snippets: ${snippetCount} found, ${checked} typechecked, ${snippetCount - checked - unchecked} excerpts matched to their sources, ${unchecked} unchecked (with a reason)`,
  );
}

main();
