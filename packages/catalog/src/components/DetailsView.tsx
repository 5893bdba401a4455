/**
 * A dataset's details: what it is (title, description rendered through JupyterLab's sanitizer), where and
 * when (extent map, time axis, dimensions), what it holds (variables with units, chunks, valid ranges and
 * colour maps), how to use and cite it (licence, DOI, citation, attribution), how it was made (provenance
 * and known limitations from cube-gen), and every attribute. Server strings are only ever text here.
 */
import { IZarrConsolidated } from '@esdl-lab/core';
import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import { addIcon, copyIcon } from '@jupyterlab/ui-components';
import React, { useEffect, useRef } from 'react';
import { IDatasetActions } from '../actions';
import { datasetDetails, formatBytes, safeHref } from '../details';
import { ICatalogEntry } from '../entry';
import { cubeIcon, mapIcon } from '../icons';
import { ActionButton, day } from './DatasetRow';
import { WorldMap } from './WorldMap';

/** Markdown from a server, rendered untrusted: JupyterLab's sanitizer removes scripts and handlers. */
function Markdown(props: { source: string; rendermime: IRenderMimeRegistry | null }): JSX.Element {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const node = host.current;
    if (!node) {
      return;
    }
    if (!props.rendermime) {
      node.textContent = props.source;
      return;
    }
    const renderer = props.rendermime.createRenderer('text/markdown');
    const model = new MimeModel({ data: { 'text/markdown': props.source }, trusted: false });
    let live = true;
    void renderer.renderModel(model).then(() => {
      if (live) {
        node.replaceChildren(renderer.node);
      }
    });
    return () => {
      live = false;
      renderer.dispose();
    };
  }, [props.source, props.rendermime]);
  return <div ref={host} className="esdl-Details-description" />;
}

function Field(props: { label: string; children: React.ReactNode }): JSX.Element | null {
  return (
    <>
      <dt>{props.label}</dt>
      <dd>{props.children}</dd>
    </>
  );
}

function degrees(value: number, positive: string, negative: string): string {
  return `${Math.abs(Math.round(value * 1000) / 1000)}°${value < 0 ? negative : positive}`;
}

export interface IDetailsViewProps {
  entry: ICatalogEntry;
  actions: IDatasetActions;
  rendermime: IRenderMimeRegistry | null;
  /** the dataset's Zarr metadata, `undefined` while loading, null when the server has none */
  zarr: IZarrConsolidated | null | undefined;
}

export function DetailsView(props: IDetailsViewProps): JSX.Element {
  const { entry, actions } = props;
  const details = datasetDetails(entry, props.zarr ?? null);
  const doiHref = details.doi ? safeHref(`https://doi.org/${details.doi}`) : null;
  const provenance = details.provenance;

  return (
    <article className="esdl-Details" aria-label={`Details of ${details.title}`}>
      <header className="esdl-Details-header">
        <h1>{details.title}</h1>
        <div className="esdl-Details-origin">
          {entry.serverTitle} · <code>{entry.id}</code>
          {entry.groupTitle ? ` · ${entry.groupTitle}` : ''}
        </div>
        {entry.tags.length > 0 && (
          <ul className="esdl-Catalog-tags" aria-label="Tags">
            {entry.tags.map(tag => (
              <li key={tag} className="esdl-Catalog-tag">
                {tag}
              </li>
            ))}
          </ul>
        )}
        <div className="esdl-Details-actions">
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-mod-accept"
            onClick={() => actions.insertCode(entry)}
          >
            <addIcon.react tag="span" elementSize="small" /> Insert code cell
          </button>
          <button type="button" className="jp-Button jp-mod-styled" onClick={() => actions.copyCode(entry)}>
            <copyIcon.react tag="span" elementSize="small" /> Copy code
          </button>
          {actions.openInViewer && (
            <button type="button" className="jp-Button jp-mod-styled" onClick={() => actions.openInViewer!(entry)}>
              <mapIcon.react tag="span" elementSize="small" /> Open in map viewer
            </button>
          )}
          {actions.openInCube3D && (
            <button type="button" className="jp-Button jp-mod-styled" onClick={() => actions.openInCube3D!(entry)}>
              <cubeIcon.react tag="span" elementSize="small" /> Open in 3D cube
            </button>
          )}
        </div>
      </header>

      {details.description && (
        <section aria-labelledby="esdl-details-about">
          <h2 id="esdl-details-about">About</h2>
          <Markdown source={details.description} rendermime={props.rendermime} />
        </section>
      )}

      <section className="esdl-Details-extent" aria-label="Extent">
        <h2>Extent</h2>
        <div className="esdl-Details-extentBody">
          <WorldMap
            bbox={details.bbox}
            label={details.bbox ? `Map of the dataset's extent` : 'The dataset has no known extent'}
            className="esdl-Details-map"
          />
          <dl className="esdl-Details-fields">
            {details.bbox && (
              <Field label="Area">
                <span className="esdl-Details-bbox">
                  {degrees(details.bbox[0], 'E', 'W')} – {degrees(details.bbox[2], 'E', 'W')},{' '}
                  {degrees(details.bbox[1], 'N', 'S')} – {degrees(details.bbox[3], 'N', 'S')}
                </span>
              </Field>
            )}
            {details.spatialRef && <Field label="Reference system">{details.spatialRef}</Field>}
            <Field label="Time">
              {details.time ? (
                <>
                  {day(details.time.start)} – {day(details.time.end)} ({details.time.count} steps
                  {details.time.step ? `, ${details.time.step}` : ''})
                </>
              ) : (
                'no time axis'
              )}
            </Field>
          </dl>
        </div>
      </section>

      <section aria-label="Dimensions">
        <h2>Dimensions</h2>
        <table className="esdl-Details-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Size</th>
              <th scope="col">Type</th>
              <th scope="col">From</th>
              <th scope="col">To</th>
            </tr>
          </thead>
          <tbody>
            {details.dimensions.map(dim => (
              <tr key={dim.name}>
                <th scope="row">{dim.name}</th>
                <td>{dim.size}</td>
                <td>{dim.dtype}</td>
                <td>{dim.first ?? ''}</td>
                <td>{dim.last ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-label="Variables">
        <h2>Variables</h2>
        {props.zarr === null && details.variables.some(variable => !variable.chunks) && (
          <p className="esdl-Details-note">
            Chunks are unknown: the server does not publish the dataset's Zarr metadata.
          </p>
        )}
        <div className="esdl-Details-scroll">
          <table className="esdl-Details-table esdl-Details-variables">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Long name</th>
                <th scope="col">Units</th>
                <th scope="col">Type</th>
                <th scope="col">Shape</th>
                <th scope="col">Chunks</th>
                <th scope="col">Valid range</th>
                <th scope="col">Colour map</th>
                <th scope="col">
                  <span className="esdl-Details-srOnly">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {details.variables.map(variable => (
                <tr key={variable.name} aria-label={variable.name}>
                  <th scope="row">
                    <code>{variable.name}</code>
                  </th>
                  <td title={variable.standardName ? `standard name: ${variable.standardName}` : undefined}>
                    {variable.longName}
                    {variable.description && <div className="esdl-Details-note">{variable.description}</div>}
                  </td>
                  <td>{variable.units}</td>
                  <td>{variable.dtype}</td>
                  <td>{variable.dims.map((dim, i) => `${dim} ${variable.shape[i] ?? '?'}`).join(' × ')}</td>
                  <td title={variable.compressor ? `compressor: ${variable.compressor}` : undefined}>
                    {variable.chunks ? variable.chunks.join(' × ') : props.zarr === undefined ? '…' : '—'}
                  </td>
                  <td>{variable.validRange ?? ''}</td>
                  <td>{variable.colorMap ?? ''}</td>
                  <td className="esdl-Details-rowActions">
                    <ActionButton
                      label={`Insert code cell for ${variable.name}`}
                      icon={addIcon}
                      onClick={() => actions.insertCode(entry, variable.name)}
                    />
                    <ActionButton
                      label={`Copy code for ${variable.name}`}
                      icon={copyIcon}
                      onClick={() => actions.copyCode(entry, variable.name)}
                    />
                    {actions.openInViewer && (
                      <ActionButton
                        label={`Open ${variable.name} in map viewer`}
                        icon={mapIcon}
                        onClick={() => actions.openInViewer!(entry, variable.name)}
                      />
                    )}
                    {actions.openInCube3D && (
                      <ActionButton
                        label={`Open ${variable.name} in 3D cube`}
                        icon={cubeIcon}
                        onClick={() => actions.openInCube3D!(entry, variable.name)}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-label="Use and citation">
        <h2>Use and citation</h2>
        <dl className="esdl-Details-fields">
          <Field label="Version">{details.version ?? 'not stated'}</Field>
          <Field label="Licence">{details.licence ?? 'not stated: ask the data provider before reuse'}</Field>
          <Field label="DOI">
            {details.doi ? (
              doiHref ? (
                <a href={doiHref} target="_blank" rel="noopener noreferrer">
                  {details.doi}
                </a>
              ) : (
                details.doi
              )
            ) : (
              'none'
            )}
          </Field>
          {details.citation && <Field label="Citation">{details.citation}</Field>}
          <Field label="Attribution">{details.attributions.length ? details.attributions.join('; ') : 'none'}</Field>
        </dl>
      </section>

      <section aria-label="Provenance">
        <h2>Provenance</h2>
        {provenance ? (
          <>
            <p>
              Made by {provenance.tool ?? 'an unnamed tool'}
              {provenance.toolVersion ? ` ${provenance.toolVersion}` : ''}
              {provenance.created ? ` on ${provenance.created}` : ''}.
            </p>
            {provenance.sources.length > 0 && (
              <>
                <h3>Sources</h3>
                <table className="esdl-Details-table">
                  <thead>
                    <tr>
                      <th scope="col">File</th>
                      <th scope="col">Format</th>
                      <th scope="col">Size</th>
                      <th scope="col">SHA-256</th>
                    </tr>
                  </thead>
                  <tbody>
                    {provenance.sources.map((source, index) => (
                      <tr key={index}>
                        <td>
                          <code>{source.path}</code>
                        </td>
                        <td>{source.format ?? ''}</td>
                        <td>{formatBytes(source.bytes)}</td>
                        <td>
                          <code className="esdl-Details-hash" title={source.sha256 ?? undefined}>
                            {source.sha256 ?? ''}
                          </code>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            )}
            {provenance.steps.length > 0 && (
              <>
                <h3>Processing steps</h3>
                <ol className="esdl-Details-steps">
                  {provenance.steps.map((step, index) => (
                    <li key={index}>{step}</li>
                  ))}
                </ol>
              </>
            )}
            <h3>Accuracy</h3>
            {provenance.accuracy.length > 0 ? (
              <ul className="esdl-Details-accuracy">
                {provenance.accuracy.map((note, index) => (
                  <li key={index}>
                    {note.variable && <code>{note.variable}</code>}
                    {note.variable ? ': ' : ''}
                    {note.note}
                  </li>
                ))}
              </ul>
            ) : (
              <p>No loss of accuracy was recorded.</p>
            )}
          </>
        ) : (
          <p className="esdl-Details-note">
            The server gives no provenance for this dataset (no <code>esdl_provenance</code> attribute).
          </p>
        )}
      </section>

      <section aria-label="Known limitations">
        <h2>Known limitations</h2>
        {details.limitations.length ? (
          <ul>
            {details.limitations.map((limitation, index) => (
              <li key={index}>{limitation}</li>
            ))}
          </ul>
        ) : (
          <p className="esdl-Details-note">None recorded.</p>
        )}
      </section>

      <section aria-label="Attributes">
        <details className="esdl-Details-attributes">
          <summary>All attributes ({details.attributes.length})</summary>
          <table className="esdl-Details-table">
            <tbody>
              {details.attributes.map(([key, value]) => (
                <tr key={key}>
                  <th scope="row">
                    <code>{key}</code>
                  </th>
                  <td>
                    <pre className="esdl-Details-value">{value}</pre>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </section>
    </article>
  );
}
