// char-code format checks: regexes and ajv-formats' "full" date-time dominate validation cost (see performance notes)

function hex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
}

/** True for a lowercase, hyphenated 8-4-4-4-12 hex UUID of any version, as `str(uuid)` writes it. */
export function isUuid(s: string): boolean {
  if (s.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false;
    } else if (!hex(c)) return false;
  }
  return true;
}

function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS[month] ?? 0;
}

/**
 * True for an RFC 3339 date-time with a mandatory offset (`Z`, `z` or `±hh:mm`) and an optional fraction,
 * checked against the calendar (no Feb 30, leap years honoured; a leap second only at 23:59:60 UTC).
 */
export function isDateTime(s: string): boolean {
  const n = s.length;
  if (n < 20) return false;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return false;
  const t = s.charCodeAt(10);
  if (t !== 84 && t !== 116) return false;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return false;
  let i = 19;
  if (s.charCodeAt(i) === 46) {
    const start = ++i;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      i++;
    }
    if (i === start) return false;
  }
  const z = s.charCodeAt(i);
  let offsetMinutes = 0;
  if (z === 90 || z === 122) {
    if (i + 1 !== n) return false;
  } else if (z === 43 || z === 45) {
    if (i + 6 !== n || s.charCodeAt(i + 3) !== 58) return false;
    const oh = digits(s, i + 1, 2);
    const om = digits(s, i + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return false;
    offsetMinutes = (z === 43 ? 1 : -1) * (oh * 60 + om);
  } else return false;
  if (second === 60) {
    // a leap second is only valid at 23:59:60 in UTC
    const utc = (((hour * 60 + minute - offsetMinutes) % 1440) + 1440) % 1440;
    if (utc !== 23 * 60 + 59) return false;
  }
  return true;
}

/** The format functions wired into the generated standalone validators, keyed by JSON Schema format name. */
export const formats: Readonly<Record<string, (s: string) => boolean>> = Object.freeze({
  uuid: isUuid,
  'date-time': isDateTime,
});
