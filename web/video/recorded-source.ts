// Which of a room's recorded sources an alert or a request is about — one rule for the console and the
// inspector: its own camera, else its terminal's screen, else its seat's screen, else the room's first camera.
import type { RecordedSource } from '../../proctor/protocol.ts';

export function recordedSourceFor(
  recorded: RecordedSource[],
  about: { sourceId?: string | null; terminalId?: string | null; seat?: string | null },
): string | null {
  return (
    (about.sourceId && recorded.find((x) => x.id === about.sourceId)?.id) ||
    (about.terminalId && recorded.find((x) => x.kind === 'screen' && x.terminalId === about.terminalId)?.id) ||
    (about.seat && recorded.find((x) => x.kind === 'screen' && x.seat === about.seat)?.id) ||
    recorded.find((x) => x.kind === 'camera')?.id ||
    null
  );
}
