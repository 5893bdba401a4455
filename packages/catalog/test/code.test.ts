import { IXcubeDataset } from '@esdl-lab/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATE, commentText, datasetCode, needsCftime, pythonString, zarrUrl } from '../src/code';
import { toEntry } from '../src/entry';

const coads: IXcubeDataset = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'coads-contract.json'), 'utf-8'));
const entry = toEntry('demo', 'ESDL demo cubes', coads);

describe('dataset code', () => {
  it('opens the Zarr endpoint at the kernel URL, with cftime for a climatology in year 1', () => {
    const code = datasetCode(entry, { kernelUrl: 'http://127.0.0.1:40123/' });
    expect(code).toBe(
      [
        'import xarray as xr',
        '',
        '# COADS monthly climatology (ESDL demo cubes: coads)',
        'ds = xr.open_zarr("http://127.0.0.1:40123/s3/datasets/coads.zarr", consolidated=True, use_cftime=True)',
        'print(dict(ds.sizes))',
        'ds'
      ].join('\n')
    );
    expect(needsCftime(entry)).toBe(true);
    expect(datasetCode(entry, { kernelUrl: 'http://h:1', variable: 'SST' }).split('\n').pop()).toBe('ds["SST"]');
  });

  it('says so in the code when the kernel URL is unknown', () => {
    const code = datasetCode(entry, { kernelUrl: null });
    expect(code.split('\n')[0]).toContain("The URL at which this kernel reaches cube server 'demo' is not known");
    expect(code).toContain('xr.open_zarr("http://CUBE-SERVER-URL-UNKNOWN/s3/datasets/coads.zarr"');
  });

  it('fills a custom template and leaves unknown placeholders alone', () => {
    const template = 'url = {{url}}\nname = {{ dataset_id }}\nvar = {{variable}}\n{{nope}}';
    expect(datasetCode(entry, { kernelUrl: 'http://h:1', template, variable: 'AIRT' })).toBe(
      'url = "http://h:1/s3/datasets/coads.zarr"\nname = "coads"\nvar = "AIRT"\n{{nope}}'
    );
    expect(datasetCode(entry, { kernelUrl: 'http://h:1', template: '  ' })).toContain('import xarray');
    expect(DEFAULT_TEMPLATE).toContain('{{url}}');
  });

  it('keeps hostile metadata out of the code', () => {
    const hostile = toEntry('demo', 'x', {
      ...coads,
      id: 'a"b\\c',
      title: 'line\nimport os; os.system("rm -rf /")\r\u2028more'
    });
    const code = datasetCode(hostile, { kernelUrl: 'http://h:1' });
    const lines = code.split('\n');
    expect(lines[2].startsWith('# ')).toBe(true);
    expect(lines.filter(line => line.includes('os.system'))).toHaveLength(1);
    expect(lines.find(line => line.includes('os.system'))!.startsWith('#')).toBe(true);
    expect(zarrUrl('http://h:1', 'a"b\\c')).toBe('http://h:1/s3/datasets/a%22b%5Cc.zarr');
    expect(pythonString('a"b\\c\n')).toBe('"a\\"b\\\\c\\n"');
    expect(commentText('a\u0000b\u0085c')).toBe('a b c');
  });
});
