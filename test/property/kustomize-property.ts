/**
 * Property 2: for generated overlays over a generated base app,
 * `Overlay.applyToFiles` gives the same objects (by apiVersion/kind/
 * namespace/name, and equal) as `kubectl kustomize` on the tree
 * `Overlay.synth(app, overlays, { kustomizeOutdir })` writes from the same
 * inputs. An overlay this library refuses must refuse with a clean error
 * (and is left out of the synth), and so must `Overlay.synth` when it refuses
 * the set; every other one is built by kubectl, at
 * most `KUBECTL_POOL` at a time, each killed after 30 s.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import fc from 'fast-check';
import { buildBase, KustomizeCase, kustomizeCase, toOverlay } from './overlay-cases';
import { judge, judgeProblems, secretsOfCase, Tally } from './support';
import { Overlay } from '../../src';
import { byId, hasKubectl, kustomizeBuildAsync } from '../support/kustomize';
import { tmpDir } from '../support/util';

const KUBECTL_POOL = 3;

/** Runs `tasks` with at most `limit` at a time. */
async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** JSON with object keys sorted: equality that ignores key order (as jest's toEqual does), not list order. */
function canonical(value: any): string {
  return JSON.stringify(value, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map(k => [k, v[k]])) : v));
}

/** The first path where two JSON values differ, for the report. */
function firstDifference(a: any, b: any, at = ''): string | undefined {
  if (canonical(a) === canonical(b)) return undefined;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference(a[k], b[k], `${at}/${k}`);
      if (d) return d;
    }
  }
  return `${at || '/'}: ours ${canonical(a)?.slice(0, 300)} vs kubectl ${canonical(b)?.slice(0, 300)}`;
}

/** The differences between our objects and kubectl's. */
export function compareObjects(ours: any[], theirs: any[]): string[] {
  const a = byId(ours);
  const b = byId(theirs);
  const problems: string[] = [];
  for (const id of Object.keys(a)) if (!(id in b)) problems.push(`only ours has ${id}`);
  for (const id of Object.keys(b)) if (!(id in a)) problems.push(`only kubectl has ${id}`);
  for (const id of Object.keys(a).filter(k => k in b)) {
    const d = firstDifference(a[id], b[id]);
    if (d) problems.push(`${id} differs at ${d}`);
  }
  return problems;
}

/** Checks one case (see the file header); throws unless it passes or a known finding covers it. */
export async function checkKustomizeCase(c: KustomizeCase, tally: Tally): Promise<void> {
  const secrets = secretsOfCase(c);
  const app = new App({ outdir: '/nonexistent-property-outdir' });
  buildBase(app, c.base);
  const base = Overlay.baseFiles(app);
  const accepted: { overlay: Overlay; objects: any[] }[] = [];
  for (const props of c.overlays) {
    try {
      const overlay = toOverlay(props);
      accepted.push({ overlay, objects: overlay.applyToFiles(base).flatMap(f => f.objects) });
    } catch (error) {
      judge('kustomize', { error }, secrets, tally);
    }
  }
  if (accepted.length === 0 || !hasKubectl()) return;
  const root = tmpDir('property-kustomize-');
  try {
    const tree = path.join(root, 'kustomize');
    try {
      Overlay.synth(app, accepted.map(a => a.overlay), { outdir: path.join(root, 'out'), kustomizeOutdir: tree });
    } catch (error) {
      // The tree cannot hold every set of overlays (e.g. two different components of one name): a clean refusal is fine.
      judge('kustomize', { error }, secrets, tally);
      return;
    }
    const built = await pool(accepted.map(a => () => kustomizeBuildAsync(tree, `overlays/${a.overlay.name}`)
      .then(objects => ({ objects }), (error: Error) => ({ error }))), KUBECTL_POOL);
    accepted.forEach((a, i) => {
      const result = built[i] as { objects?: any[]; error?: Error };
      const problems = result.error ? [`ours succeeds, ${result.error.message.slice(0, 2000)}`] : compareObjects(a.objects, result.objects ?? []);
      judgeProblems('kustomize', problems.map(p => `differs from kubectl kustomize: ${p}`), secrets, tally, false);
    });
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/**
 * Runs property 2; throws fast-check's report (seed, shrunk counterexample) on
 * failure. Shrinking runs kubectl again for every step, so the run stops
 * (and fails, with the smallest counterexample so far) after `timeLimitMs`.
 */
export async function runKustomizeProperty(seed: number, numRuns: number, timeLimitMs = 240_000): Promise<Tally> {
  const tally = new Tally();
  await fc.assert(fc.asyncProperty(kustomizeCase, c => checkKustomizeCase(c, tally)),
    { seed, numRuns, interruptAfterTimeLimit: timeLimitMs, markInterruptAsFailure: true });
  return tally;
}
