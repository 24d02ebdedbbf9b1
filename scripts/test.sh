#!/usr/bin/env bash
# npm test: lint, typecheck, unit tests, then the stack (started if not running) and the
# integration and end-to-end tests against the real Kafka, Postgres, MariaDB and Redis.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh

step() { printf '\n== %s\n' "$*" >&2; }
tests_under() { find . -path ./node_modules -prune -o -path ./dist -prune -o -path "*/test/$1/*" -name '*.test.ts' -print | sort; }

step lint
npx eslint .
step "audit (production dependencies)"
node --import tsx scripts/audit.ts
step typecheck
npx tsc -p tsconfig.json --noEmit
step "unit tests"
mapfile -t unit < <(tests_under unit)
node --import tsx --test --test-reporter=spec "${unit[@]}"

step "stack (Kafka, Postgres, MariaDB, Redis, Prometheus) and tools"
bash scripts/stack.sh up
bash scripts/stack.sh registry-up
bash scripts/tools.sh
node --import tsx scripts/provision.ts >/dev/null
# The local producer API key (as npm start makes it): what clients send when a test gives them no key.
node --import tsx scripts/keys.ts ensure-local >/dev/null

step "integration and end-to-end tests"
mapfile -t integration < <(tests_under integration; tests_under e2e)
node --import tsx --test --test-concurrency=1 --test-timeout=300000 --test-reporter=spec "${integration[@]}"
