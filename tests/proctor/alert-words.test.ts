// The invigilator's words for a refusal at the entrance: every face refusal the kiosk can send has its
// Chinese (and English) words, so no reason code or engine English reaches a zh-CN console.
import t from 'tap';
import { VERIFY_REFUSALS } from '../../kiosk/protocol.ts';
import { textOf } from '../../proctor/alert-words.ts';

t.test('every kiosk face refusal is worded in Chinese on the alert, never its code', async (t) => {
  for (const reason of VERIFY_REFUSALS) {
    const kind = reason === 'mismatch' || reason === 'card_mismatch' ? 'kiosk_mismatch' : 'kiosk_refused';
    const text = textOf(
      { kind, severity: 'warning', event: 'identity.refused', at: 0, roomId: 'R1', params: { reason, distance: null }, key: 'k' },
      { name: '张伟', ticketNo: '001', seat: '07' },
    );
    t.same(text.zh.match(/[A-Za-z]{3,}/g), null, `${reason}: ${text.zh}`);
    t.notMatch(text.en, /[a-z]+_[a-z]+/, `${reason} in English words too, not a code: ${text.en}`);
  }
});
