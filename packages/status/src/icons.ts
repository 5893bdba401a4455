import { LabIcon } from '@jupyterlab/ui-components';

/** A cube over a stack of layers: the ESDL Lab services. */
export const servicesIcon = new LabIcon({
  name: 'esdl-lab:services',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16" height="16">' +
    '<path class="jp-icon3" fill="#616161" d="M12 2 3 6.5v11L12 22l9-4.5v-11L12 2zm0 2.2 6.8 3.4L12 11 5.2 7.6 12 4.2zM5 9.3l6 3v7.4l-6-3V9.3zm8 10.4v-7.4l6-3v7.4l-6 3z"/>' +
    '</svg>'
});
