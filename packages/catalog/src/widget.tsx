/**
 * The Lumino widgets: the catalogue sidebar, and a dataset's details in the main area.
 */
import { IZarrConsolidated } from '@esdl-lab/core';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import { ISignal, Signal } from '@lumino/signaling';
import React from 'react';
import { ICatalogSettings, IDatasetActions, DEFAULT_SETTINGS } from './actions';
import { CatalogView } from './components/CatalogView';
import { DetailsView } from './components/DetailsView';
import { catalogIcon } from './icons';
import { CatalogModel } from './model';

/** The current settings, with a signal when the user changes them. */
export class CatalogSettings {
  get value(): ICatalogSettings {
    return this._value;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  update(value: Partial<ICatalogSettings>): void {
    this._value = { ...this._value, ...value };
    this._changed.emit();
  }

  private _value: ICatalogSettings = DEFAULT_SETTINGS;
  private _changed = new Signal<this, void>(this);
}

export class CatalogPanel extends ReactWidget {
  constructor(
    private readonly _model: CatalogModel,
    private readonly _actions: IDatasetActions,
    private readonly _settings: CatalogSettings
  ) {
    super();
    this.id = 'esdl-lab-catalog';
    this.addClass('esdl-Catalog');
    this.title.icon = catalogIcon;
    this.title.caption = 'Data catalogue';
    this._settings.changed.connect(() => this.update());
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._model.start();
  }

  render(): JSX.Element {
    return <CatalogView model={this._model} actions={this._actions} settings={this._settings.value} />;
  }
}

/** One dataset's details; it waits for the catalogue when restored before the servers were listed. */
export class DetailsWidget extends ReactWidget {
  constructor(
    private readonly _model: CatalogModel,
    private readonly _actions: IDatasetActions,
    private readonly _rendermime: IRenderMimeRegistry | null,
    readonly server: string,
    readonly datasetId: string
  ) {
    super();
    this.id = `esdl-lab-details-${server}-${datasetId}`.replace(/[^A-Za-z0-9_-]/g, '_');
    this.addClass('esdl-Details-panel');
    this.title.icon = catalogIcon;
    this.title.label = datasetId;
    this.title.closable = true;
    this._model.changed.connect(this._onModelChanged, this);
    this._model.start();
    this._onModelChanged();
  }

  dispose(): void {
    this._model.changed.disconnect(this._onModelChanged, this);
    super.dispose();
  }

  render(): JSX.Element {
    const entry = this._model.entry(`${this.server}/${this.datasetId}`);
    if (!entry) {
      const listing = this._model.servers.find(server => server.name === this.server);
      const text = !listing
        ? `Cube server '${this.server}' is not configured (any more).`
        : listing.state === 'loading'
          ? `Reading dataset '${this.datasetId}' of ${listing.title}…`
          : listing.state === 'error'
            ? `${listing.title} cannot be listed: ${listing.problem?.message ?? 'unknown error'}`
            : `${listing.title} has no dataset '${this.datasetId}' (any more).`;
      return (
        <div className="esdl-Details esdl-Details-missing" role="status">
          {text}
        </div>
      );
    }
    return <DetailsView entry={entry} actions={this._actions} rendermime={this._rendermime} zarr={this._zarr} />;
  }

  private _onModelChanged(): void {
    const entry = this._model.entry(`${this.server}/${this.datasetId}`);
    if (entry) {
      this.title.label = entry.title;
      this.title.caption = `${entry.title} (${entry.serverTitle})`;
      if (this._zarr === undefined && !this._zarrRequested) {
        this._zarrRequested = true;
        this._model
          .client(this.server)
          .zarrMetadata(this.datasetId)
          .then(
            zarr => (this._zarr = zarr),
            () => (this._zarr = null)
          )
          .then(() => this.update());
      }
    }
    this.update();
  }

  private _zarr: IZarrConsolidated | null | undefined = undefined;
  private _zarrRequested = false;
}
