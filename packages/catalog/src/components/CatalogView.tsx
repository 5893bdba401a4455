/**
 * The catalogue sidebar's content: search, filters, sorting and grouping, the result count, one row per
 * server that failed, an empty state that says why, and the virtualized list of datasets.
 */
import {
  caretDownIcon,
  caretRightIcon,
  filterIcon,
  refreshIcon,
  ToolbarButtonComponent
} from '@jupyterlab/ui-components';
import React, { useEffect, useMemo, useRef, useState } from 'react';
import { ICatalogSettings, IDatasetActions } from '../actions';
import { CatalogModel, IServerListing } from '../model';
import {
  CatalogQuery,
  CatalogRow,
  GroupKey,
  ICatalogFilters,
  NO_FILTERS,
  SortKey,
  groupEntries,
  hasFilters,
  toRows
} from '../search';
import { DatasetRow, ROW_HEIGHT } from './DatasetRow';
import { Filters } from './Filters';
import { VirtualList } from './VirtualList';

const GROUP_HEIGHT = 30;

/** Re-renders on a Lumino signal. */
function useSignal(signal: { connect: (fn: () => void) => boolean; disconnect: (fn: () => void) => boolean }) {
  const [, setTick] = useState(0);
  useEffect(() => {
    const bump = () => setTick(tick => tick + 1);
    signal.connect(bump);
    return () => {
      signal.disconnect(bump);
    };
  }, [signal]);
}

function ServerProblem(props: { listing: IServerListing; open: boolean; onRetry: () => void }): JSX.Element {
  const { listing } = props;
  const problem = listing.problem!;
  return (
    <div className="esdl-Catalog-problem" role="alert" aria-label={`Cube server ${listing.title} failed`}>
      <details open={props.open}>
        <summary className="esdl-Catalog-problemHead">
          <strong>{listing.title}</strong>: {problem.what} failed
        </summary>
        <div className="esdl-Catalog-problemMessage" title={problem.message}>
          {problem.message}
        </div>
        <div className="esdl-Catalog-problemAdvice">{problem.advice}</div>
        <button type="button" className="jp-Button jp-mod-minimal esdl-Catalog-link" onClick={props.onRetry}>
          Try {listing.title} again
        </button>
      </details>
    </div>
  );
}

function EmptyState(props: {
  model: CatalogModel;
  total: number;
  filtered: boolean;
  withFilters: boolean;
  query: string;
  onClear: () => void;
}): JSX.Element | null {
  const { model } = props;
  let text: React.ReactNode;
  if (model.statusError && !model.statusKnown) {
    text = (
      <>
        The ESDL Lab server extension could not be asked for its cube servers: {model.statusError.message}. Check that
        esdl-lab is installed and enabled (<code>jupyter server extension list</code>).
      </>
    );
  } else if (!model.statusKnown) {
    text = 'Asking the Jupyter server for its cube servers…';
  } else if (model.servers.length === 0) {
    text = (
      <>
        No cube server is configured. Add one to <code>c.ESDLLab.cube_servers</code> in the Jupyter server
        configuration, by URL or by a command that starts it.
      </>
    );
  } else if (props.total === 0) {
    const loading = model.servers.some(server => server.state === 'loading' || server.state === 'pending');
    const failed = model.servers.filter(server => server.state === 'error');
    const down = model.servers.filter(server => server.upstream?.state === 'down');
    if (loading) {
      text = 'Listing the datasets of the cube servers…';
    } else if (failed.length === model.servers.length) {
      text =
        down.length > 0
          ? `No dataset can be listed: ${down.map(s => `${s.title} is down${s.upstream?.error ? ` (${s.upstream.error})` : ''}`).join('; ')}.`
          : 'No dataset can be listed: every cube server failed (see above).';
    } else {
      text = 'The cube servers list no datasets.';
    }
  } else if (props.filtered) {
    return (
      <div className="esdl-Catalog-empty" role="status">
        No dataset matches {props.query ? <>“{props.query}”</> : 'the filters'}
        {props.query && props.withFilters ? ' with these filters' : ''}.{' '}
        <button type="button" className="jp-Button jp-mod-minimal esdl-Catalog-link" onClick={props.onClear}>
          Clear search and filters
        </button>
      </div>
    );
  } else {
    return null;
  }
  return (
    <div className="esdl-Catalog-empty" role="status">
      {text}
    </div>
  );
}

export interface ICatalogViewProps {
  model: CatalogModel;
  actions: IDatasetActions;
  settings: ICatalogSettings;
}

export function CatalogView(props: ICatalogViewProps): JSX.Element {
  const { model, actions, settings } = props;
  useSignal(model.changed);
  useSignal(model.recentChanged);
  const [filters, setFiltersState] = useState<ICatalogFilters>(model.filters);
  const setFilters = (next: ICatalogFilters) => {
    setFiltersState(next);
    model.filters = next;
  };
  // filters saved before a reload arrive with the model; a user who already typed keeps what they typed
  useEffect(() => {
    let live = true;
    void model.ready.then(() => {
      if (live && model.filters !== NO_FILTERS) {
        setFiltersState(current => (current === NO_FILTERS ? model.filters : current));
      }
    });
    return () => {
      live = false;
    };
  }, [model]);
  const [sort, setSort] = useState<SortKey>(settings.defaultSort);
  const [group, setGroup] = useState<GroupKey>(settings.groupBy);
  const [showFilters, setShowFilters] = useState(false);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => setSort(settings.defaultSort), [settings.defaultSort]);
  useEffect(() => setGroup(settings.groupBy), [settings.groupBy]);

  const entries = model.entries;
  const query = useRef(new CatalogQuery()).current;
  useMemo(() => query.setEntries(entries), [entries]);
  const lastUsed = model.lastUsed;
  const recentVersion = sort === 'recent' ? [...lastUsed.values()].reduce((a, b) => Math.max(a, b), 0) : 0;
  useMemo(() => query.invalidateSort(), [recentVersion]);

  const result = useMemo(() => query.run(filters, sort, lastUsed), [entries, filters, sort, recentVersion]);
  const groups = useMemo(() => groupEntries(result, group), [result, group]);
  const rows = useMemo(() => toRows(groups, collapsed), [groups, collapsed]);
  const variables = useMemo(() => {
    const counts = new Map<string, number>();
    for (const entry of entries) {
      for (const variable of entry.variables) {
        counts.set(variable.name, (counts.get(variable.name) ?? 0) + 1);
      }
    }
    return [...counts.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  }, [entries]);

  const filtered = filters.query.trim() !== '' || hasFilters(filters);
  const problems = model.servers.filter(server => server.state === 'error' && server.problem);
  const loading = model.servers.filter(server => server.state === 'loading');
  const datasetProblems = model.servers.flatMap(server =>
    server.datasetProblems.map(item => ({ server: server.title, ...item }))
  );
  const positions = useMemo(() => {
    const map = new Map<string, number>();
    result.forEach((entry, index) => map.set(entry.key, index + 1));
    return map;
  }, [result]);

  const renderRow = (row: CatalogRow) => {
    if (row.kind === 'group') {
      const isCollapsed = collapsed.has(row.key);
      const Icon = isCollapsed ? caretRightIcon : caretDownIcon;
      return (
        <div
          role="listitem"
          className="esdl-Catalog-group"
          aria-label={`${row.group.title}: ${row.group.entries.length}`}
        >
          <button
            type="button"
            className="esdl-Catalog-groupToggle"
            aria-expanded={!isCollapsed}
            onClick={() => {
              const next = new Set(collapsed);
              if (isCollapsed) {
                next.delete(row.key);
              } else {
                next.add(row.key);
              }
              setCollapsed(next);
            }}
          >
            <Icon.react tag="span" elementSize="small" />
            <span className="esdl-Catalog-groupTitle">{row.group.title}</span>
            <span className="esdl-Catalog-groupCount">{row.group.entries.length}</span>
          </button>
        </div>
      );
    }
    return (
      <DatasetRow
        entry={row.entry}
        actions={actions}
        showPreview={settings.showPreviews}
        position={positions.get(row.entry.key) ?? 0}
        count={result.length}
      />
    );
  };

  return (
    <div className="esdl-Catalog-view">
      <div className="esdl-Catalog-header">
        <h2>Data catalogue</h2>
        <ToolbarButtonComponent
          icon={filterIcon}
          tooltip={showFilters ? 'Hide filters' : 'Show filters'}
          pressed={showFilters || hasFilters(filters)}
          onClick={() => setShowFilters(!showFilters)}
        />
        <ToolbarButtonComponent
          icon={refreshIcon}
          tooltip="Refresh the catalogue"
          enabled={loading.length === 0}
          onClick={() => void model.refresh()}
        />
      </div>
      <div className="esdl-Catalog-controls">
        <input
          type="search"
          className="esdl-Catalog-search jp-mod-styled"
          placeholder="Search titles, variables, units, tags…"
          aria-label="Search datasets"
          value={filters.query}
          onChange={event => setFilters({ ...filters, query: event.target.value })}
        />
        {showFilters && (
          <Filters
            filters={filters}
            onChange={setFilters}
            variables={variables}
            servers={model.servers.map(server => ({ name: server.name, title: server.title }))}
          />
        )}
        <div className="esdl-Catalog-options">
          <label>
            <span>Sort</span>
            <select
              className="jp-mod-styled"
              aria-label="Sort by"
              value={sort}
              onChange={event => setSort(event.target.value as SortKey)}
            >
              <option value="title">Title</option>
              <option value="time">Time extent (newest first)</option>
              <option value="recent">Recently used</option>
            </select>
          </label>
          <label>
            <span>Group</span>
            <select
              className="jp-mod-styled"
              aria-label="Group by"
              value={group}
              onChange={event => setGroup(event.target.value as GroupKey)}
            >
              <option value="server">Server</option>
              <option value="group">Group</option>
              <option value="none">None</option>
            </select>
          </label>
        </div>
        <div className="esdl-Catalog-count" role="status" aria-live="polite">
          {filtered ? `${result.length} of ${entries.length} datasets` : `${entries.length} datasets`}
          {loading.length > 0 && ` · listing ${loading.map(server => server.title).join(', ')}…`}
          {filtered && (
            <button
              type="button"
              className="jp-Button jp-mod-minimal esdl-Catalog-link"
              onClick={() => setFilters(NO_FILTERS)}
            >
              Clear
            </button>
          )}
        </div>
      </div>
      {(problems.length > 0 || datasetProblems.length > 0) && (
        <div className="esdl-Catalog-problems">
          {problems.map(listing => (
            <ServerProblem
              key={listing.name}
              listing={listing}
              open={problems.length === 1}
              onRetry={() => void model.refresh(listing.name)}
            />
          ))}
          {datasetProblems.length > 0 && (
            <details className="esdl-Catalog-datasetProblems">
              <summary>
                {datasetProblems.length} dataset{datasetProblems.length === 1 ? '' : 's'} could not be read
              </summary>
              <ul>
                {datasetProblems.map(item => (
                  <li key={`${item.server}/${item.id}`}>
                    {item.server} · {item.title}: {item.problem.message}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </div>
      )}
      <EmptyState
        model={model}
        total={entries.length}
        filtered={filtered && result.length === 0 && entries.length > 0}
        withFilters={hasFilters(filters)}
        query={filters.query.trim()}
        onClear={() => setFilters(NO_FILTERS)}
      />
      <VirtualList
        rows={rows}
        rowKey={row => `${row.kind}:${row.key}`}
        rowHeight={rowHeight}
        renderRow={renderRow}
        label="Datasets"
        className="esdl-Catalog-list"
        resetKey={`${filters.query}|${sort}|${group}`}
      />
    </div>
  );
}

function rowHeight(row: CatalogRow): number {
  return row.kind === 'group' ? GROUP_HEIGHT : ROW_HEIGHT;
}
