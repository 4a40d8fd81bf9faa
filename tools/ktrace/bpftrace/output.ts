// Parser for `bpftrace -f json` output: one JSON object per line,
// {"type": "...", "data": ...}. Blank lines and unknown types are tolerated
// so a newer bpftrace does not break us.

/** One log2/linear histogram bucket; bpftrace omits min for the negative bucket. */
export interface HistBucket {
  readonly min: number | null;
  readonly max: number | null;
  readonly count: number;
}

export type MapValue = number | string;
/** A map is either a scalar (no key) or keyed; multi-keys arrive joined with ','. */
export type MapData = MapValue | Readonly<Record<string, MapValue>>;
export type HistData = readonly HistBucket[] | Readonly<Record<string, readonly HistBucket[]>>;

export interface BpftraceOutput {
  attachedProbes: number | null;
  readonly maps: Map<string, MapData>;
  readonly hists: Map<string, HistData>;
  readonly stats: Map<string, unknown>;
  readonly printf: string[];
  lostEvents: number;
  /** Lines that were not valid JSON (bpftrace prints some warnings to stdout). */
  readonly unparsed: string[];
}

export function emptyOutput(): BpftraceOutput {
  return { attachedProbes: null, maps: new Map(), hists: new Map(), stats: new Map(), printf: [], lostEvents: 0, unparsed: [] };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

function toBuckets(v: unknown): HistBucket[] | null {
  if (!Array.isArray(v)) return null;
  return v.filter(isRecord).map((b) => ({ min: num(b['min']), max: num(b['max']), count: num(b['count']) ?? 0 }));
}

function toMapData(v: unknown): MapData | null {
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (!isRecord(v)) return null;
  const out: Record<string, MapValue> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === 'number' || typeof x === 'string') out[k] = x;
  return out;
}

/** Feeds one output line into `out`. Returns the message type, or null if the line was not JSON. */
export function parseLine(line: string, out: BpftraceOutput): string | null {
  const trimmed = line.trim();
  if (trimmed === '') return null;
  let msg: unknown;
  try {
    msg = JSON.parse(trimmed);
  } catch {
    out.unparsed.push(trimmed);
    return null;
  }
  if (!isRecord(msg) || typeof msg['type'] !== 'string') {
    out.unparsed.push(trimmed);
    return null;
  }
  const data = msg['data'];
  switch (msg['type']) {
    case 'attached_probes':
      out.attachedProbes = isRecord(data) ? num(data['probes']) : null;
      break;
    case 'map':
      if (isRecord(data)) {
        for (const [name, v] of Object.entries(data)) {
          const md = toMapData(v);
          if (md !== null) out.maps.set(name, md);
        }
      }
      break;
    case 'hist':
      if (isRecord(data)) {
        for (const [name, v] of Object.entries(data)) {
          const direct = toBuckets(v);
          if (direct) out.hists.set(name, direct);
          else if (isRecord(v)) {
            const keyed: Record<string, HistBucket[]> = {};
            for (const [k, b] of Object.entries(v)) keyed[k] = toBuckets(b) ?? [];
            out.hists.set(name, keyed);
          }
        }
      }
      break;
    case 'stats':
      if (isRecord(data)) for (const [name, v] of Object.entries(data)) out.stats.set(name, v);
      break;
    case 'printf':
      if (typeof data === 'string') out.printf.push(data);
      break;
    case 'lost_events':
      out.lostEvents += isRecord(data) ? (num(data['events']) ?? 0) : 0;
      break;
    default:
      break;
  }
  return msg['type'];
}

export function parseOutput(text: string): BpftraceOutput {
  const out = emptyOutput();
  for (const line of text.split('\n')) parseLine(line, out);
  return out;
}

/** A keyed numeric map as entries; a missing map (no events) is empty. */
export function keyedNumbers(out: BpftraceOutput, name: string): Map<string, number> {
  const m = out.maps.get(name);
  const res = new Map<string, number>();
  if (m === undefined || typeof m !== 'object') return res;
  for (const [k, v] of Object.entries(m)) if (typeof v === 'number') res.set(k, v);
  return res;
}

export function keyedStrings(out: BpftraceOutput, name: string): Map<string, string> {
  const m = out.maps.get(name);
  const res = new Map<string, string>();
  if (m === undefined || typeof m !== 'object') return res;
  for (const [k, v] of Object.entries(m)) if (typeof v === 'string') res.set(k, v);
  return res;
}

export function keyedHists(out: BpftraceOutput, name: string): Map<string, readonly HistBucket[]> {
  const h = out.hists.get(name);
  if (h === undefined || Array.isArray(h)) return new Map();
  return new Map(Object.entries(h as Readonly<Record<string, readonly HistBucket[]>>));
}
