/**
 * The typed client of xcube server's REST API (datasets, coordinates, colour bars, tiles, raw Zarr), as our
 * cube server and a real xcube server answer it through `/esdl-lab/cubes/<server>/`.
 */
export * from './client';
export * from './tiles';
export * from './types';
