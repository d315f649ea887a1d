// the compatibility modes of the schema diff: a module of its own so the command line can list them without loading
// the diff engine (and Ajv) on every start

/** Which directions decide the verdict: backward (the default of schema registries), forward, or both. */
export type Mode = 'backward' | 'forward' | 'full';

/** Every {@link Mode}, in the order help text lists them. */
export const MODES: readonly Mode[] = ['backward', 'forward', 'full'];
