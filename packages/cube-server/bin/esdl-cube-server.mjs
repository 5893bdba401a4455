#!/usr/bin/env node
// `npx esdl-cube-server --config cubes.yaml --port 8080` inside the repo.
import { runBundle } from './run-bundle.mjs';

await runBundle('src/cli/cube-server.ts', 'cube-server.mjs');
