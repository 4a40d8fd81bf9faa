// The numbers and names of the picture contract (pictures.ts), apart from its
// schemas: lab tools bundle this file, and it must not pull zod into them.

/** Where lab tools leave pictures for the page: inside the lab, never sent anywhere else. */
export const PICTURE_SPOOL_DIR = '/var/lib/kdlabs/pictures';
/** Pictures kept in the spool; a tool that adds one removes the oldest beyond this. */
export const MAX_SPOOL_PICTURES = 20;
/** Largest picture file the runner reads: a flame graph of a busy minute folds to well under this. */
export const MAX_PICTURE_BYTES = 4 * 1024 * 1024;
/** Distinct stacks kept in a flame picture; the rest (the rarest) are summed into their parents' self time by the writer. */
export const MAX_FLAME_STACKS = 20_000;
/** Frames per stack kept; deeper stacks are cut at the root end. */
export const MAX_FLAME_DEPTH = 256;
/** Bars in a bar chart, buckets in a histogram. */
export const MAX_CHART_ROWS = 200;
/** Charts in one picture. */
export const MAX_CHARTS = 12;
/** Points in one timeline answer: one per second for an hour. */
export const MAX_TIMELINE_POINTS = 3600;
/**
 * OSC sequence number a tool writes to the lab's terminal after saving a picture
 * (`ESC ] 7717 ; picture=<name> BEL`): xterm.js ignores unknown OSCs, the page's
 * handler refreshes its list. A private number, unlikely to meet a real one.
 */
export const PICTURE_OSC = 7717;

/** A picture's file name in the spool: `<kind>-<unix ms>-<what>.json`. */
export const PICTURE_NAME_PATTERN = /^(flame|charts)-\d{13}-[a-z0-9-]{1,40}\.json$/;

/** Longest title, bar label or histogram label. */
export const MAX_LABEL_CHARS = 300;
/** Longest command line recorded with a picture. */
export const MAX_COMMAND_CHARS = 1000;
/** Longest folded stack ("comm;main;...;leaf"). */
export const MAX_STACK_CHARS = 64 * 1024;
