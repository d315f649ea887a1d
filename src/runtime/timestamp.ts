let cachedSecond = -1;
let cachedPrefix = '';
let cachedMs = -1;
let cachedIso = '';

/**
 * The current time as RFC 3339 with milliseconds and a `+00:00` offset, like the Python framework we follow
 * (`datetime.now(UTC).isoformat()`); the date part is cached per second because `toISOString` is slow on Node 20.
 */
export function nowIso(now: number = Date.now()): string {
  // the same string for the same millisecond: events of one stage share it, and the validator's last-seen check is a
  // pointer comparison
  if (now === cachedMs) return cachedIso;
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 19);
  }
  const ms = now - second * 1000;
  cachedMs = now;
  cachedIso = `${cachedPrefix}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}+00:00`;
  return cachedIso;
}
