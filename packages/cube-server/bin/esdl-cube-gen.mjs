#!/usr/bin/env node
// `npx esdl-cube-gen RECIPE.yaml` inside the repo.
import { runBundle } from './run-bundle.mjs';

await runBundle('src/cli/cube-gen.ts', 'cube-gen.mjs');
