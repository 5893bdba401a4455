import { IXcubeDataset, IZarrConsolidated } from '@esdl-lab/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { datasetDetails, formatBytes, readProvenance, safeHref } from '../src/details';
import { toEntry } from '../src/entry';

const FIXTURES = join(__dirname, '..', '..', '..', 'test-fixtures', 'xcube');
const coads: IXcubeDataset = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'coads-contract.json'), 'utf-8'));

describe('dataset details', () => {
  it("reads cube-gen's provenance, limitations, licence, DOI and citation", () => {
    const details = datasetDetails(toEntry('demo', 'Demo', coads));
    expect(details.licence).toBe('Public domain (NOAA)');
    expect(details.version).toBe('1.0');
    expect(details.doi).toBe('10.1175/1520-0477(1987)068<1239:ACODS>2.0.CO;2');
    expect(details.citation).toContain('Woodruff');
    expect(details.attributions).toEqual(["NOAA/PMEL, via Ferret's ferret-datasets"]);
    expect(details.provenance?.tool).toBe('esdl-cube-gen');
    expect(details.provenance?.sources[0]).toMatchObject({ format: 'netCDF3', bytes: 3163976, sha256: 'ab12cd34' });
    expect(details.provenance?.steps).toHaveLength(2);
    expect(details.provenance?.accuracy[0]).toEqual({
      variable: 'SST',
      note: 'float64 → float32: about 7 significant digits kept'
    });
    expect(details.limitations).toEqual(['Sparse ship tracks before 1960 in the Southern Ocean']);
    expect(details.time).toMatchObject({ count: 12, step: '1 month' });
    expect(details.dimensions.map(d => d.name)).toEqual(['time', 'lat', 'lon']);
    const [sst, airt] = details.variables;
    expect(sst).toMatchObject({
      name: 'SST',
      longName: 'SEA SURFACE TEMPERATURE',
      units: 'Deg C',
      colorMap: 'RdYlBu_r (-2 … 32)'
    });
    expect(airt.validRange).toBe('-60 … 60');
    expect(details.attributes.map(([key]) => key)).toContain('esdl_provenance');
  });

  it('reads what the ESDL cube server adds: provenance, licence, limitations, chunks (recorded from it)', () => {
    const recorded = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'esdl-cube-server-coads.json'), 'utf-8'))
      .datasets[0] as IXcubeDataset;
    const entry = toEntry('demo', 'ESDL demo cubes', recorded);
    expect(entry.timeStart?.startsWith('0000-01-16')).toBe(true);
    expect(entry.timeStep).toBe('1 month');
    expect(entry.variables.find(v => v.name === 'SST')).toMatchObject({
      longName: 'Sea surface temperature',
      standardName: 'sea_surface_temperature',
      units: 'degC'
    });
    const details = datasetDetails(entry);
    expect(details.provenance?.tool).toBe('esdl-cube-gen');
    expect(details.provenance?.sources[0].path).toContain('coads_climatology.cdf');
    expect(details.provenance?.sources[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(details.provenance?.steps.some(step => step.includes('normalised longitudes'))).toBe(true);
    expect(details.provenance?.accuracy.length).toBeGreaterThan(0);
    expect(details.licence).toBeTruthy();
    expect(details.limitations.length).toBeGreaterThan(0);
    expect(details.variables.find(v => v.name === 'SST')?.chunks).toEqual([1, 90, 180]);
    expect(details.bbox).toEqual([-180, -90, 180, 90]);
  });

  it('reads provenance stored as JSON text, and answers null without any', () => {
    expect(readProvenance(JSON.stringify({ steps: ['a', 'b'], sources: ['x.nc'] }))).toMatchObject({
      steps: ['a', 'b'],
      sources: [{ path: 'x.nc' }]
    });
    expect(readProvenance(undefined)).toBeNull();
    expect(readProvenance('not json')).toBeNull();
  });

  it('shows a real xcube dataset, with chunks from its Zarr metadata', () => {
    const demo: IXcubeDataset = JSON.parse(readFileSync(join(FIXTURES, 'v1.4.1', 'dataset-demo.json'), 'utf-8'));
    const zarr: IZarrConsolidated = JSON.parse(
      readFileSync(join(FIXTURES, 'v1.4.1', 's3-demo-zmetadata.json'), 'utf-8')
    );
    const details = datasetDetails(toEntry('xcube', 'xcube', demo), zarr);
    expect(details.provenance).toBeNull();
    expect(details.limitations).toEqual([]);
    expect(details.licence).toBeNull();
    const sst = details.variables.find(v => v.name === 'sst')!;
    expect(sst.chunks).toEqual([1, 180, 180]);
    expect(sst.colorMap).toBe('plasma (0 … 35)');
    expect(details.dimensions.find(d => d.name === 'lat')).toMatchObject({ size: 360, first: '89.75', last: '-89.75' });
  });

  it('links only web addresses', () => {
    expect(safeHref('https://doi.org/10.1/x')).toBe('https://doi.org/10.1/x');
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('data:text/html,x')).toBeNull();
    expect(formatBytes(3163976)).toBe('3.2 MB');
  });
});
