#!/usr/bin/env node
// Entry point of the `labs` command: runs the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';
register();
await import('../src/node/cli/main.ts');
