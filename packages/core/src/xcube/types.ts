/**
 * JSON shapes of xcube server's REST API (1.4 to 1.7), as our cube server and a real xcube server send them.
 * Optional fields are those that xcube leaves out unless configured; our cube server adds fields, never
 * changes xcube's.
 */

/** `GET /`: the server's name, version and APIs. */
export interface IXcubeServerInfo {
  name: string;
  description?: string;
  version: string;
  versions?: Record<string, string>;
  apis?: { name: string; version: string; description?: string }[];
  startTime?: string;
  currentTime?: string;
  updateTime?: string;
  pid?: number;
}

/** A dimension with its coordinate labels (`dimensions` of a dataset, and `/datasets/{id}/coords/{dim}`). */
export interface IXcubeDimension {
  name: string;
  size: number;
  dtype: string;
  /** ISO 8601 strings for time, numbers for the others */
  coordinates: (string | number)[];
}

/** A published variable of a dataset. */
export interface IXcubeVariable {
  /** `<dataset>.<variable>` */
  id: string;
  name: string;
  dims: string[];
  shape: number[];
  dtype: string;
  units: string;
  /** the `title` or `long_name` attribute, or the name */
  title: string;
  /** xcube 1.7: the `description` or `comment` attribute */
  description?: string;
  timeChunkSize?: number | null;
  tileUrl?: string;
  tileLevelMin?: number;
  tileLevelMax?: number;
  colorBarName?: string;
  /** xcube 1.7: `lin` or `log` */
  colorBarNorm?: string;
  colorBarMin?: number;
  colorBarMax?: number;
  /** xarray's HTML representation of the variable: never insert it as HTML */
  htmlRepr?: string;
  attrs?: Record<string, unknown>;
  /** ESDL cube server: the chunk shape of the stored array */
  chunks?: number[] | null;
  /** ESDL cube server: `[min, max]` from `valid_range`/`valid_min`/`valid_max`, null when none */
  validRange?: [number, number] | null;
  /** ESDL cube server: the `standard_name` attribute */
  standardName?: string | null;
}

/** A dataset as `/datasets` lists it, and the base of its details. */
export interface IXcubeDatasetSummary {
  id: string;
  title: string;
  /** xcube 1.7: the `Description` of the config or the `description` attribute (Markdown) */
  description?: string;
  groupTitle?: string;
  groupId?: string;
  groupOrder?: number;
  tags?: string[];
  sortValue?: number | string;
  /** [west, south, east, north] in degrees, when configured or with details */
  bbox?: [number, number, number, number];
}

/** A dataset with its details: `/datasets/{id}`, and every entry of `/datasets?details=1`. */
export interface IXcubeDataset extends IXcubeDatasetSummary {
  bbox?: [number, number, number, number];
  /** a GeoJSON polygon, as an object or (xcube 1.4 to 1.7) a JSON string */
  geometry?: unknown;
  spatialRef?: string;
  variables: IXcubeVariable[];
  dimensions?: IXcubeDimension[];
  attrs?: Record<string, unknown>;
  attributions?: string[];
  rgbSchema?: {
    varNames: string[];
    normRanges: [number, number][];
    tileUrl?: string;
    tileLevelMin?: number;
    tileLevelMax?: number;
  };
  placeGroups?: { id: string; title: string; type?: string }[];
  /** ESDL cube server: the licence, from the config or the `license` attribute */
  licence?: string | null;
  /** ESDL cube server: known limitations, from the config or `esdl_known_limitations` */
  knownLimitations?: string[];
  /** ESDL cube server: cube-gen's `esdl_provenance`, parsed */
  provenance?: Record<string, unknown> | null;
  /** anything else a server adds (our cube server adds fields, never changes xcube's) */
  [key: string]: unknown;
}

/** `GET /datasets` and `GET /datasets?details=1`. */
export interface IXcubeDatasetsResponse<T extends IXcubeDatasetSummary = IXcubeDatasetSummary> {
  datasets: T[];
  entrypointDatasetId?: string | null;
}

/** One colour bar of `/colorbars`: its name and a 256x1 PNG, base64. */
export interface IXcubeColorBar {
  name: string;
  imageData: string;
}

/** A group of colour bars (`/colorbars` answers `[[title, description, [[name, png], …]], …]`). */
export interface IXcubeColorBarGroup {
  title: string;
  description: string;
  colorBars: IXcubeColorBar[];
}

/** The consolidated Zarr v2 metadata of a dataset (`/s3/datasets/{id}.zarr/.zmetadata`). */
export interface IZarrConsolidated {
  zarr_consolidated_format: number;
  metadata: Record<string, Record<string, unknown>>;
}

/** The `.zarray` of one array. */
export interface IZarrArrayMeta {
  zarr_format: number;
  shape: number[];
  chunks: number[];
  dtype: string;
  fill_value: unknown;
  compressor: { id: string; [key: string]: unknown } | null;
  filters: unknown[] | null;
  order: 'C' | 'F';
}

/** One time step of `/timeseries/{id}/{var}`: its time and the asked aggregates (null where no value). */
export interface IXcubeTimeSeriesValue {
  time: string;
  mean?: number | null;
  median?: number | null;
  std?: number | null;
  min?: number | null;
  max?: number | null;
  count?: number;
}

/** `/statistics/{id}/{var}`: the values inside a geometry (a histogram for polygons). */
export interface IXcubeStatistics {
  /** a point: the value of its cell (null where there is none) */
  value?: number | null;
  /** a polygon: how many valid values it holds */
  count?: number;
  minimum?: number;
  maximum?: number;
  mean?: number;
  deviation?: number;
  /** `values` per bin between consecutive `edges` */
  histogram?: { values: number[]; edges: number[] };
}

/** The value below which `fraction` (0..1) of a histogram's weight lies, interpolated within its bin. */
export function histogramQuantile(histogram: { values: number[]; edges: number[] }, fraction: number): number {
  const { values, edges } = histogram;
  const total = values.reduce((sum, value) => sum + Math.max(0, value), 0);
  if (total <= 0 || edges.length !== values.length + 1) {
    return NaN;
  }
  const wanted = Math.min(1, Math.max(0, fraction)) * total;
  let seen = 0;
  for (let i = 0; i < values.length; i++) {
    const weight = Math.max(0, values[i]);
    if (seen + weight >= wanted && weight > 0) {
      return edges[i] + ((wanted - seen) / weight) * (edges[i + 1] - edges[i]);
    }
    seen += weight;
  }
  return edges[edges.length - 1];
}
