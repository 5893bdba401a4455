/**
 * The filters of the list: variable, server, time range and area (typed, or drawn on a small world map).
 */
import { BBox } from '@esdl-lab/core';
import React, { useEffect, useState } from 'react';
import { ICatalogFilters } from '../search';
import { WorldMap } from './WorldMap';

export interface IFiltersProps {
  filters: ICatalogFilters;
  onChange: (filters: ICatalogFilters) => void;
  /** variable names with how many datasets have them */
  variables: [string, number][];
  servers: { name: string; title: string }[];
}

const EDGES = ['West', 'South', 'East', 'North'] as const;
const LIMITS = [180, 90, 180, 90];

/** A box from four typed numbers, or null while any is missing or out of range. */
export function parseBBox(values: string[]): BBox | null {
  const numbers = values.map(value => (value.trim() === '' ? NaN : Number(value)));
  if (numbers.some((value, index) => !Number.isFinite(value) || Math.abs(value) > LIMITS[index])) {
    return null;
  }
  const [west, south, east, north] = numbers;
  return south < north ? [west, south, east, north] : null;
}

export function Filters(props: IFiltersProps): JSX.Element {
  const { filters, onChange } = props;
  const [edges, setEdges] = useState<string[]>(filters.bbox ? filters.bbox.map(String) : ['', '', '', '']);
  useEffect(() => {
    setEdges(filters.bbox ? filters.bbox.map(String) : ['', '', '', '']);
  }, [filters.bbox]);
  const typed = edges.some(value => value.trim() !== '');
  const typedBox = parseBBox(edges);

  const set = (patch: Partial<ICatalogFilters>) => onChange({ ...filters, ...patch });
  return (
    <div className="esdl-Catalog-filters" role="group" aria-label="Filters">
      <label className="esdl-Catalog-field">
        <span>Variable</span>
        <select
          className="jp-mod-styled"
          value={filters.variable ?? ''}
          onChange={event => set({ variable: event.target.value || null })}
        >
          <option value="">Any variable</option>
          {props.variables.map(([name, count]) => (
            <option key={name} value={name}>
              {name} ({count})
            </option>
          ))}
        </select>
      </label>
      <label className="esdl-Catalog-field">
        <span>Server</span>
        <select
          className="jp-mod-styled"
          value={filters.servers[0] ?? ''}
          onChange={event => set({ servers: event.target.value ? [event.target.value] : [] })}
        >
          <option value="">All servers</option>
          {props.servers.map(server => (
            <option key={server.name} value={server.name}>
              {server.title}
            </option>
          ))}
        </select>
      </label>
      <div className="esdl-Catalog-field esdl-Catalog-timeRange">
        <span>Time (from, to)</span>
        <input
          type="date"
          aria-label="From date"
          value={filters.timeFrom ?? ''}
          onChange={event => set({ timeFrom: event.target.value || null })}
        />
        <input
          type="date"
          aria-label="To date"
          value={filters.timeTo ?? ''}
          onChange={event => set({ timeTo: event.target.value || null })}
        />
      </div>
      <fieldset className="esdl-Catalog-area">
        <legend>Area (drag on the map or type degrees)</legend>
        <WorldMap
          bbox={filters.bbox}
          label="Area filter map: drag to draw a box"
          onDraw={bbox => set({ bbox })}
          className="esdl-Catalog-filterMap"
        />
        <div className="esdl-Catalog-edges">
          {EDGES.map((edge, index) => (
            <input
              key={edge}
              type="number"
              step="any"
              aria-label={edge}
              placeholder={edge}
              value={edges[index]}
              onChange={event => {
                const next = [...edges];
                next[index] = event.target.value;
                setEdges(next);
                const box = parseBBox(next);
                if (box) {
                  set({ bbox: box });
                }
              }}
            />
          ))}
        </div>
        {typed && !typedBox && (
          <div className="esdl-Catalog-hint" role="note">
            Type all four edges in degrees: west and east within ±180, south below north within ±90.
          </div>
        )}
        {filters.bbox && (
          <button
            type="button"
            className="jp-Button jp-mod-minimal esdl-Catalog-link"
            onClick={() => set({ bbox: null })}
          >
            Clear area
          </button>
        )}
      </fieldset>
    </div>
  );
}
