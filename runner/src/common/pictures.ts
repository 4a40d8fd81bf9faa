// Pictures of the learner's own data: flame graphs of their profiles, charts of
// what ktrace measured, and a lab's latency over time. Shared by the tools that
// write them inside a lab (ktrace), the runner that reads them out, and the
// page that draws them. A picture file is written inside the lab, where the
// learner is root: the runner treats it as untrusted input and validates it
// with these schemas before it reaches a browser.
import { z } from 'zod';
import { MAX_CHART_ROWS, MAX_CHARTS, MAX_COMMAND_CHARS, MAX_FLAME_STACKS, MAX_LABEL_CHARS, MAX_STACK_CHARS } from './picture-limits.ts';

export * from './picture-limits.ts';

const label = z.string().min(1).max(MAX_LABEL_CHARS);
const count = z.number().finite().min(0);

/** A log2 histogram bucket as ktrace reports it: [min, max] inclusive, null for an open end. */
export const histBucketSchema = z.object({
  min: z.number().finite().nullable(),
  max: z.number().finite().nullable(),
  count,
}).strict();

export const chartSchema = z.discriminatedUnion('kind', [
  /** A latency (or size) distribution in log2 buckets. */
  z.object({
    kind: z.literal('histogram'),
    title: label,
    /** Unit of the bucket bounds. */
    unit: z.enum(['ns', 'bytes']),
    buckets: z.array(histBucketSchema).max(MAX_CHART_ROWS),
  }).strict(),
  /** Named values, largest first: syscalls per second, wait time per lock, bytes per process. */
  z.object({
    kind: z.literal('bars'),
    title: label,
    unit: z.enum(['count', 'per-second', 'ns', 'bytes']),
    rows: z.array(z.object({ label, value: count }).strict()).max(MAX_CHART_ROWS),
  }).strict(),
]);
export type Chart = z.infer<typeof chartSchema>;

const pictureBase = {
  /** What the learner sees as the picture's name, e.g. "ktrace syscalls, 5 s". */
  title: label,
  /** When it was made, Unix ms (the lab's clock). */
  createdAt: z.number().int().min(0),
  /** The command that made it, as typed or as the runner ran it. */
  command: z.string().max(MAX_COMMAND_CHARS),
};

export const flamePictureSchema = z.object({
  kind: z.literal('flame'),
  ...pictureBase,
  /** Folded stacks, root first, as flamegraph.pl reads them: ["comm;main;work", samples]. */
  stacks: z.array(z.tuple([z.string().min(1).max(MAX_STACK_CHARS), z.number().int().min(1)])).max(MAX_FLAME_STACKS),
}).strict();

export const chartsPictureSchema = z.object({
  kind: z.literal('charts'),
  ...pictureBase,
  /** The ktrace mode that measured it, e.g. "syscalls". */
  mode: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/),
  charts: z.array(chartSchema).min(1).max(MAX_CHARTS),
}).strict();

export const pictureSchema = z.discriminatedUnion('kind', [flamePictureSchema, chartsPictureSchema]);
export type FlamePicture = z.infer<typeof flamePictureSchema>;
export type ChartsPicture = z.infer<typeof chartsPictureSchema>;
export type Picture = z.infer<typeof pictureSchema>;

/** A picture in a list: enough to show and to fetch it. */
export interface PictureSummary {
  /** Its spool file name (matches PICTURE_NAME_PATTERN). */
  name: string;
  kind: Picture['kind'];
  title: string;
  createdAt: number;
}

/** GET /api/sessions/:id/pictures — newest first. */
export interface PictureListResponse {
  pictures: PictureSummary[];
}

/** POST /api/sessions/:id/pictures/profile — record the lab's processes with perf for this long. */
export const MIN_PROFILE_SECONDS = 1;
export const MAX_PROFILE_SECONDS = 60;
export const DEFAULT_PROFILE_SECONDS = 10;
export const profileRequestSchema = z.object({
  seconds: z.number().int().min(MIN_PROFILE_SECONDS).max(MAX_PROFILE_SECONDS).default(DEFAULT_PROFILE_SECONDS),
}).strict();
export type ProfileRequest = z.input<typeof profileRequestSchema>;

/** POST .../pictures/profile and .../pictures/perf-data answer with the picture they made. */
export interface PictureMadeResponse {
  picture: PictureSummary;
}

/** One second of a lab's latency log: its time (Unix ms, start of the second) and the requests in it. */
export interface TimelinePoint {
  t: number;
  /** Requests that second. */
  n: number;
  p50: number;
  max: number;
  /** Requests that failed (status other than OK) that second. */
  errors: number;
}

/** GET /api/sessions/:id/timeline?since=<unix ms> — the lab's declared latency log, per second. */
export interface TimelineResponse {
  title: string;
  unit: 'ms';
  /** Above this the lab's own checks call a request slow (drawn as a line). */
  slowAbove: number | null;
  points: TimelinePoint[];
}
