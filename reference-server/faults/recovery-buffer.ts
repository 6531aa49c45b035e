import { SessionAwareAdapter } from 'socket.io-adapter';
import type { boundedSessionAdapter } from '../connection/recovery-buffer.ts';

type Held = { id: string; data: unknown[]; opts: { rooms: Set<string>; except: Set<string> } };

/**
 * `recovery-resumes-after-trim` (SES-9): the buffer is bounded, but a socket whose offset was
 * trimmed away is still recovered, from the oldest broadcast held: it comes back with a gap, the
 * broadcasts trimmed before it silently skipped. A plausible "best effort" restore.
 */
export function resumesAfterTrim(bounded: typeof boundedSessionAdapter, maxPackets: number): typeof SessionAwareAdapter {
  return class ResumesAfterTrim extends bounded(maxPackets) {
    // The typings say a Session; at run time the parent answers null when the offset is gone.
    override async restoreSession(pid: string, offset: string): ReturnType<SessionAwareAdapter['restoreSession']> {
      const found = (await super.restoreSession(pid, offset)) as Awaited<ReturnType<SessionAwareAdapter['restoreSession']>> | null;
      if (found) return found;
      const session = (this as unknown as { sessions: Map<string, { rooms: string[] }> }).sessions.get(pid);
      const held = (this as unknown as { packets: Held[] }).packets;
      if (!session || held.length === 0) return null as never;
      const inRooms = (p: Held) => (p.opts.rooms.size === 0 || session.rooms.some((r) => p.opts.rooms.has(r))) && session.rooms.every((r) => !p.opts.except.has(r));
      return { ...session, missedPackets: held.filter(inRooms).map((p) => p.data) } as never;
    }
  };
}
