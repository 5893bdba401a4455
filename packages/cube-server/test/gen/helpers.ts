/** Shared by the cube-gen tests: temporary folders, real input paths, and a zarrita reader of written cubes. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as zarr from 'zarrita';

/** Debian's ferret-datasets (apt install ferret-datasets). */
export const FERRET_DATA = process.env.FERRET_DATA ?? '/usr/share/ferret-vis/data';
export const FIXTURES = fileURLToPath(new URL('../fixtures/gen/', import.meta.url));
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A fresh temporary folder, removed by the returned function. */
export function temporaryFolder(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'cube-gen-test-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function writeRecipe(folder: string, text: string, name = 'recipe.yaml'): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

/** A read-only zarrita store over a folder. */
function folderStore(root: string): zarr.AsyncReadable {
  return {
    async get(key: string) {
      try {
        return new Uint8Array(await readFile(join(root, key)));
      } catch {
        return undefined;
      }
    }
  };
}

export interface ReadArray {
  data: Float32Array | Float64Array;
  shape: number[];
  attrs: Record<string, unknown>;
}

/** Opens a cube (or one of its groups) through its consolidated metadata, as a Zarr client would. */
export async function openCube(path: string) {
  const store = await zarr.withConsolidatedMetadata(folderStore(path));
  const group = await zarr.open(store, { kind: 'group' });
  return {
    attrs: group.attrs as Record<string, any>,
    async read(name: string): Promise<ReadArray> {
      const array = await zarr.open(group.resolve(name), { kind: 'array' });
      const chunk = await zarr.get(array);
      return { data: chunk.data as Float32Array, shape: chunk.shape, attrs: array.attrs as Record<string, unknown> };
    },
    zarray(name: string): Record<string, any> {
      return JSON.parse(readFileSync(join(path, name, '.zarray'), 'utf8'));
    }
  };
}
