/**
 * netCDF-3 classic and 64-bit-offset input: netcdfjs parses the header; the data are read here with positioned
 * reads straight into typed arrays, so a 37 MB ETOPO5 is never held as a JavaScript number array nor read twice.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

import { NetCDFReader } from 'netcdfjs';

import { CubeGenError } from './errors';
import type { NumericArray, SourceAttribute, SourceDtype, SourceFile, SourceVariable } from './source';
import { product } from './source';

const NC3_TYPES: Record<string, { dtype: SourceDtype; size: number }> = {
  byte: { dtype: 'int8', size: 1 },
  char: { dtype: 'char', size: 1 },
  short: { dtype: 'int16', size: 2 },
  int: { dtype: 'int32', size: 4 },
  float: { dtype: 'float32', size: 4 },
  double: { dtype: 'float64', size: 8 }
};

/** numrecs written while a file was still being streamed; the record count then follows from the file size. */
const STREAMING_RECORDS = 0xffffffff;

interface Layout {
  offset: number;
  elementSize: number;
  /** Byte distance between consecutive indices of each dimension. */
  byteStrides: number[];
  record: boolean;
}

export function openNetcdf3(path: string): SourceFile {
  const fd = openSync(path, 'r');
  try {
    const fileSize = fstatSync(fd).size;
    const reader = readHeader(fd, fileSize, path);
    return new Netcdf3Source(path, fd, fileSize, reader);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** The header's length is not stored, so read a growing prefix until netcdfjs can parse it. */
function readHeader(fd: number, fileSize: number, path: string): NetCDFReader {
  let length = Math.min(fileSize, 65536);
  for (;;) {
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, 0);
    try {
      return new NetCDFReader(buffer);
    } catch (error) {
      if (length >= fileSize) {
        throw new CubeGenError(
          `not a readable netCDF-3 file: its header is corrupt (${(error as Error).message})`,
          path
        );
      }
      length = Math.min(fileSize, length * 4);
    }
  }
}

class Netcdf3Source implements SourceFile {
  readonly format = 'netCDF3' as const;
  readonly dims = new Map<string, number>();
  readonly variables = new Map<string, SourceVariable>();
  readonly attrs: Map<string, SourceAttribute>;
  private readonly layouts = new Map<string, Layout>();

  constructor(
    readonly path: string,
    private fd: number,
    fileSize: number,
    reader: NetCDFReader
  ) {
    const header = reader.header;
    const recordVariables = header.variables.filter(v => v.record);
    let records = header.recordDimension.length ?? 0;
    // A lone record variable's records are not padded to 4 bytes (netCDF-3 format specification).
    const recordStep =
      recordVariables.length === 1
        ? unpaddedRecordSize(recordVariables[0], header.dimensions)
        : (header.recordDimension.recordStep ?? 0);
    if (records === STREAMING_RECORDS && recordVariables.length > 0 && recordStep > 0) {
      records = Math.floor((fileSize - Math.min(...recordVariables.map(v => v.offset))) / recordStep);
    }
    header.dimensions.forEach((dim, id) => {
      this.dims.set(dim.name, id === header.recordDimension.id ? records : dim.size);
    });
    this.attrs = convertAttributes(header.globalAttributes);
    for (const variable of header.variables) {
      const type = NC3_TYPES[variable.type];
      if (!type) {
        throw new CubeGenError(`variable ${variable.name} has an unknown netCDF-3 type "${variable.type}"`, path);
      }
      const dims = variable.dimensions.map(id => header.dimensions[id].name);
      const shape = dims.map(name => this.dims.get(name)!);
      const byteStrides = shape.map((_, d) => type.size * product(shape.slice(d + 1)));
      if (variable.record) {
        byteStrides[0] = recordStep;
      }
      const lastByte =
        shape.length === 0 || product(shape) === 0
          ? variable.offset
          : variable.offset + shape.reduce((sum, extent, d) => sum + (extent - 1) * byteStrides[d], 0) + type.size;
      if (lastByte > fileSize) {
        throw new CubeGenError(
          `the file is truncated or corrupt: variable ${variable.name} needs bytes up to ${lastByte} but the file ` +
            `has ${fileSize}`,
          path
        );
      }
      this.variables.set(variable.name, {
        name: variable.name,
        dims,
        shape,
        dtype: type.dtype,
        attrs: convertAttributes(variable.attributes)
      });
      this.layouts.set(variable.name, {
        offset: variable.offset,
        elementSize: type.size,
        byteStrides,
        record: variable.record
      });
    }
  }

  read(name: string, start: number[], count: number[]): NumericArray {
    const variable = this.variables.get(name);
    const layout = this.layouts.get(name);
    if (!variable || !layout) {
      throw new CubeGenError(`no variable ${name}`, this.path);
    }
    if (variable.dtype === 'char') {
      throw new CubeGenError(`variable ${name} holds text, not numbers`, this.path);
    }
    const { shape } = variable;
    const total = product(count);
    const bytes = new Uint8Array(new ArrayBuffer(total * layout.elementSize));
    // Trailing dimensions read whole form one contiguous run on disk, together with the range of the dimension
    // before them; records of a record variable interleave with other variables, so a run never spans two.
    let wholeFrom = shape.length;
    while (wholeFrom > 0 && start[wholeFrom - 1] === 0 && count[wholeFrom - 1] === shape[wholeFrom - 1]) {
      wholeFrom--;
    }
    let runDim = wholeFrom - 1;
    if (layout.record && runDim <= 0 && (count[0] > 1 || runDim < 0)) {
      runDim = 1;
    }
    const runBytes = product(count.slice(Math.max(runDim, 0))) * layout.elementSize;
    let position = 0;
    const visit = (d: number, offset: number): void => {
      if (d >= runDim) {
        const at = d < shape.length ? offset + start[d] * layout.byteStrides[d] : offset;
        this.readExactly(bytes, position, runBytes, at);
        position += runBytes;
        return;
      }
      for (let i = start[d]; i < start[d] + count[d]; i++) {
        visit(d + 1, offset + i * layout.byteStrides[d]);
      }
    };
    if (total > 0) {
      visit(0, layout.offset);
    }
    return toNative(bytes, variable.dtype);
  }

  private readExactly(target: Uint8Array, position: number, length: number, fileOffset: number): void {
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, target, position + done, length - done, fileOffset + done);
      if (n === 0) {
        throw new CubeGenError(`the file ended early at byte ${fileOffset + done} (truncated?)`, this.path);
      }
      done += n;
    }
  }

  close(): void {
    if (this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
    }
  }
}

function unpaddedRecordSize(
  variable: NetCDFReader['header']['variables'][number],
  dimensions: NetCDFReader['header']['dimensions']
): number {
  const size = NC3_TYPES[variable.type]?.size ?? 1;
  return size * product(variable.dimensions.slice(1).map(id => dimensions[id].size));
}

/** netCDF-3 data are big-endian; swap in place and view the bytes as the native typed array. */
function toNative(bytes: Uint8Array, dtype: SourceDtype): NumericArray {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'int8':
      return new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    case 'int16':
      buffer.swap16();
      return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
    case 'int32':
      buffer.swap32();
      return new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    case 'float32':
      buffer.swap32();
      return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    case 'float64':
      buffer.swap64();
      return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
    default:
      throw new Error(`cannot convert ${dtype}`);
  }
}

function convertAttributes(list: { name: string; type: string; value: unknown }[]): Map<string, SourceAttribute> {
  const attrs = new Map<string, SourceAttribute>();
  for (const { name, type, value } of list) {
    const dtype = NC3_TYPES[type]?.dtype ?? 'other';
    if (typeof value === 'string') {
      attrs.set(name, { value, dtype: 'char' });
    } else if (typeof value === 'number') {
      attrs.set(name, { value, dtype });
    } else if (Array.isArray(value)) {
      attrs.set(name, { value: value.map(Number), dtype });
    }
  }
  return attrs;
}
