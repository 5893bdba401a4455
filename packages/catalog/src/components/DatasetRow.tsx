/**
 * One dataset in the list: preview, title, server and group, time extent, variables as chips, tags, and
 * its actions. Dragging the row onto a notebook drops the dataset's code cell there.
 */
import { addIcon, copyIcon, infoIcon } from '@jupyterlab/ui-components';
import React, { useRef } from 'react';
import { IDatasetActions } from '../actions';
import { ICatalogEntry } from '../entry';
import { cubeIcon, mapIcon } from '../icons';
import { Preview } from './Preview';

export const ROW_HEIGHT = 112;
const MAX_CHIPS = 6;
const DRAG_THRESHOLD = 5;

/** `YYYY-MM-DD` of an ISO label. */
export function day(label: string): string {
  return label.slice(0, 10);
}

export function timeExtent(entry: ICatalogEntry): string {
  if (!entry.timeStart || !entry.timeEnd) {
    return 'no time axis';
  }
  const range =
    entry.timeStart === entry.timeEnd ? day(entry.timeStart) : `${day(entry.timeStart)} – ${day(entry.timeEnd)}`;
  return `${range} · ${entry.timeCount} step${entry.timeCount === 1 ? '' : 's'}${entry.timeStep ? `, ${entry.timeStep}` : ''}`;
}

interface IActionButtonProps {
  label: string;
  icon: typeof addIcon;
  onClick: () => void;
}

export function ActionButton(props: IActionButtonProps): JSX.Element {
  return (
    <button
      type="button"
      className="esdl-Catalog-action jp-Button jp-mod-minimal"
      aria-label={props.label}
      title={props.label}
      onClick={event => {
        event.stopPropagation();
        props.onClick();
      }}
    >
      <props.icon.react tag="span" elementSize="small" />
    </button>
  );
}

export function DatasetRow(props: {
  entry: ICatalogEntry;
  actions: IDatasetActions;
  showPreview: boolean;
  position: number;
  count: number;
}): JSX.Element {
  const { entry, actions } = props;
  const start = useRef<{ x: number; y: number } | null>(null);

  const onMouseDown = (event: React.MouseEvent) => {
    if (event.button !== 0 || (event.target as HTMLElement).closest('button, a, input, select')) {
      return;
    }
    start.current = { x: event.clientX, y: event.clientY };
    const move = (moved: MouseEvent) => {
      const from = start.current;
      if (from && Math.hypot(moved.clientX - from.x, moved.clientY - from.y) > DRAG_THRESHOLD) {
        stop();
        actions.dragCode(entry, moved.clientX, moved.clientY);
      }
    };
    const stop = () => {
      start.current = null;
      document.removeEventListener('mousemove', move, true);
      document.removeEventListener('mouseup', stop, true);
    };
    document.addEventListener('mousemove', move, true);
    document.addEventListener('mouseup', stop, true);
  };

  const chips = entry.variables.slice(0, MAX_CHIPS);
  const more = entry.variables.length - chips.length;
  return (
    <div
      role="listitem"
      aria-label={entry.title}
      aria-setsize={props.count}
      aria-posinset={props.position}
      className="esdl-Catalog-item"
      data-server={entry.server}
      data-dataset={entry.id}
      title="Drag onto a notebook to insert the code that opens this dataset"
      onMouseDown={onMouseDown}
    >
      {props.showPreview && <Preview entry={entry} actions={actions} />}
      <div className="esdl-Catalog-itemBody">
        <div className="esdl-Catalog-itemHead">
          <button type="button" className="esdl-Catalog-title" onClick={() => actions.showDetails(entry)}>
            {entry.title}
          </button>
        </div>
        <div className="esdl-Catalog-meta">
          {entry.serverTitle}
          {entry.groupTitle ? ` · ${entry.groupTitle}` : ''}
        </div>
        <div className="esdl-Catalog-time" title={timeExtent(entry)}>
          {timeExtent(entry)}
        </div>
        <ul className="esdl-Catalog-chips" aria-label="Variables">
          {chips.map(variable => (
            <li
              key={variable.name}
              className="esdl-Catalog-chip"
              title={`${variable.title}${variable.units ? ` [${variable.units}]` : ''}`}
            >
              {variable.name}
            </li>
          ))}
          {more > 0 && <li className="esdl-Catalog-chip esdl-Catalog-chipMore">+{more}</li>}
        </ul>
        {entry.tags.length > 0 && (
          <ul className="esdl-Catalog-tags" aria-label="Tags">
            {entry.tags.map(tag => (
              <li key={tag} className="esdl-Catalog-tag">
                {tag}
              </li>
            ))}
          </ul>
        )}
        <div className="esdl-Catalog-actions">
          <ActionButton label="Show details" icon={infoIcon} onClick={() => actions.showDetails(entry)} />
          <ActionButton label="Insert code cell" icon={addIcon} onClick={() => actions.insertCode(entry)} />
          <ActionButton label="Copy code" icon={copyIcon} onClick={() => actions.copyCode(entry)} />
          {actions.openInViewer && (
            <ActionButton label="Open in map viewer" icon={mapIcon} onClick={() => actions.openInViewer!(entry)} />
          )}
          {actions.openInCube3D && (
            <ActionButton label="Open in 3D cube" icon={cubeIcon} onClick={() => actions.openInCube3D!(entry)} />
          )}
        </div>
      </div>
    </div>
  );
}
