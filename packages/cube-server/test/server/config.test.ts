import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, matchesVariable, parseSize, validateConfig } from '../../src/server/config';

function problems(raw: unknown): string[] {
  try {
    validateConfig(raw, '/srv/cubes.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  return [];
}

describe('configuration', () => {
  it('resolves paths against BaseDir, itself relative to the file, and reads our additions', () => {
    const config = validateConfig(
      {
        BaseDir: '../data/cubes',
        ChunkCacheSize: '256M',
        Datasets: [
          {
            Identifier: 'coads',
            Path: 'coads.zarr',
            Licence: 'CC-BY-4.0',
            DOI: '10.1/x',
            KnownLimitations: 'coarse',
            Tags: ['ocean']
          },
          { Identifier: 'remote', Path: 's3://bucket/cube.zarr', License: 'MIT', Variables: ['SST', 'A*'] }
        ]
      },
      '/srv/conf/cubes.yaml'
    );
    expect(config.baseDir).toBe('/srv/data/cubes');
    expect(config.datasets[0].location).toBe('/srv/data/cubes/coads.zarr');
    expect(config.datasets[0].licence).toBe('CC-BY-4.0');
    expect(config.datasets[0].knownLimitations).toEqual(['coarse']);
    expect(config.datasets[1].location).toBe('s3://bucket/cube.zarr');
    expect(config.datasets[1].licence).toBe('MIT');
    expect(config.chunkCacheBytes).toBe(256 * 2 ** 20);
    expect(config.tileCacheBytes).toBe(64 * 2 ** 20);
  });

  it('names the dataset, key and problem of every mistake', () => {
    const found = problems({
      Datasets: [
        { Identifier: 'ok', Path: 'a.zarr', Style: 'missing' },
        { Identifier: 'bad id!', Path: 'b.zarr' },
        { Identifier: 'ok', Path: '' },
        { Identifier: 'typo', Path: 'c.zarr', Titel: 'x' }
      ],
      Styles: [{ Identifier: 's', ColorMappings: { SST: { ColorBar: 'nope', ValueRange: [5, 1] } } }],
      TileCacheSize: 'lots',
      Extra: 1
    });
    const text = found.join('\n');
    expect(text).toMatch(/Datasets\[0\] \(ok\): Style "missing" is not an Identifier of Styles/);
    expect(text).toMatch(/Datasets\[1\] \(bad id!\): Identifier must be/);
    expect(text).toMatch(/Datasets\[2\] \(ok\): Identifier 'ok' is used twice/);
    expect(text).toMatch(/Datasets\[2\] \(ok\): Path must be/);
    expect(text).toMatch(/Datasets\[3\] \(typo\): unknown key 'Titel'/);
    expect(text).toMatch(/Styles\[0\] \(s\): ColorMappings.SST.ColorBar: unknown colour map "nope"/);
    expect(text).toMatch(/ValueRange: must be \[min, max\]/);
    expect(text).toMatch(/TileCacheSize: "lots" is not a size/);
    expect(text).toMatch(/unknown key 'Extra'/);
    expect(problems({ Datasets: 'all' })).toEqual([
      'Datasets: must be a list of datasets (each with an Identifier and a Path)'
    ]);
  });

  it('accepts an xcube server configuration', () => {
    expect(
      problems({
        DatasetAttribution: ['x'],
        ServiceProvider: { ProviderName: 'p' },
        Datasets: [
          {
            Identifier: 'demo',
            Title: 'Demo',
            FileSystem: 'file',
            Path: 'demo.zarr',
            Style: 'default',
            Anonymous: true
          }
        ],
        Styles: [{ Identifier: 'default', ColorMappings: { sst: { ColorBar: 'plasma', ValueRange: [0, 35] } } }]
      })
    ).toEqual([]);
  });

  it('reports unreadable and non-YAML files with their name', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cube-config-'));
    await expect(loadConfig(path.join(dir, 'none.yaml'))).rejects.toThrow(/none.yaml:\n {2}- cannot be read/);
    writeFileSync(path.join(dir, 'bad.yaml'), 'Datasets: [\n  - {');
    await expect(loadConfig(path.join(dir, 'bad.yaml'))).rejects.toThrow(/bad.yaml:\n {2}- is not valid YAML at line/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('parses sizes and variable patterns', () => {
    expect(parseSize('1.5G')).toBe(1.5 * 2 ** 30);
    expect(parseSize('100 MB')).toBe(100 * 2 ** 20);
    expect(parseSize(4096)).toBe(4096);
    expect(parseSize('-1')).toBeNull();
    expect(matchesVariable('AIRT', ['A*'])).toBe(true);
    expect(matchesVariable('SST', ['S?T'])).toBe(true);
    expect(matchesVariable('SLP', ['SST'])).toBe(false);
    expect(matchesVariable('x', null)).toBe(true);
  });
});
