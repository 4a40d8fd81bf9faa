// How the runner reaches the Docker Engine of each swarm node: the swarm is the
// register. An instructor labels each node with its engine's endpoint
//   docker node update --label-add kdlabs.engine=tcp://10.0.0.12:2376 <node>
// and gives the runner one client certificate (ca.pem, cert.pem, key.pem in a
// directory) that every node's engine trusts (dockerd --tlsverify). A tcp://
// endpoint is only ever used with mutual TLS; a unix:// one (the runner's own
// machine) needs none. Clients are made once per endpoint.
import Docker from 'dockerode';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINE_NODE_LABEL } from '../../../common/lab-schema.ts';

export const ENGINE_LABEL = ENGINE_NODE_LABEL;

export type Endpoint = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

/** Reads a node's `kdlabs.engine` label; an error names what is wrong and what is expected. */
export function parseEndpoint(label: string | undefined): { ok: true; endpoint: Endpoint } | { ok: false; message: string } {
  if (!label) return { ok: false, message: `no ${ENGINE_LABEL} label (expected tcp://<address>:2376 for its TLS endpoint, or unix:///var/run/docker.sock on the runner's machine)` };
  const unix = /^unix:\/\/(\/.+)$/.exec(label);
  if (unix) return { ok: true, endpoint: { kind: 'unix', path: unix[1]! } };
  const tcp = /^tcp:\/\/(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(label);
  if (tcp && Number(tcp[2]) > 0 && Number(tcp[2]) < 65536) return { ok: true, endpoint: { kind: 'tcp', host: tcp[1]!.replace(/^\[|\]$/g, ''), port: Number(tcp[2]) } };
  return { ok: false, message: `${ENGINE_LABEL}=${label} is not an engine endpoint (expected tcp://<address>:<port>, TLS only, or unix:///<socket path>)` };
}

export interface TlsClientFiles { ca: string; cert: string; key: string }

/** The client certificate the runner presents to every node's engine: ca.pem, cert.pem, key.pem in `dir`. */
export function readTlsDir(dir: string): { ok: true; tls: TlsClientFiles } | { ok: false; message: string } {
  try {
    return { ok: true, tls: { ca: readFileSync(join(dir, 'ca.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') } };
  } catch (e) {
    return { ok: false, message: `the swarm's client certificate could not be read from ${dir} (expected ca.pem, cert.pem and key.pem; see docs/scale-out.md): ${(e as Error).message}` };
  }
}

export class NodeEngines {
  private readonly clients = new Map<string, Docker>();

  constructor(private readonly tls: TlsClientFiles | null) {}

  /** The client for a node's labelled endpoint, or why there is none. */
  client(label: string | undefined): { ok: true; docker: Docker } | { ok: false; message: string } {
    const parsed = parseEndpoint(label);
    if (!parsed.ok) return parsed;
    const key = label!;
    const known = this.clients.get(key);
    if (known) return { ok: true, docker: known };
    const e = parsed.endpoint;
    if (e.kind === 'tcp' && !this.tls) return { ok: false, message: `${key} needs the runner's client certificate (--swarm-tls <dir>); a TCP engine endpoint is never used without TLS` };
    const docker = e.kind === 'unix'
      ? new Docker({ socketPath: e.path })
      : new Docker({ protocol: 'https', host: e.host, port: e.port, ca: this.tls!.ca, cert: this.tls!.cert, key: this.tls!.key });
    this.clients.set(key, docker);
    return { ok: true, docker };
  }
}
