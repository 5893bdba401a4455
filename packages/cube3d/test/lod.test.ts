import { describe, expect, it } from 'vitest';
import { ISelection } from '../src/geometry';
import { axisFactor, chooseFirstLevel, levelIndex, levelRange, levelSelection, upsampleFace } from '../src/lod';

describe('chooseFirstLevel', () => {
  // a 4320 × 2160 face and its levels, each half the previous, chunks of 512 × 512 cells
  const faces = [4320, 2160, 1080, 540, 270].map((width, k) => {
    const chunks = Math.ceil(width / 512) * Math.ceil(2160 / 2 ** k / 512);
    return { width, height: Math.ceil(2160 / 2 ** k), chunks, bytes: chunks * 512 * 512 };
  });

  it('takes the coarsest level that still has a cell per 16 pixels on each side', () => {
    expect(chooseFirstLevel(faces, 1024)).toBe(4); // 64 cells needed: 270 × 135 will do
    expect(chooseFirstLevel(faces, 4096)).toBe(3); // 256 needed: 540 × 270
    expect(chooseFirstLevel(faces, 16384)).toBe(1); // 1024 needed: 2160 × 1080
  });

  it('takes none when no level saves half the bytes, the face is small, or comes in few chunks', () => {
    const costly = [
      { width: 600, height: 300, chunks: 20, bytes: 20 },
      { width: 300, height: 150, chunks: 15, bytes: 15 }
    ];
    expect(chooseFirstLevel(costly, 512)).toBe(0);
    expect(chooseFirstLevel([faces[0]], 512)).toBe(0);
    // 144 × 73 on 4096 pixels needs all its cells: no level has them
    const small = [
      { width: 144, height: 73, chunks: 45, bytes: 100 },
      { width: 72, height: 37, chunks: 15, bytes: 10 }
    ];
    expect(chooseFirstLevel(small, 4096)).toBe(0);
    expect(chooseFirstLevel(small, 512)).toBe(1);
    // 16 chunks come about as fast as a first picture would
    expect(chooseFirstLevel([{ ...small[0], chunks: 16 }, small[1]], 512)).toBe(0);
  });

  it('keeps a short side (time) as it is and asks only for what the face has', () => {
    const timeByLat = [
      { width: 12, height: 180, chunks: 36, bytes: 1000 },
      { width: 12, height: 90, chunks: 24, bytes: 300 },
      { width: 12, height: 45, chunks: 12, bytes: 100 }
    ];
    expect(chooseFirstLevel(timeByLat, 512)).toBe(2);
    expect(chooseFirstLevel(timeByLat, 1024)).toBe(1);
  });
});

describe('level indices', () => {
  it('covers a level-0 range with the coarse cells that overlap it, within the level', () => {
    expect(levelRange({ start: 0, end: 73 }, 2, 37)).toEqual({ start: 0, end: 37 });
    expect(levelRange({ start: 3, end: 10 }, 4, 19)).toEqual({ start: 0, end: 3 });
    expect(levelRange({ start: 5, end: 13 }, 2, 8)).toEqual({ start: 2, end: 7 });
    expect(levelIndex(71, 2, [1, 2], 4, 36)).toBe(17);
    expect(levelIndex(71, 0, [1, 2], 4, 36)).toBe(71);
  });

  it('moves a selection to a level: lat and lon divided, time and other dimensions kept', () => {
    const selection: ISelection = {
      shown: [0, 2, 3],
      fixed: [0, 4, 9, 0],
      ranges: [
        { start: 2, end: 10 },
        { start: 6, end: 73 },
        { start: 0, end: 144 }
      ]
    };
    const level = levelSelection(selection, [2, 3], 2, [12, 20, 37, 72]);
    expect(level.ranges).toEqual([
      { start: 2, end: 10 },
      { start: 3, end: 37 },
      { start: 0, end: 72 }
    ]);
    expect(level.fixed).toEqual([0, 4, 4, 0]);
    expect(axisFactor(selection, 0, [2, 3], 2)).toBe(1);
    expect(axisFactor(selection, 2, [2, 3], 2)).toBe(2);
  });
});

describe('upsampleFace', () => {
  it('gives each level-0 cell the value of the coarse cell that covers it (nearest neighbour)', () => {
    // a 3 × 2 coarse face of cells (u 1..4, v 0..2) at factor 2, for the level-0 face u 3..8, v 1..4
    const coarse = Float32Array.from([10, 11, 12, 20, 21, 22]);
    const out = upsampleFace(
      coarse,
      { u: { start: 1, end: 4 }, v: { start: 0, end: 2 } },
      { u: { start: 3, end: 8 }, v: { start: 1, end: 4 } },
      { u: 2, v: 2 }
    );
    expect(Array.from(out)).toEqual([10, 11, 11, 12, 12, 20, 21, 21, 22, 22, 20, 21, 21, 22, 22]);
  });

  it('keeps an axis that has no levels (time) cell for cell', () => {
    const coarse = Float32Array.from([1, 2, 3, NaN]);
    const out = upsampleFace(
      coarse,
      { u: { start: 5, end: 7 }, v: { start: 0, end: 2 } },
      { u: { start: 5, end: 7 }, v: { start: 0, end: 4 } },
      { u: 1, v: 2 }
    );
    expect(Array.from(out)).toEqual([1, 2, 1, 2, 3, NaN, 3, NaN]);
  });
});
