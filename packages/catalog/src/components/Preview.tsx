/**
 * A dataset's preview tile in the list: requested only when its row has stayed in view for a moment, so
 * that scrolling through thousands of datasets does not flood the cube servers.
 */
import React, { useEffect, useState } from 'react';
import { IDatasetActions } from '../actions';
import { ICatalogEntry } from '../entry';
import { previewUrl, previewVariable } from '../previews';

const DELAY_MS = 150;

export function Preview(props: { entry: ICatalogEntry; actions: IDatasetActions }): JSX.Element {
  const { entry, actions } = props;
  const [url, setUrl] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      previewUrl(actions.client(entry.server), entry, controller.signal).then(
        found => !controller.signal.aborted && setUrl(found),
        error => !controller.signal.aborted && setProblem(error instanceof Error ? error.message : String(error))
      );
    }, DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [entry.key]);

  const variable = previewVariable(entry);
  return (
    <div className="esdl-Catalog-preview" title={problem ? `No preview: ${problem}` : undefined}>
      {url && <img src={url} alt={`Preview of ${variable?.title ?? entry.title}`} draggable={false} />}
    </div>
  );
}
