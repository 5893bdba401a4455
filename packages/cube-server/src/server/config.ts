/**
 * The server configuration file (YAML, in the spirit of xcube's server config): parsed and validated with
 * messages that name the file, the dataset (index and identifier), the key and what is wrong with it.
 *
 * ```yaml
 * BaseDir: ../data/cubes            # relative Paths resolve against it (itself relative to this file)
 * ChunkCacheSize: 512M              # decoded chunks (ours; bytes, or with K/M/G)
 * TileCacheSize: 64M                # encoded tiles (ours)
 * BaseUrl: https://host/prefix      # optional: the public URL of this server, for URLs written into JSON/XML
 * Datasets:
 *   - Identifier: coads
 *     Title: …                      # optional, defaults to the cube's `title`
 *     Description: …                # optional, Markdown
 *     Path: coads.zarr              # local, https://…, http://… or s3://bucket/key (anonymous)
 *     Style: default
 *     Tags: [ocean]
 *     GroupTitle: Climatologies
 *     Attribution: …                # a string or a list
 *     Licence: …                    # ours: Licence (or License), DOI, Version, KnownLimitations
 *     Variables: [SST, AIRT]        # optional; `*` and `?` wildcards as xcube's
 * Styles:
 *   - Identifier: default
 *     ColorMappings:
 *       SST: { ColorBar: RdYlBu_r, ValueRange: [-2, 32] }
 * ```
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { parseColormapName, colormapNames } from './colormaps/colormaps';

export interface ColorMapping {
  colorBar?: string;
  valueRange?: [number, number];
  norm?: 'lin' | 'log';
}

export interface StyleConfig {
  identifier: string;
  colorMappings: Record<string, ColorMapping>;
}

export interface DatasetConfig {
  /** position in the file, for messages */
  index: number;
  identifier: string;
  title?: string;
  description?: string;
  /** as written in the file */
  path: string;
  /** an absolute local path, or the remote URL */
  location: string;
  style?: string;
  tags: string[];
  groupTitle?: string;
  groupId?: string;
  sortValue?: number | string;
  attribution: string[];
  licence?: string;
  doi?: string;
  version?: string;
  knownLimitations: string[];
  /** published variable name patterns (`*`, `?`), or null for all */
  variables: string[] | null;
  hidden: boolean;
  /** the HTTP endpoint for `s3://` paths (default: the bucket's AWS endpoint) */
  s3Endpoint?: string;
}

export interface ServerConfig {
  file: string;
  baseDir: string;
  datasets: DatasetConfig[];
  styles: Map<string, StyleConfig>;
  chunkCacheBytes: number;
  tileCacheBytes: number;
  baseUrl?: string;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[]
  ) {
    super(`Invalid cube server configuration ${file}:\n  - ${problems.join('\n  - ')}`);
  }
}

const TOP_KEYS = ['BaseDir', 'Datasets', 'Styles', 'ChunkCacheSize', 'TileCacheSize', 'BaseUrl'];
// keys of xcube's server config that mean nothing here: accepted so that an xcube config loads
const XCUBE_TOP_KEYS = [
  'ServiceProvider',
  'DatasetAttribution',
  'DatasetChunkCacheSize',
  'PlaceGroups',
  'Viewer',
  'Authentication',
  'AccessControl',
  'DataStores',
  'CustomColorMaps',
  'Address',
  'Port',
  'Location'
];
const DATASET_KEYS = [
  'Identifier',
  'Title',
  'Description',
  'Path',
  'FileSystem',
  'Style',
  'Tags',
  'GroupTitle',
  'GroupId',
  'SortValue',
  'Attribution',
  'Licence',
  'License',
  'DOI',
  'Version',
  'KnownLimitations',
  'Variables',
  'Hidden',
  'Endpoint'
];
const XCUBE_DATASET_KEYS = [
  'Anonymous',
  'StoreInstanceId',
  'StoreParams',
  'ChunkCacheSize',
  'Augmentation',
  'PlaceGroups',
  'AccessControl',
  'TimeSeriesDataset',
  'BoundingBox',
  'Format'
];

const ID_RE = /^[A-Za-z0-9_.-]+$/;

/** Bytes of a size such as 512M, 1.5G, 65536 or "100 MB". */
export function parseSize(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) {
    return Math.floor(value);
  }
  if (typeof value !== 'string') {
    return null;
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(value);
  if (!match) {
    return null;
  }
  const factor = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }[match[2].toUpperCase()]!;
  return Math.floor(Number(match[1]) * factor);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

function strings(value: unknown): string[] | null {
  if (typeof value === 'string') {
    return [value];
  }
  if (Array.isArray(value) && value.every(v => typeof v === 'string')) {
    return value as string[];
  }
  return null;
}

function knownColormap(name: string): boolean {
  return colormapNames().includes(parseColormapName(name).base);
}

/** Validates a parsed configuration object; `file` names it in messages, `dir` resolves relative paths. */
export function validateConfig(raw: unknown, file: string): ServerConfig {
  const problems: string[] = [];
  const dir = path.dirname(path.resolve(file));
  if (!isRecord(raw)) {
    throw new ConfigError(file, ['the file must hold a mapping with a Datasets list']);
  }
  for (const key of Object.keys(raw)) {
    if (!TOP_KEYS.includes(key) && !XCUBE_TOP_KEYS.includes(key)) {
      problems.push(`unknown key '${key}' (known: ${TOP_KEYS.join(', ')})`);
    }
  }
  let baseDir = dir;
  if (raw.BaseDir !== undefined) {
    if (typeof raw.BaseDir !== 'string' || !raw.BaseDir) {
      problems.push('BaseDir: must be a path');
    } else {
      baseDir = path.resolve(dir, raw.BaseDir);
    }
  }
  const sizes: Record<string, number> = {};
  for (const [key, fallback] of [
    ['ChunkCacheSize', 512 * 2 ** 20],
    ['TileCacheSize', 64 * 2 ** 20]
  ] as const) {
    const size = raw[key] === undefined ? fallback : parseSize(raw[key]);
    if (size === null) {
      problems.push(`${key}: ${JSON.stringify(raw[key])} is not a size such as 512M or 1G`);
    }
    sizes[key] = size ?? fallback;
  }
  let baseUrl: string | undefined;
  if (raw.BaseUrl !== undefined) {
    if (typeof raw.BaseUrl !== 'string' || !/^https?:\/\/[^\s]+$/.test(raw.BaseUrl)) {
      problems.push('BaseUrl: must be an http:// or https:// URL');
    } else {
      baseUrl = raw.BaseUrl.replace(/\/+$/, '');
    }
  }

  const styles = new Map<string, StyleConfig>();
  if (raw.Styles !== undefined && !Array.isArray(raw.Styles)) {
    problems.push('Styles: must be a list');
  }
  (Array.isArray(raw.Styles) ? raw.Styles : []).forEach((style: unknown, i: number) => {
    const where = `Styles[${i}]`;
    if (!isRecord(style) || typeof style.Identifier !== 'string' || !style.Identifier) {
      problems.push(`${where}: needs an Identifier`);
      return;
    }
    const id = style.Identifier;
    if (styles.has(id)) {
      problems.push(`${where} (${id}): Identifier is used twice`);
    }
    const mappings: Record<string, ColorMapping> = {};
    if (style.ColorMappings !== undefined && !isRecord(style.ColorMappings)) {
      problems.push(`${where} (${id}): ColorMappings must map variable names to {ColorBar, ValueRange}`);
    }
    for (const [variable, mapping] of Object.entries(isRecord(style.ColorMappings) ? style.ColorMappings : {})) {
      const at = `${where} (${id}): ColorMappings.${variable}`;
      if (!isRecord(mapping)) {
        problems.push(`${at}: must be a mapping with ColorBar and ValueRange`);
        continue;
      }
      const out: ColorMapping = {};
      for (const key of Object.keys(mapping)) {
        if (!['ColorBar', 'ValueRange', 'Norm'].includes(key)) {
          problems.push(`${at}: unknown key '${key}' (known: ColorBar, ValueRange, Norm)`);
        }
      }
      if (mapping.ColorBar !== undefined) {
        if (typeof mapping.ColorBar !== 'string' || !knownColormap(mapping.ColorBar)) {
          problems.push(`${at}.ColorBar: unknown colour map ${JSON.stringify(mapping.ColorBar)}`);
        } else {
          out.colorBar = mapping.ColorBar;
        }
      }
      if (mapping.ValueRange !== undefined) {
        const range = mapping.ValueRange;
        if (
          !Array.isArray(range) ||
          range.length !== 2 ||
          !range.every(v => typeof v === 'number' && Number.isFinite(v)) ||
          range[0] > range[1]
        ) {
          problems.push(`${at}.ValueRange: must be [min, max] with min <= max`);
        } else {
          out.valueRange = [range[0], range[1]];
        }
      }
      if (mapping.Norm !== undefined) {
        if (mapping.Norm !== 'lin' && mapping.Norm !== 'log') {
          problems.push(`${at}.Norm: must be lin or log`);
        } else {
          out.norm = mapping.Norm;
        }
      }
      mappings[variable] = out;
    }
    styles.set(id, { identifier: id, colorMappings: mappings });
  });

  const datasets: DatasetConfig[] = [];
  if (!Array.isArray(raw.Datasets)) {
    problems.push('Datasets: must be a list of datasets (each with an Identifier and a Path)');
  }
  const seen = new Set<string>();
  (Array.isArray(raw.Datasets) ? raw.Datasets : []).forEach((entry: unknown, index: number) => {
    const id = isRecord(entry) && typeof entry.Identifier === 'string' ? entry.Identifier : '?';
    const where = `Datasets[${index}] (${id})`;
    if (!isRecord(entry)) {
      problems.push(`Datasets[${index}]: must be a mapping with Identifier and Path`);
      return;
    }
    const before = problems.length;
    for (const key of Object.keys(entry)) {
      if (!DATASET_KEYS.includes(key) && !XCUBE_DATASET_KEYS.includes(key)) {
        problems.push(`${where}: unknown key '${key}' (known: ${DATASET_KEYS.join(', ')})`);
      }
    }
    if (typeof entry.Identifier !== 'string' || !ID_RE.test(entry.Identifier)) {
      problems.push(`${where}: Identifier must be letters, digits, '_', '.' or '-' (it is part of URLs)`);
    } else if (seen.has(entry.Identifier)) {
      problems.push(`${where}: Identifier '${entry.Identifier}' is used twice`);
    } else {
      seen.add(entry.Identifier);
    }
    if (typeof entry.Path !== 'string' || !entry.Path.trim()) {
      problems.push(`${where}: Path must be a local path, https://… or s3://bucket/key`);
    }
    const optionalText = (key: string): string | undefined => {
      const value = entry[key];
      if (value === undefined || value === null) {
        return undefined;
      }
      if (typeof value === 'number') {
        return String(value);
      }
      if (typeof value !== 'string') {
        problems.push(`${where}: ${key} must be text`);
        return undefined;
      }
      return value;
    };
    const list = (key: string): string[] => {
      if (entry[key] === undefined || entry[key] === null) {
        return [];
      }
      const values = strings(entry[key]);
      if (!values) {
        problems.push(`${where}: ${key} must be text or a list of texts`);
      }
      return values ?? [];
    };
    if (entry.Style !== undefined && (typeof entry.Style !== 'string' || !styles.has(entry.Style))) {
      problems.push(`${where}: Style ${JSON.stringify(entry.Style)} is not an Identifier of Styles`);
    }
    if (entry.Hidden !== undefined && typeof entry.Hidden !== 'boolean') {
      problems.push(`${where}: Hidden must be true or false`);
    }
    if (
      entry.FileSystem !== undefined &&
      !['file', 'local', 's3', 'https', 'http'].includes(String(entry.FileSystem))
    ) {
      problems.push(`${where}: FileSystem must be file, s3 or https (or left out: the Path says it)`);
    }
    if (entry.SortValue !== undefined && typeof entry.SortValue !== 'number' && typeof entry.SortValue !== 'string') {
      problems.push(`${where}: SortValue must be a number or text`);
    }
    if (entry.Endpoint !== undefined && (typeof entry.Endpoint !== 'string' || !/^https?:\/\//.test(entry.Endpoint))) {
      problems.push(`${where}: Endpoint must be an http(s) URL (the S3 endpoint of s3:// paths)`);
    }
    const variables = entry.Variables === undefined ? null : strings(entry.Variables);
    if (entry.Variables !== undefined && (!variables || variables.length === 0)) {
      problems.push(`${where}: Variables must be a non-empty list of variable names (wildcards * and ? allowed)`);
    }
    const licence = optionalText('Licence') ?? optionalText('License');
    const dataset: DatasetConfig = {
      index,
      identifier: String(entry.Identifier),
      title: optionalText('Title'),
      description: optionalText('Description'),
      path: String(entry.Path ?? ''),
      location: '',
      style: typeof entry.Style === 'string' ? entry.Style : undefined,
      tags: list('Tags'),
      groupTitle: optionalText('GroupTitle'),
      groupId: optionalText('GroupId'),
      sortValue: entry.SortValue as number | string | undefined,
      attribution: list('Attribution'),
      licence,
      doi: optionalText('DOI'),
      version: optionalText('Version'),
      knownLimitations: list('KnownLimitations'),
      variables,
      hidden: entry.Hidden === true,
      s3Endpoint: typeof entry.Endpoint === 'string' ? entry.Endpoint : undefined
    };
    if (problems.length === before) {
      const p = dataset.path.trim();
      dataset.location = /^(https?|s3):\/\//i.test(p) ? p : path.resolve(baseDir, p);
      datasets.push(dataset);
    }
  });
  if (problems.length) {
    throw new ConfigError(file, problems);
  }
  return {
    file: path.resolve(file),
    baseDir,
    datasets,
    styles,
    chunkCacheBytes: sizes.ChunkCacheSize,
    tileCacheBytes: sizes.TileCacheSize,
    baseUrl
  };
}

/** Reads and validates a configuration file. Throws ConfigError (with every problem) or a read error. */
export async function loadConfig(file: string): Promise<ServerConfig> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`cannot be read: ${(error as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` at line ${error.linePos[0].line}` : '';
    throw new ConfigError(file, [`is not valid YAML${where}: ${(error as Error).message.split('\n')[0]}`]);
  }
  return validateConfig(raw, file);
}

/** Whether a variable name matches one of the configured patterns (`*` any text, `?` one character). */
export function matchesVariable(name: string, patterns: string[] | null): boolean {
  if (!patterns) {
    return true;
  }
  return patterns.some(pattern => {
    const re = new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`
    );
    return re.test(name);
  });
}
