/**
 * The charts, loaded with `await import('./chart')` when a chart first opens, never at JupyterLab start-up.
 */
export { LineChart, formatX } from './line-chart';
export type { ILineChartOptions, IHover } from './line-chart';
export { ParamsChart, valueColor } from './params-chart';
export type { IParamsChartRun } from './params-chart';
