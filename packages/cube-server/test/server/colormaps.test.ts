import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { colorbarGroups, colormapNames, resolveColormap } from '../../src/server/colormaps/colormaps';
import { decodePng } from '../../src/server/png';

const recorded = JSON.parse(readFileSync(path.join(__dirname, '../fixtures/xcube/colorbars.json'), 'utf8')) as [
  string,
  string,
  [string, string][]
][];

function rgba(lut: Uint8Array, i: number): number[] {
  return Array.from(lut.subarray(i * 4, i * 4 + 4));
}

describe('colour maps', () => {
  it('match every recorded xcube colour bar within ±1 per channel, reversed too', () => {
    let checked = 0;
    for (const [, , entries] of recorded) {
      for (const [name, png] of entries) {
        const image = decodePng(Buffer.from(png, 'base64'));
        expect(image.width).toBe(256);
        const lut = resolveColormap(name).lut;
        const reversed = resolveColormap(`${name}_r`).lut;
        let worst = 0;
        let worstReversed = 0;
        for (let i = 0; i < 256; i++) {
          for (let c = 0; c < 4; c++) {
            worst = Math.max(worst, Math.abs(lut[i * 4 + c] - image.data[i * 4 + c]));
            worstReversed = Math.max(worstReversed, Math.abs(reversed[(255 - i) * 4 + c] - image.data[i * 4 + c]));
          }
        }
        expect(worst, name).toBeLessThanOrEqual(1);
        expect(worstReversed, `${name}_r`).toBeLessThanOrEqual(1);
        checked++;
      }
    }
    expect(checked).toBe(colormapNames().length);
    expect(checked).toBeGreaterThan(80);
  });

  it('has matplotlib values where we know them', () => {
    // matplotlib's viridis starts at (0.267004, 0.004874, 0.329415) and plasma ends at (0.940015, 0.975158, 0.131326)
    expect(rgba(resolveColormap('viridis').lut, 0)).toEqual([68, 1, 84, 255]);
    expect(rgba(resolveColormap('plasma').lut, 255)).toEqual([239, 248, 33, 255]);
    expect(rgba(resolveColormap('gray').lut, 0)).toEqual([0, 0, 0, 255]);
    expect(rgba(resolveColormap('gray').lut, 255)).toEqual([255, 255, 255, 255]);
  });

  it('ramps opacity for _alpha maps and keeps xcube groups for /colorbars', () => {
    const alpha = resolveColormap('viridis_alpha').lut;
    expect(alpha[3]).toBe(0);
    expect(alpha[64 * 4 + 3]).toBeGreaterThan(100);
    expect(alpha[200 * 4 + 3]).toBe(255);
    expect(rgba(resolveColormap('viridis_r_alpha').lut, 0).slice(0, 3)).toEqual(
      rgba(resolveColormap('viridis').lut, 255).slice(0, 3)
    );
    expect(colorbarGroups().map(g => g[0])).toEqual(recorded.map(g => g[0]));
  });

  it('builds custom maps from JSON as xcube does', () => {
    const map = resolveColormap(
      JSON.stringify({
        name: 'bwr',
        type: 'continuous',
        colors: [
          [0, 'blue'],
          [20, 'white'],
          [35, 'red']
        ]
      })
    );
    expect(rgba(map.lut, 0)).toEqual([0, 0, 255, 255]);
    expect(rgba(map.lut, 255)).toEqual([255, 0, 0, 255]);
    const whiteAt = Math.round((20 / 35) * 255);
    expect(
      rgba(map.lut, whiteAt)
        .slice(0, 3)
        .every(c => c >= 253)
    ).toBe(true);
    const steps = resolveColormap(
      JSON.stringify({
        name: 's',
        type: 'stepwise',
        colors: [
          [0, '#ff0000'],
          [0.5, [0, 1, 0]],
          [1, 'blue']
        ]
      })
    );
    expect(rgba(steps.lut, 10)).toEqual([255, 0, 0, 255]);
    expect(rgba(steps.lut, 200)).toEqual([0, 255, 0, 255]);
    const cats = resolveColormap(
      JSON.stringify({
        name: 'c',
        type: 'categorical',
        colors: [
          [1, 'red'],
          [2, 'green'],
          [5, [0, 0, 255]]
        ]
      })
    );
    expect(Array.from(cats.categories!.boundaries)).toEqual([1, 2, 3, 5, 6]);
    expect(Array.from(cats.categories!.colors.subarray(8, 12))).toEqual([0, 0, 0, 0]);
  });

  it('names what is wrong with a colour map', () => {
    expect(() => resolveColormap('viridiss')).toThrow(/unknown colour map 'viridiss'/);
    expect(() => resolveColormap('{"name": "x"')).toThrow(/must be JSON/);
    expect(() => resolveColormap('{"name": "x", "colors": [[0, "nocolour"], [1, "red"]]}')).toThrow(
      /'nocolour' is not a colour/
    );
    expect(() => resolveColormap('{"colors": [[1, "red"], [0, "blue"]]}')).toThrow(/must increase/);
    expect(() => resolveColormap('{"type": "wavy", "colors": [[0, "red"], [1, "blue"]]}')).toThrow(/not one of/);
  });
});
