/** A predicate over event type strings, built once by {@link typeGlobMatcher}. */
export type TypeMatcher = (type: string) => boolean;

/**
 * Compiles one glob or a list of globs over event types (`*` matches any run of characters, dots included:
 * `stage.*.completed`, `tool.*`) into a predicate; an exact string compiles to an equality check.
 */
export function typeGlobMatcher(globs: string | readonly string[]): TypeMatcher {
  const list = typeof globs === 'string' ? [globs] : globs;
  const exact = new Set<string>();
  const sources: string[] = [];
  for (const g of list) {
    if (!g.includes('*')) exact.add(g);
    else
      sources.push(
        g
          .split('*')
          .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('[^]*'),
      );
  }
  if (sources.length === 0) return (type) => exact.has(type);
  const re = new RegExp(`^(?:${sources.join('|')})$`);
  return (type) => exact.has(type) || re.test(type);
}
