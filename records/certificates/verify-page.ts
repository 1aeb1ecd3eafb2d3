// The public verify page a phone opens from the QR code: plain HTML and inline CSS (no script, nothing
// fetched), in Chinese with English beneath, showing only what a checker compares with the paper.
import { CATEGORY_LABELS } from '../../exam/index.ts';
import type { Verdict } from './service.ts';

export const NOT_GENUINE_ZH = '不是本考点签发的有效证明';
export const NOT_GENUINE_EN = 'Not a valid certificate issued by this exam site';

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

const CATEGORY_EN: Record<string, string> = {
  principal: 'Principal person in charge',
  safety_manager: 'Safety manager',
  special_operation: 'Special operation worker',
};

export function verdictHeadline(v: Verdict): { zh: string; en: string; tone: 'ok' | 'warn' | 'bad' } {
  switch (v.status) {
    case 'valid':
      return { zh: '有效的考试合格证明', en: 'Valid certificate', tone: 'ok' };
    case 'expired':
      return { zh: '证明已过有效期', en: 'Certificate expired', tone: 'warn' };
    case 'revoked':
      return { zh: '证明已被撤销', en: 'Certificate revoked', tone: 'bad' };
    case 'unknown':
      return { zh: '签名属实，但本考点没有这份证明的记录', en: 'Signed by this site, but it has no record of this certificate', tone: 'warn' };
    default:
      return { zh: NOT_GENUINE_ZH, en: NOT_GENUINE_EN, tone: 'bad' };
  }
}

export function verifyPageHtml(v: Verdict, siteName: string): string {
  const head = verdictHeadline(v);
  const rows: [string, string, string][] = [];
  if (v.status === 'unknown') {
    rows.push(['证明编号', 'Number', v.claims.number], ['姓名', 'Name', v.claims.name], ['身份证号', 'ID number', v.claims.maskedId]);
  } else if (v.genuine) {
    const c = v.certificate;
    rows.push(
      ['证明编号', 'Number', c.number],
      ['姓名', 'Name', c.name],
      ['身份证号', 'ID number', c.maskedId],
      ['人员类别', 'Category', `${CATEGORY_LABELS[c.category]} · ${CATEGORY_EN[c.category]}`],
      ...(c.operationClass ? ([['操作项目', 'Operation item', c.operationClass]] as [string, string, string][]) : []),
      ['考试日期', 'Exam date', c.sessionDate],
      ['有效期至', 'Valid until', c.validUntil],
    );
    if (c.status === 'revoked') rows.push(['撤销日期', 'Revoked on', c.revokedOn ?? ''], ['撤销原因', 'Reason', c.revokedReason ?? '']);
  }
  const table = rows.map(([zh, en, value]) => `<tr><th>${esc(zh)}<small>${esc(en)}</small></th><td>${esc(value)}</td></tr>`).join('\n');
  const detail = v.genuine
    ? ''
    : `<p class="detail">请以纸质证明上的信息向签发考点核实。<br><small>Check the paper certificate with the issuing site. (${esc(v.problem)})</small></p>`;
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${esc(head.zh)} · 证明核验</title>
<style>
body{margin:0;font:16px/1.5 system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;background:#f3f4f6;color:#111}
main{max-width:32rem;margin:0 auto;padding:1rem}
h1{font-size:1.05rem;margin:.25rem 0 1rem;color:#374151;font-weight:normal}
.verdict{border-radius:.5rem;padding:1rem;color:#fff;margin-bottom:1rem}
.verdict strong{display:block;font-size:1.35rem}
.ok{background:#15803d}.warn{background:#b45309}.bad{background:#b91c1c}
table{width:100%;border-collapse:collapse;background:#fff;border-radius:.5rem;overflow:hidden}
th,td{text-align:left;vertical-align:top;padding:.6rem .75rem;border-bottom:1px solid #e5e7eb}
th{width:38%;color:#374151;font-weight:600}
small{display:block;font-weight:normal;color:#6b7280;font-size:.8rem}
.detail{color:#374151}
footer{margin-top:1rem;color:#6b7280;font-size:.8rem}
</style>
</head>
<body>
<main>
<h1>${esc(siteName)} · 考试合格证明核验 <small>Certificate check</small></h1>
<div class="verdict ${head.tone}"><strong>${esc(head.zh)}</strong>${esc(head.en)}</div>
${table ? `<table>\n${table}\n</table>` : ''}
${detail}
<footer>签名用本考点的 Ed25519 公钥核验（/.well-known/examroom-signing-key.pem）。The signature is checked with this site's published Ed25519 key.</footer>
</main>
</body>
</html>
`;
}
