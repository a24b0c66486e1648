#!/usr/bin/env bash
# Every published package installs and typechecks on its own: packs each one (pnpm pack resolves workspace:
# ranges), runs publint and Are the Types Wrong (esm-only profile) on every tarball, then installs each package
# alone, and the combinations teams install together, into fresh consumer projects with npm, typechecks a snippet
# with skipLibCheck false (strict, NodeNext) and runs it; the CLI runs --help and names the store it lacks.
# Needs the build (.ci/run builds first), the npm registry, and the local PostgreSQL for the postgres snippet.
set -euo pipefail
cd "$(dirname "$0")/../.."

export npm_config_nodedir=/usr
# Reused between runs so that the consumer installs come from the cache, not the network.
export PAYMENTS_CONSUMER_NPM_CACHE="${PAYMENTS_CONSUMER_NPM_CACHE:-$HOME/.cache/payments-consumer-install/npm}"

if [ ! -f packages/cli/dist/cli.js ] || [ ! -f packages/http-express/dist/index.d.ts ]; then
  timeout 300 pnpm build --output-logs=errors-only
fi

# About 2 minutes with a warm npm cache; the bound leaves room for a cold one on a first run.
timeout 420 node scripts/consumer-install/consumer-install.mjs
