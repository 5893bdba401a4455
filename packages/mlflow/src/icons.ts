import { LabIcon } from '@jupyterlab/ui-components';

/** Runs as lines rising to a target: the MLflow run panel. */
export const mlflowIcon = new LabIcon({
  name: 'esdl-lab:mlflow',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16" height="16">' +
    '<path class="jp-icon3" fill="#616161" d="M3 3h2v16h16v2H3V3zm4 12.6 4.3-4.3 3 3 5.3-5.3 1.4 1.4-6.7 6.7-3-3-2.9 2.9L7 15.6z"/>' +
    '<circle class="jp-icon3" fill="#616161" cx="19.5" cy="5.5" r="2"/>' +
    '</svg>'
});
