/**
 * The user settings of the MLflow panel (schema/mlflow.json): their TypeScript shape and defaults. A test
 * checks that both agree with the schema.
 */

/** The built-in columns of the runs table. */
export type BuiltinColumn = 'name' | 'status' | 'start' | 'duration' | 'user' | 'source' | 'models' | 'datasets';

export const BUILTIN_COLUMNS: readonly BuiltinColumn[] = [
  'name',
  'status',
  'start',
  'duration',
  'user',
  'source',
  'models',
  'datasets'
];

export interface IMlflowSettings {
  columns: BuiltinColumn[];
  metricColumns: string[];
  paramColumns: string[];
  autoColumns: number;
  pageSize: number;
  autoRefresh: boolean;
  /** seconds */
  autoRefreshInterval: number;
  chartPoints: number;
  mlflowUiUrl: string;
}

export const DEFAULT_SETTINGS: Readonly<IMlflowSettings> = {
  columns: ['name', 'status', 'start', 'duration', 'user'],
  metricColumns: [],
  paramColumns: [],
  autoColumns: 6,
  pageSize: 100,
  autoRefresh: false,
  autoRefreshInterval: 30,
  chartPoints: 320,
  mlflowUiUrl: ''
};

/** The settings from the registry's composite values, anything missing or malformed falling back to defaults. */
export function readSettings(composite: Record<string, unknown>): IMlflowSettings {
  const strings = (value: unknown): string[] | null =>
    Array.isArray(value) && value.every(item => typeof item === 'string') ? (value as string[]) : null;
  const integer = (value: unknown, fallback: number): number =>
    typeof value === 'number' && Number.isFinite(value) ? Math.round(value) : fallback;
  const columns = strings(composite.columns)?.filter((c): c is BuiltinColumn =>
    BUILTIN_COLUMNS.includes(c as BuiltinColumn)
  );
  return {
    columns: columns ?? [...DEFAULT_SETTINGS.columns],
    metricColumns: strings(composite.metricColumns) ?? [],
    paramColumns: strings(composite.paramColumns) ?? [],
    autoColumns: integer(composite.autoColumns, DEFAULT_SETTINGS.autoColumns),
    pageSize: integer(composite.pageSize, DEFAULT_SETTINGS.pageSize),
    autoRefresh: typeof composite.autoRefresh === 'boolean' ? composite.autoRefresh : DEFAULT_SETTINGS.autoRefresh,
    autoRefreshInterval: integer(composite.autoRefreshInterval, DEFAULT_SETTINGS.autoRefreshInterval),
    chartPoints: integer(composite.chartPoints, DEFAULT_SETTINGS.chartPoints),
    mlflowUiUrl: typeof composite.mlflowUiUrl === 'string' ? composite.mlflowUiUrl.trim() : ''
  };
}
