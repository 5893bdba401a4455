/**
 * Search, filters, sorting and grouping of catalogue entries. DOM-free and fast enough for 10,000 datasets
 * per keystroke: each entry's search text is computed once, and the sorted order is kept between queries.
 */
import { BBox } from '@esdl-lab/core';
import { ICatalogEntry } from './entry';

export type SortKey = 'title' | 'time' | 'recent';
export type GroupKey = 'server' | 'group' | 'none';

export interface ICatalogFilters {
  /** words (or "quoted phrases") that must all occur in an entry's text */
  query: string;
  /** a variable name every shown dataset must have */
  variable: string | null;
  /** ISO dates: a dataset must have time labels overlapping [from, to] */
  timeFrom: string | null;
  timeTo: string | null;
  /** a dataset's box must intersect this one */
  bbox: BBox | null;
  /** the servers to show; empty shows all */
  servers: string[];
}

export const NO_FILTERS: ICatalogFilters = {
  query: '',
  variable: null,
  timeFrom: null,
  timeTo: null,
  bbox: null,
  servers: []
};

/** true when a filter other than the query is set */
export function hasFilters(filters: ICatalogFilters): boolean {
  return !!(filters.variable || filters.timeFrom || filters.timeTo || filters.bbox || filters.servers.length);
}

/** The lower-case terms of a query: words, and "quoted phrases" kept whole. */
export function queryTerms(query: string): string[] {
  const terms: string[] = [];
  const pattern = /"([^"]*)"|(\S+)/g;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(query.toLowerCase()))) {
    const term = (match[1] ?? match[2]).trim();
    if (term) {
      terms.push(term);
    }
  }
  return terms;
}

/** The longitude intervals a box covers, split at the antimeridian when west > east. */
function lonRanges(bbox: BBox): [number, number][] {
  const [west, , east] = bbox;
  return west <= east
    ? [[west, east]]
    : [
        [west, 180],
        [-180, east]
      ];
}

/** true when two boxes overlap (touching counts), also across the antimeridian. */
export function bboxIntersects(a: BBox, b: BBox): boolean {
  if (a[1] > b[3] || b[1] > a[3]) {
    return false;
  }
  return lonRanges(a).some(([w1, e1]) => lonRanges(b).some(([w2, e2]) => w1 <= e2 && w2 <= e1));
}

function dayStart(date: string | null): number {
  return date ? Date.parse(`${date.slice(0, 10)}T00:00:00Z`) : NaN;
}

function dayEnd(date: string | null): number {
  return date ? Date.parse(`${date.slice(0, 10)}T23:59:59.999Z`) : NaN;
}

/** A predicate for the filters (the query included). */
export function matcher(filters: ICatalogFilters): (entry: ICatalogEntry) => boolean {
  const terms = queryTerms(filters.query);
  const variable = filters.variable?.toLowerCase() ?? null;
  const from = dayStart(filters.timeFrom);
  const to = dayEnd(filters.timeTo);
  const servers = filters.servers.length ? new Set(filters.servers) : null;
  const bbox = filters.bbox;
  return entry => {
    if (servers && !servers.has(entry.server)) {
      return false;
    }
    for (const term of terms) {
      if (!entry.haystack.includes(term)) {
        return false;
      }
    }
    if (variable && !entry.variables.some(v => v.name.toLowerCase() === variable)) {
      return false;
    }
    if (!Number.isNaN(from) || !Number.isNaN(to)) {
      if (Number.isNaN(entry.timeStartMs)) {
        return false;
      }
      if (!Number.isNaN(from) && entry.timeEndMs < from) {
        return false;
      }
      if (!Number.isNaN(to) && entry.timeStartMs > to) {
        return false;
      }
    }
    if (bbox && (!entry.bbox || !bboxIntersects(entry.bbox, bbox))) {
      return false;
    }
    return true;
  };
}

/** A comparator for a sort key; `recent` needs the time each entry was last used. */
export function comparator(
  sort: SortKey,
  lastUsed: ReadonlyMap<string, number> = new Map()
): (a: ICatalogEntry, b: ICatalogEntry) => number {
  const byTitle = (a: ICatalogEntry, b: ICatalogEntry) =>
    a.sortTitle < b.sortTitle ? -1 : a.sortTitle > b.sortTitle ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  if (sort === 'time') {
    // the newest data first; datasets without time last
    return (a, b) => {
      const ta = Number.isNaN(a.timeEndMs) ? -Infinity : a.timeEndMs;
      const tb = Number.isNaN(b.timeEndMs) ? -Infinity : b.timeEndMs;
      if (ta !== tb) {
        return tb - ta;
      }
      const sa = Number.isNaN(a.timeStartMs) ? -Infinity : a.timeStartMs;
      const sb = Number.isNaN(b.timeStartMs) ? -Infinity : b.timeStartMs;
      return sa !== sb ? sa - sb : byTitle(a, b);
    };
  }
  if (sort === 'recent') {
    return (a, b) => {
      const ua = lastUsed.get(a.key) ?? 0;
      const ub = lastUsed.get(b.key) ?? 0;
      return ua !== ub ? ub - ua : byTitle(a, b);
    };
  }
  return byTitle;
}

export interface ICatalogGroup {
  key: string;
  title: string;
  entries: ICatalogEntry[];
}

const UNGROUPED = 'Other datasets';

/** Splits sorted entries into groups, keeping their order within each group; groups sorted by title. */
export function groupEntries(entries: ICatalogEntry[], group: GroupKey): ICatalogGroup[] {
  if (group === 'none') {
    return [{ key: 'all', title: 'All datasets', entries }];
  }
  const groups = new Map<string, ICatalogGroup>();
  for (const entry of entries) {
    const key = group === 'server' ? entry.server : (entry.groupTitle ?? '');
    let found = groups.get(key);
    if (!found) {
      const title = group === 'server' ? entry.serverTitle : (entry.groupTitle ?? UNGROUPED);
      found = { key: `${group}:${key}`, title, entries: [] };
      groups.set(key, found);
    }
    found.entries.push(entry);
  }
  return [...groups.entries()]
    .sort(([ka, a], [kb, b]) => {
      if (!ka !== !kb) {
        // entries without a group come last
        return ka ? -1 : 1;
      }
      return a.title.localeCompare(b.title);
    })
    .map(([, value]) => value);
}

/** A row of the (virtualized) list: a group heading or a dataset. */
export type CatalogRow =
  { kind: 'group'; key: string; group: ICatalogGroup } | { kind: 'entry'; key: string; entry: ICatalogEntry };

/** The rows of grouped entries; with a single group, no heading. */
export function toRows(groups: ICatalogGroup[], collapsed: ReadonlySet<string> = new Set()): CatalogRow[] {
  const rows: CatalogRow[] = [];
  const headings = groups.length > 1 || (groups.length === 1 && groups[0].key !== 'all');
  for (const group of groups) {
    if (headings) {
      rows.push({ kind: 'group', key: group.key, group });
    }
    if (!collapsed.has(group.key)) {
      for (const entry of group.entries) {
        rows.push({ kind: 'entry', key: entry.key, entry });
      }
    }
  }
  return rows;
}

/**
 * Keeps the entries sorted between queries and filters them; while the user types a longer query, only the
 * previous matches are searched again.
 */
export class CatalogQuery {
  /** Sets the entries; the next `run` sorts them once. */
  setEntries(entries: ICatalogEntry[]): void {
    this._entries = entries;
    this._sorted = null;
    this._last = null;
  }

  /** Sorts anew on the next `run` (e.g. when the recently-used list changed). */
  invalidateSort(): void {
    this._sorted = null;
    this._last = null;
  }

  /** The sorted entries that match the filters. */
  run(filters: ICatalogFilters, sort: SortKey, lastUsed?: ReadonlyMap<string, number>): ICatalogEntry[] {
    if (!this._sorted || this._sortKey !== sort) {
      this._sorted = [...this._entries].sort(comparator(sort, lastUsed));
      this._sortKey = sort;
      this._last = null;
    }
    let source = this._sorted;
    const last = this._last;
    if (
      last &&
      sameExceptQuery(last.filters, filters) &&
      queryTerms(last.filters.query).every(old => queryTerms(filters.query).some(term => term.includes(old)))
    ) {
      // every new term contains an old one: the new matches are a subset of the last ones
      source = last.result;
    }
    const match = matcher(filters);
    const result = source.filter(match);
    this._last = { filters: { ...filters }, result };
    return result;
  }

  private _entries: ICatalogEntry[] = [];
  private _sorted: ICatalogEntry[] | null = null;
  private _sortKey: SortKey = 'title';
  private _last: { filters: ICatalogFilters; result: ICatalogEntry[] } | null = null;
}

function sameExceptQuery(a: ICatalogFilters, b: ICatalogFilters): boolean {
  return (
    a.variable === b.variable &&
    a.timeFrom === b.timeFrom &&
    a.timeTo === b.timeTo &&
    (a.bbox === b.bbox || (!!a.bbox && !!b.bbox && a.bbox.every((v, i) => v === b.bbox![i]))) &&
    a.servers.length === b.servers.length &&
    a.servers.every((s, i) => s === b.servers[i])
  );
}
