/**
 * A real Zarr client reads the cubes: Debian's python3-xarray + python3-zarr open them (consolidated), and the
 * values and times equal those of the source files as netCDF4-python decodes them.
 * Needs python3-xarray, python3-zarr and python3-netcdf4 (which brings cftime, needed for year-0 dates).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateCube } from '../../src/gen/generate';
import { FERRET_DATA, PACKAGE_ROOT, temporaryFolder } from './helpers';

const venvPython = join(PACKAGE_ROOT, '../../.venv/bin/python');
const python = existsSync(venvPython) ? venvPython : 'python3';
const folder = temporaryFolder();
afterAll(() => folder.remove());

const CHECK = `
import json, sys, warnings
import numpy as np, xarray as xr, netCDF4
warnings.simplefilter('ignore')
cubes, data = sys.argv[1], sys.argv[2]
out = {}

coads = xr.open_zarr(cubes + '/coads.zarr')
source = netCDF4.Dataset(data + '/coads_climatology.cdf')
lon = source['COADSX'][:]
shift = int(np.argmin(np.where(lon >= 180, lon - 360, lon)))
diffs = []
for name in ['SST', 'AIRT', 'SPEH', 'WSPD', 'UWND', 'VWND', 'SLP']:
    expected = np.roll(source[name][:].filled(np.nan)[:, ::-1, :], -shift, axis=2)
    actual = coads[name].values
    same_missing = bool((np.isnan(expected) == np.isnan(actual)).all())
    diffs.append(float(np.nanmax(np.abs(actual - expected))) if same_missing else -1.0)
out['coads_max_diff'] = max(diffs) if min(diffs) >= 0 else -1.0
out['coads_lon'] = [float(coads.lon[0]), float(coads.lon[-1])]
out['coads_lat'] = [float(coads.lat[0]), float(coads.lat[-1])]
out['coads_time'] = [str(t) for t in coads.time.values[:2]]
out['coads_timeseries_equal'] = bool(xr.open_zarr(cubes + '/coads.zarr', group='timeseries').SST.equals(coads.SST))

winds = xr.open_zarr(cubes + '/navy_winds.zarr')
source = netCDF4.Dataset(data + '/monthly_navy_winds.cdf')
times = netCDF4.num2date(source['TIME'][:], source['TIME'].units, only_use_cftime_datetimes=False)
out['winds_times_equal'] = bool((winds.time.values == np.array([np.datetime64(t) for t in times])).all())
out['winds_time_dtype'] = str(winds.time.dtype)
lon = source['FNOCX'][:]
shift = int(np.argmin(np.where(lon >= 180, lon - 360, lon)))
expected = np.roll(source['UWND'][:].filled(np.nan)[:, ::-1, :], -shift, axis=2)
out['winds_max_diff'] = float(np.nanmax(np.abs(winds.UWND.values - expected)))

levitus = xr.open_zarr(cubes + '/levitus.zarr')
out['levitus_dims'] = dict(levitus.TEMP.sizes)
out['levitus_depth'] = [float(d) for d in levitus.depth.values[[0, -1]]]
print(json.dumps(out))
`;

describe('xarray (Debian python3-xarray + python3-zarr) opens the cubes', () => {
  beforeAll(async () => {
    for (const name of ['coads', 'navy_winds', 'levitus']) {
      await generateCube({ recipe: join(PACKAGE_ROOT, 'recipes', `${name}.yaml`), outputDir: folder.path });
    }
  });

  it('with the values and times of the sources', () => {
    const result = spawnSync(python, ['-c', CHECK, folder.path, FERRET_DATA], { encoding: 'utf8' });
    if (result.status !== 0) {
      throw new Error(`${python} failed (needs python3-xarray, python3-zarr, python3-netcdf4):\n${result.stderr}`);
    }
    const out = JSON.parse(result.stdout);
    expect(out.coads_max_diff).toBe(0);
    expect(out.coads_lon).toEqual([-179, 179]);
    expect(out.coads_lat).toEqual([89, -89]);
    expect(out.coads_time).toEqual(['0000-01-16 06:00:00', '0000-02-15 16:29:06']);
    expect(out.coads_timeseries_equal).toBe(true);
    expect(out.winds_times_equal).toBe(true);
    expect(out.winds_time_dtype).toBe('datetime64[ns]');
    expect(out.winds_max_diff).toBe(0);
    expect(out.levitus_dims).toEqual({ depth: 20, lat: 180, lon: 360 });
    expect(out.levitus_depth).toEqual([0, 5000]);
  });
});
