// Facts a lab's vm.prepare records for its checks, such as the srcversion of the
// module as shipped. In the guest they would sit in files the learner, root there,
// can rewrite (and so pass "is this a rebuild?"); the runner keeps them instead,
// with the saved state, and hands them to each check as KDLABS_RECORD_<name>.
// prepare prints one line per fact: `kdlabs-record <name>=<value>`.

const RECORD_LINE = /^kdlabs-record ([A-Za-z_][A-Za-z0-9_]{0,63})=(.{0,256})$/;
/** A lab records a handful of facts; more is a runaway loop, not a record. */
const MAX_RECORDS = 32;

export type PrepareRecords = Readonly<Record<string, string>>;

/** The records in prepare's standard output; other lines are ignored, a later record replaces an earlier one. */
export function parsePrepareRecords(stdout: string): PrepareRecords {
  const records: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const m = RECORD_LINE.exec(line.trimEnd());
    if (m && (m[1]! in records || Object.keys(records).length < MAX_RECORDS)) records[m[1]!] = m[2]!;
  }
  return records;
}

/** The records as a check's environment. */
export function recordsEnv(records: PrepareRecords): Record<string, string> {
  return Object.fromEntries(Object.entries(records).map(([k, v]) => [`KDLABS_RECORD_${k}`, v]));
}
