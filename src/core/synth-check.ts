/**
 * The final output check on `app.synth()` (and `app.synthYaml()`) of any
 * cdk8s app that holds one of the library's constructs, before the first
 * file is written, at the cost of no second rendering. Internal module; see
 * docs/design.md ("The final output check") for the options weighed.
 *
 * cdk8s 2.x `App.synth()` runs every construct's validation, then renders
 * and writes the charts one by one (and runs the validations again before
 * each chart it renders). So, within one synth session (synth-session.ts):
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
import { onceInSynth, SynthSession, synthSession, trackSynths } from './synth-session';

const checked = new WeakSet<App>();

/**
 * Makes `app.synth()` and `app.synthYaml()` of the app of `scope` run the
 * final output check (once per app, whatever the number of calls). Nothing
 * happens when the root of `scope` is not a cdk8s `App`.
 */
export function checkOutputOnSynth(scope: IConstruct): void {
  const app = trackSynths(scope);
  if (app === undefined || checked.has(app)) return;
  checked.add(app);
  app.node.addValidation({ validate: () => checkOnce(app) });
}

/** The problems of the app's output, computed at the first validation of a synth; none outside a synth. */
function checkOnce(app: App): string[] {
  const session = synthSession(app);
  return session === undefined ? [] : onceInSynth(app, 'final output check', () => check(app, session));
}

/** Renders every ApiObject of the app and checks them; without problems, each keeps its rendering for this synth. */
function check(app: App, session: SynthSession): string[] {
  const objects = app.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c));
  let rendered: any[];
  try {
    rendered = objects.map(object => object.toJson());
  } catch (e) {
    return [(e as Error).message];
  }
  const problems = manifestProblems(rendered);
  if (problems.length === 0) objects.forEach((object, i) => keepRendering(session, object, rendered[i]));
  return problems;
}

/** `object.toJson()` returns `json` once in this synth (then renders again as usual). */
function keepRendering(session: SynthSession, object: ApiObject, json: any): void {
  if (Object.prototype.hasOwnProperty.call(object, 'toJson')) return;
  Object.defineProperty(object, 'toJson', {
    configurable: true,
    writable: true,
    value: () => {
      delete (object as any).toJson;
      return json;
    },
  });
  session.cleanups.push(() => delete (object as any).toJson);
}
