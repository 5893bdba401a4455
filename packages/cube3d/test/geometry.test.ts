import { describe, expect, it } from 'vitest';
import {
  chooseChunkings,
  chunksForFace,
  copyChunkToFace,
  cubeFaces,
  faceQuad,
  faceVisible,
  dragSteps,
  defaultShownDims,
  moveFace,
  namedShownDims,
  panRange,
  zoomRange,
  IRange,
  ISelection,
  IShownDim,
  sceneSizes
} from '../src/geometry';

// COADS-like: 12 months, 90 latitudes north to south, 180 longitudes west to east
const dims: IShownDim[] = [
  { name: 'time', size: 12, descending: false },
  { name: 'lat', size: 90, descending: true },
  { name: 'lon', size: 180, descending: false }
];
const ranges: [IRange, IRange, IRange] = [
  { start: 0, end: 12 },
  { start: 0, end: 90 },
  { start: 0, end: 180 }
];
const selection: ISelection = { shown: [0, 1, 2], fixed: [0, 0, 0], ranges };

describe('faces', () => {
  it('shows the first and last slice of each dimension, spanned by the other two', () => {
    const faces = cubeFaces(ranges);
    expect(faces.map(f => [f.axis, f.side, f.index, f.u, f.v])).toEqual([
      [0, 'start', 0, 2, 1],
      [0, 'end', 11, 2, 1],
      [1, 'start', 0, 2, 0],
      [1, 'end', 89, 2, 0],
      [2, 'start', 0, 0, 1],
      [2, 'end', 179, 0, 1]
    ]);
  });

  it('sizes the cube by the lengths, with a thin dimension kept visible', () => {
    expect(sceneSizes(ranges)).toEqual([0.3, 0.5, 1]);
  });

  it('puts the first time in front, north up and west left, whatever the stored latitude order', () => {
    const sizes = sceneSizes(ranges);
    const front = faceQuad(cubeFaces(ranges)[0], dims, ranges, sizes);
    expect(front.normal).toEqual([0, 0, 1]);
    // texture (0, 0) is the first stored cell: west and, latitudes descending, north
    expect(front.corners[0]).toEqual([-0.5, 0.25, 0.15]);
    expect(front.corners[2]).toEqual([0.5, -0.25, 0.15]);
    const ascending = dims.map((d, i) => (i === 1 ? { ...d, descending: false } : d));
    expect(faceQuad(cubeFaces(ranges)[0], ascending, ranges, sizes).corners[0]).toEqual([-0.5, -0.25, 0.15]);
    // the first latitude row (north) is the top face
    const top = faceQuad(cubeFaces(ranges)[2], dims, ranges, sizes);
    expect(top.normal).toEqual([0, 1, 0]);
  });

  it('sees three faces from an isometric corner and one face-on', () => {
    const sizes = sceneSizes(ranges);
    const quads = cubeFaces(ranges).map(f => faceQuad(f, dims, ranges, sizes));
    expect(quads.map(q => faceVisible(q, [3, 2, 4]))).toEqual([true, false, true, false, false, true]);
    expect(quads.map(q => faceVisible(q, [0, 0, 5]))).toEqual([true, false, false, false, false, false]);
  });
});

describe('chunk selection', () => {
  it('reads one chunk for a time slice and every time chunk for a side face', () => {
    const [front, , top, , , right] = cubeFaces(ranges);
    expect(chunksForFace(front, selection, [1, 90, 180])).toEqual([[0, 0, 0]]);
    expect(chunksForFace(top, selection, [1, 90, 180])).toHaveLength(12);
    expect(chunksForFace(right, selection, [12, 64, 64])).toEqual([
      [0, 0, 2],
      [0, 1, 2]
    ]);
  });

  it('fixes dimensions that are not shown and limits chunks to the ranges', () => {
    const four: ISelection = {
      shown: [1, 2, 3],
      fixed: [5, 0, 0, 0],
      ranges: [
        { start: 0, end: 10 },
        { start: 30, end: 70 },
        { start: 100, end: 110 }
      ]
    };
    const face = cubeFaces(four.ranges)[0];
    expect(chunksForFace(face, four, [1, 5, 32, 32])).toEqual([
      [5, 0, 0, 3],
      [5, 0, 1, 3],
      [5, 0, 2, 3]
    ]);
  });
});

describe('copying chunks to a face', () => {
  it('places every value at its (u, v) cell', () => {
    // a 2 x 4 x 6 variable whose value encodes its index, in chunks of 1 x 3 x 4
    const shape = [2, 4, 6];
    const chunks = [1, 3, 4];
    const value = (t: number, y: number, x: number): number => t * 100 + y * 10 + x;
    const small: ISelection = {
      shown: [0, 1, 2],
      fixed: [0, 0, 0],
      ranges: [
        { start: 0, end: 2 },
        { start: 1, end: 4 },
        { start: 1, end: 6 }
      ]
    };
    const face = cubeFaces(small.ranges)[1]; // the last time, lon x lat
    const out = new Float32Array(5 * 3).fill(NaN);
    for (const coords of chunksForFace(face, small, chunks)) {
      const data = new Float32Array(chunks[0] * chunks[1] * chunks[2]);
      for (let y = 0; y < chunks[1]; y++) {
        for (let x = 0; x < chunks[2]; x++) {
          const [gy, gx] = [coords[1] * 3 + y, coords[2] * 4 + x];
          data[y * 4 + x] = gy < shape[1] && gx < shape[2] ? value(coords[0], gy, gx) : -1;
        }
      }
      copyChunkToFace(face, small, chunks, coords, { data, shape: chunks, stride: [12, 4, 1] }, out);
    }
    const expected = [];
    for (let y = 1; y < 4; y++) {
      for (let x = 1; x < 6; x++) {
        expected.push(value(1, y, x));
      }
    }
    expect(Array.from(out)).toEqual(expected);
  });
});

describe('slicing', () => {
  it('moves a start face up to the end and an end face down to the start, within the dimension', () => {
    const [front, back] = cubeFaces(ranges);
    expect(moveFace(ranges, front, 3, 12)[0]).toEqual({ start: 3, end: 12 });
    expect(moveFace(ranges, front, 30, 12)[0]).toEqual({ start: 11, end: 12 });
    expect(moveFace(ranges, front, -3, 12)[0]).toEqual({ start: 0, end: 12 });
    expect(moveFace(ranges, back, -4, 12)[0]).toEqual({ start: 0, end: 8 });
    expect(moveFace(ranges, back, 4, 12)[0]).toEqual({ start: 0, end: 12 });
    // the other ranges are left alone, and the input is not changed
    expect(moveFace(ranges, front, 3, 12)[2]).toEqual({ start: 0, end: 180 });
    expect(ranges[0]).toEqual({ start: 0, end: 12 });
  });

  it('turns a drag into steps along the face axis on screen, or upward movement when the axis faces the viewer', () => {
    // the axis's 12 steps span 120 pixels to the right: 25 pixels right are 2 steps, left -2, across 0
    expect(dragSteps([25, 0], [120, 0], 12)).toBe(2);
    expect(dragSteps([-25, 0], [120, 0], 12)).toBe(-2);
    expect(dragSteps([0, 40], [120, 0], 12)).toBe(0);
    // face-on: 6 pixels up per step
    expect(dragSteps([0, -13], [0, 0], 12)).toBe(2);
  });
});

describe('chunkings for faces shown together', () => {
  it('counts a chunk shared by faces once', () => {
    // NAVY-winds-like: 132 months of 73 x 144, maps chunked (1, 73, 144), a time-series copy (132, 64, 64)
    const navy: ISelection = {
      shown: [0, 1, 2],
      fixed: [0, 0, 0],
      ranges: [
        { start: 0, end: 132 },
        { start: 0, end: 73 },
        { start: 0, end: 144 }
      ]
    };
    const [front, , top, , , right] = cubeFaces(navy.ranges);
    const chunkings = [
      [1, 73, 144],
      [132, 64, 64]
    ];
    // alone, the right face is cheaper from the copy; with the top face, whose map chunks it shares, it is not
    expect(chooseChunkings([right], navy, chunkings)).toEqual([1]);
    expect(chooseChunkings([front, top, right], navy, chunkings)).toEqual([0, 0, 0]);
    // COADS-like, where the copy's chunks are small: the sides read the copy, the front its map
    expect(
      chooseChunkings([cubeFaces(ranges)[0], cubeFaces(ranges)[2]], selection, [
        [1, 90, 180],
        [12, 64, 64]
      ])
    ).toEqual([0, 1]);
  });
});

describe('zoom and pan of a face', () => {
  it('zooms in around the cell under the cursor, which keeps its place', () => {
    const zoomed = zoomRange({ start: 0, end: 180 }, 180, 90, 0.5);
    expect(zoomed).toEqual({ start: 45, end: 135 });
    const atEdge = zoomRange({ start: 0, end: 180 }, 180, 0, 0.5);
    expect(atEdge).toEqual({ start: 0, end: 90 });
  });

  it('zooms out no further than the whole dimension and in no further than two cells', () => {
    expect(zoomRange({ start: 40, end: 60 }, 90, 50, 10)).toEqual({ start: 0, end: 90 });
    expect(zoomRange({ start: 40, end: 43 }, 90, 41, 0.1)).toEqual({ start: 41, end: 43 });
    expect(zoomRange({ start: 170, end: 180 }, 180, 175, 3)).toEqual({ start: 150, end: 180 });
  });

  it('pans within the dimension, keeping the length', () => {
    expect(panRange({ start: 10, end: 20 }, 90, 5)).toEqual({ start: 15, end: 25 });
    expect(panRange({ start: 10, end: 20 }, 90, -50)).toEqual({ start: 0, end: 10 });
    expect(panRange({ start: 10, end: 20 }, 90, 500)).toEqual({ start: 80, end: 90 });
  });
});

describe('which three dimensions a cube shows', () => {
  it('shows time, lat and lon of a four-dimensional variable by default, else the last three', () => {
    expect(defaultShownDims(['time', 'depth', 'lat', 'lon'])).toEqual([0, 2, 3]);
    expect(defaultShownDims(['depth', 'lat', 'lon'])).toEqual([0, 1, 2]);
    expect(defaultShownDims(['member', 'depth', 'y', 'x'])).toEqual([1, 2, 3]);
  });

  it('takes three named dimensions in the variable order, and says what is wrong with others', () => {
    expect(namedShownDims(['time', 'depth', 'lat', 'lon'], ['lon', 'depth', 'lat'])).toEqual([1, 2, 3]);
    expect(() => namedShownDims(['time', 'depth', 'lat', 'lon'], ['time', 'lat'])).toThrow(
      'Name three different dimensions of time, depth, lat, lon to show, not time, lat.'
    );
    expect(() => namedShownDims(['time', 'depth', 'lat', 'lon'], ['time', 'lat', 'x'])).toThrow(/not time, lat, x/);
  });
});
