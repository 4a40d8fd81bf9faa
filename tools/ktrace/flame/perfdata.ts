// perf.data files: recognised by their magic, turned into `perf script` text
// by perf itself (the format is perf's own and changes between versions).
import { closeSync, openSync, readSync } from 'node:fs';

/** The first 8 bytes of a perf.data file (tools/perf/util/header.c, "PERFILE2"). */
export const PERF_DATA_MAGIC = 'PERFILE2';

/** The magic as a big-endian machine writes it. */
const PERF_DATA_MAGIC_SWAPPED = '2ELIFREP';

/** Whether the bytes start like a perf.data file. */
export function isPerfData(head: Uint8Array): boolean {
  const magic = Buffer.from(head.subarray(0, PERF_DATA_MAGIC.length)).toString('latin1');
  return magic === PERF_DATA_MAGIC || magic === PERF_DATA_MAGIC_SWAPPED;
}

/** The first bytes of a file (fewer if it is shorter). */
export function readHead(path: string, bytes = PERF_DATA_MAGIC.length): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}
