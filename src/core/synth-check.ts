/**
 * The final output check on `app.synth()` (and `app.synthYaml()`) of any
 * cdk8s app that holds one of the library's constructs, before the first
 * file is written, at the cost of no second rendering. Internal module; see
 * docs/design.md ("The final output check") for the options weighed.
 *
 * cdk8s 2.x `App.synth()` runs every construct's validation, then renders
 * and writes the charts one by one (and runs the validations again before
 * each chart it renders). So:
 * - the library wraps `synth`/`synthYaml` of that one `App` instance, to
 *   know where one synth starts and ends;
 * - a validation on the app renders every ApiObject once (`toJson()`) at the
 *   first validation of the synth and returns the problems of
 *   `manifestProblems`: cdk8s then throws before anything is written;
 * - when there are none, each ApiObject returns that very rendering the
 *   next time it is asked for it (once, during this synth only), so
 *   the charts cdk8s then renders cost nothing more.
 */
import { ApiObject, App } from 'cdk8s';
import { IConstruct } from 'constructs';
import { manifestProblems } from './manifest-check';

/** One synth under way. */
interface SynthState {
  /** The problems, once checked. */
  problems?: string[];
  /** The ApiObjects that hold a rendering for this synth. */
  cached: ApiObject[];
}

const guarded = new WeakSet<App>();
const running = new WeakMap<App, SynthState>();

/**
 * Makes `app.synth()` and `app.synthYaml()` of the app of `scope` run the
 * final output check (once per app, whatever the number of calls). Nothing
 * happens when the root of `scope` is not a cdk8s `App`.
 */
export function checkOutputOnSynth(scope: IConstruct): void {
  const app = scope.node.root;
  if (!(app instanceof App) || guarded.has(app)) return;
  guarded.add(app);
  for (const method of ['synth', 'synthYaml'] as const) {
    const original: () => unknown = (app as any)[method];
    Object.defineProperty(app, method, {
      configurable: true,
      writable: true,
      value: () => during(app, () => original.call(app)),
    });
  }
  app.node.addValidation({ validate: () => checkOnce(app) });
}

/** Runs `synth` as one synth of `app`; the renderings kept for it are dropped at the end. */
function during<T>(app: App, synth: () => T): T {
  if (running.has(app)) return synth();
  const state: SynthState = { cached: [] };
  running.set(app, state);
  try {
    return synth();
  } finally {
    running.delete(app);
    for (const object of state.cached) delete (object as any).toJson;
  }
}

/** The problems of the app's output, computed at the first validation of a synth; none outside a synth. */
function checkOnce(app: App): string[] {
  const state = running.get(app);
  if (state === undefined) return [];
  if (state.problems !== undefined) return state.problems;
  const objects = app.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c));
  let rendered: any[];
  try {
    rendered = objects.map(object => object.toJson());
  } catch (e) {
    state.problems = [(e as Error).message];
    return state.problems;
  }
  state.problems = manifestProblems(rendered);
  if (state.problems.length === 0) {
    objects.forEach((object, i) => keepRendering(state, object, rendered[i]));
  }
  return state.problems;
}

/** `object.toJson()` returns `json` once (then renders again as usual). */
function keepRendering(state: SynthState, object: ApiObject, json: any): void {
  if (Object.prototype.hasOwnProperty.call(object, 'toJson')) return;
  Object.defineProperty(object, 'toJson', {
    configurable: true,
    writable: true,
    value: () => {
      delete (object as any).toJson;
      return json;
    },
  });
  state.cached.push(object);
}
