/**
 * A user's cdk8s app, made the way a user makes one: the library packed as
 * npm publishes it, installed with its peer dependencies into a fresh folder
 * outside the repository, compiled with that app's own `tsc` and run with
 * `node`. Nothing is resolved from the repository's node_modules.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The repository root (where package.json is). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/**
 * Bounds, in milliseconds, of each external command: pack, install and
 * compile together stay under the test's 5-minute setup bound, and a run
 * under the 60 s bound of its test, so the command's own error is the one reported.
 */
const PACK_TIMEOUT = 45_000;
const INSTALL_TIMEOUT = 180_000;
const COMPILE_TIMEOUT = 60_000;
const RUN_TIMEOUT = 50_000;

/**
 * Environment for npm: the caller's, without what `npx`/`npm run` set about
 * the repository's own package (so the app's npm never mistakes the
 * repository for its project).
 */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const repoScoped = /^npm_(package_|lifecycle_|command$|config_local_prefix$)/i.test(key) || key === 'INIT_CWD';
    if (!repoScoped) env[key] = value;
  }
  return env;
}

/** Runs a command, bounded by `timeout`; throws with its output when it fails. */
function run(command: string, args: string[], cwd: string, timeout: number, env = npmEnv()): string {
  try {
    return execFileSync(command, args, { cwd, timeout, env, encoding: 'utf-8', stdio: 'pipe', maxBuffer: 64 * 1024 * 1024 });
  } catch (e: any) {
    const reason = e.signal ? `was stopped by ${e.signal} (limit ${timeout / 1000} s)` : `exited with ${e.status}`;
    throw new Error(`\`${command} ${args.join(' ')}\` in ${cwd} ${reason}:\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

function filesUnder(dir: string, suffix: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf-8' }).filter(f => f.endsWith(suffix)).sort();
}

/**
 * Fails unless `lib/` holds the jsii build of every file in `src/`, at least
 * as new as its source, and nothing else: `npm pack` publishes `lib/`, so a
 * missing, stale or left-over file would test something else than the sources.
 */
export function checkCompiledLibrary(): void {
  const lib = path.join(REPO_ROOT, 'lib');
  const howToFix = 'run `npx projen compile` (`npx projen build` compiles before it tests)';
  if (!fs.existsSync(path.join(lib, 'index.js'))) {
    throw new Error(`lib/index.js is missing: the package test packs the compiled library; ${howToFix}`);
  }
  const stale: string[] = [];
  for (const source of filesUnder(path.join(REPO_ROOT, 'src'), '.ts')) {
    const sourceTime = fs.statSync(path.join(REPO_ROOT, 'src', source)).mtimeMs;
    for (const out of [source.replace(/\.ts$/, '.js'), source.replace(/\.ts$/, '.d.ts')]) {
      const compiled = path.join(lib, out);
      if (!fs.existsSync(compiled)) stale.push(`lib/${out} is missing`);
      else if (fs.statSync(compiled).mtimeMs < sourceTime) stale.push(`lib/${out} is older than src/${source}`);
    }
  }
  const sources = new Set(filesUnder(path.join(REPO_ROOT, 'src'), '.ts'));
  for (const out of filesUnder(lib, '.js')) {
    if (!sources.has(out.replace(/\.js$/, '.ts'))) stale.push(`lib/${out} has no source in src/`);
  }
  if (stale.length > 0) {
    const shown = stale.length > 5 ? [...stale.slice(0, 5), `and ${stale.length - 5} more`] : stale;
    throw new Error(`lib/ does not match src/ (${shown.join('; ')}): ${howToFix}`);
  }
}

/** What `npm pack` wrote: the tarball and the files it holds. */
export interface PackedLibrary {
  readonly tarball: string;
  readonly files: string[];
}

/** `npm pack` of the repository into `destination`, exactly what `npm publish` would upload. */
export function packLibrary(destination: string): PackedLibrary {
  const out = run('npm', ['pack', '--json', '--pack-destination', destination], REPO_ROOT, PACK_TIMEOUT);
  const [report] = JSON.parse(out.slice(out.indexOf('[')));
  return { tarball: path.join(destination, report.filename), files: report.files.map((f: { path: string }) => f.path) };
}

/** The exact versions the repository builds and tests with (its devDependencies). */
export function pinnedVersions(...names: string[]): string[] {
  const devDependencies = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf-8')).devDependencies;
  return names.map(name => {
    const version = devDependencies[name];
    if (!version) throw new Error(`package.json pins no devDependency ${name}`);
    return `${name}@${version}`;
  });
}

/** The compiler options of the app: strict, and unused names are errors, so each README block must be a clean program. */
const APP_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'commonjs',
    lib: ['es2022'],
    types: ['node'],
    strict: true,
    noImplicitReturns: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    noFallthroughCasesInSwitch: true,
    rootDir: 'src',
    outDir: 'build',
  },
  include: ['src/**/*.ts'],
};

/**
 * A fresh app folder under os.tmpdir() with its own package.json, and
 * `packages` (tarball paths and name@version specs) installed into its own
 * node_modules in one `npm install`.
 */
export function createConsumerApp(root: string, packages: string[]): string {
  const app = path.join(root, 'app');
  fs.mkdirSync(path.join(app, 'src'), { recursive: true });
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'my-agents-app', version: '1.0.0', private: true }, null, 2));
  fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify(APP_TSCONFIG, null, 2));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...packages], app, INSTALL_TIMEOUT);
  return app;
}

/** Where `node` resolves `name` from the app's compiled programs. */
export function resolveFromApp(app: string, name: string): string {
  return fs.realpathSync(require.resolve(name, { paths: [path.join(app, 'build')] }));
}

/** `tsc` of the app (its own, from its node_modules); returns the diagnostics, empty when it compiles. */
export function compileApp(app: string): string {
  const tsc = path.join(app, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(process.execPath, [tsc, '--project', app, '--pretty', 'false'], {
      cwd: app, timeout: COMPILE_TIMEOUT, encoding: 'utf-8', stdio: 'pipe',
    });
    return '';
  } catch (e: any) {
    if (e.signal) throw new Error(`tsc was stopped by ${e.signal} (limit ${COMPILE_TIMEOUT / 1000} s)`);
    return `${e.stdout ?? ''}${e.stderr ?? ''}`;
  }
}

/** Runs a script with `node -e` in the app's folder; returns what it printed. */
export function nodeInApp(app: string, script: string): string {
  return run(process.execPath, ['-e', script], app, RUN_TIMEOUT);
}

/**
 * Runs the compiled `src/<name>.ts` of the app with `node` in a working
 * directory of its own (so `dist/` is its own), and returns that directory.
 */
export function runProgram(app: string, name: string): string {
  const cwd = path.join(app, 'runs', name);
  fs.mkdirSync(cwd, { recursive: true });
  // The program's outdir is cdk8s's default, `dist` in its working directory.
  const env = npmEnv();
  delete env.CDK8S_OUTDIR;
  run(process.execPath, [path.join(app, 'build', `${name}.js`)], cwd, RUN_TIMEOUT, env);
  return cwd;
}

/**
 * Runs `main.ts` in `cwd` with the app's ts-node (`npx ts-node main.ts`, as
 * the README says), and returns `cwd`.
 */
export function runWithTsNode(app: string, cwd: string): string {
  const env = npmEnv();
  delete env.CDK8S_OUTDIR;
  delete env.TS_NODE_PROJECT;
  delete env.TS_NODE_TRANSPILE_ONLY;
  run(process.execPath, [path.join(app, 'node_modules', 'ts-node', 'dist', 'bin.js'), 'main.ts'], cwd, RUN_TIMEOUT, env);
  return cwd;
}

export function tmpRoot(prefix: string): string {
  return fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), prefix));
}
