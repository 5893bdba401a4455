/**
 * What the services view shows, derived from the status model's answer: one row per upstream with a
 * label, a state and the advice a user needs. DOM-free so that it can be tested on its own.
 */
import { IStatusModel, IUpstreamStatus, UpstreamState } from '@esdl-lab/core';

export interface IServiceRow {
  key: string;
  kind: string;
  title: string;
  state: UpstreamState;
  stateLabel: string;
  detail: string | null;
  version: string | null;
}

const KIND_LABELS: Record<string, string> = {
  cube: 'Cube server',
  mlflow: 'MLflow tracking server'
};

const STATE_LABELS: Record<UpstreamState, string> = {
  up: 'up',
  starting: 'starting',
  down: 'down',
  idle: 'idle, starts on first use',
  unconfigured: 'not configured'
};

export function serviceRow(upstream: IUpstreamStatus): IServiceRow {
  const details: string[] = [];
  if (upstream.error) {
    details.push(upstream.error);
  }
  if (upstream.managed && upstream.pid) {
    details.push(`managed process ${upstream.pid}` + (upstream.restarts ? `, restarted ${upstream.restarts}×` : ''));
  }
  return {
    key: `${upstream.kind}/${upstream.name}`,
    kind: KIND_LABELS[upstream.kind] ?? upstream.kind,
    title: upstream.title || upstream.name,
    state: upstream.state,
    stateLabel: STATE_LABELS[upstream.state] ?? upstream.state,
    detail: details.length ? details.join(' · ') : null,
    version: upstream.version
  };
}

/** A one-line summary for the status bar, such as "ESDL 2/3 up". */
export function summary(model: Pick<IStatusModel, 'status' | 'error'>): {
  text: string;
  level: 'ok' | 'warn' | 'error' | 'unknown';
  tooltip: string;
} {
  if (!model.status) {
    return model.error
      ? { text: 'ESDL: no status', level: 'error', tooltip: model.error.message }
      : { text: 'ESDL…', level: 'unknown', tooltip: 'Waiting for the ESDL Lab server extension' };
  }
  const configured = model.status.upstreams.filter(u => u.state !== 'unconfigured');
  const up = configured.filter(u => u.state === 'up' || u.state === 'idle');
  const down = configured.filter(u => u.state === 'down');
  const tooltip = model.status.upstreams
    .map(u => `${u.title || u.name}: ${STATE_LABELS[u.state]}${u.error ? ` (${u.error})` : ''}`)
    .join('\n');
  const level = model.error || down.length ? (up.length ? 'warn' : 'error') : 'ok';
  return {
    text: `ESDL ${up.length}/${configured.length}`,
    level: configured.length === 0 ? 'warn' : level,
    tooltip:
      (model.error ? `Status request failed: ${model.error.message}\n` : '') + (tooltip || 'No upstream configured')
  };
}
