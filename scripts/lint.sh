#!/usr/bin/env bash
# ESLint + Prettier for TypeScript, ruff for Python.   scripts/lint.sh [--fix]
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
if [ "${1:-}" = --fix ]; then
  eslint --fix .
  prettier --write .
  ruff check --fix packages/server ui-tests examples scripts test-support
  ruff format packages/server ui-tests examples scripts test-support
  exit 0
fi
log "eslint"
eslint --max-warnings 0 .
log "prettier"
prettier --check --log-level warn .
log "ruff"
ruff check packages/server ui-tests examples scripts test-support
ruff format --check packages/server ui-tests examples scripts test-support
