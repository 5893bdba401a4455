/**
 * The Python code that opens a dataset (or one variable) with xarray from the cube server's Zarr endpoint,
 * from the code template of the settings. Every value from a server enters the code as a Python string
 * literal or as a comment stripped of line breaks, so that no metadata can inject code.
 */
import { ICatalogEntry } from './entry';

/** The default code template; `schema/catalog.json` documents the placeholders. */
export const DEFAULT_TEMPLATE = [
  'import xarray as xr',
  '',
  '# {{title}}',
  'ds = xr.open_zarr({{url}}, consolidated=True{{open_options}})',
  'print(dict(ds.sizes))',
  '{{target}}'
].join('\n');

export interface ICodeOptions {
  /** the cube server's base URL as a kernel reaches it (`kernelUrl` of the status), null when unknown */
  kernelUrl: string | null | undefined;
  /** a variable of the dataset, for the variable's actions */
  variable?: string | null;
  template?: string;
}

/** A Python string literal: JSON's escapes are all valid in Python. */
export function pythonString(value: string): string {
  return JSON.stringify(value);
}

/** Text safe inside a Python comment: no line breaks or control characters. */
export function commentText(value: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  return value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
}

/** Earliest and latest times that numpy's datetime64[ns] (and so pandas and xarray by default) can hold. */
const NS_MIN = Date.parse('1677-09-22T00:12:43Z');
const NS_MAX = Date.parse('2262-04-11T23:47:16Z');

/** true when xarray can decode the time axis only into cftime objects (climatologies in year 0 or 1). */
export function needsCftime(entry: ICatalogEntry): boolean {
  return (
    (!Number.isNaN(entry.timeStartMs) && entry.timeStartMs < NS_MIN) ||
    (!Number.isNaN(entry.timeEndMs) && entry.timeEndMs > NS_MAX)
  );
}

/** The Zarr URL of a dataset for a kernel, or null when the server's kernel URL is unknown. */
export function zarrUrl(kernelUrl: string | null | undefined, datasetId: string): string | null {
  if (!kernelUrl) {
    return null;
  }
  return `${kernelUrl.replace(/\/+$/, '')}/s3/datasets/${encodeURIComponent(datasetId)}.zarr`;
}

/** Renders the code for a dataset, or one of its variables. */
export function datasetCode(entry: ICatalogEntry, options: ICodeOptions): string {
  const template = options.template?.trim() ? options.template : DEFAULT_TEMPLATE;
  const url = zarrUrl(options.kernelUrl, entry.id);
  const variable = options.variable ?? null;
  const values: Record<string, string> = {
    url: pythonString(url ?? `http://CUBE-SERVER-URL-UNKNOWN/s3/datasets/${encodeURIComponent(entry.id)}.zarr`),
    title: commentText(`${entry.title} (${entry.serverTitle}: ${entry.id}${variable ? `, ${variable}` : ''})`),
    dataset_id: pythonString(entry.id),
    server: pythonString(entry.server),
    variable: pythonString(variable ?? ''),
    target: variable ? `ds[${pythonString(variable)}]` : 'ds',
    open_options: needsCftime(entry) ? ', use_cftime=True' : ''
  };
  const code = template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => values[name] ?? whole);
  if (url) {
    return code;
  }
  return (
    [
      `# The URL at which this kernel reaches cube server '${commentText(entry.server)}' is not known:`,
      '# the ESDL services status gives no kernel URL for it yet. Replace the URL below with the',
      "# cube server's address as seen from this kernel (…/s3/datasets/<id>.zarr)."
    ].join('\n') +
    '\n' +
    code
  );
}
