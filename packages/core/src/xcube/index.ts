/**
 * The typed client of xcube server's REST API (datasets, tiles, colour bars, time series), as our cube server
 * and a real xcube server answer it through `/esdl-lab/cubes/<server>/`.
 */
export {};
