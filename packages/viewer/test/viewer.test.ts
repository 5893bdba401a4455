import { IXcubeDataset, IXcubeVariable, tilePath } from '@esdl-lab/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nearestTime } from '../src/model';
import { IPlace } from '../src/model';
import { placesCsv } from '../src/series';
import {
  IViewerState,
  colourMapping,
  mappableVariables,
  parseViewerState,
  pythonCall,
  shareLink,
  tileRequest
} from '../src/state';

const FIXTURES = join(__dirname, '..', '..', '..', 'test-fixtures', 'xcube', 'v1.7.1');
const demo = JSON.parse(readFileSync(join(FIXTURES, 'dataset-demo.json'), 'utf-8')) as IXcubeDataset;
const requests = readFileSync(join(FIXTURES, 'viewer-requests.txt'), 'utf-8')
  .split('\n')
  .filter(line => line.startsWith('GET /tiles/'))
  .map(line => line.slice('GET /'.length));

describe('viewer state', () => {
  it('survives a round trip through JSON, and drops what it does not know', () => {
    const state = {
      server: 'demo',
      dataset: 'coads',
      variable: 'SST',
      time: '0000-07-16T06:00:00Z',
      cmap: 'RdYlBu_r',
      vmin: -2,
      vmax: 32,
      opacity: 0.8,
      view: { longitude: -140, latitude: 0, zoom: 2 }
    };
    expect(parseViewerState(JSON.parse(JSON.stringify({ ...state, evil: '<img>' })))).toEqual(state);
  });

  it('says what is missing or wrong, and repairs what it can', () => {
    expect(parseViewerState(null)).toBeInstanceOf(Error);
    expect((parseViewerState({ dataset: 'coads' }) as Error).message).toContain('names no cube server');
    expect((parseViewerState({ server: 'demo' }) as Error).message).toContain('names no dataset');
    const repaired = parseViewerState({
      server: 'demo',
      dataset: 'x',
      vmin: 5,
      vmax: 1,
      opacity: 3,
      cmap: 'a"b',
      view: { longitude: 200, latitude: 95, zoom: 40 }
    });
    expect(repaired).toEqual({
      server: 'demo',
      dataset: 'x',
      vmin: 1,
      vmax: 5,
      opacity: 1,
      view: { longitude: -160, latitude: 85, zoom: 20 }
    });
  });

  it('goes into a link and comes back the same', () => {
    const state = { server: 'demo', dataset: 'coads', variable: 'SST', time: '0000-07-16', vmin: 0, vmax: 30 };
    const link = shareLink(state, 'http://host:8888/user/ana');
    expect(link.startsWith('http://host:8888/user/ana/lab?esdl-viewer=')).toBe(true);
    const raw = new URL(link).searchParams.get('esdl-viewer')!;
    expect(parseViewerState(JSON.parse(raw))).toEqual(state);
  });

  it('writes the Python call that reopens it', () => {
    expect(
      pythonCall({ server: 'demo', dataset: 'coads', variable: 'SST', time: '0000-07-16', vmin: 0, vmax: 30 })
    ).toBe('esdl_lab.show("coads", "SST", server="demo", time="0000-07-16", vmin=0, vmax=30)');
  });
});

describe('tiles', () => {
  it("asks for tiles in exactly the form xcube's own viewer does", () => {
    const chl = demo.variables.find(v => v.name === 'chl')!;
    const state = { server: 'demo', dataset: 'demo', variable: 'chl', time: '2024-01-10T12:00:00Z' };
    const first = requests[0].match(/^tiles\/demo\/chl\/(\d+)\/(\d+)\/(\d+)\?/)!;
    const [z, y, x] = first.slice(1).map(Number);
    const request = tileRequest({ ...state, cmap: 'viridis', vmin: 0, vmax: 1 }, chl, { z, y, x });
    expect(tilePath(request)).toBe(requests[0]);
  });

  it("takes the server's colour defaults for a variable, and the user's when set", () => {
    const variable = { name: 'SST', colorBarName: 'RdYlBu_r', colorBarMin: -2, colorBarMax: 32 } as IXcubeVariable;
    expect(colourMapping({ server: 's', dataset: 'd' }, variable)).toEqual({ cmap: 'RdYlBu_r', vmin: -2, vmax: 32 });
    expect(colourMapping({ server: 's', dataset: 'd', vmin: 10, cmap: 'viridis' }, variable)).toEqual({
      cmap: 'viridis',
      vmin: 10,
      vmax: 32
    });
    // the setting's colour map for a variable the server names none for
    expect(colourMapping({ server: 's', dataset: 'd' }, { name: 'x' } as IXcubeVariable, 'plasma').cmap).toBe('plasma');
    // an empty range is widened rather than sent to the server, which refuses it
    expect(colourMapping({ server: 's', dataset: 'd', vmin: 40 }, variable).vmax).toBe(41);
  });

  it('leaves out the time of a variable without one, and offers only variables with lat and lon', () => {
    const variable = { name: 'ROSE', dims: ['lat', 'lon'] } as IXcubeVariable;
    const request = tileRequest({ server: 's', dataset: 'etopo5', time: '2000-01-01' }, variable, { z: 0, y: 0, x: 0 });
    expect(request.time).toBeUndefined();
    const dataset = {
      ...demo,
      variables: [
        { name: 'a', dims: ['time', 'lat', 'lon'] },
        { name: 'b', dims: ['time'] },
        { name: 'c', dims: ['time', 'depth', 'lat', 'lon'] }
      ]
    } as IXcubeDataset;
    expect(mappableVariables(dataset).map(v => v.name)).toEqual(['a', 'c']);
  });
});

describe('other dimensions and log scale', () => {
  it('asks for a depth by its label, and a logarithmic scale, in xcube parameter names', () => {
    const temp = { name: 'TEMP', dims: ['time', 'depth', 'lat', 'lon'], colorBarName: 'viridis' } as IXcubeVariable;
    const state = parseViewerState({
      server: 'demo',
      dataset: 'levitus',
      variable: 'TEMP',
      norm: 'log',
      vmin: 1,
      vmax: 30,
      dims: { depth: 100, 'bad key': 1, level: { nested: true } }
    }) as IViewerState;
    expect(state.dims).toEqual({ depth: 100 });
    expect(tilePath(tileRequest(state, temp, { z: 1, y: 0, x: 1 }))).toBe(
      'tiles/levitus/TEMP/1/0/1?crs=EPSG%3A3857&vmin=1&vmax=30&cmap=viridis&norm=log&depth=100'
    );
    expect(pythonCall(state)).toBe(
      'esdl_lab.show("levitus", "TEMP", server="demo", vmin=1, vmax=30, norm="log", depth=100)'
    );
  });
});

describe('time', () => {
  it('finds the nearest step, also in year 0 of a climatology', () => {
    const times = ['0000-01-16T06:00:00Z', '0000-02-15T16:29:06Z', '0000-03-17T02:58:12Z'];
    expect(nearestTime(times, '0000-02-20')).toBe(times[1]);
    expect(nearestTime(times, '0000-03')).toBe(times[2]);
    expect(nearestTime(times, 'not a date')).toBe(times[0]);
  });
});

describe('areas', () => {
  it('export the chosen aggregate: the median, or the mean and the std', () => {
    const area: IPlace = {
      id: 1,
      longitude: -150,
      latitude: 10,
      ring: [
        [-150, 10],
        [-130, 10],
        [-130, -10],
        [-150, 10]
      ],
      dataset: 'coads',
      variable: 'SST',
      values: [{ time: '0000-01-16T06:00:00Z', mean: 26.5, median: 26.7, std: 0.8 }]
    };
    expect(placesCsv([area], 'degC', 'median')).toBe(
      'time,coads.SST at area from 10.0° N 150.0° W median (degC)\n0000-01-16T06:00:00Z,26.7\n'
    );
    expect(placesCsv([area], 'degC', 'meanstd')).toBe(
      'time,coads.SST at area from 10.0° N 150.0° W mean (degC),coads.SST at area from 10.0° N 150.0° W std (degC)\n' +
        '0000-01-16T06:00:00Z,26.5,0.8\n'
    );
  });
});

describe('CSV export', () => {
  it('writes one row per time and one column per place, empty where there is no value', () => {
    const places: IPlace[] = [
      {
        id: 1,
        longitude: -140,
        latitude: 0,
        dataset: 'coads',
        variable: 'SST',
        values: [
          { time: '0000-01-16T06:00:00Z', mean: 25.8 },
          { time: '0000-02-15T16:29:06Z', mean: null }
        ]
      },
      {
        id: 2,
        longitude: 10.5,
        latitude: -45.25,
        dataset: 'coads',
        variable: 'SST',
        values: [{ time: '0000-01-16T06:00:00Z', mean: 12 }]
      },
      { id: 3, longitude: 0, latitude: 0, dataset: 'coads', variable: 'SST', values: null }
    ];
    expect(placesCsv(places, 'degC')).toBe(
      'time,coads.SST at 0.0° N 140.0° W (degC),coads.SST at 45.3° S 10.5° E (degC)\n' +
        '0000-01-16T06:00:00Z,25.8,12\n' +
        '0000-02-15T16:29:06Z,,\n'
    );
  });
});
