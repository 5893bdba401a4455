#!/usr/bin/env bash
# Builds the demo cubes (coads, levitus, navy_winds, etopo5) that are missing from OUT_DIR, from Debian's
# ferret-datasets. Usage: build-demo-cubes.sh [OUT_DIR]   (default: <repo>/data/cubes)
# FERRET_DATA overrides where the Ferret files are (default /usr/share/ferret-vis/data).
set -euo pipefail

package="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo="$(cd "$package/../.." && pwd)"
out="${1:-$repo/data/cubes}"
data="${FERRET_DATA:-/usr/share/ferret-vis/data}"
cubes=(coads levitus navy_winds etopo5)

missing=()
for id in "${cubes[@]}"; do
  if [ -d "$out/$id.zarr" ]; then
    echo "$id: $out/$id.zarr exists, kept"
  else
    missing+=("$id")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ ! -f "$data/coads_climatology.cdf" ]; then
  echo "build-demo-cubes: the Ferret example data are not in $data;" \
    "install them (apt install ferret-datasets) or set FERRET_DATA to their folder" >&2
  exit 1
fi

cli="$repo/packages/server/esdl_lab/node/cube-gen.mjs"
if [ ! -f "$cli" ]; then
  # Not built yet (node packages/cube-server/build.mjs makes it): bundle cube-gen alone for this run.
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  cli="$tmp/cube-gen.mjs"
  "$repo/node_modules/.bin/esbuild" "$package/src/cli/cube-gen.ts" --bundle --platform=node --format=esm \
    --log-level=warning --outfile="$cli" \
    "--banner:js=import { createRequire as __cubeGenRequire } from 'node:module'; const require = __cubeGenRequire(import.meta.url);"
fi

for id in "${missing[@]}"; do
  echo "$id: building $out/$id.zarr"
  FERRET_DATA="$data" node "$cli" "$package/recipes/$id.yaml" --output "$out"
done
