// dockerode's info(), listNodes() and listNetworks() take no abort signal: a
// hung engine must not hang a start, or the runner's own start-up.

/** `p`, or a rejection naming the wait once `ms` pass. */
export function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms); });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
