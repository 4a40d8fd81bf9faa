// Tells the lab page a picture arrived: `ESC ] 7717 ; picture=<name> BEL` on the
// controlling terminal. xterm.js ignores OSC numbers it does not know; the
// page's handler refreshes its picture list. Without a terminal (the runner's
// exec, a cron job) there is nobody to tell, and that is fine.
import { closeSync, openSync, writeSync } from 'node:fs';
import { PICTURE_OSC } from './limits.ts';

export function pictureOsc(name: string): string {
  return `\x1b]${PICTURE_OSC};picture=${name}\x07`;
}

export interface TtyWriter {
  open(): number;
  write(fd: number, text: string): void;
  close(fd: number): void;
}

const devTty: TtyWriter = {
  open: () => openSync('/dev/tty', 'w'),
  write: (fd, text) => { writeSync(fd, text); },
  close: (fd) => { closeSync(fd); },
};

/** Writes the OSC to /dev/tty; returns whether it could. Never throws. */
export function notifyPicture(name: string, tty: TtyWriter = devTty): boolean {
  let fd: number;
  try {
    fd = tty.open();
  } catch {
    return false; // no controlling terminal
  }
  try {
    tty.write(fd, pictureOsc(name));
    return true;
  } catch {
    return false;
  } finally {
    try { tty.close(fd); } catch { /* already gone */ }
  }
}
