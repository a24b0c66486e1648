// Which consumer projects the check builds: every published package alone (with only what it requires: core, a
// peer of all, and the internal packages it depends on), then the combinations a team installs together.
// Each project typechecks the snippets of its packages with skipLibCheck false, then runs them and its commands.

/** The snippet (in snippets/) that exercises each package; the CLI is a binary and is exercised by commands. */
export const SNIPPETS = {
  "@org/payments-core": "core.ts",
  "@org/payments-kysely": "kysely.ts",
  "@org/payments-sqlite": "sqlite.ts",
  "@org/payments-postgres": "postgres.ts",
  "@org/payments-stripe": "stripe.ts",
  "@org/payments-paypal": "paypal.ts",
  "@org/payments-rabbitmq": "rabbitmq.ts",
  "@org/payments-http-publisher": "http-publisher.ts",
  "@org/payments-express": "express.ts",
};

/** Packages from the registry a consumer adds itself because a snippet imports them (a required peer). */
const REGISTRY_PEERS = { "@org/payments-express": { express: "^5.1.0" } };

const cliHelp = { args: ["--help"], exit: 0, output: "Usage: payments-cli" };
const CLI_COMMANDS_ALONE = [
  cliHelp,
  // No store installed: the default SQLite database names the package to add, exit 1, and creates no file.
  { args: ["migrate", "--db", "./payments.db"], exit: 1, output: "npm install @org/payments-sqlite", absentFile: "payments.db" },
];
const CLI_COMMANDS_WITH_SQLITE = [
  cliHelp,
  { args: ["migrate", "--db", "./payments.db"], exit: 0, output: "0001" },
  { args: ["--json", "payments", "list", "--db", "./payments.db"], exit: 0, output: "[" },
];

/** `exercised`: whose snippets run (default all); a package alone runs its own, its peers' are run on their own. */
function subset(name, packages, commands = [], exercised = packages) {
  const registry = Object.assign({}, ...exercised.map((pkg) => REGISTRY_PEERS[pkg] ?? {}));
  return { name, packages, registry, snippets: exercised.map((pkg) => SNIPPETS[pkg]).filter(Boolean), commands };
}

/** `published`: the packages found in the workspace, so a new package is checked alone without editing this file. */
export function consumerSubsets(published) {
  const alone = published.map(({ name, manifest }) => {
    // Required peers among our own packages are what a consumer installs beside it (core for every adapter).
    const peers = Object.keys(manifest.peerDependencies ?? {}).filter(
      (peer) => peer.startsWith("@org/") && manifest.peerDependenciesMeta?.[peer]?.optional !== true,
    );
    const commands = name === "@org/payments-cli" ? CLI_COMMANDS_ALONE : [];
    return subset(name.replace("@org/payments-", ""), [...new Set([name, ...peers])], commands, [name]);
  });
  return [
    ...alone,
    subset(
      "core+sqlite+express+cli",
      ["@org/payments-core", "@org/payments-sqlite", "@org/payments-express", "@org/payments-cli"],
      CLI_COMMANDS_WITH_SQLITE,
    ),
    subset("core+postgres+stripe", ["@org/payments-core", "@org/payments-postgres", "@org/payments-stripe"]),
  ];
}
