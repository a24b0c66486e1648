import { execFileSync } from "node:child_process";

/**
 * What code a figure measured: the commit, and the files under packages/ that differed from it when the run
 * started (the stores are consumed from their built dist/, which may have been rebuilt from uncommitted source).
 */
export function runContext(): { commit: string | null; uncommittedPackageFiles: string[] } {
  // Not trimmed: a porcelain line's first column may be a space.
  const git = (args: string[]) => execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).replace(/\n$/, "");
  try {
    return {
      commit: git(["rev-parse", "HEAD"]),
      uncommittedPackageFiles: git(["status", "--porcelain", "--", "../packages"]).split("\n").filter(Boolean).map((line) => line.slice(3)),
    };
  } catch {
    return { commit: null, uncommittedPackageFiles: [] };
  }
}
