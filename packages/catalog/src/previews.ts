/**
 * Preview tiles of the list: one low-zoom tile per dataset, fetched through the proxy (so the Jupyter
 * credentials go with it), a few at a time, and kept as object URLs in a small cache.
 */
import { XcubeClient, previewTile } from '@esdl-lab/core';
import { ICatalogEntry } from './entry';

const MAX_CACHED = 300;
const MAX_PARALLEL = 4;

const cache = new Map<string, Promise<string>>();
let running = 0;
const waiting: (() => void)[] = [];

async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_PARALLEL) {
    await new Promise<void>(resolve => waiting.push(resolve));
  }
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** The variable a preview shows: the first with a colour map, else the first. */
export function previewVariable(entry: ICatalogEntry) {
  return entry.variables.find(v => v.colorBarName) ?? entry.variables[0] ?? null;
}

/** An object URL of the dataset's preview tile; rejects when the server cannot draw it. */
export function previewUrl(client: XcubeClient, entry: ICatalogEntry, signal: AbortSignal): Promise<string> {
  const variable = previewVariable(entry);
  if (!variable) {
    return Promise.reject(new Error('The dataset has no variable to preview'));
  }
  const key = `${entry.key}/${variable.name}`;
  const cached = cache.get(key);
  if (cached) {
    cache.delete(key);
    cache.set(key, cached);
    return cached;
  }
  const { z, x, y } = previewTile(entry.bbox ?? undefined);
  const request = slot(async () => {
    if (signal.aborted) {
      throw new DOMException('The preview is no longer shown', 'AbortError');
    }
    const blob = await client.tile(
      {
        dataset: entry.id,
        variable: variable.name,
        z,
        x,
        y,
        crs: 'EPSG:3857',
        cmap: variable.colorBarName ?? undefined,
        vmin: variable.colorBarMin ?? undefined,
        vmax: variable.colorBarMax ?? undefined
      },
      { signal }
    );
    return URL.createObjectURL(blob);
  });
  cache.set(key, request);
  // a failed or cancelled preview is tried again next time it is shown
  request.catch(() => cache.get(key) === request && cache.delete(key));
  while (cache.size > MAX_CACHED) {
    const [oldestKey, oldest] = cache.entries().next().value as [string, Promise<string>];
    cache.delete(oldestKey);
    void oldest.then(url => URL.revokeObjectURL(url)).catch(() => undefined);
  }
  return request;
}
