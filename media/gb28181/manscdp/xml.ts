// MANSCDP bodies (GB/T 28181 Annex A): small XML documents in GB2312 or UTF-8, as the XML declaration
// says. A strict little reader (elements, text, entities; no DTD, no external anything) so a hostile body
// is refused with the reason instead of reaching a general XML library's corner cases.
import iconv from 'iconv-lite';

export type Charset = 'GB2312' | 'UTF-8';

export interface XmlNode {
  name: string;
  children: XmlNode[];
  text: string;
}

export class XmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlError';
  }
}

const MAX_DEPTH = 16;
const MAX_NODES = 2000;

function decodeEntities(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_m, e: string) => {
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'amp') return '&';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    const code = e.startsWith('#x') ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1));
    return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : '';
  });
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

/** Decode a body by its declared encoding (GB2312/GBK/GB18030 or UTF-8; none declared = UTF-8). */
export function decodeBody(body: Buffer): string {
  const decl = /^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/i.exec(body.subarray(0, 200).toString('latin1'));
  const enc = (decl?.[1] ?? 'UTF-8').toUpperCase();
  if (enc === 'UTF-8' || enc === 'UTF8') return body.toString('utf8');
  if (['GB2312', 'GBK', 'GB18030'].includes(enc)) return iconv.decode(body, 'gb18030');
  throw new XmlError(`XML encoding "${enc}" is not GB2312, GBK, GB18030 or UTF-8`);
}

export function encodeBody(xml: string, charset: Charset): Buffer {
  return charset === 'UTF-8' ? Buffer.from(xml, 'utf8') : iconv.encode(xml, 'gb2312');
}

export function parseXml(text: string): XmlNode {
  let i = 0;
  let count = 0;
  const skipMisc = () => {
    for (;;) {
      while (i < text.length && /\s/.test(text[i] as string)) i++;
      if (text.startsWith('<?', i)) {
        const e = text.indexOf('?>', i);
        if (e < 0) throw new XmlError('unterminated <? … ?>');
        i = e + 2;
      } else if (text.startsWith('<!--', i)) {
        const e = text.indexOf('-->', i);
        if (e < 0) throw new XmlError('unterminated comment');
        i = e + 3;
      } else if (text.startsWith('<!', i)) throw new XmlError('DOCTYPE and declarations are not accepted');
      else return;
    }
  };
  const element = (depth: number): XmlNode => {
    if (depth > MAX_DEPTH) throw new XmlError(`elements nested deeper than ${MAX_DEPTH}`);
    if (++count > MAX_NODES) throw new XmlError(`more than ${MAX_NODES} elements`);
    const m = /^<([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(text.slice(i, i + 4096));
    if (!m) throw new XmlError(`expected an element at offset ${i}: "${text.slice(i, i + 30)}"`);
    i += m[0].length;
    const node: XmlNode = { name: m[1] as string, children: [], text: '' };
    if (m[3]) return node;
    for (;;) {
      const lt = text.indexOf('<', i);
      if (lt < 0) throw new XmlError(`<${node.name}> is not closed`);
      node.text += decodeEntities(text.slice(i, lt));
      i = lt;
      if (text.startsWith('<!--', i)) {
        const e = text.indexOf('-->', i);
        if (e < 0) throw new XmlError('unterminated comment');
        i = e + 3;
      } else if (text.startsWith('<![CDATA[', i)) {
        const e = text.indexOf(']]>', i);
        if (e < 0) throw new XmlError('unterminated CDATA');
        node.text += text.slice(i + 9, e);
        i = e + 3;
      } else if (text.startsWith('</', i)) {
        const close = `</${node.name}`;
        if (!text.startsWith(close, i)) throw new XmlError(`<${node.name}> closed by "${text.slice(i, i + 30)}"`);
        i += close.length;
        while (/\s/.test(text[i] ?? '')) i++;
        if (text[i] !== '>') throw new XmlError(`</${node.name} is not closed by ">"`);
        i++;
        node.text = node.text.trim();
        return node;
      } else node.children.push(element(depth + 1));
    }
  };
  skipMisc();
  const root = element(0);
  skipMisc();
  if (i < text.length) throw new XmlError(`content after the root element at offset ${i}`);
  return root;
}

export function child(n: XmlNode, name: string): XmlNode | undefined {
  return n.children.find((c) => c.name.toLowerCase() === name.toLowerCase());
}

export function childText(n: XmlNode, name: string): string | undefined {
  return child(n, name)?.text;
}

/** Build an element tree to text; values are escaped, nested arrays become child lists. */
export type Xml = [string, string | number | Xml[], Record<string, string | number>?];

export function renderXml(root: Xml, charset: Charset): string {
  const render = ([name, v, attrs]: Xml, indent: string): string => {
    const a = attrs
      ? Object.entries(attrs)
          .map(([k, x]) => ` ${k}="${escapeXml(String(x))}"`)
          .join('')
      : '';
    if (Array.isArray(v)) return `${indent}<${name}${a}>\r\n${v.map((c) => render(c, `${indent}`)).join('')}${indent}</${name}>\r\n`;
    return `${indent}<${name}${a}>${escapeXml(String(v))}</${name}>\r\n`;
  };
  return `<?xml version="1.0" encoding="${charset}"?>\r\n${render(root, '')}`;
}
