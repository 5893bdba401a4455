/**
 * The "ESDL services" panel and its status-bar item: the state of every upstream, so that a user sees
 * at once why a feature has no data.
 */
import { IStatusModel } from '@esdl-lab/core';
import { ReactWidget, UseSignal, refreshIcon, ToolbarButtonComponent } from '@jupyterlab/ui-components';
import React from 'react';
import { serviceRow, summary } from './model';
import { servicesIcon } from './icons';

function ServicesList(props: { model: IStatusModel }): JSX.Element {
  const { model } = props;
  const rows = model.upstreams().map(serviceRow);
  return (
    <div className="esdl-Services-body">
      {model.error && (
        <div className="esdl-Services-error" role="alert">
          Could not read the service status: {model.error.message}
        </div>
      )}
      {!model.status && !model.error && <div className="esdl-Services-empty">Checking services…</div>}
      {model.status && rows.length === 0 && (
        <div className="esdl-Services-empty">
          No upstream is configured. Add cube servers with <code>c.ESDLLab.cube_servers</code> and an MLflow server with{' '}
          <code>c.ESDLLab.mlflow_url</code> in your Jupyter server configuration.
        </div>
      )}
      <ul className="esdl-Services-list" aria-label="ESDL services">
        {rows.map(row => (
          <li
            key={row.key}
            className="esdl-Services-item"
            data-state={row.state}
            aria-label={`${row.title}: ${row.stateLabel}`}
          >
            <div className="esdl-Services-line">
              <span className="esdl-Services-dot" aria-hidden="true" />
              <span className="esdl-Services-title">{row.title}</span>
              <span className="esdl-Services-state">{row.stateLabel}</span>
            </div>
            <div className="esdl-Services-meta">
              {row.kind}
              {row.version ? ` · version ${row.version}` : ''}
            </div>
            {row.detail && <div className="esdl-Services-detail">{row.detail}</div>}
          </li>
        ))}
      </ul>
    </div>
  );
}

export class ServicesPanel extends ReactWidget {
  constructor(private readonly _model: IStatusModel) {
    super();
    this.id = 'esdl-lab-services';
    this.addClass('esdl-Services');
    this.title.icon = servicesIcon;
    this.title.caption = 'ESDL services';
  }

  render(): JSX.Element {
    return (
      <>
        <div className="esdl-Services-header">
          <h2>ESDL services</h2>
          <ToolbarButtonComponent
            icon={refreshIcon}
            tooltip="Check the services again"
            onClick={() => void this._model.refresh()}
          />
        </div>
        <UseSignal signal={this._model.changed}>{() => <ServicesList model={this._model} />}</UseSignal>
      </>
    );
  }
}

export class ServicesStatusItem extends ReactWidget {
  constructor(
    private readonly _model: IStatusModel,
    private readonly _onClick: () => void
  ) {
    super();
    this.addClass('esdl-ServicesStatus');
  }

  render(): JSX.Element {
    return (
      <UseSignal signal={this._model.changed}>
        {() => {
          const { text, level, tooltip } = summary(this._model);
          return (
            <button
              className="esdl-ServicesStatus-button"
              data-level={level}
              title={tooltip}
              aria-label={`ESDL services: ${text}. ${tooltip}`}
              onClick={this._onClick}
            >
              <servicesIcon.react tag="span" className="esdl-ServicesStatus-icon" />
              <span>{text}</span>
            </button>
          );
        }}
      </UseSignal>
    );
  }
}
