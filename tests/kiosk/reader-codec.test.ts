// The reader bridge's frame codec and card decoding, against frames with known bytes. The golden
// frames are quoted from public protocol material, so the codec is checked against more than our own
// reading of the protocol:
//  [A] heavyii/cardreader, src/com/dlrc/idcard/IdReader.java (GitHub): find, select and read commands and
//      the replies "card found" (…00 08 00 00 9F 00 00 00 00 97), "no card" (…00 04 00 00 80 84),
//      select OK (…00 0C 00 00 90 + 8 × 00 + 9C), select failed (…00 04 00 00 81 85), read failed (…00 04 00 00 41 45).
//  [B] "nfc读取身份证", softs.im (https://softs.im/nfc%E8%AF%BB%E5%8F%96%E8%BA%AB%E4%BB%BD%E8%AF%81/), quoting
//      公安部第一研究所's 身份证阅读器接口使用说明: "aa aa aa 96 69 00 04 00 00 41 45" (read failed) and
//      "aa aa aa 96 69 00 04 00 00 32 36" (SAM→card authentication failed).
//  [C] The IDCardDemo README (qiwenmingshiwo, blog.csdn.net/qiwenmingshiwo/article/details/50698927): the
//      base-information reply head "AA AA AA 96 69 05 08 00 00 90 01 00 04 00" + 256 + 1024 + 1 (1295 bytes),
//      the field table and the status command "AA AA AA 96 69 00 03 11 FF ED" (also [D]).
//  [D] A Qt reader helper quoted in public code search: reset "AA AA AA 96 69 00 03 10 FF EC".
import t from 'tap';
import { encodeCommand, encodeReply, FrameAssembler, type FrameError, parseCommand, parseReply } from '../../kiosk/reader-bridge/frame.ts';
import { CardProblem, decodeBaseInfo, decodeText, encodeBaseInfo, encodeText, NATIONS, type CardIdentity } from '../../kiosk/reader-bridge/card.ts';

const bytes = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

const GOLDEN = {
  find: bytes('AA AA AA 96 69 00 03 20 01 22'), // [A][C]
  select: bytes('AA AA AA 96 69 00 03 20 02 21'), // [A][C]
  readBase: bytes('AA AA AA 96 69 00 03 30 01 32'), // [A][C]
  readBaseWithFingerprints: bytes('AA AA AA 96 69 00 03 30 10 23'), // [C]
  status: bytes('AA AA AA 96 69 00 03 11 FF ED'), // [C][D]
  reset: bytes('AA AA AA 96 69 00 03 10 FF EC'), // [D]
  found: bytes('AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97'), // [A][C]
  noCard: bytes('AA AA AA 96 69 00 04 00 00 80 84'), // [A]
  selected: bytes('AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C'), // [A][C]
  selectFailed: bytes('AA AA AA 96 69 00 04 00 00 81 85'), // [A]
  readFailed: bytes('aa aa aa 96 69 00 04 00 00 41 45'), // [A][B]
  samAuthFailed: bytes('aa aa aa 96 69 00 04 00 00 32 36'), // [B]
};

// A made-up person with a valid GB 11643 number (check digit computed by the rule, not a real person).
export const TEST_CARD: CardIdentity = {
  name: '测试甲',
  sexCode: '2',
  nationCode: '05',
  birth: '19900307',
  address: '广东省广州市天河区测试路88号',
  idNumber: '440106199003070028',
  issuer: '广州市公安局天河分局',
  validFrom: '20200101',
  validUntil: '20400101',
};

t.test('commands encode to the bytes the public documents quote', async (t) => {
  t.same(encodeCommand('findCard'), GOLDEN.find);
  t.same(encodeCommand('selectCard'), GOLDEN.select);
  t.same(encodeCommand('readBase'), GOLDEN.readBase);
  t.same(encodeCommand('readBaseWithFingerprints'), GOLDEN.readBaseWithFingerprints);
  t.same(encodeCommand('status'), GOLDEN.status);
  t.same(encodeCommand('reset'), GOLDEN.reset);
  t.same(parseCommand(GOLDEN.find), { cmd: 0x20, para: 0x01, data: Buffer.alloc(0), raw: GOLDEN.find });
});

t.test('golden replies parse to their status', async (t) => {
  t.equal(parseReply(GOLDEN.found).status, 'card_found');
  t.same(parseReply(GOLDEN.found).data, Buffer.alloc(4));
  t.equal(parseReply(GOLDEN.noCard).status, 'no_card');
  t.equal(parseReply(GOLDEN.selected).status, 'success');
  t.same(parseReply(GOLDEN.selected).data, Buffer.alloc(8));
  t.equal(parseReply(GOLDEN.selectFailed).status, 'select_failed');
  t.equal(parseReply(GOLDEN.readFailed).status, 'read_failed');
  t.equal(parseReply(GOLDEN.samAuthFailed).status, 'sam_auth_failed');
  // And the encoder makes exactly those replies.
  t.same(encodeReply(0x9f, Buffer.alloc(4)), GOLDEN.found);
  t.same(encodeReply(0x80), GOLDEN.noCard);
  t.same(encodeReply(0x90, Buffer.alloc(8)), GOLDEN.selected);
  t.same(encodeReply(0x41), GOLDEN.readFailed);
});

t.test('a base-information reply has the documented head and is 1295 bytes long', async (t) => {
  const frame = encodeReply(0x90, encodeBaseInfo(TEST_CARD));
  t.equal(frame.length, 1295); // [C]
  t.same(frame.subarray(0, 14), bytes('AA AA AA 96 69 05 08 00 00 90 01 00 04 00')); // [C]
  const card = decodeBaseInfo(parseReply(frame).data);
  t.match(card, {
    cardType: 'resident',
    name: '测试甲',
    sex: '女',
    nation: '维吾尔',
    birthDate: '1990-03-07',
    address: '广东省广州市天河区测试路88号',
    idNumber: '440106199003070028',
    issuer: '广州市公安局天河分局',
    validFrom: '2020-01-01',
    validUntil: '2040-01-01',
  });
  t.equal(card.wlt?.length, 1024);
});

t.test('the text fields sit at the documented offsets, UCS-2LE', async (t) => {
  const text = encodeText(TEST_CARD);
  t.equal(text.length, 256);
  t.equal(text.subarray(0, 6).toString('hex'), Buffer.from('测试甲', 'utf16le').toString('hex'));
  t.equal(text.subarray(122, 158).toString('utf16le'), '440106199003070028');
  t.equal(text.subarray(204, 220).toString('utf16le'), '20400101');
});

t.test('valid-until 长期 stays 长期; codes become words', async (t) => {
  const c = decodeText(encodeText({ ...TEST_CARD, validUntil: '长期', sexCode: '1', nationCode: '01' }));
  t.equal(c.validUntil, '长期');
  t.equal(c.sex, '男');
  t.equal(c.nation, '汉');
  t.equal(Object.keys(NATIONS).length, 58);
});

t.test('a residence permit is decoded without a nation; a foreigners’ card is refused by name', async (t) => {
  const hmt = decodeText(encodeText({ ...TEST_CARD, idNumber: '810000199003070015', typeMark: 'J' }));
  t.equal(hmt.cardType, 'hmt_residence_permit');
  t.equal(hmt.nation, null);
  for (const mark of ['I', 'Y']) {
    t.throws(() => decodeText(encodeText({ ...TEST_CARD, typeMark: mark })), {
      name: 'CardProblem',
      reason: 'unsupported_card',
      message: /foreigners' permanent residence ID card \(外国人永久居留身份证\)/,
    });
  }
});

t.test('a wrong check digit in the card’s number is an unreadable card, said in words', async (t) => {
  t.throws(() => decodeText(encodeText({ ...TEST_CARD, idNumber: '440106199003070020' })), { reason: 'unreadable_card', message: /check digit/ });
  t.throws(() => decodeText(encodeText({ ...TEST_CARD, birth: '1990-3-7' })), CardProblem);
});

t.test('a checksum error, a short frame and a bad length are refused with their bytes', async (t) => {
  const bad = Buffer.from(GOLDEN.found);
  bad[bad.length - 1] = 0x00;
  t.throws(() => parseReply(bad), { name: 'FrameError', kind: 'checksum', message: /checksum is 00, the bytes add up to 97/ });
  t.throws(() => parseReply(GOLDEN.found.subarray(0, 12)), { kind: 'short', message: /says 8 bytes follow, 5 arrived/ });
  t.throws(() => parseReply(bytes('AA AA AA 96 69 00 00 00')), { name: 'FrameError', message: /length field 0 is outside/ });
  t.throws(() => parseReply(bytes('01 02 03')), { name: 'FrameError', message: /does not start with AA AA AA 96 69/ });
  try {
    parseReply(bad);
  } catch (err) {
    t.same((err as FrameError).bytes, bad, 'the error carries the bytes for the log');
  }
});

t.test('the assembler cuts a byte stream into frames, whatever the chunking', async (t) => {
  const stream = Buffer.concat([bytes('00 FF'), GOLDEN.found, GOLDEN.noCard, encodeReply(0x90, encodeBaseInfo(TEST_CARD))]);
  for (const size of [1, 3, 7, 64, stream.length]) {
    const a = new FrameAssembler();
    const got: Array<{ frame: Buffer } | { error: FrameError }> = [];
    for (let i = 0; i < stream.length; i += size) got.push(...a.push(stream.subarray(i, i + size)));
    const frames = got.filter((g): g is { frame: Buffer } => 'frame' in g).map((g) => g.frame);
    const errors = got.filter((g): g is { error: FrameError } => 'error' in g).map((g) => g.error);
    t.equal(frames.length, 3, `chunks of ${size}`);
    t.same(frames[0], GOLDEN.found);
    t.same(frames[1], GOLDEN.noCard);
    t.equal(frames[2]!.length, 1295);
    t.same(
      errors.map((e) => e.kind),
      ['junk'],
      'the two stray bytes are reported as junk, once',
    );
  }
  const a = new FrameAssembler();
  const bad = Buffer.from(GOLDEN.found);
  bad[bad.length - 1] = 0x00;
  const out = a.push(Buffer.concat([bad, GOLDEN.noCard]));
  t.equal(out.length, 2);
  t.equal('error' in out[0]! && out[0].error.kind, 'checksum');
  t.same('frame' in out[1]! && out[1].frame, GOLDEN.noCard, 'a bad frame costs only itself');
});
