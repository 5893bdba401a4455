/**
 * The runs table on screen: only the rows in view are in the DOM, so 10,000 runs scroll as smoothly as 10.
 * Headers sort (aria-sort), parents expand to their nested runs, checkboxes select runs for charts and
 * comparisons, and a run's name opens it.
 */
import React, { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { IColumn, IRunRow, RunsTable } from '../model/runs-table';

export const ROW_HEIGHT = 28;
const OVERSCAN = 8;

export function columnWidth(column: IColumn): number {
  if (column.kind === 'builtin') {
    return (
      { name: 240, status: 96, start: 162, duration: 104, user: 100, source: 150, models: 90, datasets: 170 }[
        column.key
      ] ?? 120
    );
  }
  return 112;
}

export interface IRunsTableViewProps {
  table: RunsTable;
  /** changes whenever the rows or columns change, so that the view renders again */
  version: number;
  isSelected: (id: string) => boolean;
  onSelect: (ids: string[], selected: boolean) => void;
  onOpen: (id: string) => void;
  onSort: (column: IColumn) => void;
  onToggle: (id: string) => void;
  /** the caption read by screen readers */
  label: string;
}

export function RunsTableView(props: IRunsTableViewProps): JSX.Element {
  const { table } = props;
  const rows = table.rows;
  const columns = table.columns;
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const lastClicked = useRef<number | null>(null);

  useLayoutEffect(() => {
    const node = scroller.current;
    if (!node) {
      return;
    }
    setHeight(node.clientHeight || 600);
    if (typeof ResizeObserver === 'undefined') {
      return;
    }
    const observer = new ResizeObserver(() => setHeight(node.clientHeight || 600));
    observer.observe(node);
    return () => observer.disconnect();
  }, []);

  // keep the scroll position valid when rows go away (a new filter)
  useEffect(() => {
    const node = scroller.current;
    if (node && node.scrollTop > rows.length * ROW_HEIGHT) {
      node.scrollTop = 0;
      setScrollTop(0);
    }
  }, [rows.length]);

  const onScroll = useCallback(() => {
    const node = scroller.current;
    if (node) {
      setScrollTop(node.scrollTop);
    }
  }, []);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const template = `32px ${columns.map(c => `${columnWidth(c)}px`).join(' ')}`;
  const totalWidth = 32 + columns.reduce((sum, c) => sum + columnWidth(c), 0);
  const allSelected = rows.length > 0 && rows.every(row => props.isSelected(row.id));
  const sort = table.sort;

  const select = (row: IRunRow, index: number, selected: boolean, shift: boolean) => {
    if (shift && lastClicked.current !== null) {
      const [a, b] = [Math.min(lastClicked.current, index), Math.max(lastClicked.current, index)];
      props.onSelect(
        rows.slice(a, b + 1).map(r => r.id),
        selected
      );
    } else {
      props.onSelect([row.id], selected);
    }
    lastClicked.current = index;
  };

  return (
    <div
      className="esdl-MlflowTable"
      ref={scroller}
      onScroll={onScroll}
      role="table"
      aria-label={props.label}
      aria-rowcount={rows.length + 1}
    >
      <div className="esdl-MlflowTable-inner" style={{ width: totalWidth, height: (rows.length + 1) * ROW_HEIGHT }}>
        <div className="esdl-MlflowTable-head" role="row" aria-rowindex={1} style={{ gridTemplateColumns: template }}>
          <div role="columnheader" className="esdl-MlflowTable-check">
            <input
              type="checkbox"
              aria-label="Select all runs"
              checked={allSelected}
              onChange={event =>
                props.onSelect(
                  rows.map(row => row.id),
                  event.target.checked
                )
              }
            />
          </div>
          {columns.map(column => {
            const sorted = sort?.column === column.id;
            const ariaSort = sorted ? (sort!.ascending ? 'ascending' : 'descending') : 'none';
            return (
              <div
                key={column.id}
                role="columnheader"
                aria-sort={ariaSort}
                className="esdl-MlflowTable-header"
                data-column={column.id}
                data-kind={column.kind}
                data-numeric={column.numeric || undefined}
                title={
                  column.kind === 'builtin'
                    ? column.label
                    : `${column.kind === 'metric' ? 'Metric' : 'Param'} ${column.key}`
                }
              >
                <button className="esdl-MlflowTable-sort" onClick={() => props.onSort(column)}>
                  <span className="esdl-MlflowTable-headerLabel">{column.label}</span>
                  <span className="esdl-MlflowTable-sortMark" aria-hidden="true">
                    {sorted ? (sort!.ascending ? '▲' : '▼') : ''}
                  </span>
                </button>
              </div>
            );
          })}
        </div>
        <div className="esdl-MlflowTable-body" style={{ transform: `translateY(${first * ROW_HEIGHT}px)` }}>
          {rows.slice(first, last).map((row, offset) => {
            const index = first + offset;
            const selected = props.isSelected(row.id);
            return (
              <div
                key={row.id}
                role="row"
                aria-rowindex={index + 2}
                aria-selected={selected}
                className="esdl-MlflowTable-row"
                data-status={row.run.info.status}
                data-deleted={row.run.info.lifecycle_stage === 'deleted' || undefined}
                style={{ gridTemplateColumns: template }}
              >
                <div role="cell" className="esdl-MlflowTable-check">
                  <input
                    type="checkbox"
                    aria-label={`Select run ${row.name}`}
                    checked={selected}
                    onChange={event =>
                      select(row, index, event.target.checked, (event.nativeEvent as MouseEvent).shiftKey)
                    }
                  />
                </div>
                {columns.map(column => (
                  <Cell
                    key={column.id}
                    table={table}
                    row={row}
                    column={column}
                    onOpen={props.onOpen}
                    onToggle={props.onToggle}
                  />
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

function Cell(props: {
  table: RunsTable;
  row: IRunRow;
  column: IColumn;
  onOpen: (id: string) => void;
  onToggle: (id: string) => void;
}): JSX.Element {
  const { row, column } = props;
  const cell = props.table.cell(row.run, column);
  if (column.kind === 'builtin' && column.key === 'name') {
    return (
      <div
        role="cell"
        className="esdl-MlflowTable-cell esdl-MlflowTable-name"
        style={{ paddingLeft: 4 + row.depth * 16 }}
      >
        {row.childCount > 0 ? (
          <button
            className="esdl-MlflowTable-toggle"
            aria-expanded={row.expanded}
            aria-label={`${row.expanded ? 'Hide' : 'Show'} the ${row.childCount} nested runs of ${row.name}`}
            onClick={() => props.onToggle(row.id)}
          >
            {row.expanded ? '▾' : '▸'}
          </button>
        ) : (
          <span className="esdl-MlflowTable-toggleSpace" />
        )}
        <button className="esdl-MlflowTable-open" title={cell.title} onClick={() => props.onOpen(row.id)}>
          {cell.text}
        </button>
        {row.childCount > 0 && <span className="esdl-MlflowTable-count">{row.childCount}</span>}
        {row.orphan && (
          <span className="esdl-MlflowTable-orphan" title={`Nested under run ${row.parentId}, which is not loaded`}>
            ↳
          </span>
        )}
      </div>
    );
  }
  if (column.kind === 'builtin' && column.key === 'status') {
    return (
      <div role="cell" className="esdl-MlflowTable-cell">
        <span className="esdl-Mlflow-status" data-status={cell.text}>
          {cell.text}
        </span>
      </div>
    );
  }
  return (
    <div
      role="cell"
      className="esdl-MlflowTable-cell"
      data-numeric={column.numeric || undefined}
      title={cell.title ?? (cell.text.length > 14 ? cell.text : undefined)}
    >
      {cell.text}
    </div>
  );
}
