/**
 * Overview levels (a pyramid): each level halves the previous one in lat and lon by the mean of the valid
 * (non-NaN) cells of each 2x2 block; a block without valid cells stays NaN. Odd sizes round up: the last row or
 * column of a level then averages a single source row or column.
 */
import type { FloatArray } from './zarr-writer';

/** Levels for 'auto': halve until the grid fits one spatial chunk. */
export function autoOverviewLevels(lat: number, lon: number, chunk: number): number {
  let levels = 0;
  while (Math.max(lat, lon) > chunk && Math.min(lat, lon) > 1) {
    lat = Math.ceil(lat / 2);
    lon = Math.ceil(lon / 2);
    levels++;
  }
  return levels;
}

/**
 * Halves every (lat, lon) plane of `data` (C order, `planes` planes of `lat` x `lon`) into a new array of
 * ceil(lat/2) x ceil(lon/2) planes, of the same element type.
 */
export function halve(data: FloatArray, planes: number, lat: number, lon: number): FloatArray {
  const outLat = Math.ceil(lat / 2);
  const outLon = Math.ceil(lon / 2);
  const out =
    data instanceof Float32Array
      ? new Float32Array(planes * outLat * outLon)
      : new Float64Array(planes * outLat * outLon);
  for (let p = 0; p < planes; p++) {
    const inBase = p * lat * lon;
    const outBase = p * outLat * outLon;
    for (let i = 0; i < outLat; i++) {
      const row0 = inBase + 2 * i * lon;
      const row1 = 2 * i + 1 < lat ? row0 + lon : -1;
      for (let j = 0; j < outLon; j++) {
        const c0 = 2 * j;
        const hasC1 = c0 + 1 < lon;
        let sum = 0;
        let n = 0;
        let v = data[row0 + c0];
        if (v === v) {
          sum += v;
          n++;
        }
        if (hasC1) {
          v = data[row0 + c0 + 1];
          if (v === v) {
            sum += v;
            n++;
          }
        }
        if (row1 >= 0) {
          v = data[row1 + c0];
          if (v === v) {
            sum += v;
            n++;
          }
          if (hasC1) {
            v = data[row1 + c0 + 1];
            if (v === v) {
              sum += v;
              n++;
            }
          }
        }
        out[outBase + i * outLon + j] = n > 0 ? sum / n : NaN;
      }
    }
  }
  return out;
}

/**
 * Cell centres of the halved axis: the mean of each pair; an odd axis' last centre is placed where the regular
 * grid continues (the missing partner extrapolated by the last spacing), so the level's axis stays regular.
 */
export function halveCoordinate(values: Float64Array): Float64Array {
  const n = values.length;
  const out = new Float64Array(Math.ceil(n / 2));
  for (let i = 0; i < out.length; i++) {
    const a = values[2 * i];
    const b = 2 * i + 1 < n ? values[2 * i + 1] : n > 1 ? a + (values[n - 1] - values[n - 2]) : a;
    out[i] = (a + b) / 2;
  }
  return out;
}
