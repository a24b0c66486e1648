import { CliError } from "../errors/cli-error.js";
import { EXIT } from "../errors/exit-codes.js";

/**
 * The stores, providers and event publishers are optional peer dependencies of the CLI: an operator installs the
 * ones the deployment uses (a SQLite-only CLI never builds PostgreSQL's client or Stripe's SDK). Each is imported
 * only when a command needs it; one that is not installed is named, with the command that adds it, instead of
 * Node's "Cannot find package" stack.
 *
 * `load` is the import itself (`() => import("@org/payments-sqlite")`), written at the call site so the bundler
 * keeps it external and the compiler keeps its types.
 */
export async function loadOptionalPackage<T>(packageName: string, neededFor: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (!isThisPackageMissing(error, packageName)) throw error;
    throw new CliError(
      "package_not_installed",
      `${neededFor} needs ${packageName}, which is not installed`,
      // An installation fault, like an unreachable database: not a mistyped flag, and re-running will not help.
      EXIT.error,
      `install it where payments-cli is installed: npm install ${packageName} (add -g for a global payments-cli)`,
    );
  }
}

/**
 * Only the package itself counts as missing: when it is installed but one of its own dependencies is not (a
 * broken install), Node names that dependency, and the original error is the more useful one.
 */
function isThisPackageMissing(error: unknown, packageName: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === "ERR_MODULE_NOT_FOUND" && typeof message === "string" && message.startsWith(`Cannot find package '${packageName}'`);
}
