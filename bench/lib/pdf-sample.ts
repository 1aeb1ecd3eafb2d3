// A deterministic Chinese results sheet for the PDF bench and tests: a key-value block, photo slots,
// a QR code and a table of `rows` candidates whose training-institution names wrap. Names draw on a
// few hundred distinct characters, so the embedded font subset is as large as a real roster's.
import sharp from 'sharp';
import { createPdf, type PdfDocument } from '../../documents/index.ts';

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN =
  '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽';
const INSTITUTIONS = [
  '江苏省安全生产培训中心',
  '南京市建筑施工特种作业人员职业技能培训学校（江宁分校）',
  '苏州工业园区职业技术培训中心',
  '无锡市电工特种作业培训基地',
  '常州市应急管理局安全技术培训站',
];
const CATEGORIES = ['低压电工作业', '高压电工作业', '焊接与热切割作业', '高处安装、维护、拆除作业', '制冷与空调设备运行操作作业'];

export interface SampleRow {
  no: string;
  name: string;
  idNumber: string;
  institution: string;
  category: string;
  score: string;
  result: string;
}

export function sampleRows(count: number): SampleRow[] {
  const rows: SampleRow[] = [];
  for (let i = 0; i < count; i++) {
    const name = SURNAMES[(i * 7) % SURNAMES.length]! + GIVEN[(i * 13) % GIVEN.length]! + (i % 3 ? GIVEN[(i * 31 + 5) % GIVEN.length]! : '');
    const score = 40 + ((i * 37) % 61);
    rows.push({
      no: String(i + 1),
      name,
      idNumber: `3201${String(100000 + ((i * 7919) % 900000)).slice(0, 2)}********${String(1000 + (i % 9000)).slice(-4)}`,
      institution: INSTITUTIONS[i % INSTITUTIONS.length]!,
      category: CATEGORIES[i % CATEGORIES.length]!,
      score: String(score),
      result: score >= 80 ? '合格' : '不合格',
    });
  }
  return rows;
}

/** A colour-gradient JPEG (240 × 320, a capture's portrait shape) standing in for a kiosk capture. */
export async function samplePhoto(seed = 0): Promise<Buffer> {
  const w = 240;
  const h = 320;
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      raw[o] = (x + seed * 40) % 256;
      raw[o + 1] = (y * 0.8) % 256;
      raw[o + 2] = 160;
    }
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .jpeg({ quality: 80 })
    .toBuffer();
}

export const SAMPLE_QR_URL = 'https://exam.example.cn/verify/c/R2026-000123.eyJuIjoi5byg5LiJIiwiaWQiOiIzMjAxKioqKioqKioqKjEyMzQifQ.c2lnbmF0dXJl';

/** The sample document with `rows` table rows (about 26 rows fill an A4 page after the first). */
export async function renderSample(rows: number, photos?: [Buffer, Buffer]): Promise<Buffer> {
  const [live, roster] = photos ?? [await samplePhoto(1), await samplePhoto(2)];
  const doc: PdfDocument = await createPdf({
    title: '成绩汇总表',
    siteName: '江苏省安全生产考试中心 第一考点',
    createdAt: Date.UTC(2026, 11, 6, 1, 0),
    footerNote: '生成于 2026-12-06 09:00 · 考场记录编号 S-2026-1206-01',
  });
  doc
    .heading()
    .keyValues([
      ['考试场次', '2026年12月第1场（上午）'],
      ['考场', '第一考场（A101）'],
      ['作业类别', '电工作业 / 低压电工作业'],
      ['考试时间', '2026-12-06 09:00–10:30'],
      ['监考员', '周建国、吴秀梅'],
      ['应考 / 实考', `${rows} / ${rows - Math.floor(rows / 20)}`],
    ])
    .photos(
      [
        { label: '现场照片', image: live },
        { label: '报名照片', image: roster },
        { label: '座位复核', image: null, missingText: '未拍摄' },
      ],
      { height: 120 },
    )
    .qr(SAMPLE_QR_URL, { size: 100, caption: '扫码核验本表真伪', align: 'right' })
    .subheading('考生成绩')
    .table(
      [
        { header: '序号', width: 5, align: 'center' },
        { header: '姓名', width: 8 },
        { header: '身份证号', width: 17 },
        { header: '培训机构', width: 22 },
        { header: '作业类别', width: 16 },
        { header: '成绩', width: 6, align: 'right' },
        { header: '结果', width: 7, align: 'center' },
      ],
      sampleRows(rows).map((r) => [r.no, r.name, r.idNumber, r.institution, r.category, r.score, r.result]),
    )
    .paragraph('备注：成绩以本考点服务器记录为准；本表经监考员签字确认后归档（一期一档）。', { size: 9 });
  return doc.end();
}
