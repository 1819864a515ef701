/**
 * Runs the real `kubectl kustomize` on a directory tree, for the tests that
 * compare this library's overlays with kustomize itself. Where kubectl is not
 * installed, `kustomizeBuild` returns undefined and says so once on stderr;
 * every such test also checks the documented expectation without kubectl.
 */
import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { parseAllDocuments, stringify } from 'yaml';
import { tmpDir } from './util';
import { Overlay } from '../../src';
import type { KustomizeResource } from '../../src/kustomize/resource';

let kubectlPresent: boolean | undefined;
let warned = false;

/** True when `kubectl kustomize` can run on this machine. */
export function hasKubectl(): boolean {
  if (kubectlPresent === undefined) {
    try {
      execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
      kubectlPresent = true;
    } catch {
      kubectlPresent = false;
    }
  }
  // In CI (CI=true) the comparisons are part of the test command: no kubectl is a failure, not a skip.
  if (!kubectlPresent && process.env.CI === 'true') {
    throw new Error('kubectl (with kustomize) is not on PATH: CI compares every overlay with `kubectl kustomize`; install kubectl');
  }
  if (!kubectlPresent && !warned) {
    warned = true;
    process.stderr.write('kubectl is not on PATH: the comparisons with `kubectl kustomize` are NOT run; '
      + 'only the documented kustomize expectations written in the tests are checked.\n');
  }
  return kubectlPresent;
}

/** Writes `files` (relative path → content; objects are written as YAML) under a fresh temp dir. */
export function writeTree(files: Record<string, string>): string {
  const root = tmpDir('kustomize-');
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return root;
}

/**
 * `kubectl kustomize <root>/<dir>` parsed into objects, or undefined when
 * kubectl is missing. Throws with kustomize's stderr when the build fails.
 */
export function kustomizeBuild(root: string, dir = '.'): any[] | undefined {
  if (!hasKubectl()) return undefined;
  let out: string;
  try {
    out = execFileSync('kubectl', ['kustomize', path.join(root, dir)], { encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e: any) {
    throw new Error(`kubectl kustomize ${dir} failed: ${e.stderr ?? e.message}`);
  }
  return parseKustomizeOutput(out);
}

function parseKustomizeOutput(out: string): any[] {
  return parseAllDocuments(out).map(d => d.toJSON()).filter(o => o);
}

/**
 * `kustomizeBuild` without blocking, so that several builds run at once;
 * killed (and rejected) after `timeoutMs`. Undefined when kubectl is missing.
 */
export function kustomizeBuildAsync(root: string, dir = '.', timeoutMs = 30_000): Promise<any[] | undefined> {
  if (!hasKubectl()) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    execFile('kubectl', ['kustomize', path.join(root, dir)], { encoding: 'utf-8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`kubectl kustomize ${dir} failed: ${stderr || error.message}`));
        else resolve(parseKustomizeOutput(stdout));
      });
  });
}

/** Objects keyed by `apiVersion/kind/namespace/name`, the identity the equivalence is measured on. */
export function byId(objects: any[]): Record<string, any> {
  const result: Record<string, any> = {};
  for (const o of objects) {
    const key = `${o.apiVersion}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
    if (key in result) throw new Error(`duplicate object ${key}`);
    result[key] = o;
  }
  return result;
}

/** Objects as one multi-document YAML text, as kustomize reads a resource file. */
export function yamlDocs(objects: any[]): string {
  return objects.map(o => stringify(o)).join('---\n');
}

/** The objects of kustomize resources. */
export function objectsOf(resources: KustomizeResource[]): any[] {
  return resources.map(r => r.object);
}

/** One kustomization over `objects`: `res.yaml` and its `kustomization.yaml`. */
export function single(objects: any[], kustomization: Record<string, unknown>): Record<string, string> {
  return {
    'res.yaml': yamlDocs(objects),
    'kustomization.yaml': stringify({ resources: ['res.yaml'], ...kustomization }),
  };
}

/** Builds `files` with kubectl (directory `dir`) and requires the same objects as `ours`; nothing without kubectl. */
export function expectKustomize(ours: KustomizeResource[], files: Record<string, string>, dir = '.'): void {
  const theirs = kustomizeBuild(writeTree(files), dir);
  if (theirs) expect(byId(objectsOf(ours))).toEqual(byId(theirs));
}

/**
 * Writes `overlays` of an app holding `objects` (one chart) with
 * `Overlay.synth`, kustomize tree included, and requires
 * `kubectl kustomize overlays/<name>` of the tree to give the same objects as
 * each overlay's output (nothing is compared without kubectl). Returns each
 * overlay's output by overlay name, for the assertions that hold either way.
 */
export function expectTreeMatchesOverlays(objects: any[], overlays: Overlay[]): Record<string, any[]> {
  const app = new App({ outdir: tmpDir('overlay-parity-') });
  const chart = new Chart(app, 'base');
  objects.forEach((o, i) => new ApiObject(chart, `o${i}`, o));
  return expectAppTreeMatchesOverlays(app, overlays);
}

/** `expectTreeMatchesOverlays` for a whole app. */
export function expectAppTreeMatchesOverlays(app: App, overlays: Overlay[]): Record<string, any[]> {
  const out = tmpDir('overlay-parity-out-');
  const tree = path.join(out, 'kustomize');
  Overlay.synth(app, overlays, { outdir: out, kustomizeOutdir: tree });
  const result: Record<string, any[]> = {};
  for (const overlay of overlays) {
    const dir = path.join(out, overlay.name);
    const ours = fs.readdirSync(dir).filter(f => f.endsWith('.k8s.yaml')).sort()
      .flatMap(f => parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf-8')).map(d => d.toJSON()).filter(o => o));
    const theirs = kustomizeBuild(tree, `overlays/${overlay.name}`);
    if (theirs) expect(byId(ours)).toEqual(byId(theirs));
    result[overlay.name] = ours;
  }
  return result;
}
