// text from input (event types, keys, values, file names) shown to people: control characters escaped, length bounded

// C0 and C1 controls, DEL, the line and paragraph separators, bidirectional overrides and isolates, and lone surrogates
const UNPRINTABLE =
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function escapeChar(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Escapes every control character (ESC, CR, LF, ...) as `\u` and four hex digits (`\u001b`) so that input can never forge a line or a terminal sequence. */
export function escapeControl(s: string): string {
  UNPRINTABLE.lastIndex = 0;
  return UNPRINTABLE.test(s) ? s.replace(UNPRINTABLE, escapeChar) : s;
}

/** The default bound of {@link clip}: input-controlled strings longer than this are cut in findings and summaries. */
export const MAX_SHOWN_CHARS = 200;

/** Cuts `s` to `max` characters (never inside a surrogate pair), saying how long it was: `abc… (3000000 characters)`. */
export function clip(s: string, max = MAX_SHOWN_CHARS): string {
  if (s.length <= max) return s;
  let end = max;
  const last = s.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${s.slice(0, end)}… (${s.length} characters)`;
}

/** {@link clip} then {@link escapeControl}: how an input-controlled string is shown. */
export function printable(s: string, max = MAX_SHOWN_CHARS): string {
  return escapeControl(clip(s, max));
}
