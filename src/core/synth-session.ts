/**
 * One `app.synth()` (or `app.synthYaml()`) of a cdk8s app as a unit the
 * library can hold state for (internal module): what is kept for a synth
 * lives until that synth ends, so no change made to the app between two
 * synths is ever missed.
 *
 * cdk8s 2.x gives a construct no hook for the start or end of a synth, so
 * the library wraps `synth` and `synthYaml` of the one `App` instance (once
 * per app, see {@link trackSynths}).
 */
import { App } from 'cdk8s';
import { IConstruct } from 'constructs';

/** One synth under way. */
export interface SynthSession {
  /** Values computed once in this synth, by key (see {@link onceInSynth}). */
  readonly values: Map<string, unknown>;
  /** Run when the synth ends, whether it succeeded or threw, in order. */
  readonly cleanups: (() => void)[];
}

const tracked = new WeakSet<App>();
const running = new WeakMap<App, SynthSession>();

/**
 * Makes each `app.synth()` and `app.synthYaml()` of the app of `scope` a
 * session (once per app, whatever the number of calls). Returns the app, or
 * undefined when the root of `scope` is not a cdk8s `App`.
 */
export function trackSynths(scope: IConstruct): App | undefined {
  const app = scope.node.root;
  if (!(app instanceof App)) return undefined;
  if (tracked.has(app)) return app;
  tracked.add(app);
  for (const method of ['synth', 'synthYaml'] as const) {
    const original: () => unknown = (app as any)[method];
    Object.defineProperty(app, method, {
      configurable: true,
      writable: true,
      value: () => during(app, () => original.call(app)),
    });
  }
  return app;
}

/** The synth of the app of `scope` under way, if any. */
export function synthSession(scope: IConstruct): SynthSession | undefined {
  const app = scope.node.root;
  return app instanceof App ? running.get(app) : undefined;
}

/**
 * `compute()`, once per synth of the app of `scope` for `key`: a second call
 * with the same key in the same synth returns the first result, and the
 * result is dropped when the synth ends. Outside a synth of a tracked app
 * (`chart.toJson()`, `Testing.synth`), computes every time.
 *
 * For values many constructs of one app render alike (e.g. the YAML of the
 * same LLM gateway configuration in 1,000 agents). The key must name all the
 * value is made of (e.g. the JSON of the input), so that two calls with one
 * key can only ever compute the same value.
 */
export function onceInSynth<T>(scope: IConstruct, key: string, compute: () => T): T {
  const values = synthSession(scope)?.values;
  if (values === undefined) return compute();
  if (values.has(key)) return values.get(key) as T;
  const value = compute();
  values.set(key, value);
  return value;
}

/** Runs `synth` as one session of `app` (nested calls join the outer one). */
function during<T>(app: App, synth: () => T): T {
  if (running.has(app)) return synth();
  const session: SynthSession = { values: new Map(), cleanups: [] };
  running.set(app, session);
  try {
    return synth();
  } finally {
    running.delete(app);
    for (const cleanup of session.cleanups) cleanup();
  }
}
