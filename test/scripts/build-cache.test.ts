/**
 * scripts/build-cache.sh, the cache protocol of the control plane, LiteLLM
 * venv and jsii bindings builds, run in bash as those scripts run it, with a
 * build that writes a file and counts its runs.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const HELPER = path.join(__dirname, '..', '..', 'scripts', 'build-cache.sh');

/** A build script as the three callers are written: open, build into the folder, close. */
const BUILD = `set -euo pipefail
. "$HELPER"
build_cache_open things "$ENTRY" "things build"
echo run >> "$RUNS"
echo built > "$build_cache_out/file"
sleep "\${SLEEP:-0}"
if [ -n "\${FAIL:-}" ]; then echo "things build: failed" >&2; exit 1; fi
build_cache_close "things build" built
`;

let dir: string;
let cache: string;
let runs: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'build-cache-'));
  cache = path.join(dir, 'cache');
  runs = path.join(dir, 'runs');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const all: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir, HELPER, RUNS: runs, ENTRY: 'v1-abc', CDK8S_AGENTS_CACHE_DIR: cache, ...extra };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
}
function build(extra: NodeJS.ProcessEnv = {}) {
  const r = spawnSync('bash', ['-c', BUILD], { env: env(extra), encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout.trim().split('\n'), stderr: r.stderr };
}
const runCount = () => (fs.existsSync(runs) ? fs.readFileSync(runs, 'utf8').split('\n').filter(Boolean).length : 0);
const entry = (name = 'v1-abc') => path.join(cache, 'things', name);

test('a first run builds into <root>/<area>/<entry>, marks it complete and prints the folder last', () => {
  const r = build();
  expect(r.status).toBe(0);
  expect(r.stdout[r.stdout.length - 1]).toBe(entry());
  expect(fs.readFileSync(path.join(entry(), 'file'), 'utf8')).toBe('built\n');
  expect(fs.existsSync(path.join(entry(), '.complete'))).toBe(true);
  expect(r.stderr).toMatch(new RegExp(`^things build: built in \\d+ s, \\d+ MiB \\(${entry()}\\)$`, 'm'));
  expect(runCount()).toBe(1);
});

test('a second run with the same entry builds nothing and prints the same folder', () => {
  build();
  const r = build();
  expect(r.status).toBe(0);
  expect(r.stdout).toEqual([entry()]);
  expect(r.stderr).toBe(`things build: cached (${entry()})\n`);
  expect(runCount()).toBe(1);
});

test('a failed build leaves no folder, and the next run builds afresh', () => {
  const failed = build({ FAIL: '1' });
  expect(failed.status).toBe(1);
  expect(fs.existsSync(entry())).toBe(false);
  const r = build();
  expect(r.status).toBe(0);
  expect(runCount()).toBe(2);
  expect(fs.existsSync(path.join(entry(), '.complete'))).toBe(true);
});

test('an interrupted build (a folder without .complete) is cleared before the next build', () => {
  fs.mkdirSync(entry(), { recursive: true });
  fs.writeFileSync(path.join(entry(), 'half-written'), 'x');
  const r = build();
  expect(r.status).toBe(0);
  expect(fs.readdirSync(entry()).sort()).toEqual(['.complete', 'file']);
});

test('two builds at once: the second waits for the lock, then takes the first one\'s folder', async () => {
  const runOne = () => new Promise<string>((resolve, reject) => {
    const child = spawn('bash', ['-c', BUILD], { env: env({ SLEEP: '1' }) });
    let out = '';
    child.stdout.on('data', d => (out += d));
    child.on('error', reject);
    child.on('close', code => (code === 0 ? resolve(out.trim()) : reject(new Error(`exit ${code}`))));
  });
  const outs = await Promise.all([runOne(), runOne()]);
  expect(outs.map(o => o.split('\n').pop())).toEqual([entry(), entry()]);
  expect(runCount()).toBe(1);
}, 30_000);

test('after a build, other entries of the area unused for more than 14 days are removed; recent ones stay', () => {
  const old = entry('v0-old');
  const recent = entry('v0-recent');
  for (const [folder, daysAgo] of [[old, 20], [recent, 2]] as const) {
    fs.mkdirSync(folder, { recursive: true });
    const complete = path.join(folder, '.complete');
    fs.writeFileSync(complete, '');
    const when = new Date(Date.now() - daysAgo * 24 * 3600 * 1000);
    fs.utimesSync(complete, when, when);
  }
  expect(build().status).toBe(0);
  expect(fs.existsSync(old)).toBe(false);
  expect(fs.existsSync(recent)).toBe(true);
  expect(fs.existsSync(entry())).toBe(true);
});

test('a cache hit marks the entry used, so pruning keeps it', () => {
  build();
  const complete = path.join(entry(), '.complete');
  const longAgo = new Date(Date.now() - 30 * 24 * 3600 * 1000);
  fs.utimesSync(complete, longAgo, longAgo);
  expect(build().stderr).toMatch(/cached/);
  expect(Date.now() - fs.statSync(complete).mtimeMs).toBeLessThan(60_000);
});

test('the cache root is $CDK8S_AGENTS_CACHE_DIR, else $XDG_CACHE_HOME/cdk8s-agents, else ~/.cache/cdk8s-agents', () => {
  const xdg = path.join(dir, 'xdg');
  expect(build({ CDK8S_AGENTS_CACHE_DIR: undefined, XDG_CACHE_HOME: xdg }).stdout.pop()).toBe(path.join(xdg, 'cdk8s-agents', 'things', 'v1-abc'));
  expect(build({ CDK8S_AGENTS_CACHE_DIR: undefined, ENTRY: 'v2' }).stdout.pop()).toBe(path.join(dir, '.cache', 'cdk8s-agents', 'things', 'v2'));
});
