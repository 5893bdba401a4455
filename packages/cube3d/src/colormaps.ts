/**
 * Colour maps of the cube and the CPU colour mapping: the reference of the faces' shader (faceshader.ts),
 * which the UI tests compare the drawn canvas with, and the colour bar.
 * Each map is a list of evenly spaced control colours, interpolated into a 256-entry table; a name ending in
 * `_r` is the reversed map.
 */

const CONTROL_COLOURS: Record<string, string[]> = {
  viridis: [
    '#440154',
    '#482878',
    '#3e4989',
    '#31688e',
    '#26828e',
    '#1f9e89',
    '#35b779',
    '#6ece58',
    '#b5de2b',
    '#fde725'
  ],
  magma: ['#000004', '#180f3d', '#440f76', '#721f81', '#9e2f7f', '#cd4071', '#f1605d', '#fd9668', '#feca8d', '#fcfdbf'],
  RdYlBu: [
    '#a50026',
    '#d73027',
    '#f46d43',
    '#fdae61',
    '#fee090',
    '#ffffbf',
    '#e0f3f8',
    '#abd9e9',
    '#74add1',
    '#4575b4',
    '#313695'
  ],
  coolwarm: ['#3b4cc0', '#6788ee', '#9abbff', '#c9d7f0', '#edd1c2', '#f7a889', '#e26952', '#b40426'],
  gray: ['#000000', '#ffffff']
};

/** The colour of a missing value (NaN or the fill value): a neutral grey that no map above contains. */
export const MISSING_RGBA: [number, number, number, number] = [128, 128, 128, 255];

/** The names a user may choose: every base map and its reversed form. */
export const COLORMAP_NAMES: string[] = Object.keys(CONTROL_COLOURS).flatMap(name => [name, `${name}_r`]);

function parseHex(hex: string): [number, number, number] {
  return [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

/** A 256 × RGBA table of the named map; throws for an unknown name, listing the known ones. */
export function colormapTable(name: string): Uint8Array {
  const reversed = name.endsWith('_r');
  const base = reversed ? name.slice(0, -2) : name;
  const controls = CONTROL_COLOURS[base];
  if (!controls) {
    throw new Error(`Unknown colour map "${name}"; choose one of ${COLORMAP_NAMES.join(', ')}.`);
  }
  const colours = (reversed ? [...controls].reverse() : controls).map(parseHex);
  const table = new Uint8Array(256 * 4);
  for (let i = 0; i < 256; i++) {
    const position = (i / 255) * (colours.length - 1);
    const low = Math.min(Math.floor(position), colours.length - 2);
    const t = position - low;
    for (let c = 0; c < 3; c++) {
      table[i * 4 + c] = Math.round(colours[low][c] * (1 - t) + colours[low + 1][c] * t);
    }
    table[i * 4 + 3] = 255;
  }
  return table;
}

/**
 * Maps values to RGBA through a table: vmin to the first entry, vmax to the last, values outside clamped,
 * NaN (and only NaN: a real -9999 is a value) to MISSING_RGBA. With `log`, the mapping is logarithmic and
 * values ≤ 0 are missing.
 */
export function mapColours(
  values: ArrayLike<number>,
  table: Uint8Array,
  vmin: number,
  vmax: number,
  log = false,
  out: Uint8Array = new Uint8Array(values.length * 4)
): Uint8Array {
  const low = log ? Math.log10(vmin) : vmin;
  const high = log ? Math.log10(vmax) : vmax;
  const scale = high > low ? 255 / (high - low) : 0;
  for (let i = 0; i < values.length; i++) {
    const raw = values[i];
    const value = log ? (raw > 0 ? Math.log10(raw) : NaN) : raw;
    if (Number.isNaN(value)) {
      out.set(MISSING_RGBA, i * 4);
      continue;
    }
    const entry = Math.max(0, Math.min(255, Math.round((value - low) * scale))) * 4;
    out[i * 4] = table[entry];
    out[i * 4 + 1] = table[entry + 1];
    out[i * 4 + 2] = table[entry + 2];
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** A grey checkerboard of `width` × `height` texels, shown on a face whose data has not arrived yet. */
export function checkerboard(width: number, height: number, cell = 8): Uint8Array {
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const light = (Math.floor(x / cell) + Math.floor(y / cell)) % 2 === 0;
      out.set(light ? [205, 205, 205, 255] : [160, 160, 160, 255], (y * width + x) * 4);
    }
  }
  return out;
}

/**
 * The colour range that fits the values seen: their 2nd to 98th percentile (outliers do not wash out the
 * picture), from an even sample of at most `sample` finite values; null when no value is finite.
 */
export function fittedRange(arrays: ArrayLike<number>[], sample = 200_000): [number, number] | null {
  const total = arrays.reduce((sum, a) => sum + a.length, 0);
  const step = Math.max(1, Math.floor(total / sample));
  const seen: number[] = [];
  let k = 0;
  for (const array of arrays) {
    for (let i = 0; i < array.length; i++, k++) {
      if (k % step === 0 && Number.isFinite(array[i])) {
        seen.push(array[i]);
      }
    }
  }
  if (seen.length === 0) {
    return null;
  }
  const sorted = Float64Array.from(seen).sort();
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const [low, high] = [at(0.02), at(0.98)];
  return low < high ? [low, high] : [low, low + 1];
}
