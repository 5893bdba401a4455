/** The tool's version as recorded in every cube's provenance; a test keeps it equal to package.json's. */
export const TOOL_NAME = 'esdl-cube-gen';
export const TOOL_VERSION = '0.1.0';
