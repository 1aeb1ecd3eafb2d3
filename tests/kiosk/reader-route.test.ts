// POST /api/kiosk/card as the reader bridge sends it: the reader's own device kind, what it may and may
// not call, the fields it adds (checked, and refused in words with nothing kept), a BMP from a WLT
// decoder stored as PNG, and an old driver's five fields still accepted.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { kioskSite, P } from './fixture.ts';
import { login, pairDevice, PASSWORDS } from '../helpers.ts';
import { commandDecoder } from '../../kiosk/reader-bridge/photo-decoder.ts';

/** A 24-bit bottom-up BMP as the vendors' WLT decoders write it (102×126), plain colours. */
function bmp(width = 102, height = 126): Buffer {
  const stride = Math.ceil((width * 3) / 4) * 4;
  const b = Buffer.alloc(54 + stride * height);
  b.write('BM', 0, 'ascii');
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(width, 18);
  b.writeInt32LE(height, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const at = 54 + y * stride + x * 3;
      // Bottom rows (stored first) blue, top rows red: the PNG must come out the right way up.
      if (y < height / 2) b[at] = 255;
      else b[at + 2] = 255;
    }
  return b;
}

t.test('the reader bridge posts as its kiosk and may call nothing else of the kiosk', async (t) => {
  const k = await kioskSite(t, { engine: null, enrolOnImport: false });
  const admin = await login(k.app, 'admin', PASSWORDS.admin);
  const reader = { authorization: `Bearer ${await pairDevice(k.app, 'reader', 'K1.reader', admin)}` };
  const post = (payload: object, headers = reader) => k.app.inject({ method: 'POST', url: '/api/kiosk/card', headers, payload });

  await t.test('a pairing must name a configured kiosk’s reader', async (t) => {
    const r = await k.app.inject({ method: 'POST', url: '/api/devices/pairings', payload: { kind: 'reader', deviceId: 'K9.reader' } });
    t.equal(r.statusCode, 400);
    t.match(r.json().message, /no reader with this id in the config \(known: K1\.reader, K2\.reader\)/);
  });

  await t.test('everything the reader read is accepted; the kiosk page hears the card', async (t) => {
    const r = await post({
      idNumber: P.toledo,
      name: '托莱多',
      issuer: '广州市公安局天河分局',
      validFrom: '2020-01-01',
      validUntil: '长期',
      sex: '男',
      nation: '汉',
      birthDate: '1985-03-12',
      address: '广东省广州市天河区测试路1号',
      cardType: 'resident',
      photoMissing: 'no_decoder',
    });
    t.equal(r.statusCode, 202);
    const lookup = await k.post('/api/kiosk/lookup', { source: 'card', cardId: r.json().cardId });
    t.match(lookup.body, { ok: true, candidate: { name: '托莱多', cardPhoto: false } });
    const row = k.app.ctx.db.prepare('SELECT card FROM identity_attempts WHERE id = ?').get(lookup.body.attemptId) as { card: string };
    t.same(
      JSON.parse(row.card),
      { cardId: r.json().cardId, name: '托莱多', issuer: '广州市公安局天河分局', validUntil: null, cardType: 'resident', photoMissing: 'no_decoder' },
      'no address, sex, nation or birth date kept',
    );
  });

  await t.test('an old driver with the kiosk’s own token and five fields is still accepted', async (t) => {
    const r = await post({ idNumber: P.abizaid, name: '阿比扎伊德', issuer: '广州市公安局天河分局', validUntil: '2030-01-01' }, k.headers);
    t.equal(r.statusCode, 202);
  });

  await t.test('bad fields are refused by name', async (t) => {
    const before = (
      await k.app.inject({ method: 'POST', url: '/api/kiosk/card', headers: reader, payload: { idNumber: P.toledo, name: 'x', birthDate: '1985-02-30' } })
    ).json();
    t.match(before, { message: /birthDate: must be a real date YYYY-MM-DD/ });
    const r = await post({ idNumber: P.toledo, name: 'x', cardType: 'foreign_permanent_residence' });
    t.equal(r.statusCode, 400);
    const both = await post({ idNumber: P.toledo, name: 'x', photoBase64: bmp().toString('base64'), photoMissing: 'no_decoder' });
    t.match(both.json(), { message: /photoMissing: says the photo is missing, but photoBase64 carries one/ });
    const gif = await post({ idNumber: P.toledo, name: 'x', photoBase64: Buffer.from('GIF89a-not-a-photo').toString('base64') });
    t.match(gif.json(), { message: /photoBase64: is neither a JPEG, a PNG nor a BMP image/ });
  });

  await t.test('a reader token opens no other kiosk route', async (t) => {
    for (const [method, url] of [
      ['GET', '/api/kiosk/state'],
      ['POST', '/api/kiosk/lookup'],
      ['POST', '/api/devices/health'],
    ] as const) {
      const r = await k.app.inject({ method, url, headers: reader, ...(method === 'POST' ? { payload: {} } : {}) });
      t.equal(r.statusCode, 403, `${method} ${url}`);
    }
    const asKiosk = await k.app.inject({ method: 'POST', url: '/api/devices/reader-status', headers: k.headers, payload: {} });
    t.equal(asKiosk.statusCode, 403, 'and the kiosk page cannot pose as its reader');
  });

  await t.test('a WLT decoder’s BMP becomes a PNG the right way up, and the card photo is compared', async (t) => {
    // The site's decoder, as a command line: here a script that "decodes" by writing a BMP.
    const script = join(k.dir, 'fake-wlt-decoder.mjs');
    writeFileSync(
      script,
      `import { readFileSync, writeFileSync } from 'node:fs';\nif (readFileSync(process.argv[2]).length !== 1024) process.exit(3);\nwriteFileSync(process.argv[3], Buffer.from(${JSON.stringify(bmp().toString('base64'))}, 'base64'));\n`,
    );
    const decode = commandDecoder(`"${process.execPath}" ${script} {in} {out}`);
    const picture = await decode(Buffer.alloc(1024, 0x57));
    t.same(picture.subarray(0, 2), Buffer.from('BM'));
    await t.rejects(decode(Buffer.alloc(10)), /Command failed/, 'a decoder that fails says so');
    const r = await post({ idNumber: P.nophoto, name: '无照片', photoBase64: picture.toString('base64') });
    t.equal(r.statusCode, 202);
    const lookup = await k.post('/api/kiosk/lookup', { source: 'card', cardId: r.json().cardId });
    t.match(lookup.body, { ok: true, candidate: { cardPhoto: true } });
    const row = k.app.ctx.db.prepare('SELECT card_photo AS f FROM identity_attempts WHERE id = ?').get(lookup.body.attemptId) as { f: string };
    t.match(row.f, /-card\.png$/);
    const png = k.app.exam.deps.faceVault.readFile(join(k.app.ctx.paths.captures, row.f));
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    t.same([info.width, info.height], [102, 126]);
    t.same([...data.subarray(0, 3)], [255, 0, 0], 'top-left is red (the BMP stored the bottom row first)');
    t.throws(() => commandDecoder('wlt2bmp photo.wlt'), /must name \{in\} \(the WLT file\) and \{out\}/);
  });
});
