#!/usr/bin/env bash
# The whole check a change must pass, as CI runs it: generated code is up to date, types check,
# lint is clean, every test passes, every worker bundle fits its budget.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 WRANGLER_SEND_METRICS=false

step() { printf '\n== %s\n' "$*"; }

step "generate (ServiceTitan types, worker OpenAPI documents, binding types, the Zapier and n8n integrations)"
pnpm exec turbo run gen --output-logs=errors-only
generated=(specs packages workers integrations)
if ! git diff --quiet -- "${generated[@]}" || [ -n "$(git ls-files --others --exclude-standard -- "${generated[@]}")" ]; then
  git status --short -- "${generated[@]}"
  git diff --stat -- "${generated[@]}"
  echo "generated files are out of date: run 'pnpm gen' and commit the result" >&2
  exit 1
fi

step "typecheck"
pnpm exec turbo run typecheck --output-logs=errors-only

step "lint"
pnpm exec biome ci .

step "test"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
pnpm exec turbo run test --concurrency=2 --output-logs=new-only 2>&1 | tee "$log"
# Sum vitest's per-package "Tests  N passed (M)" / "Tests  F failed | N passed (M)" lines and
# node's test runner's "ℹ pass N" / "ℹ fail N" (spec reporter: the integrations) and
# "# pass N" / "# fail N" (TAP: the scripts package).
read -r passed failed < <(sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '
  / Tests +[0-9]/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
  /ℹ pass [0-9]+$/ { p += $NF }
  /ℹ fail [0-9]+$/ { f += $NF }
  /# pass [0-9]+$/ { p += $NF }
  /# fail [0-9]+$/ { f += $NF }
  END { print p + 0, f + 0 }')

step "bundles: offline dry-run of the example tenant, gzip budget per worker"
node scripts/tenant.mjs dry-run example

step "local stack: pnpm start, headless, running the requests it prints"
node scripts/dev.mjs --smoke

step "local stack: over-limit uploads, chunked or not, get 413 problems from the local stack"
node --test scripts/oversized-body.test.mjs

echo
echo "tests: ${passed} passed, ${failed} failed"
