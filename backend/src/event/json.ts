// An event's JSON text, written once per event for the store and the Loki sink.
//
// On Node 20, JSON.stringify writes 2-8 ns per byte, and an audit event's `k8s.audit` (the audit
// Event as the API server sent it) is about 60% of its text: serializing it again cost the audit
// webhook 2.7 µs per event on warm objects and up to 7 µs on freshly made ones (measured). When
// the normalizer keeps the received object unchanged, it records the text that object was parsed
// from (rememberJsonText), and eventJson writes that text in its place.
//
// The text is used only when it reads like JSON.stringify's output of the same value, so that the
// store's body search finds what it would find otherwise: Go's HTML escapes (\u0026, \u003c,
// \u003e, which the API server writes for &, < and >) and `\/` are replaced by their characters;
// any other \u escape, or a line break or tab between tokens (pretty-printed JSON), makes eventJson
// fall back to JSON.stringify. Spaces between tokens and the sender's key order are kept.

import type { ShipEvent } from './event.js';

const texts = new WeakMap<object, string>();

/** Records that `value` was parsed from `text` and is unchanged since. */
export function rememberJsonText(value: object, text: string): void {
  const t = asStringified(text);
  if (t !== undefined) texts.set(value, t);
}

/** The text recorded for `value`, if any. */
export function jsonTextOf(value: object): string | undefined {
  return texts.get(value);
}

// `\uXXXX` or any other escape, matched left to right so that an escaped backslash is one token.
const ESCAPE = /\\(?:u([0-9a-fA-F]{4})|.)/g;
const HTML_ESCAPES = new Set([0x26, 0x3c, 0x3e]);

/** The text as JSON.stringify would escape it, or undefined when that would need a parse. */
export function asStringified(text: string): string | undefined {
  if (text.includes('\n') || text.includes('\r') || text.includes('\t')) return undefined;
  const t = text.trim();
  if (!t.includes('\\u') && !t.includes('\\/')) return t;
  let ok = true;
  const out = t.replace(ESCAPE, (m: string, hex: string | undefined) => {
    if (hex === undefined) return m === '\\/' ? '/' : m;
    const code = parseInt(hex, 16);
    if (HTML_ESCAPES.has(code)) return String.fromCharCode(code);
    ok = false;
    return m;
  });
  return ok ? out : undefined;
}

// Stands for k8s.audit while the rest of the event is serialized. The random part keeps a
// sender's string from ever equalling it.
const MARK = `\u0000shipwatch-json-text-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
const MARK_JSON = JSON.stringify(MARK);

/** JSON.stringify(ev), with a recorded text for its k8s.audit written as is. */
export function eventJson(ev: ShipEvent): string {
  const k8s = ev.k8s as Record<string, unknown> | undefined;
  const audit = k8s?.audit;
  const text = audit !== null && typeof audit === 'object' ? texts.get(audit) : undefined;
  if (text === undefined) return JSON.stringify(ev);
  k8s!.audit = MARK;
  let s: string;
  try {
    s = JSON.stringify(ev);
  } finally {
    k8s!.audit = audit;
  }
  const at = s.indexOf(MARK_JSON);
  return s.slice(0, at) + text + s.slice(at + MARK_JSON.length);
}
