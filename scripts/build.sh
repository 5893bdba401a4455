#!/usr/bin/env bash
# Builds everything: TypeScript (project references), the prebuilt JupyterLab extension, the Node cube
# server bundle, and installs the esdl-lab Python package into .venv.
#   scripts/build.sh               everything
#   scripts/build.sh labextension  only the TypeScript and the labextension
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_node_modules
ensure_venv

log "compiling TypeScript"
tsc -b

# The builder runs yarn when the extension folder has no node_modules, which npm workspaces never create.
mkdir -p packages/labextension/node_modules
log "building the JupyterLab extension"
jupyter labextension build packages/labextension >/dev/null

[ "${1:-}" = labextension ] && exit 0

if [ -f packages/cube-server/build.mjs ]; then
  log "bundling the cube server and cube-gen"
  node packages/cube-server/build.mjs
fi
ensure_python_package
