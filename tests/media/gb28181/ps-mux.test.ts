// The PS muxer against ISO/IEC 13818-1 §2.5 as GB/T 28181 Annex C uses it, read back field by field
// by a parser written here from the spec (not the muxer's own code), and the RTP packetizer's rules.
import t from 'tap';
import { MAX_PES_PAYLOAD, PsMuxer, type PsFrame } from '../../../media/gb28181/ps-mux.ts';
import { RtpPacketizer } from '../../../media/gb28181/rtp.ts';
import { parsePack } from './ps-parse.ts';

const frame = (over: Partial<PsFrame>): PsFrame => ({ kind: 'video', pts: 900_000, dts: 900_000, key: false, data: Buffer.alloc(1000, 7), ...over });

t.test('every frame opens with a pack header whose SCR is the frame time', async (t) => {
  const m = new PsMuxer('h264', 'g711a');
  const scr = 2 ** 32 + 12345; // past 32 bits: the 33rd bit survives
  const p = parsePack(Buffer.concat(m.mux(frame({ dts: scr, pts: scr }))));
  t.equal(p.scr, scr);
  t.ok(p.scrMarkers, 'marker bits set');
  t.ok(p.muxRate > 0, 'program_mux_rate is not zero (forbidden)');
  t.equal(p.system, null, 'a P-frame has no system header');
  t.equal(p.psm, null, 'a P-frame has no PSM');
});

t.test('a key frame carries the system header and a PSM with the stream types of GB/T 28181', async (t) => {
  const cases = [
    ['h264', 'g711a', 0x1b, 0x90],
    ['hevc', 'g711u', 0x24, 0x91],
    ['h264', 'aac', 0x1b, 0x0f],
  ] as const;
  for (const [v, a, vt, at] of cases) {
    const p = parsePack(Buffer.concat(new PsMuxer(v, a).mux(frame({ key: true }))));
    t.same(
      p.psm?.types,
      [
        { type: vt, id: 0xe0 },
        { type: at, id: 0xc0 },
      ],
      `${v} + ${a}: stream types 0x${vt.toString(16)} / 0x${at.toString(16)} on stream ids 0xE0 / 0xC0`,
    );
    t.ok(p.psm?.crcOk, `${v} + ${a}: the PSM's CRC_32 checks`);
    t.equal(p.psm?.length, 10 + 4 * 2, 'program_stream_map_length counts what follows it');
    t.same(
      p.system?.streams.map((s) => [s.id, s.scale]),
      [
        [0xe0, 1],
        [0xc0, 0],
      ],
      'the system header lists both streams (video buffer scale 1024, audio 128)',
    );
  }
  const videoOnly = parsePack(Buffer.concat(new PsMuxer('h264', null).mux(frame({ key: true }))));
  t.same(videoOnly.psm?.types, [{ type: 0x1b, id: 0xe0 }], 'a camera without audio: one stream in the PSM');
});

t.test('a frame larger than one PES is split into PES packets of at most 64 KiB with PTS on the first', async (t) => {
  const data = Buffer.alloc(200_000);
  for (let i = 0; i < data.length; i++) data[i] = i & 0xff;
  const p = parsePack(Buffer.concat(new PsMuxer('h264', null).mux(frame({ data, pts: 3003, dts: 3000, key: true }))));
  t.equal(p.pes.length, 4, '200,000 bytes in 4 PES packets');
  t.ok(
    p.pes.every((x) => x.length <= 0xffff && 6 + x.length <= 65_541),
    'every PES_packet_length fits 16 bits',
  );
  t.equal(p.pes[0]!.payload.length, MAX_PES_PAYLOAD, 'the first is full');
  t.same([p.pes[0]!.pts, p.pes[0]!.dts], [3003, 3000], 'PTS and DTS on the first PES (they differ)');
  t.ok(
    p.pes.slice(1).every((x) => x.pts === null),
    'no PTS on the continuation PES',
  );
  t.ok(p.pes[0]!.aligned, 'data_alignment_indicator on the PES that starts the access unit');
  t.same(Buffer.concat(p.pes.map((x) => x.payload)), data, 'the payloads join back into the frame byte for byte');
});

t.test('audio given with a video frame rides in its pack as PES on 0xC0 with its own PTS', async (t) => {
  const audio = [frame({ kind: 'audio', pts: 899_000, dts: 899_000, data: Buffer.alloc(160, 0xd5) })];
  const p = parsePack(Buffer.concat(new PsMuxer('h264', 'g711a').mux(frame({}), audio)));
  t.same(
    p.pes.map((x) => [x.id, x.pts, x.dts]),
    [
      [0xe0, 900_000, null],
      [0xc0, 899_000, null],
    ],
    'video PES (PTS only when PTS = DTS), then the audio PES',
  );
});

t.test('all RTP packets of one frame share its timestamp and only the last has the marker', async (t) => {
  const rtp = new RtpPacketizer(0x12345678, 96, 0xfffe);
  const pieces = new PsMuxer('h264', null).mux(frame({ data: Buffer.alloc(5000, 1) }));
  const total = pieces.reduce((a, b) => a + b.length, 0);
  const packets = rtp.packetize(pieces, 123_456).map((p) => Buffer.concat(p));
  t.equal(packets.length, Math.ceil(total / 1400), 'payloads of 1400 bytes');
  t.ok(
    packets.every((p) => p.readUInt32BE(4) === 123_456 && p.readUInt32BE(8) === 0x12345678 && (p[1]! & 0x7f) === 96 && p[0] === 0x80),
    'same timestamp, SSRC, PT 96, version 2',
  );
  t.same(
    packets.map((p) => p[1]! >> 7),
    [0, 0, 0, 1],
    'marker on the last',
  );
  t.same(
    packets.map((p) => p.readUInt16BE(2)),
    [0xfffe, 0xffff, 0, 1],
    'sequence numbers wrap at 16 bits',
  );
  t.same(Buffer.concat(packets.map((p) => p.subarray(12))), Buffer.concat(pieces), 'the payloads join back into the pack');
});
