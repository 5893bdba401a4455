/**
 * A generated catalogue of many xcube-shaped datasets (for the 10,000-dataset tests and the benchmark):
 * varied titles, groups, tags, variables, time axes and boxes, from a seeded generator so runs repeat.
 */
import { IXcubeDataset } from '@esdl-lab/core';

const VARIABLES = [
  ['sst', 'Sea surface temperature', 'sea_surface_temperature', 'degC'],
  ['chl', 'Chlorophyll concentration', 'mass_concentration_of_chlorophyll_in_sea_water', 'mg m-3'],
  ['t2m', 'Air temperature at 2 m', 'air_temperature', 'K'],
  ['precip', 'Precipitation rate', 'precipitation_flux', 'kg m-2 s-1'],
  ['ndvi', 'Normalized difference vegetation index', '', '1'],
  ['lai', 'Leaf area index', 'leaf_area_index', 'm2 m-2'],
  ['sm', 'Soil moisture', 'volume_fraction_of_condensed_water_in_soil', 'm3 m-3'],
  ['gpp', 'Gross primary productivity', 'gross_primary_productivity_of_biomass_expressed_as_carbon', 'g m-2 d-1'],
  ['uwnd', 'Zonal wind', 'eastward_wind', 'm s-1'],
  ['vwnd', 'Meridional wind', 'northward_wind', 'm s-1'],
  ['slp', 'Sea level pressure', 'air_pressure_at_mean_sea_level', 'hPa'],
  ['snow', 'Snow cover fraction', 'surface_snow_area_fraction', '%']
];
const THEMES = ['Ocean', 'Land', 'Atmosphere', 'Cryosphere', 'Biosphere', 'Hydrology'];
const REGIONS = [
  ['Global', [-180, -90, 180, 90]],
  ['Europe', [-25, 34, 45, 72]],
  ['Amazon', [-80, -20, -45, 5]],
  ['Sahel', [-18, 10, 40, 20]],
  ['Arctic', [-180, 66, 180, 90]],
  ['North Sea', [-4, 50, 10, 62]],
  ['Pacific', [150, -40, -120, 40]]
] as const;

/** A small deterministic pseudo-random generator (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateDatasets(count: number, seed = 42): IXcubeDataset[] {
  const rand = random(seed);
  const datasets: IXcubeDataset[] = [];
  for (let i = 0; i < count; i++) {
    const theme = THEMES[Math.floor(rand() * THEMES.length)];
    const [region, bbox] = REGIONS[Math.floor(rand() * REGIONS.length)];
    const nVars = 1 + Math.floor(rand() * 4);
    const start = new Date(Date.UTC(1980 + Math.floor(rand() * 40), Math.floor(rand() * 12), 1));
    const steps = 2 + Math.floor(rand() * 24);
    const monthly = rand() < 0.5;
    const times: string[] = [];
    for (let t = 0; t < steps; t++) {
      const date = monthly
        ? new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + t, 1))
        : new Date(start.getTime() + t * 86_400_000);
      times.push(date.toISOString().replace('.000Z', 'Z'));
    }
    const picked = new Set<number>();
    while (picked.size < nVars) {
      picked.add(Math.floor(rand() * VARIABLES.length));
    }
    const variables = [...picked].map(index => {
      const [name, longName, standardName, units] = VARIABLES[index];
      return {
        id: `ds${i}.${name}`,
        name,
        dims: ['time', 'lat', 'lon'],
        shape: [steps, 180, 360],
        dtype: 'float32',
        units,
        title: longName,
        attrs: { long_name: longName, units, ...(standardName ? { standard_name: standardName } : {}) }
      };
    });
    datasets.push({
      id: `ds${i}`,
      title: `${region} ${variables[0].title.toLowerCase()} ${theme.toLowerCase()} cube #${i}`,
      description: `Generated dataset ${i}: ${theme} data over ${region}, ${monthly ? 'monthly' : 'daily'} steps.`,
      groupTitle: theme,
      tags: [theme.toLowerCase(), region.toLowerCase(), monthly ? 'monthly' : 'daily'],
      bbox: [...bbox] as [number, number, number, number],
      variables,
      dimensions: [
        { name: 'time', size: steps, dtype: 'datetime64[ns]', coordinates: times },
        { name: 'lat', size: 180, dtype: 'float64', coordinates: [] },
        { name: 'lon', size: 360, dtype: 'float64', coordinates: [] }
      ],
      attrs: { title: `Dataset ${i}`, Conventions: 'CF-1.8' }
    });
  }
  return datasets;
}
