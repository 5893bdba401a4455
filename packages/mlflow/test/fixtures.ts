/**
 * The recorded MLflow responses (test-fixtures/mlflow) the model tests read.
 */
import { IMlflowRun } from '@esdl-lab/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(__dirname, '..', '..', '..', 'test-fixtures', 'mlflow');

export function fixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf-8'));
}

/** Every run of experiment 1 that the recordings hold: 4 runs, a parent with 2 nested runs, a model run. */
export function experimentOneRuns(): IMlflowRun[] {
  const runs = new Map<string, IMlflowRun>();
  for (const name of ['runs-search-order-by-param', 'runs-search-filter-runname']) {
    for (const run of fixture<{ runs: IMlflowRun[] }>(name).runs) {
      runs.set(run.info.run_id, run);
    }
  }
  const model = fixture<{ run: IMlflowRun }>('runs-get-with-logged-model').run;
  runs.set(model.info.run_id, model);
  return [...runs.values()];
}

export const PARENT = '63c9a8194b834dfa90cff5b9f30322a0';
