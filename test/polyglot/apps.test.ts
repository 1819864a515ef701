/**
 * The example app of every language (examples/languages/<lang>) writes the
 * same files as the TypeScript one, byte for byte: the Python wheel in a fresh
 * virtual environment, the jar in a fresh Maven project, the Go module through
 * a `replace`, each built by `npx projen package` and installed by
 * test/polyglot/install.sh the way a user installs it (test/polyglot/run-app.sh).
 *
 * Run by `npx projen test:languages`, after the packages are built (part of
 * `npx projen build`). A missing toolchain fails the run, naming it
 * (packaging/require-toolchain.sh, as `npx projen package` does).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

const root = path.resolve(__dirname, '..', '..');
const runApp = path.join(__dirname, 'run-app.sh');

/** Every file under `dir`, as paths relative to it, sorted. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else out.push(child);
    }
  };
  walk('');
  return out.sort();
}

/** Runs one language's app into `outdir`; throws with its output when it fails. */
function run(lang: string, outdir: string): void {
  const result = spawnSync('bash', [runApp, lang, outdir], { cwd: root, encoding: 'utf-8', maxBuffer: 2 ** 26 });
  if (result.status !== 0) {
    throw new Error(`run-app.sh ${lang} exited ${result.status ?? result.signal}:\n${(result.stdout + result.stderr).slice(-6000)}`);
  }
}

/** The first lines where two texts differ (a unified diff), for the failure message. */
function firstDifference(expected: string, actual: string): string {
  const diff = spawnSync('diff', ['-u', expected, actual], { encoding: 'utf-8' });
  return diff.stdout.split('\n').slice(0, 40).join('\n');
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-agents-languages-'));
const reference = path.join(work, 'typescript');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

beforeAll(() => run('typescript', reference));

test('the TypeScript app writes the platform, the agents, both overlays and the kustomize tree', () => {
  const files = filesUnder(reference);
  for (const dir of ['', 'dev/', 'prod/', 'kustomize/base/']) {
    expect(files).toEqual(expect.arrayContaining([`${dir}0000-platform.k8s.yaml`, `${dir}0001-agents.k8s.yaml`]));
  }
  expect(files).toEqual(expect.arrayContaining(['kustomize/overlays/dev/kustomization.yaml', 'kustomize/overlays/prod/kustomization.yaml']));
  const objects = (file: string) => parseAllDocuments(fs.readFileSync(path.join(reference, file), 'utf-8')).map(d => d.toJS());
  const platform = objects('0000-platform.k8s.yaml');
  expect(platform.map(o => o.kind)).toEqual(expect.arrayContaining(['Namespace', 'CustomResourceDefinition', 'Deployment', 'ServiceAccount']));
  const agents = objects('prod/0001-agents.k8s.yaml');
  const deployments = agents.filter(o => o.kind === 'Deployment').map(o => o.metadata.name).sort();
  expect(deployments).toEqual(['prod-basic-agent', 'prod-code-agent', 'prod-full-agent', 'prod-tooled-agent']);
  expect(agents.find(o => o.kind === 'AgentType')?.spec.llm.providers.map((p: any) => p.name)).toEqual(['main-llm', 'backup-llm']);
  const full = agents.find(o => o.kind === 'Deployment' && o.metadata.name === 'prod-full-agent');
  expect(full.spec.template.spec.terminationGracePeriodSeconds).toBe(90);
  expect(agents.find(o => o.kind === 'HorizontalPodAutoscaler')?.spec.maxReplicas).toBe(10);
});

/** The app file of each language, whose first lines the README shows. */
const APP_FILES: { [lang: string]: string } = {
  python: 'examples/languages/python/main.py',
  java: 'examples/languages/java/src/main/java/dev/cdk8sagents/examples/Main.java',
  go: 'examples/languages/go/main.go',
};

test.each(Object.keys(APP_FILES))('the README\'s %s block is lines of that language\'s app, in order (a `...` comment marks a gap)', lang => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf-8');
  const blocks = [...readme.matchAll(new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```$', 'gm'))].map(m => m[1]);
  expect(blocks).toHaveLength(1);
  const gap = /^\s*(#|\/\/) \.\.\.$/;
  const shown = blocks[0].split('\n').filter(line => line.trim() !== '' && !gap.test(line));
  expect(shown.length).toBeGreaterThan(10);
  const app = fs.readFileSync(path.join(root, APP_FILES[lang]), 'utf-8').split('\n');
  let at = 0;
  for (const line of shown) {
    const found = app.indexOf(line, at);
    if (found < 0) throw new Error(`README.md's ${lang} block: '${line}' is not a line of ${APP_FILES[lang]} (after line ${at})`);
    at = found + 1;
  }
});

describe.each(['python', 'java', 'go'])('%s', lang => {
  test(`the ${lang} app writes the same files as the TypeScript app, byte for byte`, () => {
    const outdir = path.join(work, lang);
    run(lang, outdir);
    const files = filesUnder(reference);
    expect(filesUnder(outdir)).toEqual(files);
    for (const file of files) {
      const [expected, actual] = [reference, outdir].map(dir => path.join(dir, file));
      if (!fs.readFileSync(expected).equals(fs.readFileSync(actual))) {
        throw new Error(`${lang}: ${file} differs from the TypeScript app's:\n${firstDifference(expected, actual)}`);
      }
    }
  });
});
