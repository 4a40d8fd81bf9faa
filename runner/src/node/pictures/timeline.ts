// A lab's latency log as one point per second: read and aggregated inside the
// lab (the log may be megabytes; exec output is capped at 64 KiB), sent back
// gzipped, and kept here so viewers polling every second cost one small read
// of the newest lines, not one of the whole log each.
import { gunzipSync } from 'node:zlib';
import { MAX_TIMELINE_POINTS, type TimelinePoint, type TimelineResponse } from '../../common/pictures.ts';
import type { TimelineDeclaration } from '../../common/lab-schema.ts';
import { execFailure, fail, type LabExec, type PictureResult } from './lab-exec.ts';

/** Bytes of the log's end read at most: an hour of a 20-a-second probe is about 1.5 MiB. */
export const TIMELINE_TAIL_BYTES = 4 * 1024 * 1024;
/** An answer younger than this is served again: several viewers polling once a second share one read. */
export const TIMELINE_CACHE_MS = 1_000;
/**
 * A probe writes a request's line when it ends, so a stall writes lines for
 * seconds already answered: each read goes this far back before the newest point
 * it had (a stall longer than this loses its oldest requests until the next full read).
 */
export const TIMELINE_REREAD_MS = 120_000;
/** Reading and sorting a few MiB of log: longer means the lab is stuck. */
export const TIMELINE_TIMEOUT_MS = 10_000;
/** Unpacked answer size at most: MAX_TIMELINE_POINTS short lines. */
const MAX_ANSWER_BYTES = 1024 * 1024;
/** Sessions whose points are kept; stopped sessions are never asked again, the oldest go first. */
const CACHED_SESSIONS = 100;

/**
 * Prints `missing`, or `ok` and a base64 line of gzipped `<unix s> <n> <p50> <max> <errors>`
 * lines, oldest first. Lines of the log that do not read `<13-digit ms> <number> [status]`
 * are skipped (the first one too when the read starts mid-file). p50 is the lower median.
 * Env: KDLABS_TIMELINE_LOG, KDLABS_SINCE (ms), KDLABS_OK (the success status, or empty).
 */
export const TIMELINE_SCRIPT = `export LC_ALL=C
f="$KDLABS_TIMELINE_LOG"
if [ ! -f "$f" ]; then echo missing; exit 0; fi
size=$(stat -c %s -- "$f") || { echo missing; exit 0; }
echo ok
tail -c ${TIMELINE_TAIL_BYTES} -- "$f" | awk -v since="$KDLABS_SINCE" -v okst="$KDLABS_OK" -v cut=$((size > ${TIMELINE_TAIL_BYTES})) '
  NR == 1 && cut == 1 { next }
  length($1) == 13 && $1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+(\\.[0-9]+)?$/ && length($2) < 16 && $1 + 0 >= since + 0 {
    err = (okst != "" && NF >= 3 && $3 != okst) ? 1 : 0
    printf "%.0f %.1f %d\\n", int($1 / 1000), $2 + 0, err
  }' | sort -k1,1n -k2,2n | awk '
  function flush() { if (n > 0) printf "%s %d %s %s %d\\n", sec, n, v[int((n + 1) / 2)], v[n], e }
  $1 != sec { flush(); sec = $1; n = 0; e = 0 }
  { n++; v[n] = $2; e += $3 }
  END { flush() }' | tail -n ${MAX_TIMELINE_POINTS} | gzip -nc | base64 -w0
echo
exit 0
`;

export type TimelineRead = { kind: 'missing' } | { kind: 'points'; points: TimelinePoint[] } | { kind: 'garbled'; detail: string };

export function parseTimelineOutput(stdout: string): TimelineRead {
  const [head = '', body = ''] = stdout.split('\n');
  if (head === 'missing') return { kind: 'missing' };
  if (head !== 'ok') return { kind: 'garbled', detail: `unexpected first line ${JSON.stringify(head.slice(0, 80))}` };
  let text: string;
  try {
    text = body ? gunzipSync(Buffer.from(body, 'base64'), { maxOutputLength: MAX_ANSWER_BYTES }).toString('utf8') : '';
  } catch (e) {
    return { kind: 'garbled', detail: `the answer could not be unpacked (${(e as Error).message})` };
  }
  return { kind: 'points', points: parsePointLines(text) };
}

/** `<unix s> <n> <p50> <max> <errors>` lines → points, oldest first, at most MAX_TIMELINE_POINTS. */
export function parsePointLines(text: string): TimelinePoint[] {
  const points: TimelinePoint[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f.length !== 5) continue;
    const [sec, n, p50, max, errors] = f.map(Number) as [number, number, number, number, number];
    if (![sec, n, p50, max, errors].every(Number.isFinite) || n < 1 || errors < 0) continue;
    points.push({ t: sec * 1000, n, p50, max, errors });
  }
  points.sort((a, b) => a.t - b.t);
  return points.slice(-MAX_TIMELINE_POINTS);
}

/** Points kept so far and from which time on they are complete. */
interface Kept {
  /** Every point with t >= from that the log held at `at`. */
  from: number;
  at: number;
  points: TimelinePoint[];
}

export class LatencyTimeline {
  private readonly kept = new Map<string, Kept>();
  private readonly reading = new Map<string, { since: number; done: Promise<PictureResult<Kept>> }>();

  constructor(private readonly now: () => number = Date.now) {}

  async get(sessionId: string, exec: LabExec, decl: TimelineDeclaration, since: number): Promise<PictureResult<TimelineResponse>> {
    let k = this.kept.get(sessionId);
    if (!k || k.from > since || this.now() - k.at >= TIMELINE_CACHE_MS) {
      const r = await this.refresh(sessionId, exec, decl, since, k);
      if (!r.ok) return r;
      k = r.value;
    }
    return {
      ok: true,
      value: { title: decl.title, unit: 'ms', slowAbove: decl.slowAbove ?? null, points: k.points.filter((p) => p.t >= since) },
    };
  }

  /** One read at a time per session; a caller whose `since` the running read covers shares it. */
  private refresh(sessionId: string, exec: LabExec, decl: TimelineDeclaration, since: number, k: Kept | undefined): Promise<PictureResult<Kept>> {
    const running = this.reading.get(sessionId);
    if (running && running.since <= since) return running.done;
    // What is kept is complete from k.from on: read again only its last seconds (late lines of a stall may land there).
    const readFrom = k && k.from <= since ? Math.max(k.from, (k.points.at(-1)?.t ?? since) - TIMELINE_REREAD_MS) : since;
    const done = this.read(exec, decl, readFrom).then((r): PictureResult<Kept> => {
      if (!r.ok) return r;
      const older = k && k.from <= since ? k.points.filter((p) => p.t < readFrom) : [];
      const next: Kept = { from: k && k.from <= since ? k.from : since, at: this.now(), points: [...older, ...r.value].slice(-MAX_TIMELINE_POINTS) };
      this.kept.delete(sessionId);
      this.kept.set(sessionId, next);
      while (this.kept.size > CACHED_SESSIONS) this.kept.delete(this.kept.keys().next().value!);
      return { ok: true, value: next };
    }).finally(() => {
      if (this.reading.get(sessionId)?.done === done) this.reading.delete(sessionId);
    });
    this.reading.set(sessionId, { since: readFrom, done });
    return done;
  }

  private async read(exec: LabExec, decl: TimelineDeclaration, since: number): Promise<PictureResult<TimelinePoint[]>> {
    const r = await exec(TIMELINE_SCRIPT, TIMELINE_TIMEOUT_MS, { KDLABS_TIMELINE_LOG: decl.log, KDLABS_SINCE: String(Math.max(0, Math.floor(since))), KDLABS_OK: decl.ok ?? '' });
    if (!r.ok) return execFailure(r.error, 'reading the latency log');
    if (r.value.timedOut) return fail('backend-unavailable', `reading the latency log took more than ${TIMELINE_TIMEOUT_MS / 1000} s; the lab is busy, try again`);
    const parsed = parseTimelineOutput(r.value.stdout);
    // No log yet (the probe has not started): an empty plot, not an error.
    if (parsed.kind === 'missing') return { ok: true, value: [] };
    if (parsed.kind === 'garbled') return fail('bad-request', `the latency log ${decl.log} could not be read: ${parsed.detail}`);
    return { ok: true, value: parsed.points };
  }
}
