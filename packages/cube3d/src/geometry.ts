/**
 * The geometry of a cube view: which slice of the variable each of the six faces shows, where the face lies in
 * the 3D scene, and which Zarr chunks it needs. DOM-free, so that it is unit-tested.
 *
 * The three shown dimensions (in the variable's order, e.g. time, lat, lon) lie along the scene's z, y and x
 * axes: the last one runs west to east, the middle one south to north (north up whatever the stored order),
 * the first one from the front face backwards.
 */

/** One of the three shown dimensions, 0 (z, e.g. time), 1 (y, e.g. lat) or 2 (x, e.g. lon). */
export type Axis = 0 | 1 | 2;

/** A shown dimension: its name, its length and whether its coordinate values fall with the index. */
export interface IShownDim {
  name: string;
  size: number;
  /** true when coordinate values decrease with the index (a north-to-south latitude) */
  descending: boolean;
}

/** A half-open index range [start, end) of a dimension. */
export interface IRange {
  start: number;
  end: number;
}

/** A face of the cube: the slice at one end of the range of `axis`, spanned by axes `u` (across) and `v` (up). */
export interface IFace {
  axis: Axis;
  side: 'start' | 'end';
  /** the index along `axis` that the face shows */
  index: number;
  u: Axis;
  v: Axis;
}

/** The scene axis (0 x, 1 y, 2 z) of each shown dimension. */
const SCENE_AXIS: Record<Axis, number> = { 0: 2, 1: 1, 2: 0 };

/** The in-face axes of the faces across each axis: front/back show lon × lat, top/bottom lon × time, sides time × lat. */
const FACE_AXES: Record<Axis, [Axis, Axis]> = { 0: [2, 1], 1: [2, 0], 2: [0, 1] };

/** The six faces of the cube for the given ranges. */
export function cubeFaces(ranges: [IRange, IRange, IRange]): IFace[] {
  const faces: IFace[] = [];
  for (const axis of [0, 1, 2] as Axis[]) {
    const [u, v] = FACE_AXES[axis];
    faces.push({ axis, side: 'start', index: ranges[axis].start, u, v });
    faces.push({ axis, side: 'end', index: ranges[axis].end - 1, u, v });
  }
  return faces;
}

/**
 * The scene size of each shown dimension: proportional to its length, the longest 1, none below `minimum`, so
 * that a 12-step time axis is still a face one can see and drag.
 */
export function sceneSizes(ranges: [IRange, IRange, IRange], minimum = 0.3): [number, number, number] {
  const lengths = ranges.map(r => r.end - r.start);
  const longest = Math.max(...lengths);
  return lengths.map(n => Math.max(minimum, n / longest)) as [number, number, number];
}

/**
 * The scene coordinate (along that dimension's scene axis) of a cell edge `edge` (start ≤ edge ≤ end) of a
 * shown dimension: x grows eastwards, y northwards, z towards the viewer (the range start is in front).
 */
export function sceneCoordinate(axis: Axis, dim: IShownDim, range: IRange, size: number, edge: number): number {
  const fraction = (edge - range.start) / (range.end - range.start);
  if (axis === 0) {
    return size / 2 - fraction * size;
  }
  return dim.descending ? size / 2 - fraction * size : -size / 2 + fraction * size;
}

/** A quad in the scene: four corners (x, y, z) in the order (u0,v0) (u1,v0) (u1,v1) (u0,v1), and its outward normal. */
export interface IQuad {
  corners: [number, number, number][];
  normal: [number, number, number];
}

/**
 * The quad of a face: texture coordinate (0, 0) lies at the first cell of its u and v ranges, so a texture whose
 * row j and column i hold the value at (u.start + i, v.start + j) is drawn in the right place and orientation.
 */
export function faceQuad(face: IFace, dims: IShownDim[], ranges: IRange[], sizes: number[]): IQuad {
  const edge = face.side === 'start' ? ranges[face.axis].start : ranges[face.axis].end;
  const at = (axis: Axis, e: number): number => sceneCoordinate(axis, dims[axis], ranges[axis], sizes[axis], e);
  const fixed = at(face.axis, edge);
  const point = (uEdge: number, vEdge: number): [number, number, number] => {
    const p: [number, number, number] = [0, 0, 0];
    p[SCENE_AXIS[face.axis]] = fixed;
    p[SCENE_AXIS[face.u]] = at(face.u, uEdge);
    p[SCENE_AXIS[face.v]] = at(face.v, vEdge);
    return p;
  };
  const [u, v] = [ranges[face.u], ranges[face.v]];
  const normal: [number, number, number] = [0, 0, 0];
  normal[SCENE_AXIS[face.axis]] = Math.sign(fixed) || 1;
  return {
    corners: [point(u.start, v.start), point(u.end, v.start), point(u.end, v.end), point(u.start, v.end)],
    normal
  };
}

/** Whether a face of the (convex) cube faces a camera at `camera`: only those faces need data. */
export function faceVisible(quad: IQuad, camera: [number, number, number]): boolean {
  const c = quad.corners[0];
  return quad.normal.reduce((sum, n, i) => sum + n * (camera[i] - c[i]), 0) > 0;
}

/** Which element of the variable each dimension takes: the shown ones by position, the others fixed. */
export interface ISelection {
  /** the variable's dimension indices of the three shown dimensions, in the variable's order */
  shown: [number, number, number];
  /** for every dimension of the variable, the index used when it is not shown */
  fixed: number[];
  ranges: [IRange, IRange, IRange];
}

/** The chunk coordinates (one list per chunk) of a variable with `chunks` that a face needs, in C order. */
export function chunksForFace(face: IFace, selection: ISelection, chunks: number[]): number[][] {
  const perDim: number[][] = chunks.map((size, dim) => {
    const shownAxis = selection.shown.indexOf(dim) as Axis | -1;
    if (shownAxis === -1) {
      return [Math.floor(selection.fixed[dim] / size)];
    }
    if (shownAxis === face.axis) {
      return [Math.floor(face.index / size)];
    }
    const range = selection.ranges[shownAxis];
    const first = Math.floor(range.start / size);
    const last = Math.floor((range.end - 1) / size);
    return Array.from({ length: last - first + 1 }, (_, i) => first + i);
  });
  return perDim.reduce<number[][]>((all, options) => all.flatMap(prefix => options.map(o => [...prefix, o])), [[]]);
}

/** A decoded chunk: values in C order with the strides zarrita gives. */
export interface IChunk {
  data: ArrayLike<number>;
  shape: number[];
  stride: number[];
}

/**
 * Copies the part of a chunk (at `chunkCoords` of a variable with chunk shape `chunks`) that falls on a face into
 * the face's values (row j = v index, column i = u index).
 */
export function copyChunkToFace(
  face: IFace,
  selection: ISelection,
  chunks: number[],
  chunkCoords: number[],
  chunk: IChunk,
  out: Float32Array
): void {
  const offset = (dim: number, index: number): number => (index - chunkCoords[dim] * chunks[dim]) * chunk.stride[dim];
  let base = 0;
  for (let dim = 0; dim < chunks.length; dim++) {
    const shownAxis = selection.shown.indexOf(dim);
    if (shownAxis === -1) {
      base += offset(dim, selection.fixed[dim]);
    } else if (shownAxis === face.axis) {
      base += offset(dim, face.index);
    }
  }
  const [uDim, vDim] = [selection.shown[face.u], selection.shown[face.v]];
  const [uRange, vRange] = [selection.ranges[face.u], selection.ranges[face.v]];
  const width = uRange.end - uRange.start;
  const clip = (dim: number, range: IRange): [number, number] => [
    Math.max(range.start, chunkCoords[dim] * chunks[dim]),
    Math.min(range.end, (chunkCoords[dim] + 1) * chunks[dim])
  ];
  const [u0, u1] = clip(uDim, uRange);
  const [v0, v1] = clip(vDim, vRange);
  for (let v = v0; v < v1; v++) {
    const row = base + offset(vDim, v);
    const target = (v - vRange.start) * width - uRange.start;
    for (let u = u0; u < u1; u++) {
      out[target + u] = chunk.data[row + offset(uDim, u)];
    }
  }
}

/**
 * The ranges after moving a face `steps` cells along its axis (positive: towards higher indices). A start face
 * stays before the end and an end face after the start, so the cube keeps at least one cell along each axis.
 */
export function moveFace(
  ranges: [IRange, IRange, IRange],
  face: IFace,
  steps: number,
  size: number
): [IRange, IRange, IRange] {
  const next = ranges.map(r => ({ ...r })) as [IRange, IRange, IRange];
  const range = next[face.axis];
  if (face.side === 'start') {
    range.start = Math.max(0, Math.min(range.end - 1, range.start + steps));
  } else {
    range.end = Math.max(range.start + 1, Math.min(size, range.end + steps));
  }
  return next;
}

/**
 * Whole steps of a drag on a face: the pointer's movement along the screen direction in which the face's axis
 * grows (`axisPixels`: the screen vector of the whole range), or, when the axis points at the viewer, its upward
 * movement at `pixelsPerStep`.
 */
export function dragSteps(
  delta: [number, number],
  axisPixels: [number, number],
  rangeLength: number,
  pixelsPerStep = 6
): number {
  const length = Math.hypot(...axisPixels);
  if (length < 3 * pixelsPerStep) {
    return Math.trunc(-delta[1] / pixelsPerStep);
  }
  const along = (delta[0] * axisPixels[0] + delta[1] * axisPixels[1]) / length;
  return Math.trunc((along / length) * rangeLength);
}

/**
 * For faces shown together, which of several chunkings (e.g. the store's maps and its time-series copy) each
 * face reads from, so that the chunks fetched in all, counting a chunk shared by faces once, are fewest in bytes.
 * Returns an index into `chunkings` per face (all combinations are tried: at most 2^6 for two chunkings).
 */
export function chooseChunkings(faces: IFace[], selection: ISelection, chunkings: number[][]): number[] {
  const perChunk = chunkings.map(chunks => chunks.reduce((product, n) => product * n, 1));
  const keys = faces.map(face => chunkings.map(chunks => chunksForFace(face, selection, chunks).map(c => c.join('.'))));
  let best: number[] = faces.map(() => 0);
  let bestBytes = Infinity;
  const combinations = chunkings.length ** faces.length;
  for (let n = 0; n < combinations; n++) {
    const choice = faces.map((_, i) => Math.floor(n / chunkings.length ** i) % chunkings.length);
    const read = new Set<string>();
    let bytes = 0;
    choice.forEach((c, i) => {
      for (const key of keys[i][c]) {
        if (!read.has(`${c}/${key}`)) {
          read.add(`${c}/${key}`);
          bytes += perChunk[c];
        }
      }
    });
    if (bytes < bestBytes) {
      [best, bestBytes] = [choice, bytes];
    }
  }
  return best;
}

/**
 * A range zoomed by `factor` (below 1: in) around the cell `at`, which keeps its place on the face; the result
 * stays within [0, size) and at least `minimum` cells long.
 */
export function zoomRange(range: IRange, size: number, at: number, factor: number, minimum = 2): IRange {
  const length = range.end - range.start;
  const next = Math.max(Math.min(minimum, size), Math.min(size, Math.round(length * factor)));
  const fraction = (at + 0.5 - range.start) / length;
  const start = Math.round(at + 0.5 - fraction * next);
  const clamped = Math.max(0, Math.min(size - next, start));
  return { start: clamped, end: clamped + next };
}

/** A range moved by `steps` cells, keeping its length and staying within [0, size). */
export function panRange(range: IRange, size: number, steps: number): IRange {
  const length = range.end - range.start;
  const start = Math.max(0, Math.min(size - length, range.start + steps));
  return { start, end: start + length };
}

/**
 * The three dimensions (indices, in the variable's order) a cube shows by default: time, latitude and longitude
 * where the variable has them, otherwise its last three. Other dimensions (a depth) stay at one index, which
 * the user chooses.
 */
export function defaultShownDims(dims: string[]): [number, number, number] {
  const find = (test: (name: string) => boolean): number => dims.findIndex(d => test(d.toLowerCase()));
  const picked = [find(d => d === 'time' || d === 't'), find(d => d.startsWith('lat')), find(d => d.startsWith('lon'))];
  if (picked.every(i => i >= 0)) {
    return picked.sort((a, b) => a - b) as [number, number, number];
  }
  const n = dims.length;
  return [n - 3, n - 2, n - 1];
}

/**
 * The shown dimensions named by a user (three distinct dimensions of the variable), as indices in the
 * variable's order; an error that names the choices otherwise.
 */
export function namedShownDims(dims: string[], names: string[]): [number, number, number] {
  const indices = names.map(name => dims.indexOf(name));
  if (names.length !== 3 || indices.some(i => i < 0) || new Set(names).size !== 3) {
    throw new Error(
      `Name three different dimensions of ${dims.join(', ')} to show, not ${names.join(', ') || 'none'}.`
    );
  }
  return indices.sort((a, b) => a - b) as [number, number, number];
}
