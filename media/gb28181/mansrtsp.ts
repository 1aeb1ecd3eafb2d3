// MANSRTSP (GB/T 28181 Annex B): the RTSP-like body of an INFO that steers a Playback — PLAY (resume,
// `Range: npt=S-` to seek S seconds from the start of the range, `Scale: x` for speed), PAUSE, TEARDOWN.
import { GbMediaError } from './media-session.ts';

export interface MansrtspCommand {
  method: 'PLAY' | 'PAUSE' | 'TEARDOWN';
  cseq: number | null;
  /** Seconds from the start of the played range; null = carry on from where it is (`npt=now-` or no Range). */
  seekSeconds: number | null;
  /** Playback speed; null = unchanged. Reverse (negative) is not supported. */
  scale: number | null;
}

const bad = (why: string) => new GbMediaError('bad_request', `MANSRTSP: ${why}`);

export function parseMansrtsp(body: string): MansrtspCommand {
  if (typeof body !== 'string' || body.length > 4096) throw bad('the body is missing or longer than 4 KiB');
  const lines = body.split(/\r?\n/).map((l) => l.trim());
  const first = /^(PLAY|PAUSE|TEARDOWN)\s+(?:\S+\s+)?(?:MANSRTSP|RTSP)\/1\.0$/i.exec(lines[0] ?? '');
  if (!first) throw bad(`"${(lines[0] ?? '').slice(0, 60)}" is not PLAY, PAUSE or TEARDOWN … MANSRTSP/1.0`);
  const cmd: MansrtspCommand = { method: first[1]!.toUpperCase() as MansrtspCommand['method'], cseq: null, seekSeconds: null, scale: null };
  for (const line of lines.slice(1)) {
    const m = /^([A-Za-z-]+)\s*:\s*(.*)$/.exec(line);
    if (!m) continue;
    const name = m[1]!.toLowerCase();
    const value = m[2]!.trim();
    if (name === 'cseq') cmd.cseq = Number.parseInt(value, 10);
    else if (name === 'scale') {
      const s = Number(value);
      if (!Number.isFinite(s) || s <= 0 || s > 32) throw bad(`Scale: ${value.slice(0, 20)} — speeds from 0.125 to 32 are supported, reverse is not`);
      cmd.scale = s;
    } else if (name === 'range') {
      const r = /^npt\s*=\s*(now|\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)?$/i.exec(value);
      if (!r) throw bad(`Range: ${value.slice(0, 40)} — expected npt=<seconds>- or npt=now-`);
      if (r[1]!.toLowerCase() !== 'now') cmd.seekSeconds = Number(r[1]);
    }
  }
  return cmd;
}
