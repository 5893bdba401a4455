/**
 * Where a cube's values come from: the cube server's Zarr store (read in the browser) or a kernel's array (sent
 * face by face as binary buffers). The widget draws either through this one interface.
 */
import { IFace, ISelection } from './geometry';

export interface ICubeVariable {
  name: string;
  dims: string[];
  shape: number[];
  attrs: Record<string, unknown>;
}

export interface ICubeData {
  readonly variable: ICubeVariable;
  /** chunks (or face messages) and bytes received so far */
  readonly fetched: { chunks: number; bytes: number };
  /** the values and attributes of a dimension's coordinate (indices when it has none) */
  coordinate(dim: string): Promise<{ values: Float64Array; attrs: Record<string, unknown> }>;
  /**
   * A face's values, row j = v index, column i = u index; NaN where missing. Where the data has coarser
   * overview levels, `onCoarse` may first get a quick approximation of the same size (shown until the values
   * arrive).
   */
  loadFace(face: IFace, selection: ISelection, onCoarse?: (values: Float32Array) => void): Promise<Float32Array>;
  /** told which faces are about to be loaded together, so that shared chunks are read once */
  plan?(faces: IFace[], selection: ISelection): void;
  /** whether loadFace answers at once (no checkerboard needed) */
  hasFace(face: IFace, selection: ISelection): boolean;
  dispose(): void;
}
