// The config in force, fit to show: every secret replaced by a mask. What is secret is said once, in the
// schema (config/sections/ marks a field `secret: 'value' | 'url' | 'push-url'`, or `secret: false` where a
// name sounds secret but the value is not: a file path, a public key). A field whose NAME sounds secret
// (password, token, key, hash, url…) is masked whole unless the schema says otherwise, so a new secret
// field that nobody marked is hidden rather than shown; tests/config/masking.test.ts walks the schema and
// fails on any such field left unmarked.
import { redactPushUrl } from '../core/index.ts';
import { ConfigSchema } from './schema.ts';

/** What a hidden value reads as. */
export const MASK = '***';

/** How a field is secret: the whole value; a URL's credentials (password, query values); a push URL's path too. */
export type SecretKind = 'value' | 'url' | 'push-url';

/** Names that may carry a secret: such a field must be marked in the schema, and is masked whole when it is not. */
export const SECRET_SOUNDING_NAME = /pass(word|phrase)?|secret|token|key|hash|credential|cookie|salt|private|url/i;

type Schema = Record<string, unknown> & {
  properties?: Record<string, Schema>;
  patternProperties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  anyOf?: Schema[];
  secret?: SecretKind | false;
};

export interface MaskedConfig {
  /** The config with every secret replaced by MASK (URLs keep their scheme, host and port). */
  config: unknown;
  /** Where something was hidden: `users[0].password`, `cameras[1].url`… */
  masked: string[];
}

/** Masks `config` (the parsed config, or any part of the file's shape) by the config schema. */
export function maskConfig(config: unknown): MaskedConfig {
  const masked: string[] = [];
  const out = walk(config, ConfigSchema as unknown as Schema, '', undefined, masked);
  return { config: out, masked };
}

function walk(value: unknown, schema: Schema | undefined, path: string, name: string | undefined, masked: string[]): unknown {
  const kind = secretKind(schema, name);
  if (value === null || value === undefined) return value;
  if (kind && typeof value !== 'object') {
    const shown = maskValue(String(value), kind);
    if (shown !== String(value)) masked.push(path);
    return shown;
  }
  if (Array.isArray(value)) {
    const items = arrayItems(schema);
    // A list the schema clears (`secret: false`) clears its items' shared name too (bank.publicKeys).
    const itemName = markOf(schema) === false ? undefined : name;
    return value.map((v, i) => walk(v, items, `${path}[${i}]`, itemName, masked));
  }
  if (typeof value === 'object') {
    // A secret-marked object (none today) would hide every leaf beneath it.
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const sub = kind ? ({ secret: kind } as Schema) : propertySchema(schema, k, v);
      out[k] = walk(v, sub, path ? `${path}.${k}` : k, k, masked);
    }
    return out;
  }
  // Defence in depth: a URL with a password is never shown, wherever it sits (a field the schema does not
  // describe, such as what normalising added).
  if (typeof value === 'string' && /:\/\/[^/@\s]*:[^/@\s]*@/.test(value)) {
    const shown = maskValue(value, 'url');
    if (shown !== value) masked.push(path);
    return shown;
  }
  return value;
}

/** The field's secret kind: the schema's mark, else a secret-sounding name means the whole value. */
function secretKind(schema: Schema | undefined, name: string | undefined): SecretKind | null {
  const mark = markOf(schema);
  if (mark === false) return null;
  if (mark) return mark;
  return name !== undefined && SECRET_SOUNDING_NAME.test(name) ? 'value' : null;
}

/** The mark on a schema or, for a union (nullable, optional), on any of its members. */
export function markOf(schema: Schema | undefined): SecretKind | false | undefined {
  if (!schema) return undefined;
  if (schema.secret !== undefined) return schema.secret;
  for (const m of schema.anyOf ?? []) {
    const k = markOf(m);
    if (k !== undefined) return k;
  }
  return undefined;
}

function arrayItems(schema: Schema | undefined): Schema | undefined {
  if (!schema) return undefined;
  if (schema.items) return schema.items;
  return schema.anyOf?.map(arrayItems).find(Boolean);
}

function propertySchema(schema: Schema | undefined, key: string, value: unknown): Schema | undefined {
  if (!schema) return undefined;
  if (schema.properties?.[key]) return schema.properties[key];
  for (const [pattern, sub] of Object.entries(schema.patternProperties ?? {})) if (new RegExp(pattern).test(key)) return sub;
  if (typeof schema.additionalProperties === 'object') return schema.additionalProperties;
  // A union of shapes (server.tls: "site-ca" or { cert, key }): the member that has this key.
  for (const m of schema.anyOf ?? []) {
    const sub = propertySchema(m, key, value);
    if (sub) return sub;
  }
  return undefined;
}

/**
 * A URL keeps what helps to diagnose (scheme, host, port, user name; its path, but for a push URL only the
 * first segment, the app: the rest is the stream key) and loses its password, every query value and the fragment. Anything
 * that does not parse as a URL is hidden whole.
 */
export function maskValue(value: string, kind: SecretKind): string {
  if (kind === 'value') return MASK;
  // A push URL: the one rule that the upstream status, logs and errors show it by (core/redact.ts).
  if (kind === 'push-url') return redactPushUrl(value) ?? MASK;
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(?:([^/@?#]*)@)?([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/i.exec(value);
  if (!m) return MASK;
  const [, scheme, userinfo, host, path = '', query, fragment] = m;
  const user = userinfo === undefined ? '' : `${userinfo.includes(':') ? `${userinfo.slice(0, userinfo.indexOf(':'))}:${MASK}` : userinfo}@`;
  const shownQuery = query
    ? `?${query
        .slice(1)
        .split('&')
        .map((pair) => (pair.includes('=') ? `${pair.slice(0, pair.indexOf('='))}=${MASK}` : pair === '' ? '' : MASK))
        .join('&')}`
    : '';
  return `${scheme}${user}${host}${path}${shownQuery}${fragment ? `#${MASK}` : ''}`;
}

/** Every field of the schema, with its path (`users[].password`), its schema and its name: for the test that walks it. */
export function schemaFields(schema: Schema = ConfigSchema as unknown as Schema, path = ''): { path: string; name: string; schema: Schema }[] {
  const out: { path: string; name: string; schema: Schema }[] = [];
  const visit = (s: Schema, p: string) => {
    for (const [k, sub] of Object.entries(s.properties ?? {})) {
      const here = p ? `${p}.${k}` : k;
      out.push({ path: here, name: k, schema: sub });
      descend(sub, here);
    }
    for (const sub of Object.values(s.patternProperties ?? {})) descend(sub, `${p}.*`);
    if (typeof s.additionalProperties === 'object') descend(s.additionalProperties, `${p}.*`);
  };
  const descend = (s: Schema, p: string) => {
    if (s.items) descend(s.items, `${p}[]`);
    for (const m of s.anyOf ?? []) descend(m, p);
    visit(s, p);
  };
  descend(schema, path);
  return out;
}
