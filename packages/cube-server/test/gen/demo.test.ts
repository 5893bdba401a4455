/**
 * The demo: scripts/build-demo-cubes.sh builds only the missing cubes, and demo/cubes.yaml (the server config)
 * names exactly those cubes, with colour mappings for variables that exist in them.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PACKAGE_ROOT, temporaryFolder } from './helpers';

const folder = temporaryFolder();
afterAll(() => folder.remove());

interface DemoConfig {
  BaseDir: string;
  Datasets: { Identifier: string; Path: string; Style: string; Title: string; Tags: string[]; GroupTitle: string }[];
  Styles: { Identifier: string; ColorMappings: Record<string, { ColorBar: string; ValueRange: [number, number] }> }[];
}

describe('demo cubes', () => {
  let output: { status: number | null; stdout: string; stderr: string };
  beforeAll(() => {
    // A cube that exists is kept as it is, even a placeholder.
    mkdirSync(join(folder.path, 'levitus.zarr'));
    writeFileSync(join(folder.path, 'levitus.zarr', 'placeholder'), '');
    output = spawnSync('bash', [join(PACKAGE_ROOT, 'scripts/build-demo-cubes.sh'), folder.path], { encoding: 'utf8' });
  });

  it('builds the missing cubes only', () => {
    expect(output.stderr).toBe('');
    expect(output.status).toBe(0);
    expect(output.stdout).toMatch(/levitus: .*levitus.zarr exists, kept/);
    expect(output.stdout).toMatch(/^wrote .*etopo5.zarr: /m);
    expect(readdirSync(folder.path).sort()).toEqual(['coads.zarr', 'etopo5.zarr', 'levitus.zarr', 'navy_winds.zarr']);
    expect(readdirSync(join(folder.path, 'levitus.zarr'))).toEqual(['placeholder']);
  });

  it('is served by demo/cubes.yaml, whose styles name variables of the cubes', () => {
    const config = parse(readFileSync(join(PACKAGE_ROOT, 'demo/cubes.yaml'), 'utf8')) as DemoConfig;
    expect(resolve(PACKAGE_ROOT, 'demo', config.BaseDir)).toBe(resolve(PACKAGE_ROOT, '../../data/cubes'));
    expect(config.Datasets.map(d => d.Identifier)).toEqual(['coads', 'levitus', 'navy_winds', 'etopo5']);
    for (const dataset of config.Datasets) {
      expect(dataset.Identifier).toMatch(/^[A-Za-z0-9_.-]+$/);
      const style = config.Styles.find(s => s.Identifier === dataset.Style);
      expect(style, `style of ${dataset.Identifier}`).toBeDefined();
      if (dataset.Identifier === 'levitus') {
        continue; // the placeholder above
      }
      const metadata = JSON.parse(readFileSync(join(folder.path, dataset.Path, '.zmetadata'), 'utf8')).metadata;
      for (const [variable, mapping] of Object.entries(style!.ColorMappings)) {
        const attrs = metadata[`${variable}/.zattrs`];
        expect(attrs, `${dataset.Identifier}/${variable}`).toBeDefined();
        expect([attrs.color_bar_name, attrs.color_value_min, attrs.color_value_max]).toEqual([
          mapping.ColorBar,
          ...mapping.ValueRange
        ]);
      }
    }
  });
});
