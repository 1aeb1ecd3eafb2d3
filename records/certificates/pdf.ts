// The certificate as a printable A4 page (zh-CN): who, which exam, the result, the number and validity,
// the roster photo, and the QR code a phone scans to check it.
import { readFile } from 'node:fs/promises';
import { faceVaultOr, type FaceVault } from '../../storage/index.ts';
import { join } from 'node:path';
import { localDate, maskIdNumber } from '../../core/index.ts';
import { createPdf } from '../../documents/index.ts';
import { CATEGORY_LABELS, INDUSTRY_LABELS } from '../../exam/index.ts';
import type { RecordsDeps } from '../service.ts';
import type { Certificate, CertificateStatus } from './service.ts';
import { verifyUrlOf } from './verify-url.ts';

export const CERTIFICATE_TITLE = '考试合格证明';

const STATUS_WORDS: Record<CertificateStatus, string> = { valid: '有效', expired: '已过有效期', revoked: '已撤销' };

/** The roster photo; a missing or unreadable file is an empty frame that says so, never a failed certificate. */
async function rosterPhoto(captures: string, photo: string | null, vault: FaceVault): Promise<Buffer | null> {
  if (!photo) return null;
  // The roster stores it relative to captures/; a path leading out of it is not read.
  const file = join(captures, photo);
  if (!file.startsWith(`${captures}/`)) return null;
  try {
    return vault.open(await readFile(file), file);
  } catch {
    return null;
  }
}

export async function certificatePdf(deps: Pick<RecordsDeps, 'config' | 'paths' | 'faceVault'>, c: Certificate, status: CertificateStatus): Promise<Buffer> {
  const { config, paths } = deps;
  const tz = config.site.timezone;
  const issued = localDate(c.issuedAt, tz);
  const validUntil = localDate(c.validUntil, tz);
  const item = c.operationClass ?? '—';
  const doc = await createPdf({
    title: CERTIFICATE_TITLE,
    siteName: config.site.name,
    createdAt: c.issuedAt,
    footerNote: `证明编号 ${c.number} · 签发于 ${issued} · 扫描二维码核验真伪`,
  });
  doc.heading();
  const [y, m, d] = c.sessionDate.split('-');
  const exam =
    c.category === 'special_operation'
      ? `特种作业${c.operationClass ? `（${c.operationClass}）` : ''}安全技术理论考试`
      : `${CATEGORY_LABELS[c.category]}安全生产知识和管理能力考核`;
  doc.paragraph(`兹证明 ${c.name} 于 ${y}年${Number(m)}月${Number(d)}日 在${config.site.name}参加${exam}，成绩合格。`, { size: 12 });
  doc.paragraph('本证明记载考试结果，在有效期内有效；不代替发证机关颁发的证书。', { size: 9.5, color: '#555555' });
  doc.space(4);
  doc.keyValues(
    [
      ['姓名', c.name],
      ['身份证号', maskIdNumber(c.idNumber)],
      ['人员类别', CATEGORY_LABELS[c.category]],
      ['作业类别 / 操作项目', item],
      ['行业', INDUSTRY_LABELS[c.industry]],
      ['考试日期', c.sessionDate],
      ['考试成绩', `${c.score} / ${c.total}（合格）`],
      ['证明编号', c.number],
      ['有效期至', validUntil],
      ['签发日期', issued],
      ...(status === 'valid' ? [] : ([['状态', STATUS_WORDS[status]]] as [string, string][])),
    ],
    { columns: 1 },
  );
  doc.photos(
    [{ label: '报名照片', image: await rosterPhoto(paths.captures, c.photo, faceVaultOr(deps.faceVault, config.paths.keys)), unreadableText: '照片文件损坏' }],
    { height: 140 },
  );
  doc.space(6);
  doc.qr(verifyUrlOf(config, c.payload), { size: 150, caption: '手机扫码核验真伪 · Scan to verify', align: 'center' });
  doc.paragraph(`离线核验：二维码中的签名可用本考点公布的公钥（/.well-known/examroom-signing-key.pem，密钥编号 ${c.keyId.slice(0, 8)}）验证。`, {
    size: 8.5,
    color: '#555555',
  });
  return doc.end();
}
