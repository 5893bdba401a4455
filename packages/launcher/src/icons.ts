import { LabIcon } from '@jupyterlab/ui-components';

/** A GPU board: kernel profiles with GPUs and their jobs. */
export const gpuIcon = new LabIcon({
  name: 'esdl-lab:gpu',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16" height="16">' +
    '<g class="jp-icon3" fill="#616161">' +
    '<path d="M2 6h20v11H2V6zm2 2v7h16V8H4zm1.5 1.5h5v4h-5v-4zm7 0h5v4h-5v-4zM5 18h2v2H5v-2zm4 0h2v2H9v-2zm4 0h2v2h-2v-2zm4 0h2v2h-2v-2z"/>' +
    '</g></svg>'
});
