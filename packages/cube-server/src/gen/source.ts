/**
 * One view of an input file, whatever its format: dimensions, variables with attributes, and hyperslab reads
 * that return native typed arrays. netCDF-3 and netCDF-4/HDF5 readers implement it.
 */
import { closeSync, openSync, readSync } from 'node:fs';

import { CubeGenError } from './errors';

export type SourceDtype =
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float32'
  | 'float64'
  | 'char'
  | 'string'
  | 'other';

export type AttrValue = string | number | number[];

export interface SourceAttribute {
  value: AttrValue;
  dtype: SourceDtype;
}

export interface SourceVariable {
  name: string;
  dims: string[];
  shape: number[];
  dtype: SourceDtype;
  attrs: Map<string, SourceAttribute>;
}

export type NumericArray =
  Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

export type SourceFormat = 'netCDF3' | 'netCDF4/HDF5';

export interface SourceFile {
  path: string;
  format: SourceFormat;
  dims: Map<string, number>;
  variables: Map<string, SourceVariable>;
  attrs: Map<string, SourceAttribute>;
  /** Reads the hyperslab `start`/`count` (one entry per dimension) in C order, values as stored (no CF decoding). */
  read(variable: string, start: number[], count: number[]): NumericArray;
  close(): void;
}

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Opens a netCDF-3 or netCDF-4/HDF5 file, recognised by its signature, not its name. */
export async function openSource(path: string): Promise<SourceFile> {
  const format = sniffFormat(path);
  if (format === 'netCDF3') {
    const { openNetcdf3 } = await import('./netcdf3-source');
    return openNetcdf3(path);
  }
  const { openHdf5 } = await import('./hdf5-source');
  return openHdf5(path);
}

function sniffFormat(path: string): SourceFormat {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(error);
    throw new CubeGenError(`cannot open the input: ${reason}`, path);
  }
  try {
    const head = Buffer.alloc(8);
    if (readSync(fd, head, 0, 8, 0) < 4) {
      throw new CubeGenError('not a netCDF file: it is empty or shorter than any netCDF header', path);
    }
    if (head[0] === 0x43 && head[1] === 0x44 && head[2] === 0x46) {
      if (head[3] === 1 || head[3] === 2) {
        return 'netCDF3';
      }
      if (head[3] === 5) {
        throw new CubeGenError(
          'netCDF-3 CDF-5 (64-bit data) files are not supported; convert it with `nccopy -k nc4 IN OUT`',
          path
        );
      }
    }
    // HDF5 allows a user block before the superblock, at 0, 512, 1024, 2048, … bytes.
    for (const offset of [0, 512, 1024, 2048, 4096]) {
      const bytes = Buffer.alloc(8);
      if (readSync(fd, bytes, 0, 8, offset) === 8 && HDF5_SIGNATURE.every((b, i) => bytes[i] === b)) {
        return 'netCDF4/HDF5';
      }
    }
    throw new CubeGenError(
      `not a netCDF file: neither the netCDF-3 ("CDF") nor the HDF5 signature is there (it starts with ` +
        `${JSON.stringify(head.toString('latin1').replace(/[^\x20-\x7e]/g, '.'))})`,
      path
    );
  } finally {
    closeSync(fd);
  }
}

/** An attribute as a string (netCDF-3 text keeps NUL padding; it is removed here), or undefined. */
export function attrString(attrs: Map<string, SourceAttribute>, name: string): string | undefined {
  const attr = attrs.get(name);
  if (!attr || typeof attr.value !== 'string') {
    return undefined;
  }
  return trimText(attr.value);
}

/** A numeric attribute's values as an array, or undefined. */
export function attrNumbers(attrs: Map<string, SourceAttribute>, name: string): number[] | undefined {
  const attr = attrs.get(name);
  if (!attr || typeof attr.value === 'string') {
    return undefined;
  }
  return typeof attr.value === 'number' ? [attr.value] : attr.value;
}

/** The first value of a numeric attribute, or undefined. */
export function attrNumber(attrs: Map<string, SourceAttribute>, name: string): number | undefined {
  return attrNumbers(attrs, name)?.[0];
}

/** Removes the NUL padding and surrounding white space of netCDF text. */
export function trimText(text: string): string {
  return text.replace(/\0+$/g, '').replace(/\0/g, '').trim();
}

/** Product of a shape's extents. */
export function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
