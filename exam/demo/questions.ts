// A demo question bank for the demo site: a few real-style questions per knowledge point, expanded
// with numbered variants so every shipped template can be filled many times over. Deterministic, so
// the demo is the same on every machine. Not for real exams: every variant is marked 示例.
import type { Category, Industry, QuestionInput } from '../types.ts';

interface Fact {
  point: string;
  /** A true statement, used as a 判断 question and as the right option of a 单选. */
  truth: string;
  /** A false statement on the same point. */
  falsehood: string;
  /** A question whose right answer is `right`, with plausible wrong options. */
  ask: string;
  right: string;
  wrong: [string, string, string];
  /** A 多选 question: several right options and some wrong ones. */
  multi: { ask: string; right: string[]; wrong: string[] };
}

const FACTS: Fact[] = [
  {
    point: '安全生产法律法规',
    truth: '生产经营单位的主要负责人是本单位安全生产第一责任人，对本单位的安全生产工作全面负责。',
    falsehood: '生产经营单位可以与从业人员订立协议，免除其对从业人员因生产安全事故伤亡依法应承担的责任。',
    ask: '《安全生产法》规定，安全生产工作坚持的方针是（ ）。',
    right: '安全第一、预防为主、综合治理',
    wrong: ['质量第一、效益优先', '以人为本、持续改进', '谁主管、谁负责'],
    multi: {
      ask: '生产经营单位的主要负责人对本单位安全生产工作负有的职责包括（ ）。',
      right: ['建立健全并落实全员安全生产责任制', '组织制定并实施安全生产规章制度和操作规程', '组织制定并实施生产安全事故应急救援预案'],
      wrong: ['亲自完成所有设备的日常检修'],
    },
  },
  {
    point: '隐患排查治理',
    truth: '重大事故隐患排除前或者排除过程中无法保证安全的，应当从危险区域内撤出作业人员。',
    falsehood: '一般事故隐患可以不登记，待年底统一整改。',
    ask: '事故隐患排查治理情况应当如实记录，并通过职工大会或者职工代表大会、信息公示栏等方式向（ ）通报。',
    right: '从业人员',
    wrong: ['竞争对手', '新闻媒体', '供应商'],
    multi: {
      ask: '事故隐患治理方案应当包括的内容有（ ）。',
      right: ['治理的目标和任务', '采取的方法和措施', '经费和物资的落实', '负责治理的机构和人员'],
      wrong: ['隐患责任人的家庭住址'],
    },
  },
  {
    point: '有限空间作业',
    truth: '有限空间作业应当严格遵守"先通风、再检测、后作业"的原则。',
    falsehood: '有限空间作业时，监护人员可以进入有限空间协助作业，不必在外持续监护。',
    ask: '进入有限空间作业前，应当检测的气体不包括（ ）。',
    right: '氦气浓度',
    wrong: ['氧气含量', '可燃气体浓度', '有毒气体浓度'],
    multi: {
      ask: '有限空间作业发生事故后，现场救援的正确做法有（ ）。',
      right: ['立即报警并启动应急预案', '救援人员佩戴正压式空气呼吸器', '对有限空间持续通风'],
      wrong: ['未采取防护措施直接进入施救'],
    },
  },
  {
    point: '动火作业',
    truth: '动火作业前应清除动火点周围的易燃可燃物，并配备灭火器材。',
    falsehood: '动火作业许可证可以一次审批、长期有效，跨班次使用。',
    ask: '动火作业过程中，应当安排（ ）全程现场监护。',
    right: '专人',
    wrong: ['无须任何人员', '作业人员本人', '相邻岗位人员兼顾'],
    multi: {
      ask: '动火作业"三不动火"指的是（ ）。',
      right: ['没有经批准的动火作业许可证不动火', '防火措施不落实不动火', '监护人不在现场不动火'],
      wrong: ['天气晴朗不动火'],
    },
  },
  {
    point: '应急管理',
    truth: '生产经营单位应当制定本单位生产安全事故应急救援预案，并定期组织演练。',
    falsehood: '应急预案一经制定就不需要修订。',
    ask: '生产经营单位应当至少每（ ）组织一次生产安全事故应急救援预案演练。',
    right: '半年',
    wrong: ['五年', '三年', '十年'],
    multi: { ask: '生产安全事故应急预案体系由（ ）构成。', right: ['综合应急预案', '专项应急预案', '现场处置方案'], wrong: ['年度销售计划'] },
  },
  {
    point: '事故报告与调查',
    truth: '事故发生后，事故现场有关人员应当立即向本单位负责人报告。',
    falsehood: '单位负责人接到事故报告后，可以在三天内再向有关部门报告。',
    ask: '单位负责人接到事故报告后，应当于（ ）内向事故发生地县级以上人民政府应急管理部门和负有安全生产监督管理职责的有关部门报告。',
    right: '1小时',
    wrong: ['24小时', '12小时', '7天'],
    multi: { ask: '事故调查处理应当坚持的原则有（ ）。', right: ['科学严谨', '依法依规', '实事求是', '注重实效'], wrong: ['内部消化、不予公开'] },
  },
  {
    point: '危险化学品',
    truth: '危险化学品应当储存在专用仓库、专用场地或者专用储存室内，并由专人负责管理。',
    falsehood: '性质相抵触的危险化学品可以混存在同一库房内。',
    ask: '危险化学品安全技术说明书的英文缩写是（ ）。',
    right: 'SDS',
    wrong: ['GPS', 'PPE', 'PLC'],
    multi: { ask: '危险化学品储存场所应当设置的安全设施有（ ）。', right: ['通风设施', '防火防爆设施', '泄漏收集设施'], wrong: ['员工休息床铺'] },
  },
  {
    point: '消防安全',
    truth: '任何单位和个人不得损坏、挪用或者擅自拆除、停用消防设施、器材。',
    falsehood: '为方便管理，可以在营业期间锁闭安全出口。',
    ask: '扑救电气火灾时，在未切断电源的情况下不能使用（ ）。',
    right: '水',
    wrong: ['二氧化碳灭火器', '干粉灭火器', '气体灭火系统'],
    multi: {
      ask: '下列属于消防安全"四个能力"的有（ ）。',
      right: ['检查消除火灾隐患能力', '组织扑救初起火灾能力', '组织人员疏散逃生能力', '消防宣传教育培训能力'],
      wrong: ['火灾保险理赔能力'],
    },
  },
  {
    point: '职业健康',
    truth: '用人单位应当为劳动者提供符合国家职业卫生标准的职业病防护用品。',
    falsehood: '劳动者离岗时，用人单位可以不组织职业健康检查。',
    ask: '对从事接触职业病危害作业的劳动者，用人单位应当组织（ ）的职业健康检查。',
    right: '上岗前、在岗期间和离岗时',
    wrong: ['仅上岗前', '仅发生事故后', '仅退休时'],
    multi: { ask: '职业病危害因素包括（ ）。', right: ['粉尘', '噪声', '高温', '有毒物质'], wrong: ['办公室绿植'] },
  },
  {
    point: '安全教育培训',
    truth: '未经安全生产教育和培训合格的从业人员，不得上岗作业。',
    falsehood: '特种作业人员未取得相应资格即可先上岗后培训。',
    ask: '新上岗的从业人员，岗前安全培训时间不得少于（ ）学时。',
    right: '24',
    wrong: ['2', '4', '8'],
    multi: { ask: '三级安全教育是指（ ）。', right: ['厂（矿）级安全教育', '车间（工段、区、队）级安全教育', '班组级安全教育'], wrong: ['家庭级安全教育'] },
  },
  {
    point: '用电安全',
    truth: '电气设备的金属外壳应当可靠接地或者接零。',
    falsehood: '临时用电线路可以随地拖放，无需架空或者保护。',
    ask: '我国规定的安全电压额定值中，潮湿环境一般采用（ ）。',
    right: '12V',
    wrong: ['220V', '380V', '110V'],
    multi: { ask: '防止触电的技术措施有（ ）。', right: ['绝缘', '屏护', '间距', '漏电保护'], wrong: ['湿手操作开关'] },
  },
  {
    point: '双重预防机制',
    truth: '双重预防机制是指安全风险分级管控和隐患排查治理。',
    falsehood: '安全风险评估只需在企业成立时进行一次。',
    ask: '安全风险等级从高到低依次用（ ）四种颜色标示。',
    right: '红、橙、黄、蓝',
    wrong: ['蓝、黄、橙、红', '红、黄、绿、蓝', '黑、红、黄、白'],
    multi: { ask: '风险分级管控的措施包括（ ）。', right: ['工程技术措施', '管理措施', '培训教育措施', '个体防护措施'], wrong: ['隐瞒风险'] },
  },
];

// Shares 0.2 / 0.4 / 0.3 / 0.1 for difficulties 1–4: roughly the mixes the shipped templates ask for.
const DIFFICULTY_CYCLE: QuestionInput['difficulty'][] = [1, 2, 2, 3, 1, 2, 3, 4, 2, 3];

const DEMO_INDUSTRIES: Industry[] = ['general', 'metallurgy', 'machinery', 'hazardous_chemicals'];
const DEMO_CATEGORIES: Category[] = ['principal', 'safety_manager'];

/** Every variant of every fact, for each demo industry and category (3,840 questions), plus the sign questions given. */
export function demoQuestions(variantsPerFact = 10, signs: { id: string; truth: string; falsehood: string }[] = []): QuestionInput[] {
  const out: QuestionInput[] = [];
  for (const category of DEMO_CATEGORIES) {
    for (const industry of DEMO_INDUSTRIES) {
      FACTS.forEach((f, fi) => {
        for (let v = 0; v < variantsPerFact; v++) {
          const tag = `（示例${industry === 'general' ? '' : `·${industry}`}·${category === 'principal' ? '负责人' : '管理'}·${fi + 1}-${v + 1}）`;
          const difficulty = DIFFICULTY_CYCLE[(fi + v) % DIFFICULTY_CYCLE.length]!;
          const base = {
            images: [],
            industry,
            category,
            operationClass: null,
            knowledgePoint: f.point,
            difficulty,
            tier: 'national' as const,
            externalId: null,
          };
          out.push({ ...base, type: 'judge', stem: `${f.truth}${tag}`, options: ['正确', '错误'], answer: [0], explanation: null });
          out.push({ ...base, type: 'judge', stem: `${f.falsehood}${tag}`, options: ['正确', '错误'], answer: [1], explanation: f.truth });
          out.push({ ...base, type: 'single', stem: `${f.ask}${tag}`, options: [f.right, ...f.wrong], answer: [0], explanation: null });
          const opts = [...f.multi.right, ...f.multi.wrong];
          out.push({ ...base, type: 'multiple', stem: `${f.multi.ask}${tag}`, options: opts, answer: f.multi.right.map((_, i) => i), explanation: null });
        }
      });
      // Picture questions (安全标志): a true and a false statement about each sign, a few variants each.
      signs.forEach((sign, si) => {
        for (let v = 0; v < 3; v++) {
          const tag = `（示例${industry === 'general' ? '' : `·${industry}`}·${category === 'principal' ? '负责人' : '管理'}·标志${si + 1}-${v + 1}）`;
          const difficulty = DIFFICULTY_CYCLE[(si + v) % DIFFICULTY_CYCLE.length]!;
          const base = {
            images: [sign.id],
            industry,
            category,
            operationClass: null,
            knowledgePoint: '安全标志',
            difficulty,
            tier: 'national' as const,
            externalId: null,
          };
          out.push({ ...base, type: 'judge', stem: `${sign.truth}${tag}`, options: ['正确', '错误'], answer: [0], explanation: null });
          out.push({ ...base, type: 'judge', stem: `${sign.falsehood}${tag}`, options: ['正确', '错误'], answer: [1], explanation: sign.truth });
        }
      });
    }
  }
  return out;
}

export const DEMO_KNOWLEDGE_POINTS = FACTS.map((f) => f.point);
