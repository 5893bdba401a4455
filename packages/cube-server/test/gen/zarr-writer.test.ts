import { describe, expect, it } from 'vitest';

import { halve, halveCoordinate, autoOverviewLevels } from '../../src/gen/overviews';
import { asciiJson, chunkIndices, copyBlock } from '../../src/gen/zarr-writer';

describe('chunk helpers', () => {
  it('lists chunk indices in C order', () => {
    expect([...chunkIndices([2, 3])]).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 1],
      [1, 2]
    ]);
    expect([...chunkIndices([0, 3])]).toEqual([]);
  });

  it('copies blocks and pads edge chunks with the fill value', () => {
    const source = Float32Array.from({ length: 2 * 3 * 5 }, (_, i) => i);
    const target = new Float32Array(1 * 2 * 4);
    copyBlock(source, [2, 3, 5], [1, 2, 4], [1, 2, 4], target, NaN);
    expect(Array.from(target)).toEqual([29, NaN, NaN, NaN, NaN, NaN, NaN, NaN]);
    copyBlock(source, [2, 3, 5], [0, 0, 0], [1, 2, 4], target, NaN);
    expect(Array.from(target)).toEqual([0, 1, 2, 3, 5, 6, 7, 8]);
  });

  it('escapes non-ASCII characters for zarr-python', () => {
    expect(asciiJson({ unit: '°C × 2' })).toBe('{\n  "unit": "\\u00b0C \\u00d7 2"\n}');
    expect(JSON.parse(asciiJson({ unit: '°C × 2' }))).toEqual({ unit: '°C × 2' });
  });
});

describe('overview levels', () => {
  it('averages the valid cells of 2x2 blocks, odd edges included', () => {
    const plane = Float32Array.of(1, 3, 5, NaN, NaN, 7, 10, 20, 30);
    expect(Array.from(halve(plane, 1, 3, 3))).toEqual([2, 6, 15, 30]);
    expect(Array.from(halve(Float32Array.of(NaN, NaN, NaN, NaN), 1, 2, 2))).toEqual([NaN]);
  });

  it('keeps coarse axes regular', () => {
    expect(Array.from(halveCoordinate(Float64Array.of(90, 89, 88, 87, 86)))).toEqual([89.5, 87.5, 85.5]);
  });

  it('halves until the grid fits a chunk', () => {
    expect(autoOverviewLevels(2161, 4320, 512)).toBe(4);
    expect(autoOverviewLevels(90, 180, 512)).toBe(0);
  });
});
