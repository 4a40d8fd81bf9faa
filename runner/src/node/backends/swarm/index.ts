export { SwarmBackend, type SwarmBackendOptions, type SwarmHandle } from './swarm-backend.ts';
export { ENGINE_LABEL, readTlsDir, type TlsClientFiles } from './node-engines.ts';
export { detectSwarmPool } from './detect.ts';
