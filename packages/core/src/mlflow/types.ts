/**
 * JSON shapes of MLflow's REST API 2.0 as an MLflow 3.x tracking server sends them (see the recorded responses
 * in test-fixtures/mlflow). MLflow leaves out empty lists and default values: `{}` is a valid answer with no
 * runs, and a run without params has no `params` key, so every list here is optional.
 */

/** A key and a value, as MLflow sends params and tags. */
export interface IMlflowKeyValue {
  key: string;
  value: string;
}

/** One value of a metric at a step. `run_id` is set only by the bulk endpoints. */
export interface IMlflowMetric {
  key: string;
  value: number;
  /** milliseconds since the epoch */
  timestamp: number;
  step: number;
  run_id?: string;
}

export type MlflowLifecycleStage = 'active' | 'deleted';

/** `ACTIVE_ONLY` is MLflow's default; `DELETED_ONLY` shows what is in the trash. */
export type MlflowViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

export type MlflowRunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

export interface IMlflowExperiment {
  experiment_id: string;
  name: string;
  artifact_location?: string;
  lifecycle_stage: MlflowLifecycleStage;
  /** milliseconds since the epoch */
  last_update_time?: number;
  creation_time?: number;
  tags?: IMlflowKeyValue[];
}

export interface IMlflowRunInfo {
  run_id: string;
  /** the old name of run_id, still sent */
  run_uuid?: string;
  experiment_id: string;
  run_name?: string;
  user_id?: string;
  status: MlflowRunStatus;
  start_time?: number;
  /** absent while the run is running */
  end_time?: number;
  artifact_uri?: string;
  lifecycle_stage: MlflowLifecycleStage;
}

export interface IMlflowRunData {
  /** the latest value of each metric */
  metrics?: IMlflowMetric[];
  params?: IMlflowKeyValue[];
  tags?: IMlflowKeyValue[];
}

export interface IMlflowDataset {
  name: string;
  digest: string;
  source_type: string;
  /** JSON text, e.g. `{"uri": "…"}` */
  source: string;
  /** JSON text, e.g. `{"mlflow_colspec": [...]}` */
  schema?: string;
  /** JSON text, e.g. `{"num_rows": 2}` */
  profile?: string;
}

export interface IMlflowDatasetInput {
  tags?: IMlflowKeyValue[];
  dataset: IMlflowDataset;
}

export interface IMlflowRunInputs {
  dataset_inputs?: IMlflowDatasetInput[];
  /** MLflow 3: the logged models the run used */
  model_inputs?: { model_id: string }[];
}

export interface IMlflowRunOutputs {
  /** MLflow 3: the logged models the run produced */
  model_outputs?: { model_id: string; step?: number }[];
}

export interface IMlflowRun {
  info: IMlflowRunInfo;
  data: IMlflowRunData;
  inputs?: IMlflowRunInputs;
  outputs?: IMlflowRunOutputs;
}

/** One entry of an artifact listing; `path` is relative to the run's artifact root. */
export interface IMlflowFileInfo {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

export interface IMlflowArtifactList {
  root_uri?: string;
  /** absent when the folder is empty */
  files?: IMlflowFileInfo[];
}

/** An MLflow 3 logged model (`logged-models/…`). */
export interface IMlflowLoggedModel {
  info: {
    model_id: string;
    experiment_id: string;
    name: string;
    creation_timestamp_ms?: number;
    last_updated_timestamp_ms?: number;
    artifact_uri?: string;
    status?: string;
    model_type?: string;
    source_run_id?: string;
    tags?: IMlflowKeyValue[];
  };
  data?: {
    params?: IMlflowKeyValue[];
    metrics?: IMlflowMetric[];
  };
}

/** `experiments/search-datasets`: the datasets the runs of some experiments used. */
export interface IMlflowDatasetSummary {
  experiment_id: string;
  name: string;
  digest: string;
  context?: string;
}

export interface IMlflowModelVersion {
  name: string;
  version: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  current_stage?: string;
  description?: string;
  source?: string;
  run_id?: string;
  status?: string;
  run_link?: string;
  aliases?: string[];
}

export interface IMlflowRegisteredModel {
  name: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  latest_versions?: IMlflowModelVersion[];
  tags?: IMlflowKeyValue[];
  aliases?: { alias: string; version: string }[];
}

/** A page of results and the opaque token of the next page (absent on the last page). */
export interface IMlflowPage<T> {
  items: T[];
  nextPageToken: string | null;
}

/** What `experiments/search` takes. */
export interface IExperimentSearch {
  /** MLflow's filter syntax for experiments, e.g. `name LIKE '%era5%'` */
  filter?: string;
  /** how many per page; MLflow requires it on POST (default here: 100) */
  maxResults?: number;
  orderBy?: string[];
  viewType?: MlflowViewType;
  pageToken?: string | null;
}

/** What `runs/search` takes. */
export interface IRunSearch {
  experimentIds: string[];
  /** MLflow's filter syntax, e.g. `metrics.rmse < 1 and params.lr = "0.01"` */
  filter?: string;
  runViewType?: MlflowViewType;
  /** how many per page (MLflow's UI asks for 100; the server allows up to 50,000) */
  maxResults?: number;
  orderBy?: string[];
  pageToken?: string | null;
}
