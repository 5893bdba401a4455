/** The cube server's version (the package version; esbuild inlines it into the bundle). */
import pkg from '../../package.json';

export const VERSION: string = pkg.version;
