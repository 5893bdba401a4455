import { LabIcon } from '@jupyterlab/ui-components';

/** A stack of data layers with a magnifier: the data catalogue. */
export const catalogIcon = new LabIcon({
  name: 'esdl-lab:catalog',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16" height="16">' +
    '<g class="jp-icon3" fill="#616161">' +
    '<path d="M10 2 2 6l8 4 8-4-8-4zm-6.2 7.1L2 10l8 4 1.1-.55a6.5 6.5 0 0 1 .2-2.05L10 12 3.8 9.1zM2 14l8 4 1.5-.75a6.4 6.4 0 0 1-.75-1.8L10 16l-6.2-2.9L2 14z"/>' +
    '<path d="M17 11a4 4 0 1 0 2.2 7.35l2.6 2.6 1.4-1.4-2.6-2.6A4 4 0 0 0 17 11zm0 2a2 2 0 1 1 0 4 2 2 0 0 1 0-4z"/>' +
    '</g></svg>'
});

/** A folded map: open in the map viewer. */
export const mapIcon = new LabIcon({
  name: 'esdl-lab:catalog-map',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16" height="16">' +
    '<path class="jp-icon3" fill="#616161" d="M15 5.1 9 3 3 5v16l6-2 6 2 6-2V3l-6 2.1zM10 5.4l4 1.4v11.8l-4-1.4V5.4zM5 6.4l3-1v11.8l-3 1V6.4zm11 12.2V6.8l3-1v11.8l-3 1z"/>' +
    '</svg>'
});

/** A cube: open in the 3D cube. */
export const cubeIcon = new LabIcon({
  name: 'esdl-lab:catalog-cube',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16" height="16">' +
    '<path class="jp-icon3" fill="#616161" d="M12 2 3 7v10l9 5 9-5V7l-9-5zm0 2.3L18.7 8 12 11.7 5.3 8 12 4.3zM5 9.7l6 3.3v6.6l-6-3.3V9.7zm8 9.9V13l6-3.3v6.6l-6 3.3z"/>' +
    '</svg>'
});
