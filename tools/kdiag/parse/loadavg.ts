// /proc/loadavg: "0.34 0.22 0.09 1/103 10335".

export interface LoadAvg {
  readonly one: number;
  readonly five: number;
  readonly fifteen: number;
  readonly runnable: number;
  readonly threads: number;
}

export function parseLoadavg(text: string): LoadAvg {
  const m = /^([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)\/(\d+)/.exec(text.trim());
  if (!m) throw new Error(`unexpected /proc/loadavg content '${text.trim()}'`);
  return { one: Number(m[1]), five: Number(m[2]), fifteen: Number(m[3]), runnable: Number(m[4]), threads: Number(m[5]) };
}
