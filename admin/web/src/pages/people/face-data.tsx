// A person's face data on their request, from the person file: the export (their photos, consent
// records and verification results as one signed zip, audited) and the erasure of what no evidence
// retention holds (reason required, confirmed in place, audited; what stays is listed with its date).
import { useState } from 'preact/hooks';
import { call } from '../../../../../web/http.ts';
import type { Bilingual, Lang } from '../../../../../web/i18n.ts';
import type { FaceErasure } from '../../../../../records/protocol.ts';
import { refusal } from '../results/refusal.ts';

interface FaceWords {
  title: string;
  exportLink: string;
  exportNote: string;
  eraseReason: string;
  eraseHint: string;
  erase: string;
  confirm: string;
  cancel: string;
  /** Reference templates (of roster/ID photos), live templates (of kiosk pictures), files: each said once, zeros left out. */
  erased: (references: number, probes: number, photos: number, pictures: number) => string;
  nothing: string;
  kept: string;
  kind: Record<FaceErasure['kept'][number]['kind'], string>;
  until: (of: string, date: string) => string;
}

const words: Bilingual<FaceWords> = {
  zh: {
    title: '人脸数据（本人请求）',
    exportLink: '导出本人人脸数据（zip）',
    exportNote: '含照片、同意记录和核验结果，照片为明文：只交给本人，导出记入审计日志。',
    eraseReason: '删除请求说明（何时、以何种方式提出、由谁核对身份）',
    eraseHint: '至少 4 个字',
    erase: '删除人脸数据…',
    confirm: '确认删除（不可恢复）',
    cancel: '取消',
    erased: (r, l, p, k) =>
      `已删除：${[r && `照片特征值 ${r} 条`, l && `现场比对特征值 ${l} 条`, p && `报名照片 ${p} 张`, k && `入场照片 ${k} 张`].filter(Boolean).join('、')}。`,
    nothing: '没有可删除的人脸数据。',
    kept: '以下照片是考试证据，须按规定保存至期满后自动删除：',
    kind: { capture: '入场抓拍', card_photo: '身份证照片', snapshot: '座位抽拍', roster_photo: '报名照片' },
    until: (of, date) => `（${of}）保存至 ${date}`,
  },
  en: {
    title: 'Face data (the person’s requests)',
    exportLink: 'Export this person’s face data (zip)',
    exportNote: 'Photos, consent records and verification results; the photos are plain: hand it to the person only. Audited.',
    eraseReason: 'The request (when, how it was made, who checked the person’s identity)',
    eraseHint: 'at least 4 characters',
    erase: 'Delete face data…',
    confirm: 'Delete (cannot be undone)',
    cancel: 'Cancel',
    erased: (r, l, p, k) =>
      `Deleted: ${[r && `${r} photo template${r === 1 ? '' : 's'}`, l && `${l} live template${l === 1 ? '' : 's'} from kiosk checks`, p && `${p} registration photo${p === 1 ? '' : 's'}`, k && `${k} kiosk picture${k === 1 ? '' : 's'}`].filter(Boolean).join(', ')}.`,
    nothing: 'No face data to delete.',
    kept: 'These images are exam evidence, kept as the rules require and deleted when that ends:',
    kind: { capture: 'kiosk capture', card_photo: 'ID card photo', snapshot: 'seat snapshots', roster_photo: 'registration photo' },
    until: (of, date) => `(${of}) until ${date}`,
  },
};

export function FaceDataPanel({
  lang,
  idNumber,
  day,
  sessionLabel,
}: {
  lang: Lang;
  idNumber: string;
  day: (iso: string, lang: Lang) => string;
  /** A session or class id as staff know it (plan and time), the id when unknown. */
  sessionLabel: (id: string) => string;
}) {
  const w = words[lang];
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<FaceErasure | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const ok = reason.trim().length >= 4;
  const erase = async () => {
    setBusy(true);
    setProblem(null);
    try {
      setDone(await call<FaceErasure>('POST', `/api/records/people/${encodeURIComponent(idNumber)}/face-data/erase`, { reason: reason.trim() }));
      setConfirming(false);
      setReason('');
    } catch (err) {
      setProblem(refusal(err, lang));
    } finally {
      setBusy(false);
    }
  };
  const d = done?.deleted;
  return (
    <div class="face-data" data-testid="person-face-data">
      <h4>{w.title}</h4>
      <p>
        <a href={`/api/records/people/${encodeURIComponent(idNumber)}/export.zip`} download data-testid="person-export">
          {w.exportLink}
        </a>{' '}
        <span class="muted">{w.exportNote}</span>
      </p>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          if (ok) setConfirming(true);
        }}
      >
        <label>
          {w.eraseReason} <span class="muted">({w.eraseHint})</span>
          <input name="eraseReason" value={reason} maxLength={500} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
        </label>
        {confirming ? (
          <>
            <button type="button" class="danger" disabled={busy} onClick={() => void erase()} data-testid="person-erase-confirm">
              {w.confirm}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              {w.cancel}
            </button>
          </>
        ) : (
          <button type="submit" disabled={!ok} data-testid="person-erase">
            {w.erase}
          </button>
        )}
      </form>
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      {done && d && (
        <div role="status" data-testid="person-erased">
          <p>
            {d.descriptors + d.enrolments + d.rosterPhotos + d.captures + d.cardPhotos === 0
              ? w.nothing
              : w.erased(d.enrolments, d.descriptors, d.rosterPhotos, d.captures + d.cardPhotos)}
          </p>
          {done.kept.length > 0 && (
            <>
              <p>{w.kept}</p>
              <ul>
                {done.kept.map((k, i) => (
                  <li key={i}>
                    {w.kind[k.kind]} {w.until(sessionLabel(k.of), day(k.until, lang))}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </div>
  );
}
