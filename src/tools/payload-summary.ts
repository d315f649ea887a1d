/** Longest string or serialised list/object kept as-is in a `payload_summary`, in characters (the cut of the Python framework we follow). */
const MAX_SUMMARY_CHARS = 200;

/**
 * Builds the `tool.invoked` `payload_summary` as the Python framework we follow does: each value is copied except
 * strings over 200 characters (cut to 200 plus `...`) and arrays or objects whose JSON form exceeds 200 characters,
 * which become a placeholder naming the type and item count.
 */
export function summarizePayload(payload: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // defined, not assigned: a key named __proto__ stays an own key instead of replacing the summary's prototype
  for (const [key, value] of Object.entries(payload))
    Object.defineProperty(out, key, {
      value: summarizeValue(value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out;
}

function summarizeValue(value: unknown): unknown {
  if (typeof value === 'string')
    return value.length > MAX_SUMMARY_CHARS ? `${value.slice(0, MAX_SUMMARY_CHARS)}...` : value;
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object')
    return typeof value === 'function' || typeof value === 'symbol' ? String(value) : value;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text !== undefined && text.length <= MAX_SUMMARY_CHARS) return JSON.parse(text) as unknown;
  if (Array.isArray(value)) return `<list with ${value.length} items>`;
  return `<${value.constructor?.name === 'Object' || value.constructor === undefined ? 'dict' : value.constructor.name} with ${Object.keys(value).length} items>`;
}
