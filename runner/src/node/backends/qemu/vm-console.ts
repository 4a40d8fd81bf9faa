// The serial console of a lab VM, seen from the runner: a bounded ring of raw
// output, line-by-line pattern watching for boot stages and failures, and the
// kdump-style crash record made from its tail after a panic.
import { StringDecoder } from 'node:string_decoder';

/** ANSI escape sequences (colours of systemd's status lines) and carriage returns. */
// eslint-disable-next-line no-control-regex -- escape sequences are what is being removed
const ANSI = /\x1b\[[0-9;?]*[ -\/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78cDEHM]|\r/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Keeps the last `capacity` bytes written to it. */
export class ByteRing {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly capacity: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - (this.chunks[0]?.length ?? 0) >= this.capacity && this.chunks.length > 1) {
      this.size -= this.chunks.shift()!.length;
    }
  }

  /** The last `n` bytes (or fewer). */
  tail(n: number): Buffer {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - n));
  }
}

/** Splits console output into lines (ANSI stripped) and hands each complete line to `onLine`. */
export class LineSplitter {
  private partial = '';
  /** UTF-8 across chunk boundaries: systemd's "…" must not become "â¦" in progress and errors. */
  private readonly decoder = new StringDecoder('utf8');
  constructor(private readonly onLine: (line: string) => void, private readonly maxLine = 4096) {}

  push(chunk: Buffer): void {
    const text = this.partial + this.decoder.write(chunk);
    const lines = text.split('\n');
    this.partial = (lines.pop() ?? '').slice(-this.maxLine);
    for (const line of lines) this.onLine(stripAnsi(line));
  }

  /** The line being written, not yet ended by a newline (prompts end this way). */
  get current(): string { return stripAnsi(this.partial); }
}

/** Console text from the last `bytes`, starting at a line boundary, for a viewer that joins late. */
export function replayTail(ring: ByteRing, bytes: number): Buffer {
  const tail = ring.tail(bytes);
  const nl = tail.indexOf(0x0a);
  return nl >= 0 && nl < tail.length - 1 ? tail.subarray(nl + 1) : tail;
}

/** kdump names its folders by the minute: /var/crash/202405141032/. */
export function crashStamp(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${date.getUTCFullYear()}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}${p(date.getUTCHours())}${p(date.getUTCMinutes())}`;
}

/**
 * The `dmesg.<stamp>` file of a crash record: the kernel's lines (those with a
 * `[ seconds.micro]` time stamp) from the console's last words, as kdump's
 * dmesg extraction would show them. Everything else on the console (the shell)
 * is left out; if no kernel line is found the whole text is kept.
 */
export function crashDmesg(consoleTail: Buffer): string {
  const text = stripAnsi(consoleTail.toString('utf8'));
  const lines = text.split('\n');
  lines.shift(); // the tail starts mid-line
  // A kernel line may start after a shell prompt that had no newline yet ("vm:~# [ 36.8] BUG: …").
  const kernel = lines.map((l) => /\[\s*\d+\.\d{6}\] .*$/.exec(l)?.[0]).filter((l): l is string => l !== undefined);
  return `${(kernel.length ? kernel : lines).join('\n').trimEnd()}\n`;
}

/** Console lines that mean the kernel cannot boot this disk at all: fail fast with them. */
export const BOOT_FAILURE_PATTERNS: RegExp[] = [
  /Gave up waiting for root file system device/,
  /ALERT! .* does not exist/,
  /Failed to mount .* as root file system/,
  /VFS: Unable to mount root fs/,
  /No working init found/,
  /(?<!end )Kernel panic - not syncing/,
];
