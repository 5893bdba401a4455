/**
 * A run's artifacts (and the files of the models it logged): a folder tree that lists folders as they open,
 * previews of text, JSON, YAML, CSV (as a table) and images, and downloads. Files are read through the
 * proxy with the Jupyter credentials; nothing from an artifact is ever inserted as HTML.
 */
import { IMlflowFileInfo } from '@esdl-lab/core';
import React, { useEffect, useState } from 'react';
import { PREVIEW_LIMITS, imageType, looksLikeText, previewKind } from '../model/artifacts';
import { ICsvTable, parseCsv } from '../model/csv';
import { formatBytes } from '../model/format';
import { ErrorMessage } from './common';

/** Where files come from: a run's artifact store, or a logged model's folder. */
export interface IArtifactSource {
  id: string;
  label: string;
  list(path: string): Promise<IMlflowFileInfo[]>;
  fetch(path: string): Promise<Response>;
}

interface IFolder {
  loading: boolean;
  error: Error | null;
  files: IMlflowFileInfo[];
}

type Preview =
  | { kind: 'loading'; path: string }
  | { kind: 'error'; path: string; error: Error }
  | { kind: 'image'; path: string; url: string }
  | { kind: 'table'; path: string; table: ICsvTable }
  | { kind: 'text'; path: string; text: string; note?: string }
  | { kind: 'none'; path: string; note: string };

function nameOf(path: string): string {
  return path.split('/').pop() || path;
}

/** Saves a response's body under the file's name. */
async function download(source: IArtifactSource, path: string): Promise<void> {
  const response = await source.fetch(path);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = nameOf(path);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

async function readPreview(source: IArtifactSource, file: IMlflowFileInfo): Promise<Preview> {
  const path = file.path;
  const kind = previewKind(path);
  const size = file.file_size ?? 0;
  if (kind !== 'none' && size > PREVIEW_LIMITS[kind]) {
    return { kind: 'none', path, note: `${formatBytes(size)} is too large to preview. Download it.` };
  }
  if (kind === 'none' && size > PREVIEW_LIMITS.text) {
    return { kind: 'none', path, note: 'No preview for this kind of file. Download it.' };
  }
  const response = await source.fetch(path);
  if (kind === 'image') {
    const bytes = await response.arrayBuffer();
    return { kind: 'image', path, url: URL.createObjectURL(new Blob([bytes], { type: imageType(path) })) };
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (kind === 'none' && !looksLikeText(bytes)) {
    return { kind: 'none', path, note: 'A binary file: no preview. Download it.' };
  }
  const text = new TextDecoder().decode(bytes);
  if (kind === 'table') {
    return {
      kind: 'table',
      path,
      table: parseCsv(text, { delimiter: path.toLowerCase().endsWith('.tsv') ? '\t' : undefined })
    };
  }
  if (kind === 'json') {
    try {
      return { kind: 'text', path, text: JSON.stringify(JSON.parse(text), null, 2) };
    } catch (error) {
      return { kind: 'text', path, text, note: `Not valid JSON (${(error as Error).message}); shown as text.` };
    }
  }
  return { kind: 'text', path, text };
}

export function ArtifactBrowser(props: { sources: IArtifactSource[] }): JSX.Element {
  const [folders, setFolders] = useState<Map<string, IFolder>>(new Map());
  const [open, setOpen] = useState<Set<string>>(new Set(props.sources.map(source => `${source.id}:`)));
  const [selected, setSelected] = useState<{ source: IArtifactSource; file: IMlflowFileInfo } | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);

  const loadFolder = async (source: IArtifactSource, path: string) => {
    const key = `${source.id}:${path}`;
    setFolders(previous => new Map(previous).set(key, { loading: true, error: null, files: [] }));
    try {
      const files = await source.list(path);
      setFolders(previous => new Map(previous).set(key, { loading: false, error: null, files }));
    } catch (error) {
      setFolders(previous => new Map(previous).set(key, { loading: false, error: error as Error, files: [] }));
    }
  };

  useEffect(() => {
    for (const source of props.sources) {
      void loadFolder(source, '');
    }
  }, [props.sources.map(source => source.id).join(',')]);

  useEffect(() => {
    if (!selected) {
      return;
    }
    let cancelled = false;
    setPreview({ kind: 'loading', path: selected.file.path });
    readPreview(selected.source, selected.file)
      .then(result => {
        if (cancelled) {
          if (result.kind === 'image') {
            URL.revokeObjectURL(result.url);
          }
        } else {
          setPreview(result);
        }
      })
      .catch(error => !cancelled && setPreview({ kind: 'error', path: selected.file.path, error }));
    return () => {
      cancelled = true;
    };
  }, [selected]);

  useEffect(
    () => () => {
      if (preview?.kind === 'image') {
        URL.revokeObjectURL(preview.url);
      }
    },
    [preview]
  );

  const toggle = (source: IArtifactSource, path: string) => {
    const key = `${source.id}:${path}`;
    const next = new Set(open);
    if (next.has(key)) {
      next.delete(key);
    } else {
      next.add(key);
      if (!folders.has(key)) {
        void loadFolder(source, path);
      }
    }
    setOpen(next);
  };

  const renderFolder = (source: IArtifactSource, path: string, depth: number): JSX.Element => {
    const folder = folders.get(`${source.id}:${path}`);
    if (!folder || folder.loading) {
      return (
        <li className="esdl-MlflowArtifacts-loading" style={{ paddingLeft: depth * 14 }}>
          Loading…
        </li>
      );
    }
    if (folder.error) {
      return (
        <li style={{ paddingLeft: depth * 14 }}>
          <ErrorMessage error={folder.error} onRetry={() => void loadFolder(source, path)} />
        </li>
      );
    }
    if (!folder.files.length) {
      return (
        <li className="esdl-Mlflow-empty" style={{ paddingLeft: depth * 14 }}>
          {path ? 'Empty folder' : 'No artifacts'}
        </li>
      );
    }
    const sorted = [...folder.files].sort(
      (a, b) => Number(b.is_dir) - Number(a.is_dir) || a.path.localeCompare(b.path)
    );
    return (
      <>
        {sorted.map(file => {
          const key = `${source.id}:${file.path}`;
          if (file.is_dir) {
            const expanded = open.has(key);
            return (
              <li key={key} role="treeitem" aria-expanded={expanded} aria-level={depth + 1}>
                <button
                  className="esdl-MlflowArtifacts-item"
                  style={{ paddingLeft: depth * 14 + 4 }}
                  onClick={() => toggle(source, file.path)}
                >
                  {expanded ? '▾' : '▸'} {nameOf(file.path)}/
                </button>
                {expanded && <ul role="group">{renderFolder(source, file.path, depth + 1)}</ul>}
              </li>
            );
          }
          const isSelected = selected?.source.id === source.id && selected.file.path === file.path;
          return (
            <li key={key} role="treeitem" aria-selected={isSelected} aria-level={depth + 1}>
              <button
                className="esdl-MlflowArtifacts-item"
                data-selected={isSelected || undefined}
                style={{ paddingLeft: depth * 14 + 18 }}
                onClick={() => setSelected({ source, file })}
              >
                {nameOf(file.path)}
                <span className="esdl-MlflowArtifacts-size">{formatBytes(file.file_size)}</span>
              </button>
            </li>
          );
        })}
      </>
    );
  };

  return (
    <div className="esdl-MlflowArtifacts">
      <ul className="esdl-MlflowArtifacts-tree" role="tree" aria-label="Artifacts">
        {props.sources.map(source => (
          <li key={source.id} role="treeitem" aria-expanded={open.has(`${source.id}:`)} aria-level={1}>
            {props.sources.length > 1 && (
              <button
                className="esdl-MlflowArtifacts-item esdl-MlflowArtifacts-root"
                onClick={() => toggle(source, '')}
              >
                {open.has(`${source.id}:`) ? '▾' : '▸'} {source.label}
              </button>
            )}
            {open.has(`${source.id}:`) && (
              <ul role="group">{renderFolder(source, '', props.sources.length > 1 ? 1 : 0)}</ul>
            )}
          </li>
        ))}
      </ul>
      <div className="esdl-MlflowArtifacts-preview" aria-label="Artifact preview" role="region">
        {selected ? (
          <>
            <div className="esdl-MlflowArtifacts-previewHeader">
              <span className="esdl-MlflowArtifacts-path" title={selected.file.path}>
                {selected.file.path}
              </span>
              <button
                className="jp-Button jp-mod-styled esdl-Mlflow-button"
                onClick={() =>
                  void download(selected.source, selected.file.path).catch(error =>
                    setPreview({ kind: 'error', path: selected.file.path, error })
                  )
                }
              >
                Download
              </button>
            </div>
            <PreviewBody preview={preview} />
          </>
        ) : (
          <div className="esdl-Mlflow-empty">Choose a file to preview it.</div>
        )}
      </div>
    </div>
  );
}

function PreviewBody(props: { preview: Preview | null }): JSX.Element | null {
  const preview = props.preview;
  if (!preview || preview.kind === 'loading') {
    return <div className="esdl-Mlflow-empty">Loading…</div>;
  }
  switch (preview.kind) {
    case 'error':
      return <ErrorMessage error={preview.error} />;
    case 'none':
      return <div className="esdl-Mlflow-empty">{preview.note}</div>;
    case 'image':
      return <img className="esdl-MlflowArtifacts-image" src={preview.url} alt={preview.path} />;
    case 'text':
      return (
        <>
          {preview.note && <div className="esdl-Mlflow-notice">{preview.note}</div>}
          <pre className="esdl-MlflowArtifacts-text">{preview.text}</pre>
        </>
      );
    case 'table':
      return (
        <div className="esdl-MlflowArtifacts-tableWrap">
          <table className="esdl-MlflowArtifacts-table" aria-label={`Table ${preview.path}`}>
            <thead>
              <tr>
                {preview.table.header.map((cell, i) => (
                  <th key={i}>{cell}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {preview.table.rows.map((row, r) => (
                <tr key={r}>
                  {row.map((cell, c) => (
                    <td key={c}>{cell}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {preview.table.truncated && (
            <div className="esdl-Mlflow-notice">
              Showing the first {preview.table.rows.length} rows. Download the file for all.
            </div>
          )}
        </div>
      );
  }
}
