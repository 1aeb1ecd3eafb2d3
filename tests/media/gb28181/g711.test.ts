// G.711 as the live relay carries it once ingest stops transcoding (issue 26): an MPEG-TS private
// stream (stream_type 0x06, PES 0xBD) whose law only ingest knows. It must reach the platform as
// received, in PS stream type 0x90 (A-law) or 0x91 (µ-law), byte for byte.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { PsMuxer } from '../../../media/gb28181/ps-mux.ts';
import { TsFrameReader, type TsFrame } from '../../../media/gb28181/ts-frames.ts';
import { scratchDir } from '../../helpers.ts';
import { parsePs } from './ps-parse.ts';

for (const [codec, law, type] of [
  ['pcm_alaw', 'g711a', 0x90],
  ['pcm_mulaw', 'g711u', 0x91],
] as const) {
  t.test(`${codec} from the relay's private stream goes into the PS as stream type 0x${type.toString(16)}, byte for byte`, async (t) => {
    const dir = scratchDir(t, 'examroom-gb711-');
    const tsFile = join(dir, 'in.ts');
    const enc = spawnSync(
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=320x240:rate=10',
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=440:sample_rate=8000',
        '-t',
        '3',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-g',
        '10',
        '-bf',
        '0',
        '-c:a',
        codec,
        '-ar',
        '8000',
        '-ac',
        '1',
        '-f',
        'mpegts',
        '-y',
        tsFile,
      ],
      { encoding: 'utf8' },
    );
    t.equal(enc.status, 0, enc.stderr);
    const frames: TsFrame[] = [];
    const reader = new TsFrameReader(
      (f) => frames.push(f),
      () => law,
    );
    const ts = readFileSync(tsFile);
    for (let o = 0; o < ts.length; o += 1000) reader.push(ts.subarray(o, o + 1000)); // chunks that split packets
    t.equal(reader.audio, law, `the reader takes the private stream as ${law} on ingest's word`);
    const audio = frames.filter((f) => f.kind === 'audio');
    t.ok(audio.length > 0, `${audio.length} audio frames`);
    const mux = new PsMuxer(reader.video, reader.audio);
    const ps = Buffer.concat(frames.flatMap((f) => mux.mux(f)));
    // Debian's ffmpeg 5.1 PS demuxer does not know 0x90/0x91 (it takes 0xC0 for MPEG audio), so the
    // pack is read with our spec reader: the PSM's type, and the PES payloads against what came in.
    const packs = parsePs(ps);
    const psm = packs.find((p) => p.psm)?.psm;
    t.same(
      psm?.types.find((x) => x.id === 0xc0),
      { type, id: 0xc0 },
      `the PSM says 0x${type.toString(16)} for the audio on 0xC0`,
    );
    const out = Buffer.concat(packs.flatMap((p) => p.pes.filter((x) => x.id === 0xc0).map((x) => x.payload)));
    t.same(out, Buffer.concat(audio.map((f) => f.data)), 'the G.711 bytes in the PS are the bytes that came in');
    t.ok(out.length >= 8000 * 2, `${out.length} bytes: about 3 s at 8 kHz`);
    t.same(
      packs.flatMap((p) => p.pes.filter((x) => x.id === 0xc0).map((x) => x.pts)),
      audio.map((f) => f.pts),
      'each audio PES keeps its PTS',
    );
  });
}

t.test('without ingest naming the law, a private stream is left out rather than played as noise', async (t) => {
  const reader = new TsFrameReader(() => {});
  // PAT → PMT on 0x1000 → one 0x06 stream on 0x101.
  const dir = scratchDir(t, 'examroom-gb711-');
  const tsFile = join(dir, 'in.ts');
  spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=sample_rate=8000', '-t', '1', '-c:a', 'pcm_alaw', '-f', 'mpegts', '-y', tsFile]);
  reader.push(readFileSync(tsFile));
  t.equal(reader.audio, null);
});
