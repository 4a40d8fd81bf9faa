// One sink for errors nobody awaited (VS Code's onUnexpectedError is the model).
// A bug in a background task is logged with where it came from; it never takes
// the runner — and every learner's lab — down with it.

export type UnexpectedErrorListener = (error: unknown, context: string) => void;

const defaultListener: UnexpectedErrorListener = (error, context) => {
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  console.error(`[runner] unexpected error in ${context}: ${text}`);
};

let listener: UnexpectedErrorListener = defaultListener;

/** Replaces the sink (the runner logs through its own logger; tests count errors). Returns the previous one. */
export function setUnexpectedErrorListener(next: UnexpectedErrorListener): UnexpectedErrorListener {
  const previous = listener;
  listener = next;
  return previous;
}

/** Reports an error that no caller will see. Never throws. */
export function onUnexpectedError(error: unknown, context: string): void {
  try { listener(error, context); } catch { /* a broken sink must not become a second error */ }
}

/**
 * Runs work in the background: a rejection (or a synchronous throw) goes to the
 * sink with its context instead of becoming an unhandled rejection, which ends
 * the process on Node 20. Use it for every fire-and-forget.
 */
export function fireAndForget(work: Promise<unknown> | (() => Promise<unknown>), context: string): void {
  try {
    const p = typeof work === 'function' ? work() : work;
    p.catch((e: unknown) => onUnexpectedError(e, context));
  } catch (e) {
    onUnexpectedError(e, context);
  }
}

/**
 * Last line of defence for the runner process: anything that still escapes is
 * logged, and the process stays up. Installed once by `labs serve`.
 */
export function installProcessErrorSinks(): void {
  process.on('unhandledRejection', (reason) => onUnexpectedError(reason, 'an unhandled promise rejection'));
  process.on('uncaughtException', (error) => onUnexpectedError(error, 'an uncaught exception'));
}
