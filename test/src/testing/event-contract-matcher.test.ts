import { describe, expect, it } from 'vitest';
import { installEventContractMatcher, toMatchEventContract } from '../../../src/testing/event-contract-matcher.js';
import { TOOL_INVOKED } from '../../helpers/payloads.js';

installEventContractMatcher();

describe('toMatchEventContract', () => {
  it('passes for a valid envelope, a typed envelope and a bare payload', () => {
    expect({ type: 'tool.invoked', data: TOOL_INVOKED }).toMatchEventContract();
    expect({ type: 'tool.invoked', data: TOOL_INVOKED }).toMatchEventContract('tool.invoked');
    expect(TOOL_INVOKED).toMatchEventContract('tool.invoked');
    expect({ ...TOOL_INVOKED, tool_nme: 'x' }).not.toMatchEventContract('tool.invoked');
  });

  it('fails with the same findings the CLI prints', () => {
    const { tool_name: _omitted, ...rest } = TOOL_INVOKED;
    const result = toMatchEventContract({ ...rest, tool_nme: 'x' }, 'tool.invoked');
    expect(result.pass).toBe(false);
    expect(result.message()).toBe(
      [
        "expected the value to be a 'tool.invoked' payload that matches the contract:",
        "  error: tool.invoked /tool_name: must have required property 'tool_name' (expected property 'tool_name', got nothing) [required]",
        "  error: tool.invoked /tool_nme: must NOT have additional properties: 'tool_nme' (expected no other properties, got 'tool_nme'); did you mean 'tool_name'? [additionalProperties]",
      ].join('\n'),
    );
  });

  it('fails for an envelope of another type and for an unknown type, with a suggestion', () => {
    expect(toMatchEventContract({ type: 'tool.started', data: {} }, 'tool.invoked').message()).toContain(
      "the envelope's type 'tool.started' is not 'tool.invoked'",
    );
    expect(toMatchEventContract(TOOL_INVOKED, 'tool.invokd').message()).toContain("did you mean 'tool.invoked'?");
  });

  it('throws a readable assertion error through expect', () => {
    expect(() => expect({ type: 'tool.invoked', data: {} }).toMatchEventContract()).toThrow(
      /must have required property 'tool_name'/,
    );
  });
});
