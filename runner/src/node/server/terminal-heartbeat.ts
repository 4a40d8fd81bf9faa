// Server-side liveness of terminal WebSockets: every peer is pinged each
// interval and one that has not answered since the last ping is dropped. A
// laptop that slept or a network that vanished leaves no close frame; without
// this its viewer would hold a place (and its output backlog) forever.

/** How often viewers are pinged; a dead one is dropped within two of these. Pongs come from the browser's network stack, not page JS, so a background tab still answers. */
export const VIEWER_PING_INTERVAL_MS = 15_000;

export interface HeartbeatPeer {
  ping(): void;
  terminate(): void;
  /** We stopped reading it (input backpressure): its pong cannot arrive, so it is not judged meanwhile. */
  readonly isPaused: boolean;
}

export interface HeartbeatHandle {
  /** The peer answered a ping (or sent anything). */
  alive(): void;
  untrack(): void;
}

export class Heartbeat {
  /** Each peer, and whether it answered since the last ping. */
  private readonly peers = new Map<HeartbeatPeer, boolean>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly intervalMs = VIEWER_PING_INTERVAL_MS) {}

  get size(): number { return this.peers.size; }

  track(peer: HeartbeatPeer): HeartbeatHandle {
    this.peers.set(peer, true);
    if (!this.timer) {
      this.timer = setInterval(() => this.beat(), this.intervalMs);
      this.timer.unref();
    }
    return {
      alive: () => { if (this.peers.has(peer)) this.peers.set(peer, true); },
      untrack: () => this.forget(peer),
    };
  }

  close(): void {
    this.peers.clear();
    this.stopTimer();
  }

  private beat(): void {
    for (const [peer, answered] of [...this.peers]) {
      if (peer.isPaused) { this.peers.set(peer, true); continue; }
      if (!answered) {
        this.forget(peer);
        peer.terminate();
        continue;
      }
      this.peers.set(peer, false);
      peer.ping();
    }
  }

  private forget(peer: HeartbeatPeer): void {
    this.peers.delete(peer);
    if (this.peers.size === 0) this.stopTimer();
  }

  private stopTimer(): void {
    if (this.timer) { clearInterval(this.timer); this.timer = null; }
  }
}
