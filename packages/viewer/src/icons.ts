import { LabIcon } from '@jupyterlab/ui-components';

/** A folded map: the map viewer. */
export const mapIcon = new LabIcon({
  name: 'esdl-lab:viewer',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16" height="16">' +
    '<path class="jp-icon3" fill="#616161" d="M15 5.1 9 3 3 5v16l6-2 6 2 6-2V3l-6 2.1zM10 5.4l4 1.4v11.8l-4-1.4V5.4zM5 6.4l3-1v11.8l-3 1V6.4zm11 12.2V6.8l3-1v11.8l-3 1z"/>' +
    '</svg>'
});
