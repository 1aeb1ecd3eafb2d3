// Safety signs (安全标志, GB 2894 in spirit, drawn simply) for the demo bank's picture questions: each
// rendered once to PNG with sharp, uploaded as a question image, and named by its id in the signed
// demo package — the same path a real bank's pictures take.
import sharp from 'sharp';
import type { ExamService } from '../index.ts';

export interface DemoSign {
  /** The file name the image is uploaded under. */
  name: string;
  svg: string;
  /** A true statement about the pictured sign (a 判断 question answered 正确). */
  truth: string;
  /** A false one (answered 错误). */
  falsehood: string;
}

const svg = (body: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="240" viewBox="0 0 240 240">${body}</svg>`;

export const DEMO_SIGNS: DemoSign[] = [
  {
    name: 'signs/当心触电.png',
    svg: svg(
      '<polygon points="120,14 230,212 10,212" fill="#ffd400" stroke="#111" stroke-width="12" stroke-linejoin="round"/><polygon points="134,76 100,150 126,150 106,200 152,118 124,118 146,76" fill="#111"/>',
    ),
    truth: '图示安全标志为“当心触电”警告标志。',
    falsehood: '图示安全标志为“禁止吸烟”禁止标志。',
  },
  {
    name: 'signs/禁止烟火.png',
    svg: svg(
      '<circle cx="120" cy="120" r="104" fill="#fff" stroke="#d40000" stroke-width="18"/><path d="M120 56 C150 100 164 120 150 156 C142 176 98 176 90 156 C80 132 100 118 104 96 C114 112 118 120 124 124 C130 104 126 80 120 56Z" fill="#111"/><line x1="48" y1="48" x2="192" y2="192" stroke="#d40000" stroke-width="18"/>',
    ),
    truth: '图示安全标志为“禁止烟火”禁止标志。',
    falsehood: '图示安全标志表示“必须戴安全帽”。',
  },
  {
    name: 'signs/必须戴安全帽.png',
    svg: svg(
      '<circle cx="120" cy="120" r="110" fill="#0050a0"/><path d="M60 150 A60 60 0 0 1 180 150 Z" fill="#fff"/><rect x="48" y="148" width="144" height="14" rx="6" fill="#fff"/><rect x="114" y="86" width="12" height="40" fill="#0050a0"/>',
    ),
    truth: '图示安全标志为“必须戴安全帽”指令标志。',
    falsehood: '图示安全标志为“当心火灾”警告标志。',
  },
  {
    name: 'signs/安全出口.png',
    svg: svg(
      '<rect x="4" y="44" width="232" height="152" rx="8" fill="#00843d"/><rect x="150" y="66" width="62" height="108" fill="#fff"/><polygon points="30,104 76,104 76,76 134,120 76,164 76,136 30,136" fill="#fff"/>',
    ),
    truth: '图示标志为“安全出口”提示标志。',
    falsehood: '图示标志为“禁止通行”禁止标志。',
  },
];

/** Uploads the demo signs (idempotent) and returns each with its image id. */
export async function uploadDemoSigns(exam: Pick<ExamService, 'images'>, actor: string): Promise<(DemoSign & { id: string })[]> {
  const out: (DemoSign & { id: string })[] = [];
  for (const sign of DEMO_SIGNS) {
    const png = await sharp(Buffer.from(sign.svg)).png().toBuffer();
    out.push({ ...sign, id: exam.images.put(sign.name, png, actor).id });
  }
  return out;
}
