// What a read of base information (command 30 01) carries, as fields: the 256 bytes of UCS-2LE text in
// the fixed fields of GA/T 490 (name 30, sex 2, nation 4, birth 16, address 70, ID number 36, issuing
// office 30, valid from 16, valid until 16, reserved 36) and the 1024-byte WLT photo, which only the
// vendor's licensed decoder turns into a picture. Pure: no I/O, no network.
import { idNumberProblem } from '../../core/id-number.ts';

export const TEXT_BYTES = 256;
export const WLT_BYTES = 1024;

/** GB/T 2261.1 sex codes. */
export const SEX: Record<string, string> = { '0': '未知', '1': '男', '2': '女', '9': '未说明' };

/** GB/T 3304 nation codes as the card stores them (two digits), plus 97 and 98 of the card's own list. */
export const NATIONS: Record<string, string> = Object.fromEntries(
  [
    '汉',
    '蒙古',
    '回',
    '藏',
    '维吾尔',
    '苗',
    '彝',
    '壮',
    '布依',
    '朝鲜',
    '满',
    '侗',
    '瑶',
    '白',
    '土家',
    '哈尼',
    '哈萨克',
    '傣',
    '黎',
    '傈僳',
    '佤',
    '畲',
    '高山',
    '拉祜',
    '水',
    '东乡',
    '纳西',
    '景颇',
    '柯尔克孜',
    '土',
    '达斡尔',
    '仫佬',
    '羌',
    '布朗',
    '撒拉',
    '毛南',
    '仡佬',
    '锡伯',
    '阿昌',
    '普米',
    '塔吉克',
    '怒',
    '乌孜别克',
    '俄罗斯',
    '鄂温克',
    '德昂',
    '保安',
    '裕固',
    '京',
    '塔塔尔',
    '独龙',
    '鄂伦春',
    '赫哲',
    '门巴',
    '珞巴',
    '基诺',
  ]
    .map((n, i) => [String(i + 1).padStart(2, '0'), n] as [string, string])
    .concat([
      ['97', '其他'],
      ['98', '外国血统中国籍人士'],
    ]),
);

/**
 * The card type, from the type mark in the reserved area (the 125th character): blank for the resident
 * ID card, 'J' for the Hong Kong/Macao/Taiwan residents' residence permit (the same layout, no nation),
 * 'I' (2017 design) or 'Y' (2023 design) for the foreigners' permanent residence ID card, whose layout
 * differs (an English name first) and which is refused by name.
 */
export type CardType = 'resident' | 'hmt_residence_permit' | 'foreign_permanent_residence';
export const CARD_TYPE_WORDS: Record<CardType, { zh: string; en: string }> = {
  resident: { zh: '居民身份证', en: 'resident ID card' },
  hmt_residence_permit: { zh: '港澳台居民居住证', en: "Hong Kong/Macao/Taiwan residents' residence permit" },
  foreign_permanent_residence: { zh: '外国人永久居留身份证', en: "foreigners' permanent residence ID card" },
};

export interface CardText {
  cardType: CardType;
  name: string;
  /** Sex in words (男/女…), and the code as stored. */
  sex: string;
  sexCode: string;
  /** Nation in words (汉…); null on a residence permit, which has none. */
  nation: string | null;
  nationCode: string | null;
  /** YYYY-MM-DD. */
  birthDate: string;
  address: string;
  idNumber: string;
  issuer: string;
  validFrom: string;
  /** YYYY-MM-DD, or 长期 for a card without an end date. */
  validUntil: string;
}

export interface DecodedCard extends CardText {
  /** The 1024-byte WLT photo as read; only a vendor's decoder makes a picture of it. */
  wlt: Buffer | null;
}

/** A card the bridge cannot post, in words for the kiosk and for staff. */
export class CardProblem extends Error {
  constructor(
    readonly reason: 'unsupported_card' | 'unreadable_card',
    message: string,
  ) {
    super(message);
    this.name = 'CardProblem';
  }
}

const field = (text: Buffer, from: number, bytes: number): string =>
  text
    .subarray(from, from + bytes)
    .toString('utf16le')
    .split(String.fromCharCode(0))[0]!
    .trim();

const ymd = (s: string, what: string): string => {
  if (!/^\d{8}$/.test(s)) throw new CardProblem('unreadable_card', `the ${what} on the card is not a date YYYYMMDD: ${JSON.stringify(s)}`);
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
};

export function cardTypeOf(text: Buffer): CardType {
  const mark = text.subarray(248, 250).toString('utf16le');
  if (mark === 'J') return 'hmt_residence_permit';
  if (mark === 'I' || mark === 'Y') return 'foreign_permanent_residence';
  return 'resident';
}

/** The 256 bytes of text → fields. Refuses, in words, a card type it does not read and fields that make no sense. */
export function decodeText(text: Buffer): CardText {
  if (text.length !== TEXT_BYTES) throw new CardProblem('unreadable_card', `the card's text is ${text.length} bytes, not ${TEXT_BYTES}`);
  const cardType = cardTypeOf(text);
  if (cardType === 'foreign_permanent_residence')
    throw new CardProblem(
      'unsupported_card',
      `this is a ${CARD_TYPE_WORDS[cardType].en} (${CARD_TYPE_WORDS[cardType].zh}); the kiosk reads resident ID cards and residence permits only — staff enter the number by hand`,
    );
  const sexCode = field(text, 30, 2);
  const nationCode = cardType === 'resident' ? field(text, 32, 4) : null;
  const idNumber = field(text, 122, 36).toUpperCase();
  const bad = idNumberProblem(idNumber);
  if (bad) throw new CardProblem('unreadable_card', `the ID number read from the card ${bad}`);
  const until = field(text, 204, 16);
  const name = field(text, 0, 30);
  if (!name) throw new CardProblem('unreadable_card', 'the card gave an empty name');
  return {
    cardType,
    name,
    sexCode,
    sex: SEX[sexCode] ?? `代码 ${sexCode}`,
    nationCode,
    nation: nationCode === null ? null : (NATIONS[nationCode] ?? `代码 ${nationCode}`),
    birthDate: ymd(field(text, 36, 16), 'birth date'),
    address: field(text, 52, 70),
    idNumber,
    issuer: field(text, 158, 30),
    validFrom: ymd(field(text, 188, 16), 'valid-from date'),
    validUntil: until === '长期' ? '长期' : ymd(until, 'valid-until date'),
  };
}

/**
 * The data of a successful base-information reply: text length and photo length (two bytes each, high
 * first; with fingerprints a third), then the text, the photo (and the fingerprints, ignored).
 */
export function decodeBaseInfo(data: Buffer, withFingerprints = false): DecodedCard {
  const head = withFingerprints ? 6 : 4;
  if (data.length < head) throw new CardProblem('unreadable_card', `the base information is ${data.length} bytes, shorter than its own header`);
  const textLen = data.readUInt16BE(0);
  const photoLen = data.readUInt16BE(2);
  if (textLen !== TEXT_BYTES) throw new CardProblem('unreadable_card', `the card says its text is ${textLen} bytes, not ${TEXT_BYTES}`);
  if (data.length < head + textLen + photoLen)
    throw new CardProblem('unreadable_card', `the base information is ${data.length} bytes; its header announces ${head + textLen + photoLen}`);
  const text = decodeText(data.subarray(head, head + textLen));
  const wlt = photoLen > 0 ? Buffer.from(data.subarray(head + textLen, head + textLen + photoLen)) : null;
  return { ...text, wlt };
}

// ---- building cards (the simulated reader and the tests) ----------------------------------------

export interface CardIdentity {
  name: string;
  sexCode: string;
  nationCode: string;
  /** YYYYMMDD */
  birth: string;
  address: string;
  idNumber: string;
  issuer: string;
  validFrom: string;
  validUntil: string;
  /** ' ' (resident), 'J', 'I' or 'Y'. */
  typeMark?: string;
}

const put = (buf: Buffer, at: number, bytes: number, s: string) => {
  const b = Buffer.from(s, 'utf16le');
  if (b.length > bytes) throw new Error(`${JSON.stringify(s)} does not fit in ${bytes} bytes`);
  buf.fill(0x20, at, at + bytes);
  // Spaces (0x0020 in UCS-2LE) pad a field, as cards do.
  for (let i = at; i < at + bytes; i += 2) buf.writeUInt16LE(0x20, i);
  b.copy(buf, at);
};

export function encodeText(c: CardIdentity): Buffer {
  const t = Buffer.alloc(TEXT_BYTES);
  put(t, 0, 30, c.name);
  put(t, 30, 2, c.sexCode);
  put(t, 32, 4, c.nationCode);
  put(t, 36, 16, c.birth);
  put(t, 52, 70, c.address);
  put(t, 122, 36, c.idNumber);
  put(t, 158, 30, c.issuer);
  put(t, 188, 16, c.validFrom);
  put(t, 204, 16, c.validUntil);
  put(t, 220, 36, '');
  if (c.typeMark && c.typeMark !== ' ') put(t, 248, 2, c.typeMark);
  return t;
}

/** The data of a 30 01 reply for a card: lengths, text, photo. */
export function encodeBaseInfo(c: CardIdentity, wlt: Buffer = Buffer.alloc(WLT_BYTES, 0x57)): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(TEXT_BYTES, 0);
  head.writeUInt16BE(wlt.length, 2);
  return Buffer.concat([head, encodeText(c), wlt]);
}
