#!/usr/bin/env bash
# ESLint + Prettier for TypeScript, ruff for Python.   scripts/lint.sh [--fix]
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
# the Python folders that exist (git keeps no empty folder, so a fresh clone may lack examples/)
py_dirs=()
for dir in packages/server ui-tests examples scripts test-support binder; do
  [ -d "$dir" ] && py_dirs+=("$dir")
done
if [ "${1:-}" = --fix ]; then
  eslint --fix .
  prettier --write .
  ruff check --fix "${py_dirs[@]}"
  ruff format "${py_dirs[@]}"
  exit 0
fi
log "tsc (the cube server: bundled by esbuild, outside the project references)"
tsc -p packages/cube-server --noEmit
log "eslint"
eslint --max-warnings 0 .
log "prettier"
prettier --check --log-level warn .
log "ruff"
ruff check "${py_dirs[@]}"
ruff format --check "${py_dirs[@]}"
