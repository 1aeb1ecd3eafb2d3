// 居民身份证号码 (GB 11643-1999): the roster's key for a person, so a mistyped number must never
// create a second person file. Check digits below were computed by hand from the weights.
import t from 'tap';
import { ageOn, checkDigitOf, checkIdNumber, maskIdNumber, normaliseIdNumber } from '../../core/index.ts';

const TODAY = '2026-03-01';

t.test('valid numbers pass and yield birth date and sex', async (t) => {
  // 1·7+1·9+0·10+1·5+0·8+5·4+1·2+9·1+4·6+9·3+1·7+2·9+3·10+1·5+0·8+0·4+2·2 = 167; 167 mod 11 = 2 → X
  t.same(checkIdNumber('11010519491231002X', TODAY), {
    ok: true,
    card: { idNumber: '11010519491231002X', region: '110105', birthDate: '1949-12-31', sex: 'female' },
  });
  // 4·7+4·9+0·10+1·5+0·8+6·4+1·2+9·1+8·6+5·3+0·7+3·9+1·10+2·5+0·8+0·4+1·2 = 216; 216 mod 11 = 7 → 5
  t.equal(checkDigitOf('44010619850312001'), '5');
  t.match(checkIdNumber('440106198503120015', TODAY), { ok: true, card: { birthDate: '1985-03-12', sex: 'male' } });
  // A leap day is a real birth date.
  t.equal(checkDigitOf('51010720000229002'), '9');
  t.match(checkIdNumber('510107200002290029', TODAY), { ok: true, card: { birthDate: '2000-02-29', sex: 'female' } });
});

t.test('a wrong check digit names the right one', async (t) => {
  t.same(checkIdNumber('110105194912310027', TODAY), { ok: false, problem: 'check digit should be X', got: '…7' });
  t.same(checkIdNumber('44010619850312001X', TODAY), { ok: false, problem: 'check digit should be 5', got: '…X' });
});

t.test('a lower-case x is accepted and stored upper-case; full-width digits and spaces fold', async (t) => {
  t.match(checkIdNumber('11010519491231002x', TODAY), { ok: true, card: { idNumber: '11010519491231002X' } });
  t.equal(normaliseIdNumber(' １１０１０５ 19491231002x '), '11010519491231002X');
  t.match(checkIdNumber(' １１０１０５ 19491231002x ', TODAY), { ok: true, card: { idNumber: '11010519491231002X' } });
});

t.test('a birth date that is not a calendar date, or lies in the future, is refused', async (t) => {
  const withDate = (d: string) => {
    const first17 = `440106${d}001`;
    return first17 + checkDigitOf(first17);
  };
  t.match(checkIdNumber(withDate('19850230'), TODAY), { ok: false, problem: /birth date 1985-02-30 .* is not a calendar date/ });
  t.match(checkIdNumber(withDate('19851301'), TODAY), { ok: false, problem: /not a calendar date/ });
  t.match(checkIdNumber(withDate('19990229'), TODAY), { ok: false, problem: /1999-02-29 .* not a calendar date/ });
  t.match(checkIdNumber(withDate('20300101'), TODAY), { ok: false, problem: /in the future/ });
  t.match(checkIdNumber(withDate('18991231'), TODAY), { ok: false, problem: /before 1900/ });
});

t.test('a 15-digit first-generation number is refused with what to do instead', async (t) => {
  t.match(checkIdNumber('440106850312001', TODAY), { ok: false, problem: /15-digit number from a first-generation card .* give the 18-digit number/ });
});

t.test('wrong length, stray characters and unknown regions are refused', async (t) => {
  t.match(checkIdNumber('4401061985031200', TODAY), { ok: false, problem: /must be 18 characters.*this has 16/ });
  t.match(checkIdNumber('44010619850312001Y', TODAY), { ok: false, problem: /must be 18 characters/ });
  t.match(checkIdNumber('', TODAY), { ok: false, problem: 'missing' });
  const first17 = '99010619850312001';
  t.match(checkIdNumber(first17 + checkDigitOf(first17), TODAY), { ok: false, problem: /region code 990106 does not start with a province code/ });
});

t.test('masking keeps region and last four', async (t) => {
  t.equal(maskIdNumber('440106198503120015'), '440106********0015');
});

t.test('age counts whole years on the day', async (t) => {
  t.equal(ageOn('2008-03-02', '2026-03-01'), 17);
  t.equal(ageOn('2008-03-01', '2026-03-01'), 18);
});
