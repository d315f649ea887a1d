let cachedSecond = -1;
let cachedPrefix = '';

/**
 * The current time as RFC 3339 with milliseconds and a `+00:00` offset, like the Python framework we follow
 * (`datetime.now(UTC).isoformat()`); the date part is cached per second because `toISOString` is slow on Node 20.
 */
export function nowIso(now: number = Date.now()): string {
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 19);
  }
  const ms = now - second * 1000;
  return `${cachedPrefix}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}+00:00`;
}
