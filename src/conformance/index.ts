// the conformance kit: payload checks shared by the CLI, the vitest matcher and `check`, plus the fixture generator
export { closestMatch, editDistance } from './closest-match.js';
export {
  checkBarePayload,
  checkEnvelope,
  describeValue,
  formatPayloadFinding,
  issueToFinding,
  resolveEventType,
  suggestEventType,
} from './payload-checker.js';
export type { PayloadCheckOptions, PayloadFinding } from './payload-checker.js';
export { checkPayloadText, checkValue } from './payload-text-checker.js';
export type { PayloadTextOptions, PayloadTextResult } from './payload-text-checker.js';
export { generateFixtures } from './fixture-generator.js';
export type { Fixture, FixtureCorpus, FixtureSchema } from './fixture-generator.js';
