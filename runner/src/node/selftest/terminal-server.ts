// The lab page's way into a lab's shell, for the self-test: the runner's own
// terminal WebSocket endpoint (server/terminal-socket.ts, the terminal hub, the
// backend's login shell) over the self-test's SessionManager, on a loopback
// port of its own. Not the whole runner (createRunner): that would bring a
// progress database, workshops, an owner-token file and backends of its own,
// while the walkthrough needs only the terminal, of the same sessions whose
// checks and solution the self-test runs.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SessionManager } from '../sessions/session-manager.ts';
import { createTerminalUpgrade } from '../server/terminal-socket.ts';
import { buildAccessPolicy, newToken } from '../server/security.ts';

export interface TerminalServer {
  /** http://127.0.0.1:<port>, as TerminalClient wants it. */
  url: string;
  close(): Promise<void>;
}

export async function startTerminalServer(manager: SessionManager): Promise<TerminalServer> {
  const host = '127.0.0.1';
  const server = createServer((_req, res) => { res.writeHead(404).end('only the lab terminal WebSocket is served here'); });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as AddressInfo).port;
  // Clients use a session's own token, as the page does; this owner token is never handed out.
  const terminals = createTerminalUpgrade(manager, buildAccessPolicy(host, port, []), newToken());
  server.on('upgrade', (req, socket, head) => terminals.handle(req, socket, head));
  return {
    url: `http://${host}:${port}`,
    close: async () => {
      terminals.close();
      await new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); });
    },
  };
}
