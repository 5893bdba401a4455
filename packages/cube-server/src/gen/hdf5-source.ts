/**
 * netCDF-4/HDF5 input through h5wasm (HDF5's C library compiled to wasm; its Node build reads files in place).
 * Variables are the datasets of the root group; their dimensions are the netCDF-4 dimension scales attached.
 */
import { basename } from 'node:path';

import h5wasm from 'h5wasm/node';
import type { Dataset, File as H5File } from 'h5wasm/node';

import { CubeGenError } from './errors';
import type { AttrValue, NumericArray, SourceAttribute, SourceDtype, SourceFile, SourceVariable } from './source';

/** Attributes that encode netCDF-4's own bookkeeping in HDF5, not metadata of the data. */
const INTERNAL_ATTRIBUTES = new Set([
  'CLASS',
  'NAME',
  'REFERENCE_LIST',
  'DIMENSION_LIST',
  '_Netcdf4Coordinates',
  '_Netcdf4Dimid',
  '_nc3_strict',
  '_NCProperties',
  '_SuperblockVersion',
  '_IsNetcdf4'
]);

/** The NAME netCDF-4 gives a dimension scale that is a dimension but not a variable. */
const DIMENSION_ONLY = 'This is a netCDF dimension but not a netCDF variable';

const DTYPES: Record<string, SourceDtype> = {
  '<b': 'int8',
  '<B': 'uint8',
  '<h': 'int16',
  '<H': 'uint16',
  '<i': 'int32',
  '<I': 'uint32',
  '<q': 'int64',
  '<Q': 'uint64',
  '<f': 'float32',
  '<d': 'float64',
  '>b': 'int8',
  '>B': 'uint8',
  '>h': 'int16',
  '>H': 'uint16',
  '>i': 'int32',
  '>I': 'uint32',
  '>q': 'int64',
  '>Q': 'uint64',
  '>f': 'float32',
  '>d': 'float64'
};

let errorsThrow = false;

export async function openHdf5(path: string): Promise<SourceFile> {
  const module = await h5wasm.ready;
  if (!errorsThrow) {
    // HDF5 prints its error stack to stderr by default; this makes each error an exception instead.
    module.activate_throwing_error_handler();
    errorsThrow = true;
  }
  let file: H5File;
  try {
    file = new h5wasm.File(path, 'r');
  } catch (error) {
    throw new CubeGenError(`not a readable netCDF-4/HDF5 file: ${hdf5Reason(error)}`, path);
  }
  try {
    return new Hdf5Source(path, file);
  } catch (error) {
    file.close();
    if (error instanceof CubeGenError) {
      throw error;
    }
    throw new CubeGenError(`not a readable netCDF-4/HDF5 file: ${hdf5Reason(error)}`, path);
  }
}

/** The innermost message of an HDF5 error stack ("truncated file: eof = 8000, …"), else the whole message. */
function hdf5Reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const reasons = [...message.matchAll(/ in [\w]+\(\): (.+)$/gm)].map(match => match[1].trim());
  return reasons.length > 0 ? reasons[reasons.length - 1] : message;
}

class Hdf5Source implements SourceFile {
  readonly format = 'netCDF4/HDF5' as const;
  readonly dims = new Map<string, number>();
  readonly variables = new Map<string, SourceVariable>();
  readonly attrs: Map<string, SourceAttribute>;
  private readonly datasets = new Map<string, Dataset>();

  constructor(
    readonly path: string,
    private file: H5File
  ) {
    this.attrs = readAttributes(file);
    const datasets: [string, Dataset][] = [];
    for (const key of file.keys()) {
      const entity = file.get(key);
      if (entity instanceof h5wasm.Dataset) {
        datasets.push([key, entity]);
      }
    }
    for (const [key, dataset] of datasets) {
      if (dataset.get_scale_name() !== null && dataset.shape) {
        this.dims.set(key, dataset.shape[0]);
      }
    }
    for (const [key, dataset] of datasets) {
      const name = dataset.attrs['NAME'];
      if (name && String(safeValue(name)).startsWith(DIMENSION_ONLY)) {
        continue;
      }
      const shape = dataset.shape ?? [];
      const dims = shape.map((size, i) => {
        const scales = dataset.get_scale_name() !== null ? [`/${key}`] : dataset.get_attached_scales(i);
        if (scales.length > 0) {
          return basename(scales[0]);
        }
        const phony = `phony_dim_${i}_${size}`;
        this.dims.set(phony, size);
        return phony;
      });
      this.variables.set(key, {
        name: key,
        dims,
        shape,
        dtype: DTYPES[dataset.dtype as string] ?? (dataset.metadata.type === 3 ? 'string' : 'other'),
        attrs: readAttributes(dataset)
      });
      this.datasets.set(key, dataset);
    }
  }

  read(name: string, start: number[], count: number[]): NumericArray {
    const dataset = this.datasets.get(name);
    const variable = this.variables.get(name);
    if (!dataset || !variable) {
      throw new CubeGenError(`no variable ${name}`, this.path);
    }
    let data;
    try {
      data = variable.shape.length === 0 ? dataset.value : dataset.slice(start.map((s, i) => [s, s + count[i]]));
    } catch (error) {
      throw new CubeGenError(`cannot read variable ${name}: ${hdf5Reason(error)}`, this.path);
    }
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
      return Float64Array.from(data, Number);
    }
    if (typeof data === 'number') {
      return Float64Array.of(data);
    }
    if (!ArrayBuffer.isView(data)) {
      throw new CubeGenError(`variable ${name} does not hold numbers (HDF5 type ${String(dataset.dtype)})`, this.path);
    }
    return data as NumericArray;
  }

  close(): void {
    this.file.close();
  }
}

function safeValue(attribute: { value: unknown }): unknown {
  try {
    return attribute.value;
  } catch {
    return undefined;
  }
}

function readAttributes(entity: {
  attrs: Record<string, { value: unknown; dtype: unknown }>;
}): Map<string, SourceAttribute> {
  const attrs = new Map<string, SourceAttribute>();
  for (const [name, attribute] of Object.entries(entity.attrs)) {
    if (INTERNAL_ATTRIBUTES.has(name)) {
      continue;
    }
    const value = toAttrValue(safeValue(attribute));
    if (value !== undefined) {
      const dtype = typeof value === 'string' ? 'string' : (DTYPES[String(attribute.dtype)] ?? 'other');
      attrs.set(name, { value, dtype });
    }
  }
  return attrs;
}

function toAttrValue(value: unknown): AttrValue | undefined {
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'bigint') {
    return Number(value);
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const numbers = Array.from(value as unknown as ArrayLike<number | bigint>, Number);
    return numbers.length === 1 ? numbers[0] : numbers;
  }
  if (Array.isArray(value) && value.every(v => typeof v === 'string')) {
    return value.join('\n');
  }
  return undefined;
}
