/**
 * Small pieces every MLflow view uses: messages for failures and for an MLflow server that is not configured
 * or down, sanitized Markdown notes, key-value tables, copy buttons. Every text from MLflow goes into React
 * text nodes (never HTML), except notes, which go through JupyterLab's sanitizer.
 */
import { MlflowError } from '@esdl-lab/core';
import { Clipboard } from '@jupyterlab/apputils';
import { renderMarkdown } from '@jupyterlab/rendermime';
import React, { useEffect, useRef, useState } from 'react';
import { MlflowService } from '../service';

const CONFIG_EXAMPLE = `# jupyter_server_config.py
c.ESDLLab.mlflow_url = "http://127.0.0.1:5000"
# or, before starting Jupyter: export MLFLOW_TRACKING_URI=http://127.0.0.1:5000`;

/** How to configure an MLflow server, with the server's own advice. */
export function ConfigureMlflow(props: { advice?: string | null }): JSX.Element {
  return (
    <div className="esdl-Mlflow-configure" role="status">
      <p>
        <strong>No MLflow tracking server is configured.</strong>
      </p>
      {props.advice && <p>{props.advice}</p>}
      <p>
        ESDL Lab reaches MLflow through the Jupyter server, which keeps its credentials. Give the Jupyter server the
        address of a running <code>mlflow server</code> in <code>c.ESDLLab.mlflow_url</code> or{' '}
        <code>MLFLOW_TRACKING_URI</code>, with <code>MLFLOW_TRACKING_USERNAME</code>/
        <code>MLFLOW_TRACKING_PASSWORD</code> or <code>MLFLOW_TRACKING_TOKEN</code> if it needs credentials, and restart
        JupyterLab:
      </p>
      <pre>{CONFIG_EXAMPLE}</pre>
    </div>
  );
}

/** A failure, in words: never a blank panel. */
export function ErrorMessage(props: { error: Error; onRetry?: () => void; title?: string }): JSX.Element {
  const { error } = props;
  if (error instanceof MlflowError && error.kind === 'unconfigured') {
    return <ConfigureMlflow advice={error.serverMessage} />;
  }
  const kind = error instanceof MlflowError ? error.kind : 'error';
  return (
    <div className="esdl-Mlflow-error" role="alert" data-kind={kind}>
      {props.title && <strong>{props.title} </strong>}
      <span className="esdl-Mlflow-errorText">{error.message}</span>
      {props.onRetry && (
        <button className="jp-Button jp-mod-styled jp-mod-reject esdl-Mlflow-retry" onClick={props.onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** What the status says about the MLflow server, when something is wrong with it. */
export function UpstreamNotice(props: { service: MlflowService }): JSX.Element | null {
  const upstream = props.service.upstream();
  if (!upstream) {
    return null;
  }
  if (upstream.state === 'unconfigured') {
    return <ConfigureMlflow advice={upstream.error} />;
  }
  if (upstream.state === 'down') {
    return (
      <div className="esdl-Mlflow-error" role="alert" data-kind="down">
        <strong>The MLflow server is down. </strong>
        <span className="esdl-Mlflow-errorText">{upstream.error ?? 'It does not answer.'}</span>
      </div>
    );
  }
  if (upstream.state === 'starting') {
    return (
      <div className="esdl-Mlflow-notice" role="status">
        The MLflow server is starting…
      </div>
    );
  }
  return null;
}

/** `mlflow.note.content` and other Markdown from MLflow, through JupyterLab's sanitizer; plain text without it. */
export function Note(props: { markdown: string; service: MlflowService; label?: string }): JSX.Element {
  const host = useRef<HTMLDivElement>(null);
  const rendermime = props.service.rendermime;
  useEffect(() => {
    if (!host.current || !rendermime) {
      return;
    }
    const node = host.current;
    node.textContent = '';
    void renderMarkdown({
      host: node,
      source: props.markdown,
      // notes come from whoever logged the run: never trusted
      trusted: false,
      sanitizer: rendermime.sanitizer,
      resolver: null,
      linkHandler: null,
      shouldTypeset: false,
      latexTypesetter: null,
      markdownParser: rendermime.markdownParser
    }).catch(() => {
      node.textContent = props.markdown;
    });
  }, [props.markdown, rendermime]);
  if (!rendermime) {
    return (
      <div className="esdl-Mlflow-note esdl-Mlflow-noteText" aria-label={props.label}>
        {props.markdown}
      </div>
    );
  }
  return <div ref={host} className="esdl-Mlflow-note jp-RenderedHTMLCommon" aria-label={props.label} />;
}

/** Key-value rows with a filter box when there are many. */
export function KeyValueTable(props: {
  label: string;
  rows: { key: string; value: string; title?: string; extra?: string[] }[];
  columns?: string[];
  empty?: string;
}): JSX.Element {
  const [filter, setFilter] = useState('');
  const needle = filter.trim().toLowerCase();
  const rows = needle
    ? props.rows.filter(row => row.key.toLowerCase().includes(needle) || row.value.toLowerCase().includes(needle))
    : props.rows;
  const columns = props.columns ?? ['Key', 'Value'];
  if (!props.rows.length) {
    return <div className="esdl-Mlflow-empty">{props.empty ?? 'None.'}</div>;
  }
  return (
    <div className="esdl-Mlflow-kv">
      {props.rows.length > 10 && (
        <input
          className="jp-InputGroup esdl-Mlflow-kvFilter"
          type="search"
          placeholder={`Filter ${props.label.toLowerCase()}`}
          aria-label={`Filter ${props.label.toLowerCase()}`}
          value={filter}
          onChange={event => setFilter(event.target.value)}
        />
      )}
      <table className="esdl-Mlflow-kvTable" aria-label={props.label}>
        <thead>
          <tr>
            {columns.map(column => (
              <th key={column}>{column}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(row => (
            <tr key={row.key}>
              <th scope="row">{row.key}</th>
              <td title={row.title}>{row.value}</td>
              {row.extra?.map((value, i) => (
                <td key={i}>{value}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A button that copies text and says so. */
export function CopyButton(props: { text: () => string; label: string; title?: string }): JSX.Element {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) {
      return;
    }
    const timer = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(timer);
  }, [copied]);
  return (
    <button
      className="jp-Button jp-mod-styled esdl-Mlflow-button"
      title={props.title}
      onClick={() => {
        Clipboard.copyToSystem(props.text());
        setCopied(true);
      }}
    >
      {copied ? 'Copied' : props.label}
    </button>
  );
}

/** A link to the MLflow UI, when its address is configured. */
export function MlflowUiLink(props: { href: string | null; what: string }): JSX.Element | null {
  if (!props.href) {
    return null;
  }
  return (
    <a className="esdl-Mlflow-link" href={props.href} target="_blank" rel="noopener noreferrer">
      Open {props.what} in MLflow UI
    </a>
  );
}

/** A status word with its colour. */
export function StatusBadge(props: { status: string }): JSX.Element {
  return (
    <span className="esdl-Mlflow-status" data-status={props.status}>
      {props.status}
    </span>
  );
}

/** Runs `work` for up to `limit` items at a time. */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++];
      await work(item);
    }
  });
  await Promise.all(workers);
}
