// Entry of the screen-copy worker thread. The runner's TypeScript runs through
// tsx, whose loader a worker thread does not inherit: register it here first.
import { register } from 'tsx/esm/api';

register();
await import('./screen-worker.ts');
