import { describe, expect, it } from 'vitest';
import { isDateTime, isUuid, nowIso, patterns } from '../../../src/runtime/index.js';
import { validateStageNameStarted } from '../../../generated/index.js';

describe('isUuid', () => {
  it.each([
    '6e98dfc3-05a5-4632-81dc-acc81356a316',
    '01a213d3-679f-7c0b-9d72-43711d3641ec',
    '00000000-0000-0000-0000-000000000000',
    '00000000-0000-0000-0000-000000000099',
  ])('accepts %s (any version, lowercase)', (s) => expect(isUuid(s)).toBe(true));

  it.each([
    ['uppercase hex', '6E98DFC3-05A5-4632-81DC-ACC81356A316'],
    ['no hyphens', '6e98dfc305a5463281dcacc81356a316'],
    ['too short', '6e98dfc3-05a5-4632-81dc-acc81356a31'],
    ['too long', '6e98dfc3-05a5-4632-81dc-acc81356a3166'],
    ['a non-hex letter', '6e98dfc3-05a5-4632-81dc-acc81356a31g'],
    ['a hyphen in the wrong place', '6e98dfc305-a5-4632-81dc-acc81356a316'],
    ['urn prefix', 'urn:uuid:6e98dfc3-05a5-4632-81dc-acc81356'],
    ['braces', '{6e98dfc3-05a5-4632-81dc-acc81356a31}'],
    ['empty', ''],
    ['non-ASCII digit', '6e98dfc3-05a5-4632-81dc-acc81356a31\u0661'],
    // each hyphen position on its own (a check of index 13 once went missing unnoticed)
    ['a non-hyphen at index 8', '6e98dfc3x05a5-4632-81dc-acc81356a316'],
    ['a non-hyphen at index 13', '6e98dfc3-05a5x4632-81dc-acc81356a316'],
    ['a non-hyphen at index 18', '6e98dfc3-05a5-4632x81dc-acc81356a316'],
    ['a non-hyphen at index 23', '6e98dfc3-05a5-4632-81dcxacc81356a316'],
    ['a hex digit at index 13', '6e98dfc3-05a5a4632-81dc-acc81356a316'],
  ])('rejects %s', (_why, s) => expect(isUuid(s)).toBe(false));
});

describe('isDateTime', () => {
  it.each([
    '2026-11-25T17:49:11.428199+00:00',
    '2026-11-25T17:49:11+00:00',
    '2026-11-25T17:49:11Z',
    '2026-11-25t17:49:11.5z',
    '2026-11-25T17:49:11.123456789-05:30',
    '2024-02-29T00:00:00Z',
    '2000-02-29T00:00:00Z',
    '2026-12-31T23:59:60Z',
    '2026-12-31T22:59:60-01:00',
    '2027-01-01T00:59:60+01:00',
  ])('accepts %s', (s) => expect(isDateTime(s)).toBe(true));

  it.each([
    ['Feb 30', '2026-02-30T10:00:00+00:00'],
    ['Feb 29 in a common year', '2025-02-29T10:00:00Z'],
    ['Feb 29 in 1900 (divisible by 100)', '1900-02-29T10:00:00Z'],
    ['April 31', '2026-04-31T10:00:00Z'],
    ['month 13', '2026-13-01T10:00:00Z'],
    ['month 0', '2026-00-01T10:00:00Z'],
    ['day 0', '2026-01-00T10:00:00Z'],
    ['hour 24', '2026-11-25T24:00:00Z'],
    ['minute 60', '2026-11-25T10:60:00Z'],
    ['a leap second not at 23:59 UTC', '2026-11-25T10:59:60Z'],
    ['no offset', '2026-11-25T17:49:11.428199'],
    ['an offset without a colon', '2026-11-25T17:49:11+0000'],
    ['an offset hour of 24', '2026-11-25T17:49:11+24:00'],
    ['an empty fraction', '2026-11-25T17:49:11.+00:00'],
    ['a space instead of T', '2026-11-25 17:49:11+00:00'],
    ['a date only', '2026-11-25'],
    ['trailing garbage', '2026-11-25T17:49:11Zx'],
    ['letters in the year', '20a6-11-25T17:49:11Z'],
  ])('rejects %s', (_why, s) => expect(isDateTime(s)).toBe(false));
});

describe('patterns', () => {
  it.each(['llm', 'enrich_memory', '', 'a.b', '.', 'x.', 'ünïcode', '😀', '\ud800', 'a\nb'])(
    "'^[^.]+$' agrees with the regex on %j",
    (s) => expect(patterns['^[^.]+$']?.test(s)).toBe(/^[^.]+$/u.test(s)),
  );

  it('the generated validators use it and still report a pattern error', () => {
    const base = {
      request_id: null,
      session_id: null,
      user_id: null,
      org_id: null,
      service: 'chat',
      status: 'started',
      timestamp: '2026-11-25T17:49:11Z',
      topology: null,
      execution_mode: null,
    };
    expect(validateStageNameStarted({ ...base, stage: 'llm' })).toBe(true);
    expect(validateStageNameStarted({ ...base, stage: 'a.b' })).toBe(false);
    expect(validateStageNameStarted.errors?.[0]).toMatchObject({ instancePath: '/stage', keyword: 'pattern' });
  });
});

describe('last-seen checks of isUuid and isDateTime', () => {
  it('answer for the string given, not for the one seen last', () => {
    const a = '123e4567-e89b-12d3-a456-426614174000';
    const b = '00000000-0000-4000-8000-000000000000';
    expect(isUuid(a)).toBe(true);
    expect(isUuid(b)).toBe(true);
    expect(isUuid(a)).toBe(true);
    expect(isUuid(`${a.slice(0, 35)}g`)).toBe(false);
    expect(isUuid(a.toUpperCase())).toBe(false);
    expect(isUuid(b)).toBe(true);
    const t = '2026-01-02T03:04:05.678+00:00';
    expect(isDateTime(t)).toBe(true);
    expect(isDateTime(t)).toBe(true);
    expect(isDateTime('2026-02-30T03:04:05.678+00:00')).toBe(false);
    expect(isDateTime(t.replace('+00:00', ''))).toBe(false);
    expect(isDateTime(t)).toBe(true);
  });
});

describe('nowIso', () => {
  it('gives the same text for the same millisecond and the right text for the next', () => {
    expect(nowIso(Date.UTC(2026, 0, 2, 3, 4, 5, 6))).toBe('2026-01-02T03:04:05.006+00:00');
    expect(nowIso(Date.UTC(2026, 0, 2, 3, 4, 5, 6))).toBe('2026-01-02T03:04:05.006+00:00');
    expect(nowIso(Date.UTC(2026, 0, 2, 3, 4, 5, 78))).toBe('2026-01-02T03:04:05.078+00:00');
    expect(nowIso(Date.UTC(2026, 0, 2, 3, 4, 6, 0))).toBe('2026-01-02T03:04:06.000+00:00');
  });
});
