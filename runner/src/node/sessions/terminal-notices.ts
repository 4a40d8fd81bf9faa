// A terminal hub that can also tell its viewers something (a `notice`: the lab
// stops soon because it is idle, the workshop ends). Uses only the hub's public
// attach/detach/dispose, so the hub itself stays about the shell and flow control.
import type { ServerMessage } from '../../common/protocol.ts';
import { TerminalHub, type TerminalViewer, type ViewerHandle } from './terminal-hub.ts';

export class NoticeTerminalHub extends TerminalHub {
  private readonly listeners = new Set<TerminalViewer>();

  override attach(viewer: TerminalViewer): ViewerHandle {
    const handle = super.attach(viewer);
    this.listeners.add(viewer);
    return { ...handle, detach: () => { this.listeners.delete(viewer); handle.detach(); } };
  }

  /** Sends a message to every viewer attached now; returns how many got it. */
  notify(message: ServerMessage): number {
    for (const v of this.listeners) v.sendMessage(message);
    return this.listeners.size;
  }

  override dispose(finalMessage?: ServerMessage): void {
    super.dispose(finalMessage);
    this.listeners.clear();
  }
}
