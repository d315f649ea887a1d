import type { EventDescriptor } from './types.js';

/** How many pattern lookups {@link createDescriptorLookup} remembers before it starts over. */
export const DESCRIPTOR_MEMO_LIMIT = 4096;

/**
 * Builds the lookup generated `findEventDescriptor` is: the descriptor whose type equals `type`, else the first whose
 * pattern matches it (in the order given), else `undefined`. Pattern answers (misses too) are memoised; stage names are
 * open-ended, so the memo is cleared when it reaches `memoLimit` rather than growing without limit.
 */
export function createDescriptorLookup(
  descriptors: readonly EventDescriptor[],
  memoLimit = DESCRIPTOR_MEMO_LIMIT,
): (type: string) => EventDescriptor | undefined {
  const exact = new Map<string, EventDescriptor>();
  const patterns: (readonly [RegExp, EventDescriptor])[] = [];
  for (const d of descriptors) {
    if (d.pattern === undefined) exact.set(d.type, d);
    else patterns.push([new RegExp(d.pattern), d] as const);
  }
  const matched = new Map<string, EventDescriptor | undefined>();
  return (type: string): EventDescriptor | undefined => {
    const hit = exact.get(type);
    if (hit !== undefined) return hit;
    if (matched.has(type)) return matched.get(type);
    let found: EventDescriptor | undefined;
    for (const [re, d] of patterns) {
      if (re.test(type)) {
        found = d;
        break;
      }
    }
    if (matched.size >= memoLimit) matched.clear();
    matched.set(type, found);
    return found;
  };
}
