import { describe, expect, it } from 'vitest';
import {
  checkBarePayload,
  checkEnvelope,
  checkPayloadText,
  closestMatch,
  editDistance,
  issueToFinding,
  resolveEventType,
  suggestEventType,
} from '../../../src/conformance/index.js';
import { TOOL_INVOKED } from '../../helpers/payloads.js';

describe('closestMatch', () => {
  it('finds the candidate within two edits and nothing farther', () => {
    expect(editDistance('tool_nme', 'tool_name')).toBe(1);
    expect(closestMatch('tool_nme', ['action_id', 'tool_name'])).toBe('tool_name');
    expect(closestMatch('zzzzzz', ['tool_name'])).toBeUndefined();
  });
});

describe('resolveEventType', () => {
  it('resolves exact types, concrete pattern types and templates', () => {
    expect(resolveEventType('tool.invoked')?.type).toBe('tool.invoked');
    expect(resolveEventType('stage.llm.completed')?.type).toBe('stage.{name}.completed');
    expect(resolveEventType('stage.{name}.completed')?.type).toBe('stage.{name}.completed');
    expect(resolveEventType('nope.nope')).toBeUndefined();
  });

  it('suggests a near type, filling a template with the given stage name', () => {
    expect(suggestEventType('tool.invokd')).toBe('tool.invoked');
    expect(suggestEventType('stage.llm.complted')).toBe('stage.llm.completed');
  });
});

describe('checkEnvelope', () => {
  it('accepts a valid event with no findings', () => {
    expect(checkEnvelope({ type: 'tool.invoked', data: TOOL_INVOKED })).toEqual([]);
  });

  it('reports every issue of a payload with expected and got', () => {
    const findings = checkEnvelope({
      type: 'tool.invoked',
      data: { ...TOOL_INVOKED, behavior: 7, timestamp: '2026-13-01T00:00:00Z' },
    });
    expect(findings.map((f) => [f.instancePath, f.keyword, f.expected, f.got])).toEqual([
      ['/timestamp', 'format', 'format date-time', '"2026-13-01T00:00:00Z"'],
      ['/behavior', 'type', 'string,null', 'integer 7'],
    ]);
  });

  it('caps the findings of one payload and says how many were left out', () => {
    const findings = checkEnvelope({ type: 'tool.invoked', data: {} }, { maxFindingsPerPayload: 2 });
    expect(findings).toHaveLength(3);
    expect(findings[2]).toMatchObject({
      keyword: 'truncated',
      message: '5 more issues not shown (limit 2 per payload)',
    });
  });

  it('makes unknown types warnings with allowUnknown', () => {
    expect(checkEnvelope({ type: 'x.y', data: {} })[0]?.level).toBe('error');
    expect(checkEnvelope({ type: 'x.y', data: {} }, { allowUnknown: true })[0]?.level).toBe('warning');
  });

  it('reports a missing type or data as an envelope finding', () => {
    expect(checkEnvelope({ data: {} })[0]).toMatchObject({
      keyword: 'envelope',
      message: "the envelope has no 'type'",
    });
    expect(checkEnvelope({ type: 'tool.invoked' })[0]).toMatchObject({
      keyword: 'envelope',
      message: "the envelope has no 'data'",
    });
  });
});

describe('checkBarePayload', () => {
  it('checks data alone against one descriptor', () => {
    const d = resolveEventType('tool.invoked');
    if (d === undefined) throw new Error('tool.invoked is not in the contract');
    expect(checkBarePayload(TOOL_INVOKED, d)).toEqual([]);
    expect(checkBarePayload({ ...TOOL_INVOKED, extra: 1 }, d)[0]).toMatchObject({
      keyword: 'additionalProperties',
      instancePath: '/extra',
    });
  });
});

describe('checkPayloadText', () => {
  it('never throws and classifies each kind of bad text', () => {
    expect(checkPayloadText('')).toMatchObject({
      counted: false,
      findings: [{ keyword: 'empty-line', level: 'warning' }],
    });
    expect(checkPayloadText('{oops')).toMatchObject({ counted: true, findings: [{ keyword: 'json' }] });
    expect(checkPayloadText('\u0000\u0001\ufffd').findings[0]?.message).toBe('binary data, not JSON');
    expect(checkPayloadText('42').findings[0]).toMatchObject({ keyword: 'envelope', got: 'integer' });
  });
});

describe('did-you-mean suggestions are cached per distinct type and key', () => {
  it('gives the same suggestion every time, and past the cache bound too', () => {
    const first = suggestEventType('tool.invokd');
    expect(first).toBe('tool.invoked');
    for (let i = 0; i < 5000; i++) suggestEventType(`x.unknown${i}`);
    expect(suggestEventType('tool.invokd')).toBe(first);
    expect(suggestEventType('stage.llm.completd')).toBe('stage.llm.completed');
  });

  it('suggests a misspelt key per descriptor, not from another event with the same key', () => {
    const descriptor = { ...(resolveEventType('tool.invoked') as NonNullable<ReturnType<typeof resolveEventType>>) };
    const other = { ...descriptor, properties: ['tool_nam'] };
    const issue = { instancePath: '', keyword: 'additionalProperties', params: { additionalProperty: 'tool_nme' } };
    const a = checkEnvelopeIssue(issue, descriptor);
    const b = checkEnvelopeIssue(issue, other);
    expect(a).toBe("did you mean 'tool_name'?");
    expect(b).toBe("did you mean 'tool_nam'?");
    expect(checkEnvelopeIssue(issue, descriptor)).toBe(a);
  });
});

function checkEnvelopeIssue(
  issue: { instancePath: string; keyword: string; params: Record<string, unknown> },
  descriptor: NonNullable<ReturnType<typeof resolveEventType>>,
): string | undefined {
  return issueToFinding(
    { ...issue, schemaPath: '#', message: 'must NOT have additional properties' },
    {},
    'tool.invoked',
    descriptor,
  ).hint;
}
