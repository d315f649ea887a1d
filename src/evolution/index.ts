// schema evolution: a compatibility diff of two schema folders decided on the payloads each accepts.
// Public entry: diffSchemaSets(oldSet, newSet, { mode }) -> DiffReport. The steps are pure functions over parsed
// schemas: inlineRefs + normaliseSchema (normalise.ts), contains (compare.ts: the breaks and undecided places of
// one direction), createValidators (verify.ts: the real validators every printed payload is checked with).
export {
  type Compatibility,
  compatibleUnder,
  type DiffFinding,
  type DiffOptions,
  type DiffReport,
  diffSchemaSets,
  MODES,
  type Mode,
  type TypeDiff,
} from './diff.js';
export { type Break, type Containment, contains, type Direction, sample, type Undecided } from './compare.js';
export { accepts } from './accepts.js';
export { canonicalJson, inlineRefs, normaliseSchema, type Norm, RefError, type SchemaSet } from './normalise.js';
export { CompileError, createValidators, type SideValidator } from './verify.js';
