#!/usr/bin/env bash
# Every ```ts snippet of every README.md typechecks (strict) against the built packages; deliberately partial ones
# carry a marker (scripts/readme-snippets/README.md). Needs the built packages (CI builds before the checks).
set -euo pipefail
cd "$(dirname "$0")/../.."
timeout 180 node scripts/readme-snippets/check-readme-snippets.mjs
