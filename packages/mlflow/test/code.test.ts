import { describe, expect, it } from 'vitest';
import { modelUris, runCode, runsCode } from '../src/model/code';
import { fixture } from './fixtures';

describe('copy code', () => {
  it('reads the run and loads its MLflow 3 logged model', () => {
    const run = fixture('runs-get-with-logged-model').run;
    const code = runCode(run, 'http://127.0.0.1:5000/');
    expect(code).toContain('mlflow.set_tracking_uri("http://127.0.0.1:5000/")');
    expect(code).toContain('run = mlflow.get_run("614687bb18794c83a4497299137d579b")');
    expect(code).toContain('model = mlflow.pyfunc.load_model("models:/m-18b5d5ecbfce4e9c9cff6268cc19e81f")');
  });

  it('downloads the artifacts of a run without a model, and relies on MLFLOW_TRACKING_URI', () => {
    const code = runCode(fixture('runs-get').run);
    expect(code).toContain('MLFLOW_TRACKING_URI');
    expect(code).toContain('mlflow.artifacts.download_artifacts(run_id="2983c368d70a4f539d9fc2bf74827064")');
  });

  it("finds MLflow 2's logged models in mlflow.log-model.history", () => {
    const run = fixture('runs-get').run;
    const tagged = {
      ...run,
      data: {
        ...run.data,
        tags: [{ key: 'mlflow.log-model.history', value: JSON.stringify([{ artifact_path: 'model' }]) }]
      }
    };
    expect(modelUris(tagged)).toEqual(['runs:/2983c368d70a4f539d9fc2bf74827064/model']);
    expect(modelUris({ ...tagged, data: { tags: [{ key: 'mlflow.log-model.history', value: 'not json' }] } })).toEqual(
      []
    );
  });

  it('searches several runs at once', () => {
    const code = runsCode(fixture('runs-search-p1').runs);
    expect(code).toContain('experiment_ids=["3", "1", "2"]');
    expect(code).toContain("attributes.run_id IN ('b259aec0cc53419d8bf6d0115295794e'");
  });
});
