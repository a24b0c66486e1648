#!/usr/bin/env bash
# The OpenAPI document the payments router serves passes a real OpenAPI linter (Redocly CLI, pinned in the root
# devDependencies) at its recommended rules, every warning an error. Linted as a host builds it by default and as
# one naming its server and license. Needs the built packages (CI builds before the checks).
set -euo pipefail
cd "$(dirname "$0")/../.."

export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ ! -f packages/http-express/dist/index.js ]; then
  timeout 300 pnpm exec turbo run build --filter=@org/payments-express... --output-logs=errors-only
fi

timeout 60 node --input-type=module - "$work" <<'JS'
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildOpenApiDocument } from "./packages/http-express/dist/index.js";
const [dir] = process.argv.slice(2);
writeFileSync(join(dir, "openapi-default.json"), JSON.stringify(buildOpenApiDocument(), null, 2));
const named = buildOpenApiDocument({ serverUrl: "https://api.example.org/payments-api", license: { name: "Proprietary", url: "https://api.example.org/terms" } });
writeFileSync(join(dir, "openapi-named-server.json"), JSON.stringify(named, null, 2));
JS

timeout 120 pnpm exec redocly lint --config .ci/checks/openapi-lint.redocly.yaml "$work/openapi-default.json" "$work/openapi-named-server.json"
