/**
 * The typed, fetch-based client of MLflow's REST API 2.0, through `/esdl-lab/mlflow/`.
 */
export * from './client';
export * from './errors';
export * from './types';
