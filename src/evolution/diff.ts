// the entry point: two parsed schema folders in, one report out (see index.ts for the public surface)
import { type Break, contains, type Direction, hintFor, pointer, sample, type Undecided } from './compare.js';
import { inlineRefs, normaliseSchema, type Norm, type SchemaSet } from './normalise.js';
import { createValidators, type SideValidator } from './verify.js';
import { MODES, type Mode } from './modes.js';

/** What a schema may state in `x-compatibility` to override the mode for its own event type. */
export type Compatibility = Mode | 'none';

export { MODES, type Mode };
const COMPATIBILITIES: readonly string[] = [...MODES, 'none'];

/** One break (with the payload that shows it) or one place the analysis could not decide (counterexample null). */
export interface DiffFinding {
  readonly direction: Direction;
  /** Where in the payload, as a JSON Pointer. */
  readonly instancePath: string;
  readonly keyword: string;
  readonly message: string;
  /** What to do about it. */
  readonly hint: string;
  /** A complete payload one side accepts and the other rejects, checked with both sides' validators; null when undecided. */
  readonly counterexample: unknown;
  /** False for a place the analysis could not decide (the direction's verdict is then null). */
  readonly decided: boolean;
  /** The shared definition the change sits in (`common/defs.v1.json#/$defs/Uuid`), when it came through a `$ref`. */
  readonly source?: string;
}

/** One event type whose accepted set changed (or that was added or removed). */
export interface TypeDiff {
  /** The event type, or the template of a pattern type (`stage.{name}.started`). */
  readonly eventType: string;
  readonly version: number;
  /** The schema file below the folder (the new one, or the old one when removed). */
  readonly file: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** Every payload the old schema accepts, the new one accepts too; null: undecided. */
  readonly backward: boolean | null;
  /** Every payload the new schema accepts, the old one accepts too; null: undecided. */
  readonly forward: boolean | null;
  /** The mode this type is judged under (the run's mode, or the schema's own `x-compatibility`). */
  readonly mode: Compatibility;
  /** Whether the change is compatible under `mode`; null: undecided. */
  readonly compatible: boolean | null;
  readonly findings: readonly DiffFinding[];
}

/** The machine-readable report, described by `src/cli/diff-report.schema.json`. */
export interface DiffReport {
  readonly mode: Mode;
  readonly verdict: 'compatible' | 'breaking' | 'unknown';
  readonly types: readonly TypeDiff[];
}

/** Options of {@link diffSchemaSets}. */
export interface DiffOptions {
  /** Default `backward`. */
  readonly mode?: Mode;
}

interface EventSchema {
  readonly file: string;
  readonly type: string;
  readonly version: number;
  readonly json: Record<string, unknown>;
}

function eventsOf(set: SchemaSet): Map<string, EventSchema> {
  const out = new Map<string, EventSchema>();
  for (const [file, json] of set) {
    if (json === null || typeof json !== 'object' || Array.isArray(json)) continue;
    const j = json as Record<string, unknown>;
    const type =
      j['x-event-type'] ?? (j['x-event-type-pattern'] !== undefined ? j['x-event-type-template'] : undefined);
    if (typeof type !== 'string') continue;
    const version =
      typeof j['x-version'] === 'number' ? j['x-version'] : Number(/\.v(\d+)\.json$/.exec(file)?.[1] ?? '1');
    out.set(`${type}@v${version}`, { file, type, version, json: j });
  }
  return out;
}

function compatibilityOf(e: EventSchema | undefined): Compatibility | undefined {
  const c = e?.json['x-compatibility'];
  return typeof c === 'string' && COMPATIBILITIES.includes(c) ? (c as Compatibility) : undefined;
}

/** Whether a change is compatible under a mode, from its two directions. */
export function compatibleUnder(
  mode: Compatibility,
  backward: boolean | null,
  forward: boolean | null,
): boolean | null {
  if (mode === 'none') return true;
  if (mode === 'backward') return backward;
  if (mode === 'forward') return forward;
  if (backward === false || forward === false) return false;
  if (backward === null || forward === null) return null;
  return true;
}

function examplesOf(e: EventSchema): unknown[] {
  return Array.isArray(e.json.examples) ? e.json.examples : [];
}

class Side {
  private validators: SideValidator | undefined;
  constructor(readonly set: SchemaSet) {}
  accepts(file: string, data: unknown): boolean {
    this.validators ??= createValidators(this.set);
    return this.validators(file, data);
  }
}

/** Turns the analysis's breaks into findings whose payloads both validators confirm; an unconfirmed one becomes undecided. */
function confirm(
  direction: Direction,
  breaks: readonly Break[],
  undecided: readonly Undecided[],
  from: { side: Side; event: EventSchema; norm: Norm },
  to: { side: Side; event: EventSchema },
): DiffFinding[] {
  const out: DiffFinding[] = [];
  let bases: unknown[] | undefined;
  for (const f of breaks) {
    bases ??= [...examplesOf(from.event).filter((x) => from.side.accepts(from.event.file, x)), undefined];
    let counterexample: unknown;
    let found = false;
    for (const base of bases) {
      let candidate: unknown;
      try {
        candidate = f.build(base === undefined ? sample(from.norm) : structuredClone(base));
      } catch {
        continue;
      }
      if (from.side.accepts(from.event.file, candidate) && !to.side.accepts(to.event.file, candidate)) {
        counterexample = candidate;
        found = true;
        break;
      }
    }
    const source = f.from === undefined ? {} : { source: f.from };
    if (found)
      out.push({
        direction,
        instancePath: pointer(f.path),
        keyword: f.keyword,
        message: f.message,
        hint: f.hint,
        counterexample,
        decided: true,
        ...source,
      });
    else
      out.push({
        direction,
        instancePath: pointer(f.path),
        keyword: f.keyword,
        message: `${f.message}; but no payload built to show it was confirmed by both validators, so this direction is undecided`,
        hint: 'check this change by hand, or publish it as a new major version (v2)',
        counterexample: null,
        decided: false,
        ...source,
      });
  }
  for (const u of undecided)
    out.push({
      direction,
      instancePath: pointer(u.path),
      keyword: u.keyword,
      message: u.reason,
      hint: 'the analysis cannot decide this keyword pair: check it by hand, or publish the change as a new major version (v2)',
      counterexample: null,
      decided: false,
    });
  return out;
}

function verdictOf(findings: readonly DiffFinding[], direction: Direction): boolean | null {
  const mine = findings.filter((f) => f.direction === direction);
  if (mine.some((f) => f.decided)) return false;
  if (mine.length > 0) return null;
  return true;
}

/** The first example the side accepts, or a sample of the schema; undefined when nothing the side accepts was found. */
function acceptedPayload(side: Side, e: EventSchema): unknown {
  for (const x of examplesOf(e)) if (side.accepts(e.file, x)) return x;
  const s = sample(normaliseSchema(inlineRefs(side.set, e.file)));
  return side.accepts(e.file, s) ? s : undefined;
}

function presence(change: 'added' | 'removed', e: EventSchema, side: Side, mode: Compatibility): TypeDiff {
  const direction: Direction = change === 'removed' ? 'backward' : 'forward';
  const payload = acceptedPayload(side, e);
  const finding: DiffFinding = {
    direction,
    instancePath: '',
    keyword: 'x-event-type',
    message:
      change === 'removed'
        ? `the event type '${e.type}' v${e.version} is gone: its payloads no longer validate`
        : `the event type '${e.type}' v${e.version} is new: a sink on the old contract does not know it`,
    hint: hintFor('x-event-type', direction),
    counterexample: payload ?? null,
    decided: payload !== undefined,
  };
  const backward = change === 'removed' ? (payload === undefined ? null : false) : true;
  const forward = change === 'added' ? (payload === undefined ? null : false) : true;
  return {
    eventType: e.type,
    version: e.version,
    file: e.file,
    change,
    backward,
    forward,
    mode,
    compatible: compatibleUnder(mode, backward, forward),
    findings: [finding],
  };
}

/**
 * Compares two schema folders by the payloads they accept. For each event type (matched by type and major
 * version) that was added, removed, or whose accepted set changed: the backward verdict (old ⊆ new), the forward
 * verdict (new ⊆ old), and findings. Every break carries a complete payload checked with both sides' validators
 * (compiled with Ajv); a keyword pair the analysis cannot decide gives a `null` verdict and a finding saying why.
 * Event types whose accepted set is unchanged are not listed. Pure apart from compiling validators; throws
 * `RefError` for an unresolvable `$ref` and `CompileError` for a schema Ajv rejects.
 */
export function diffSchemaSets(oldSet: SchemaSet, newSet: SchemaSet, options: DiffOptions = {}): DiffReport {
  const mode = options.mode ?? 'backward';
  const oldEvents = eventsOf(oldSet);
  const newEvents = eventsOf(newSet);
  const oldSide = new Side(oldSet);
  const newSide = new Side(newSet);
  const types: TypeDiff[] = [];
  const keys = [...new Set([...oldEvents.keys(), ...newEvents.keys()])];
  for (const key of keys) {
    const o = oldEvents.get(key);
    const n = newEvents.get(key);
    const typeMode = compatibilityOf(n) ?? compatibilityOf(o) ?? mode;
    if (o === undefined && n !== undefined) {
      types.push(presence('added', n, newSide, typeMode));
      continue;
    }
    if (n === undefined && o !== undefined) {
      types.push(presence('removed', o, oldSide, typeMode));
      continue;
    }
    if (o === undefined || n === undefined) continue;
    const oldNorm = normaliseSchema(inlineRefs(oldSet, o.file));
    const newNorm = normaliseSchema(inlineRefs(newSet, n.file));
    if (oldNorm.canon === newNorm.canon) continue;
    const back = contains(oldNorm, newNorm, { direction: 'backward', a: 'the old schema', b: 'the new schema' });
    const fwd = contains(newNorm, oldNorm, { direction: 'forward', a: 'the new schema', b: 'the old schema' });
    const findings = [
      ...confirm(
        'backward',
        back.breaks,
        back.undecided,
        { side: oldSide, event: o, norm: oldNorm },
        { side: newSide, event: n },
      ),
      ...confirm(
        'forward',
        fwd.breaks,
        fwd.undecided,
        { side: newSide, event: n, norm: newNorm },
        { side: oldSide, event: o },
      ),
    ];
    const backward = verdictOf(findings, 'backward');
    const forward = verdictOf(findings, 'forward');
    if (backward === true && forward === true) continue;
    types.push({
      eventType: n.type,
      version: n.version,
      file: n.file,
      change: 'changed',
      backward,
      forward,
      mode: typeMode,
      compatible: compatibleUnder(typeMode, backward, forward),
      findings,
    });
  }
  types.sort((x, y) => (x.eventType === y.eventType ? x.version - y.version : x.eventType < y.eventType ? -1 : 1));
  const verdict = types.some((t) => t.compatible === false)
    ? 'breaking'
    : types.some((t) => t.compatible === null)
      ? 'unknown'
      : 'compatible';
  return { mode, verdict, types };
}
