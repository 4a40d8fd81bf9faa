// Makes a picture in the lab with ktrace: a perf profile of the whole lab for N
// seconds, or a flame graph of a perf.data the learner recorded. ktrace saves
// the picture and names its file on stderr; the runner reads that file back
// through the spool like any other. One at a time per session: perf on a
// 1.5-CPU lab twice over would measure mostly itself.
import { PICTURE_SPOOL_DIR, type PictureSummary } from '../../common/pictures.ts';
import { execFailure, fail, type LabExec, type PictureResult } from './lab-exec.ts';
import { isPictureName, summaryOf } from './picture-file.ts';
import type { PictureSpool } from './spool.ts';

/** The exact start of the stderr line ktrace prints after saving (tools/ktrace/pictures/save.ts). */
export const SAVED_PREFIX = 'ktrace: picture saved: ';
/** Past a profile's own seconds: perf script and folding a busy lab's samples takes this long at most. */
export const PROFILE_MARGIN_MS = 60_000;
/** Turning a learner's perf.data into a picture: perf script over a long recording is slow on a small lab. */
export const PERF_DATA_TIMEOUT_MS = 120_000;
/** Finding the shell's directory is a walk over /proc. */
export const LOCATE_TIMEOUT_MS = 5_000;
/** Where a perf.data is looked for when the shell's own directory has none. */
export const FALLBACK_PERF_DATA = '/root/perf.data';
/** ktrace's stderr kept for the error message: its last words say what went wrong. */
const STDERR_TAIL_BYTES = 8192;
/** Lines of ktrace's stderr shown when it failed. */
const SHOWN_ERROR_LINES = 6;

/** Runs ktrace with stdout dropped and only its stderr's tail kept, so the "saved" line survives the exec output cap. */
function ktraceScript(args: string): string {
  return `err=$(mktemp) || exit 1
ktrace ${args} >/dev/null 2>"$err"
rc=$?
tail -c ${STDERR_TAIL_BYTES} "$err" >&2
rm -f "$err"
exit $rc
`;
}

/** Env: KDLABS_SECONDS, KDLABS_TITLE. */
export const PROFILE_SCRIPT = ktraceScript('flame --lab --duration "$KDLABS_SECONDS" --save --title "$KDLABS_TITLE"');
/** Env: KDLABS_PERF_DATA, KDLABS_TITLE. */
export const PERF_DATA_SCRIPT = ktraceScript('flame --input "$KDLABS_PERF_DATA" --save --title "$KDLABS_TITLE"');

/**
 * The terminal shells' working directories (session leaders with a terminal,
 * as in foreground.ts) and whether each holds a perf.data, then the fallback:
 * `cwd <pid> <yes|no> <dir>` lines and one `fallback <yes|no>` line.
 */
export const LOCATE_SCRIPT = `for f in /proc/[0-9]*/stat; do
  IFS= read -r l < "$f" 2>/dev/null || continue
  set -- \${l##*) }
  pid=\${f#/proc/}; pid=\${pid%/stat}
  [ "$5" != 0 ] && [ "$4" = "$pid" ] || continue
  d=$(readlink "/proc/$pid/cwd" 2>/dev/null) || continue
  if [ -f "$d/perf.data" ]; then h=yes; else h=no; fi
  printf 'cwd %s %s %s\\n' "$pid" "$h" "$d"
done
if [ -f ${FALLBACK_PERF_DATA} ]; then echo 'fallback yes'; else echo 'fallback no'; fi
exit 0
`;

export type PerfDataChoice = { file: string } | { looked: string[] };

/** The perf.data to draw: the first shell's (lowest pid) that has one, else the fallback; or where it looked. */
export function choosePerfData(stdout: string): PerfDataChoice {
  const shells: Array<{ pid: number; has: boolean; dir: string }> = [];
  let fallback = false;
  for (const line of stdout.split('\n')) {
    const m = /^cwd (\d+) (yes|no) (\/.*)$/.exec(line);
    if (m) shells.push({ pid: Number(m[1]), has: m[2] === 'yes', dir: m[3]! });
    else if (line === 'fallback yes') fallback = true;
  }
  shells.sort((a, b) => a.pid - b.pid);
  const found = shells.find((s) => s.has);
  if (found) return { file: `${found.dir === '/' ? '' : found.dir}/perf.data` };
  if (fallback) return { file: FALLBACK_PERF_DATA };
  const looked = [...new Set(shells.map((s) => `${s.dir === '/' ? '' : s.dir}/perf.data`)), FALLBACK_PERF_DATA];
  return { looked: [...new Set(looked)] };
}

/** The picture's file name from ktrace's stderr; null when it did not say it saved one (in the spool, under a valid name). */
export function parseSavedLine(stderr: string): string | null {
  const lines = stderr.split('\n').filter((l) => l.startsWith(SAVED_PREFIX));
  const path = lines.at(-1)?.slice(SAVED_PREFIX.length).trim();
  if (!path?.startsWith(`${PICTURE_SPOOL_DIR}/`)) return null;
  const name = path.slice(PICTURE_SPOOL_DIR.length + 1);
  return isPictureName(name) ? name : null;
}

/** The last lines of ktrace's stderr, for a failure's message. */
export function stderrGist(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.slice(-SHOWN_ERROR_LINES).join(' | ').slice(0, 1000) || 'it printed nothing';
}

export class PictureMaker {
  /** Sessions with a picture being made now, and what. */
  private readonly busy = new Map<string, string>();

  constructor(private readonly spool: PictureSpool) {}

  profile(sessionId: string, exec: LabExec, seconds: number): Promise<PictureResult<PictureSummary>> {
    return this.oneAtATime(sessionId, `a ${seconds} s profile`, () =>
      this.runKtrace(exec, PROFILE_SCRIPT, seconds * 1000 + PROFILE_MARGIN_MS, { KDLABS_SECONDS: String(seconds), KDLABS_TITLE: `Profile of the lab, ${seconds} s` }, 'profiling the lab'));
  }

  drawPerfData(sessionId: string, exec: LabExec): Promise<PictureResult<PictureSummary>> {
    return this.oneAtATime(sessionId, 'a flame graph of perf.data', async () => {
      const r = await exec(LOCATE_SCRIPT, LOCATE_TIMEOUT_MS);
      if (!r.ok) return execFailure(r.error, 'looking for perf.data');
      if (r.value.timedOut) return fail('backend-unavailable', `looking for perf.data took more than ${LOCATE_TIMEOUT_MS / 1000} s; try again`);
      const choice = choosePerfData(r.value.stdout);
      if ('looked' in choice) {
        return fail('not-found', `no perf.data found (looked for ${choice.looked.join(' and ')}); record one in the lab's terminal first, e.g. \`perf record -g -a -- sleep 10\`, then draw it`);
      }
      return this.runKtrace(exec, PERF_DATA_SCRIPT, PERF_DATA_TIMEOUT_MS, { KDLABS_PERF_DATA: choice.file, KDLABS_TITLE: `perf record: ${choice.file}` }, `drawing ${choice.file}`);
    });
  }

  private async oneAtATime(sessionId: string, what: string, make: () => Promise<PictureResult<PictureSummary>>): Promise<PictureResult<PictureSummary>> {
    const running = this.busy.get(sessionId);
    if (running) return fail('conflict', `${running} is being made for this lab now; wait for it to finish, then try again`);
    this.busy.set(sessionId, what);
    try {
      return await make();
    } finally {
      this.busy.delete(sessionId);
    }
  }

  private async runKtrace(exec: LabExec, script: string, timeoutMs: number, env: Record<string, string>, what: string): Promise<PictureResult<PictureSummary>> {
    const r = await exec(script, timeoutMs, env);
    if (!r.ok) return execFailure(r.error, what);
    if (r.value.timedOut) return fail('backend-unavailable', `${what} took more than ${Math.round(timeoutMs / 1000)} s and was stopped`);
    const name = parseSavedLine(r.value.stderr);
    if (r.value.exitCode !== 0 || !name) {
      return fail('bad-request', `${what} failed: ktrace ${r.value.exitCode === 0 ? 'saved no picture' : `exited with ${r.value.exitCode}`}: ${stderrGist(r.value.stderr)}`);
    }
    const p = await this.spool.read(exec, name);
    if (!p.ok) return p;
    return { ok: true, value: summaryOf(name, p.value) };
  }
}
