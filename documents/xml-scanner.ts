// A small streaming scanner for the XML of a spreadsheet's parts: tags and text as they arrive, in
// bounded memory. It understands what OOXML parts hold (elements, attributes, the five entities and
// character references, comments, processing instructions, CDATA) and refuses a DOCTYPE, where entity
// bombs live: no spreadsheet part carries one. It checks well-formedness only as far as reading needs.

export interface XmlHandler {
  /** `name` without its namespace prefix (`x:row` and `row` are the same element to a reader). */
  open(name: string, attrs: string, selfClosing: boolean): void;
  close(name: string): void;
  text(text: string): void;
}

/** Why the scanner stopped: the caller words it with the part's name. */
export class XmlRefusal extends Error {}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[e] ?? whole;
  });
}

/** One attribute's value out of a tag's attribute text, entities decoded; prefixes ignored (`r:id` is `id`). */
const attrPatterns = new Map<string, RegExp>();
export function attr(attrs: string, name: string): string | undefined {
  let re = attrPatterns.get(name);
  if (!re) attrPatterns.set(name, (re = new RegExp(`(?:^|\\s)(?:[\\w.-]+:)?${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`)));
  const m = re.exec(attrs);
  return m ? decodeEntities(m[1] ?? m[2] ?? '') : undefined;
}

const localName = (qname: string) => {
  const i = qname.indexOf(':');
  return i < 0 ? qname : qname.slice(i + 1);
};

export class XmlScanner {
  private buf = '';

  /** @param maxPending how long one tag or one run of text may be (characters) before the part is refused. */
  constructor(
    private readonly h: XmlHandler,
    private readonly maxPending: number,
  ) {}

  feed(chunk: string): void {
    this.buf = this.buf ? this.buf + chunk : chunk;
    const buf = this.buf;
    let i = 0;
    const n = buf.length;
    while (i < n) {
      if (buf.charCodeAt(i) !== 60 /* < */) {
        const lt = buf.indexOf('<', i);
        if (lt < 0) break; // the text may go on in the next chunk
        this.h.text(decodeEntities(buf.slice(i, lt)));
        i = lt;
        continue;
      }
      const next = buf.charCodeAt(i + 1);
      if (next === 33 /* ! */) {
        if (buf.startsWith('<!--', i)) {
          const end = buf.indexOf('-->', i + 4);
          if (end < 0) break;
          i = end + 3;
        } else if (buf.startsWith('<![CDATA[', i)) {
          const end = buf.indexOf(']]>', i + 9);
          if (end < 0) break;
          this.h.text(buf.slice(i + 9, end));
          i = end + 3;
        } else if (n - i < 9) {
          break;
        } else {
          throw new XmlRefusal('holds a DOCTYPE or another markup declaration, which no spreadsheet part has');
        }
        continue;
      }
      if (next === 63 /* ? */) {
        const end = buf.indexOf('?>', i + 2);
        if (end < 0) break;
        i = end + 2;
        continue;
      }
      const end = tagEnd(buf, i + 1);
      if (end < 0) break;
      if (next === 47 /* / */) {
        this.h.close(localName(buf.slice(i + 2, end).trim()));
      } else {
        const selfClosing = buf.charCodeAt(end - 1) === 47;
        const inner = buf.slice(i + 1, selfClosing ? end - 1 : end);
        const sp = inner.search(/[\s]/);
        const name = localName(sp < 0 ? inner : inner.slice(0, sp));
        this.h.open(name, sp < 0 ? '' : inner.slice(sp), selfClosing);
        if (selfClosing) this.h.close(name);
      }
      i = end + 1;
    }
    this.buf = i >= n ? '' : buf.slice(i);
    if (this.buf.length > this.maxPending)
      throw new XmlRefusal(`holds one tag or text longer than ${this.maxPending} characters, which no real spreadsheet has`);
  }

  /** The part ended: anything left unread means it was cut short. */
  end(): void {
    if (this.buf.trim() !== '') throw new XmlRefusal('ends in the middle of a tag: the file is damaged or cut short');
  }
}

/** The index of the `>` closing a tag that starts before `from`, or -1 when it has not arrived; `>` inside quotes is text. */
function tagEnd(buf: string, from: number): number {
  let quote = 0;
  for (let j = from; j < buf.length; j++) {
    const c = buf.charCodeAt(j);
    if (quote) {
      if (c === quote) quote = 0;
    } else if (c === 62 /* > */) return j;
    else if (c === 34 || c === 39) quote = c;
  }
  return -1;
}
