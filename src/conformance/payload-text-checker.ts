import type { EventDescriptor } from '../runtime/index.js';
import { checkBarePayload, checkEnvelope, type PayloadCheckOptions, type PayloadFinding } from './payload-checker.js';

/** Options of {@link checkPayloadText}. */
export interface PayloadTextOptions extends PayloadCheckOptions {
  /** Check each text as a bare payload of this event instead of as a `{type, data}` envelope. */
  readonly bare?: { readonly descriptor: EventDescriptor; readonly type: string } | undefined;
}

/** The result for one line: `counted` is false for lines that are not payloads (empty lines). */
export interface PayloadTextResult {
  readonly counted: boolean;
  readonly findings: readonly PayloadFinding[];
}

const EMPTY_LINE: PayloadTextResult = {
  counted: false,
  findings: [
    {
      level: 'warning',
      eventType: null,
      instancePath: '',
      keyword: 'empty-line',
      message: 'empty line (not a payload)',
    },
  ],
};

// a NUL, a C0 control other than tab/newline, or a UTF-8 replacement character means the bytes were not text
const BINARY = /[\u0000-\u0008\u000e-\u001f\ufffd]/;

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/** Parses one line of text and checks it; never throws, whatever the text holds. */
export function checkPayloadText(text: string, options: PayloadTextOptions = {}): PayloadTextResult {
  if (text.length === 0 || isBlank(text)) return EMPTY_LINE;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const binary = BINARY.test(text);
    const reason = binary ? 'binary data, not JSON' : `not JSON: ${(e as Error).message}`;
    return {
      counted: true,
      findings: [
        {
          level: 'error',
          eventType: options.bare?.type ?? null,
          instancePath: '',
          keyword: 'json',
          message: reason,
          expected: 'one JSON value per line',
          got: binary ? 'binary bytes' : JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text),
        },
      ],
    };
  }
  const findings = checkValue(value, options);
  // a valid payload (the common case) allocates no result
  return findings.length === 0 ? VALID : { counted: true, findings };
}

const VALID: PayloadTextResult = Object.freeze({ counted: true, findings: Object.freeze([]) });

/**
 * Checks an already parsed value as an envelope or, with `bare`, as a bare payload. Never throws: a value the checks
 * cannot walk (nested too deeply for the stack) becomes one `depth` finding.
 */
export function checkValue(value: unknown, options: PayloadTextOptions = {}): readonly PayloadFinding[] {
  try {
    return options.bare === undefined
      ? checkEnvelope(value, options)
      : checkBarePayload(value, options.bare.descriptor, options.bare.type, options);
  } catch (e) {
    return [
      {
        level: 'error',
        eventType: options.bare?.type ?? null,
        instancePath: '',
        keyword: 'depth',
        message:
          e instanceof RangeError
            ? 'the payload is nested too deeply to check'
            : `the payload could not be checked: ${e instanceof Error ? e.message : String(e)}`,
        expected: 'a payload nested at most a few thousand levels',
        got: 'deeper nesting',
      },
    ];
  }
}
