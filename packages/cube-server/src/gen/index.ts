/** cube-gen for programs: `generateCube({ recipe: 'recipes/coads.yaml', outputDir, force, log, signal })`. */
export { generateCube } from './generate';
export type { GenerateOptions, GenerateResult } from './generate';
export { loadRecipe, parseRecipe } from './recipe';
export type { Recipe } from './recipe';
export { CubeGenAborted, CubeGenError } from './errors';
export { TOOL_NAME, TOOL_VERSION } from './version';
