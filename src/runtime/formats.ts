// char-code format checks: regexes and ajv-formats' "full" date-time dominate validation cost (see performance notes)

// one byte per UTF-16 code unit, so any charCodeAt result indexes it in bounds
const HEX = new Uint8Array(65536);
for (const c of '0123456789abcdef') HEX[c.charCodeAt(0)] = 1;

// the last eight uuids and the last date-time found valid: every event of a run repeats its five correlation ids (run,
// request, session, user, org) and a timestamp cached per millisecond; a hit is one string comparison (a pointer check
// for the same string object), a miss costs at most eight that mostly stop at the first character
const UUIDS_SEEN = 8;
const uuidSeen: string[] = new Array<string>(UUIDS_SEEN).fill('');
let uuidNext = 0;
let dateTimeSeen = '';

/** True for a lowercase, hyphenated 8-4-4-4-12 hex UUID of any version, as `str(uuid)` writes it. */
export function isUuid(s: string): boolean {
  if (s.length !== 36) return false;
  const seen = uuidSeen;
  // newest first: the events of one run repeat the id remembered last
  for (let i = 0, j = uuidNext + UUIDS_SEEN - 1; i < UUIDS_SEEN; i++, j--)
    if (s === seen[j & (UUIDS_SEEN - 1)]) return true;
  if (!isUuidText(s)) return false;
  rememberUuid(s);
  return true;
}

function rememberUuid(s: string): void {
  uuidSeen[uuidNext] = s;
  uuidNext = (uuidNext + 1) & (UUIDS_SEEN - 1);
}

/**
 * Returns a UUID this process just made with `crypto.randomUUID()` (always the lowercase 8-4-4-4-12 form), remembered
 * as checked: the events that carry it then find it in the memo instead of checking its 36 characters again.
 */
export function generatedUuid(id: string): string {
  rememberUuid(id);
  return id;
}

function isUuidText(s: string): boolean {
  const h = HEX;
  // unrolled and branch-free over the 32 hex digits: 1.3x faster than loops here, and uuids dominate validation cost
  const hexDigits =
    h[s.charCodeAt(0)]! &
    h[s.charCodeAt(1)]! &
    h[s.charCodeAt(2)]! &
    h[s.charCodeAt(3)]! &
    h[s.charCodeAt(4)]! &
    h[s.charCodeAt(5)]! &
    h[s.charCodeAt(6)]! &
    h[s.charCodeAt(7)]! &
    h[s.charCodeAt(9)]! &
    h[s.charCodeAt(10)]! &
    h[s.charCodeAt(11)]! &
    h[s.charCodeAt(12)]! &
    h[s.charCodeAt(14)]! &
    h[s.charCodeAt(15)]! &
    h[s.charCodeAt(16)]! &
    h[s.charCodeAt(17)]! &
    h[s.charCodeAt(19)]! &
    h[s.charCodeAt(20)]! &
    h[s.charCodeAt(21)]! &
    h[s.charCodeAt(22)]! &
    h[s.charCodeAt(24)]! &
    h[s.charCodeAt(25)]! &
    h[s.charCodeAt(26)]! &
    h[s.charCodeAt(27)]! &
    h[s.charCodeAt(28)]! &
    h[s.charCodeAt(29)]! &
    h[s.charCodeAt(30)]! &
    h[s.charCodeAt(31)]! &
    h[s.charCodeAt(32)]! &
    h[s.charCodeAt(33)]! &
    h[s.charCodeAt(34)]! &
    h[s.charCodeAt(35)]!;
  return (
    hexDigits === 1 &&
    s.charCodeAt(8) === 45 &&
    s.charCodeAt(13) === 45 &&
    s.charCodeAt(18) === 45 &&
    s.charCodeAt(23) === 45
  );
}

// two decimal digits at i, or -1
function d2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >>> 0 > 9 || b >>> 0 > 9 ? -1 : a * 10 + b;
}

const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * True for an RFC 3339 date-time with a mandatory offset (`Z`, `z` or `±hh:mm`) and an optional fraction,
 * checked against the calendar (no Feb 30, leap years honoured; a leap second only at 23:59:60 UTC).
 */
export function isDateTime(s: string): boolean {
  if (s === dateTimeSeen) return true;
  if (!isDateTimeText(s)) return false;
  dateTimeSeen = s;
  return true;
}

function isDateTimeText(s: string): boolean {
  const n = s.length;
  if (n < 20 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58)
    return false;
  const y1 = d2(s, 0);
  const y2 = d2(s, 2);
  const month = d2(s, 5);
  const day = d2(s, 8);
  const hour = d2(s, 11);
  const minute = d2(s, 14);
  const second = d2(s, 17);
  if (
    y1 < 0 ||
    y2 < 0 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 60
  )
    return false;
  const year = y1 * 100 + y2;
  if (
    day > (DAYS[month] as number) &&
    !(month === 2 && day === 29 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))
  )
    return false;
  const t = s.charCodeAt(10);
  if (t !== 84 && t !== 116) return false;
  let i = 19;
  if (s.charCodeAt(i) === 46) {
    const start = ++i;
    while (i < n && (s.charCodeAt(i) - 48) >>> 0 <= 9) i++;
    if (i === start) return false;
  }
  const z = s.charCodeAt(i);
  let offsetMinutes = 0;
  if (z === 90 || z === 122) {
    if (i + 1 !== n) return false;
  } else if (z === 43 || z === 45) {
    if (i + 6 !== n || s.charCodeAt(i + 3) !== 58) return false;
    const oh = d2(s, i + 1);
    const om = d2(s, i + 4);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return false;
    offsetMinutes = (z === 43 ? 1 : -1) * (oh * 60 + om);
  } else return false;
  if (second === 60) {
    // a leap second is only valid at 23:59:60 in UTC
    const utc = (((hour * 60 + minute - offsetMinutes) % 1440) + 1440) % 1440;
    if (utc !== 1439) return false;
  }
  return true;
}

/** The format functions wired into the generated standalone validators, keyed by JSON Schema format name. */
export const formats: Readonly<Record<string, (s: string) => boolean>> = Object.freeze({
  uuid: isUuid,
  'date-time': isDateTime,
});

/** True for a non-empty string without a dot: the schemas' `^[^.]+$` (stage names), with no regex. */
export function isDotFreeName(s: string): boolean {
  return s.length > 0 && s.indexOf('.') === -1;
}

/**
 * Char-code stand-ins for the regex patterns our schemas use most, keyed by the pattern's source: codegen wires them
 * into the generated validators in place of `new RegExp(source, 'u')` (each has the regex's `test` contract).
 */
export const patterns: Readonly<Record<string, { test(s: string): boolean }>> = Object.freeze({
  '^[^.]+$': Object.freeze({ test: isDotFreeName }),
});
