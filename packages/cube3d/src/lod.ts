/**
 * Level of detail for cubes with overview levels (a pyramid, each level `factor` times coarser in lat and lon):
 * which level gives a face its quick first picture, where a face lies in a level, and that picture blown up to
 * the face's size. DOM-free, so that it is unit-tested.
 *
 * The rule: a face of more than 16 chunks gets a first picture, from the coarsest level whose face still has a
 * cell per 16 screen pixels on each side (or all the cells the face has) and that reads at most half the bytes of
 * the full face; the final picture is always level 0, so that readouts, exports and "fully drawn" are exact.
 */
import { Axis, IRange, ISelection } from './geometry';

/** An overview level of a variable: the group its arrays are in and how many level-0 cells one cell covers. */
export interface ILevel {
  level: number;
  path: string;
  factor: number;
}

/** A face as one level gives it: its size in cells, and the number and (decoded) bytes of the chunks it needs. */
export interface ILevelFace {
  width: number;
  height: number;
  chunks: number;
  bytes: number;
}

/** screen pixels a cell of the first picture may cover at most */
export const PIXELS_PER_CELL = 16;
/** the share of the full face's bytes that a first picture may read at most */
export const MAX_BYTES_SHARE = 0.5;
/** chunks that come about as fast as a first picture would (the browser asks for about 6 at a time) */
export const FEW_CHUNKS = 16;

/**
 * The level (an index into `faces`, where `faces[0]` is the full face) that gives the first picture of a face
 * drawn about `pixels` screen pixels across, or 0 when no level is worth an extra pass.
 */
export function chooseFirstLevel(faces: ILevelFace[], pixels: number): number {
  const full = faces[0];
  if (full.chunks <= FEW_CHUNKS) {
    return 0;
  }
  const needed = (side: number): number => Math.min(side, Math.ceil(pixels / PIXELS_PER_CELL));
  for (let k = faces.length - 1; k > 0; k--) {
    const face = faces[k];
    if (face.width >= needed(full.width) && face.height >= needed(full.height)) {
      return face.bytes <= MAX_BYTES_SHARE * full.bytes ? k : 0;
    }
  }
  return 0;
}

/** The index range at a level `factor` times coarser that covers `range` of level 0. */
export function levelRange(range: IRange, factor: number, size: number): IRange {
  return { start: Math.floor(range.start / factor), end: Math.min(size, Math.ceil(range.end / factor)) };
}

/**
 * A selection moved to a level: the ranges and fixed indices of the `spatial` dimensions (by the variable's
 * dimension index: lat and lon) divided by `factor`, clipped to the level's `shape`; the others as they are.
 */
export function levelSelection(selection: ISelection, spatial: number[], factor: number, shape: number[]): ISelection {
  const ranges = selection.ranges.map((range, axis) => {
    const dim = selection.shown[axis];
    return spatial.includes(dim) ? levelRange(range, factor, shape[dim]) : { ...range };
  }) as ISelection['ranges'];
  const fixed = selection.fixed.map((index, dim) =>
    spatial.includes(dim) ? Math.min(shape[dim] - 1, Math.floor(index / factor)) : index
  );
  return { shown: selection.shown, fixed, ranges };
}

/** The index along a face's axis at a level (divided when that axis is lat or lon). */
export function levelIndex(index: number, dim: number, spatial: number[], factor: number, size: number): number {
  return spatial.includes(dim) ? Math.min(size - 1, Math.floor(index / factor)) : index;
}

/**
 * A face read from a level, blown up (nearest neighbour: each level-0 cell takes the value of the coarse cell
 * that covers it) to the face's full size. `coarse` is laid out as a face of `coarseRanges` (row = v, column = u),
 * `factors` say how many level-0 cells a coarse cell covers along u and v (1 for time or depth).
 */
export function upsampleFace(
  coarse: Float32Array,
  coarseRanges: { u: IRange; v: IRange },
  ranges: { u: IRange; v: IRange },
  factors: { u: number; v: number }
): Float32Array {
  const coarseWidth = coarseRanges.u.end - coarseRanges.u.start;
  const width = ranges.u.end - ranges.u.start;
  const height = ranges.v.end - ranges.v.start;
  const columns = Int32Array.from(
    { length: width },
    (_, i) => Math.floor((ranges.u.start + i) / factors.u) - coarseRanges.u.start
  );
  const out = new Float32Array(width * height);
  for (let j = 0; j < height; j++) {
    const row = (Math.floor((ranges.v.start + j) / factors.v) - coarseRanges.v.start) * coarseWidth;
    for (let i = 0; i < width; i++) {
      out[j * width + i] = coarse[row + columns[i]];
    }
  }
  return out;
}

/** The factor of a face's in-face axis at a level: `factor` for lat and lon, 1 for the others. */
export function axisFactor(selection: ISelection, axis: Axis, spatial: number[], factor: number): number {
  return spatial.includes(selection.shown[axis]) ? factor : 1;
}
