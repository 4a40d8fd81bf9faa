// What one check finds, before the report adds what it affects; and the time
// limit every check runs under.
import type { CapabilityStatus, FactValue } from '../../common/doctor.ts';

export interface CheckOutcome {
  status: CapabilityStatus;
  detail: string;
  why: string | null;
  fix: string | null;
  facts: Record<string, FactValue>;
}

export const ok = (detail: string, facts: Record<string, FactValue> = {}): CheckOutcome => ({ status: 'ok', detail, why: null, fix: null, facts });

/**
 * Runs a check with a time limit. A check that throws or takes too long is a
 * finding ("could not tell"), never an error of the doctor itself.
 */
export async function bounded(name: string, timeoutMs: number, check: () => Promise<CheckOutcome>): Promise<CheckOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<CheckOutcome>((resolve) => {
    timer = setTimeout(() => resolve({
      status: 'degraded',
      detail: 'could not tell',
      why: `the ${name} check did not finish within ${timeoutMs / 1000} s (a busy or hung host?)`,
      fix: 'run `labs doctor` again; if it keeps timing out, look at what the check runs (see docs/host.md)',
      facts: { timedOut: true },
    }), timeoutMs);
  });
  try {
    return await Promise.race([
      (async () => check())().catch((e: unknown): CheckOutcome => ({
        status: 'degraded',
        detail: 'could not tell',
        why: `the ${name} check failed: ${e instanceof Error ? e.message : String(e)}`,
        fix: null,
        facts: { error: true },
      })),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The last non-empty line of a command's error output, for a one-line reason. */
export function lastLine(text: string): string {
  return text.trim().split('\n').map((l) => l.trim()).filter(Boolean).pop() ?? '';
}
