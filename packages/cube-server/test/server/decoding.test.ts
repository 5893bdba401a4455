import { afterAll, describe, expect, it } from 'vitest';
import { Cube, Values } from '../../src/server/cube';
import { ByteLru } from '../../src/server/lru';
import { DirectoryStore } from '../../src/server/stores';
import { centres, writeStore, removeTestStores } from './support/zarr-store';

afterAll(removeTestStores);

const grid = {
  lat: { dims: ['lat'], dtype: '<f8', shape: [2], data: [0.5, -0.5] },
  lon: { dims: ['lon'], dtype: '<f8', shape: [3], data: centres(-1, 1, 3) }
};

async function values(array: Parameters<typeof writeStore>[0][string]): Promise<number[]> {
  const dir = await writeStore({ ...grid, v: array });
  const cube = await Cube.open('t', new DirectoryStore(dir), new ByteLru<Values>(1 << 20, v => v.byteLength));
  return Array.from(await cube.chunk(cube.array('v')!, [0, 0]));
}

describe('fill values, scale and offset', () => {
  it('unpacks int16 with scale_factor/add_offset and masks _FillValue and the valid range', async () => {
    const out = await values({
      dims: ['lat', 'lon'],
      dtype: '<i2',
      shape: [2, 3],
      data: [100, -32768, 2000, -5, 7000, 0],
      fill_value: -32768,
      attrs: { scale_factor: 0.01, add_offset: 20, _FillValue: -32768, valid_range: [-3000, 3000] },
      compressor: { id: 'blosc', cname: 'lz4', clevel: 5, shuffle: 1, blocksize: 0 }
    });
    expect(out[0]).toBeCloseTo(21, 5);
    expect(out[1]).toBeNaN();
    expect(out[2]).toBeCloseTo(40, 5);
    expect(out[3]).toBeCloseTo(19.95, 5);
    // 7000 is outside the packed valid range
    expect(out[4]).toBeNaN();
    expect(out[5]).toBeCloseTo(20, 5);
  });

  it('masks float fill values as float32 stores them, missing_value and valid_min/valid_max', async () => {
    const out = await values({
      dims: ['lat', 'lon'],
      dtype: '<f4',
      shape: [2, 3],
      data: [-1e34, 1.5, 1e20, -99.9, 1000, -3],
      fill_value: -1e34,
      attrs: { missing_value: [1e20, -99.9], valid_min: -2, valid_max: 500 }
    });
    expect(out[0]).toBeNaN();
    expect(out[1]).toBe(1.5);
    expect(out[2]).toBeNaN();
    expect(out[3]).toBeNaN();
    expect(out[4]).toBeNaN();
    expect(out[5]).toBeNaN();
  });

  it('keeps 0 in integer arrays whose fill_value is the numpy default 0, and reads missing chunks as empty', async () => {
    const out = await values({
      dims: ['lat', 'lon'],
      dtype: '<u1',
      shape: [2, 3],
      data: [0, 1, 2, 3, 4, 255],
      fill_value: 0
    });
    expect(out).toEqual([0, 1, 2, 3, 4, 255]);
    const dir = await writeStore({
      ...grid,
      v: {
        dims: ['lat', 'lon'],
        dtype: '<f4',
        shape: [2, 3],
        chunks: [1, 3],
        data: [1, 2, 3, 4, 5, 6],
        fill_value: 'NaN'
      }
    });
    const { rmSync } = await import('node:fs');
    rmSync(`${dir}/v/1.0`);
    const cube = await Cube.open('t', new DirectoryStore(dir), new ByteLru<Values>(1 << 20, v => v.byteLength));
    expect(Array.from(await cube.chunk(cube.array('v')!, [1, 0])).every(Number.isNaN)).toBe(true);
  });

  it('decodes CF and datetime64 time axes, and names what it cannot read', async () => {
    const dir = await writeStore({
      ...grid,
      time: {
        dims: ['time'],
        dtype: '<f8',
        shape: [2],
        data: [366, 1096.485],
        attrs: { units: 'hour since 0000-01-01 00:00:00', calendar: 'proleptic_gregorian' }
      },
      v: { dims: ['time', 'lat', 'lon'], dtype: '<f4', shape: [2, 2, 3], data: new Float32Array(12) }
    });
    const cube = await Cube.open('t', new DirectoryStore(dir), new ByteLru<Values>(1 << 20, v => v.byteLength));
    expect(cube.dimensions.get('time')!.labels).toEqual(['0000-01-16T06:00:00Z', '0000-02-15T16:29:06Z']);
    const ns = await writeStore({
      ...grid,
      time: { dims: ['time'], dtype: '<i8', shape: [1], data: [1704110400000000000n] },
      v: { dims: ['time', 'lat', 'lon'], dtype: '<f4', shape: [1, 2, 3], data: new Float32Array(6) }
    });
    const meta = JSON.parse((await import('node:fs')).readFileSync(`${ns}/.zmetadata`, 'utf8'));
    meta.metadata['time/.zarray'].dtype = '<M8[ns]';
    (await import('node:fs')).writeFileSync(`${ns}/.zmetadata`, JSON.stringify(meta));
    const cube2 = await Cube.open('t', new DirectoryStore(ns), new ByteLru<Values>(1 << 20, v => v.byteLength));
    expect(cube2.dimensions.get('time')!.labels).toEqual(['2024-01-01T12:00:00Z']);
    const bad = await writeStore({ x: { dims: ['x'], dtype: '<f8', shape: [2], data: [0, 1] } });
    await expect(Cube.open('t', new DirectoryStore(bad), new ByteLru<Values>(1, v => v.byteLength))).rejects.toThrow(
      /latitude and longitude/
    );
  });
});
