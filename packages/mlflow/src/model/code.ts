/**
 * "Copy code": Python that reads a run with MLflow's own client and loads the model it logged.
 */
import { IMlflowRun } from '@esdl-lab/core';

/** A Python string literal. JSON's escapes are valid in Python for the ids and paths MLflow uses. */
function py(text: string): string {
  return JSON.stringify(text);
}

/** The URIs of the models a run logged: MLflow 3 logged models, then MLflow 2's `runs:/` artifact paths. */
export function modelUris(run: IMlflowRun): string[] {
  const uris = (run.outputs?.model_outputs ?? []).map(output => `models:/${output.model_id}`);
  const history = run.data.tags?.find(tag => tag.key === 'mlflow.log-model.history')?.value;
  if (history) {
    try {
      for (const entry of JSON.parse(history) as { artifact_path?: string }[]) {
        if (entry.artifact_path) {
          uris.push(`runs:/${run.info.run_id}/${entry.artifact_path}`);
        }
      }
    } catch {
      // a malformed tag adds no model
    }
  }
  return [...new Set(uris)];
}

/**
 * The code for one run. `trackingUri` is where a kernel on the Jupyter server reaches MLflow, when known;
 * otherwise the code relies on MLFLOW_TRACKING_URI in the kernel's environment.
 */
export function runCode(run: IMlflowRun, trackingUri?: string | null): string {
  const lines = ['import mlflow', ''];
  if (trackingUri) {
    lines.push(`mlflow.set_tracking_uri(${py(trackingUri)})`);
  } else {
    lines.push('# the kernel finds the tracking server in MLFLOW_TRACKING_URI; or set it:');
    lines.push('# mlflow.set_tracking_uri("http://…")');
  }
  lines.push(`run = mlflow.get_run(${py(run.info.run_id)})`);
  lines.push('print(run.info.run_name, run.info.status)');
  lines.push('print(run.data.params)');
  lines.push('print(run.data.metrics)');
  const models = modelUris(run);
  if (models.length) {
    lines.push('');
    lines.push(`model = mlflow.pyfunc.load_model(${py(models[0])})`);
    for (const other of models.slice(1)) {
      lines.push(`# also logged: mlflow.pyfunc.load_model(${py(other)})`);
    }
  } else {
    lines.push('');
    lines.push('# this run logged no model; its artifacts:');
    lines.push(`path = mlflow.artifacts.download_artifacts(run_id=${py(run.info.run_id)})`);
  }
  return `${lines.join('\n')}\n`;
}

/** The code to compare several runs as a pandas DataFrame. */
export function runsCode(runs: readonly IMlflowRun[], trackingUri?: string | null): string {
  const ids = runs.map(run => py(run.info.run_id)).join(', ');
  const experiments = [...new Set(runs.map(run => py(run.info.experiment_id)))].join(', ');
  return (
    [
      'import mlflow',
      '',
      trackingUri
        ? `mlflow.set_tracking_uri(${py(trackingUri)})`
        : '# the kernel finds the tracking server in MLFLOW_TRACKING_URI',
      `runs = mlflow.search_runs(experiment_ids=[${experiments}], filter_string="attributes.run_id IN (${runs
        .map(run => `'${run.info.run_id}'`)
        .join(', ')})")`,
      `# the same runs: ${ids}`,
      'runs'
    ].join('\n') + '\n'
  );
}
