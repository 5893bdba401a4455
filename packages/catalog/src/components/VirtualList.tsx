/**
 * A virtualized list: only the rows in view (and a few beyond) are in the DOM, so 10,000 datasets scroll
 * and filter as fast as ten. Rows have fixed heights by kind; positions are prefix sums.
 */
import React, { useEffect, useMemo, useRef, useState } from 'react';

export interface IVirtualListProps<T> {
  rows: T[];
  rowHeight: (row: T) => number;
  rowKey: (row: T) => string;
  renderRow: (row: T, index: number) => React.ReactNode;
  /** the accessible name of the list */
  label: string;
  className?: string;
  /** rows rendered beyond the visible ones on each side */
  overscan?: number;
  /** a key that, when it changes, scrolls back to the top (e.g. a new query) */
  resetKey?: string;
}

/** The index of the last row whose top is at or above `offset`. */
function rowAt(offsets: Float64Array, offset: number): number {
  let low = 0;
  let high = offsets.length - 2;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (offsets[middle] <= offset) {
      low = middle;
    } else {
      high = middle - 1;
    }
  }
  return Math.max(0, low);
}

export function VirtualList<T>(props: IVirtualListProps<T>): JSX.Element {
  const { rows, rowHeight, rowKey, renderRow, overscan = 4 } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);

  const offsets = useMemo(() => {
    const result = new Float64Array(rows.length + 1);
    for (let i = 0; i < rows.length; i++) {
      result[i + 1] = result[i] + rowHeight(rows[i]);
    }
    return result;
  }, [rows, rowHeight]);

  useEffect(() => {
    const node = scroller.current;
    if (!node) {
      return;
    }
    setHeight(node.clientHeight || 600);
    const observer = new ResizeObserver(() => setHeight(node.clientHeight || 600));
    observer.observe(node);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    if (scroller.current) {
      scroller.current.scrollTop = 0;
    }
    setScrollTop(0);
  }, [props.resetKey]);

  const total = offsets[rows.length];
  const first = rows.length ? Math.max(0, rowAt(offsets, scrollTop) - overscan) : 0;
  const last = rows.length ? Math.min(rows.length - 1, rowAt(offsets, scrollTop + height) + overscan) : -1;
  const visible: React.ReactNode[] = [];
  for (let i = first; i <= last; i++) {
    visible.push(
      <div
        key={rowKey(rows[i])}
        className="esdl-VirtualList-row"
        style={{ transform: `translateY(${offsets[i]}px)`, height: offsets[i + 1] - offsets[i] }}
      >
        {renderRow(rows[i], i)}
      </div>
    );
  }

  return (
    <div
      ref={scroller}
      className={`esdl-VirtualList ${props.className ?? ''}`}
      onScroll={event => setScrollTop((event.target as HTMLDivElement).scrollTop)}
    >
      <div role="list" aria-label={props.label} className="esdl-VirtualList-inner" style={{ height: total }}>
        {visible}
      </div>
    </div>
  );
}
