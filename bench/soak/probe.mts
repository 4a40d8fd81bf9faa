// "Another learner" while the soak abuses the runner: a terminal on its own lab
// sends protocol pings, and /api/health is asked, at a steady pace; their round
// trips show what a storm costs everyone else. (The soak process is busy too,
// so these include its own delays: the runner's lag comes from /api/metrics.)
import { TerminalClient } from '../../runner/src/node/cli/terminal-client.ts';
import { percentile } from '../stats.ts';
import type { SoakRunner } from './runner-child.mts';

/** Pace of the terminal pings: a typist's keys come about this often. */
const PING_EVERY_MS = 50;
const HEALTH_EVERY_MS = 250;

export interface ProbeWindow { pingP50Ms: number; pingMaxMs: number; healthP50Ms: number; healthMaxMs: number; lostPings: number }

export class Probe {
  private pings: number[] = [];
  private health: number[] = [];
  private outstanding = new Map<number, number>();
  private lost = 0;
  private next = 1;
  private timers: NodeJS.Timeout[] = [];

  private constructor(private readonly client: TerminalClient) {}

  static async open(runner: SoakRunner, sessionId: string, token: string): Promise<Probe> {
    const client = new TerminalClient({ url: runner.url, sessionId, token });
    await client.opened;
    const probe = new Probe(client);
    client.onMessage((m) => {
      if (m.type !== 'pong') return;
      const sent = probe.outstanding.get(m.id);
      if (sent === undefined) return;
      probe.outstanding.delete(m.id);
      probe.pings.push(performance.now() - sent);
    });
    probe.timers.push(setInterval(() => {
      const id = probe.next++;
      probe.outstanding.set(id, performance.now());
      client.send({ type: 'ping', id });
    }, PING_EVERY_MS));
    probe.timers.push(setInterval(() => {
      runner.call('GET', '/api/health', undefined, null).then((r) => { probe.health.push(r.ms); }, () => { probe.health.push(Number.POSITIVE_INFINITY); });
    }, HEALTH_EVERY_MS));
    return probe;
  }

  /** Figures since the last window; pings still unanswered after 10 s count as lost. */
  window(): ProbeWindow {
    const now = performance.now();
    for (const [id, sent] of this.outstanding) if (now - sent > 10_000) { this.outstanding.delete(id); this.lost++; }
    const w: ProbeWindow = {
      pingP50Ms: round(percentile(this.pings, 50)), pingMaxMs: round(Math.max(0, ...this.pings)),
      healthP50Ms: round(percentile(this.health, 50)), healthMaxMs: round(Math.max(0, ...this.health)),
      lostPings: this.lost,
    };
    this.pings = [];
    this.health = [];
    this.lost = 0;
    return w;
  }

  close(): void {
    for (const t of this.timers) clearInterval(t);
    this.client.close();
  }
}

const round = (v: number): number => (Number.isFinite(v) ? Math.round(v * 10) / 10 : v);
