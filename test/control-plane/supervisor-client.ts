/**
 * Building, starting and stopping the local control plane from another
 * process: the tests' global setup and teardown, and `control-plane:up` /
 * `control-plane:down`. The plane runs under `supervisor.ts`, detached, so it
 * outlives the command that started it and stops by itself (owner gone, time
 * to live over).
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ControlPlaneError, ControlPlaneState, isProcessAlive as alive } from './control-plane';

const HERE = __dirname;
/** The repository root (test/control-plane/../..). */
const ROOT = path.resolve(HERE, '..', '..');

/** Exit status of build.sh when no usable Go toolchain is installed. */
export const NO_GO_STATUS = 3;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));


/** Whether `build.sh` can run here: `undefined` if so, else why not (no Go, Go too old). */
export function missingToolchain(): string | undefined {
  const go = spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local' } });
  if (go.error || go.status !== 0) return 'no Go toolchain on PATH (go 1.26 or newer builds the control plane)';
  const [, minor] = /^go1\.(\d+)/.exec(go.stdout.trim()) ?? [];
  if (!minor || Number(minor) < 26) return `${go.stdout.trim()} is too old (go 1.26 or newer builds the control plane)`;
  if (spawnSync('openssl', ['version']).status !== 0) return 'no openssl on PATH (the control plane makes its certificates with it)';
  return undefined;
}

/**
 * Runs build.sh (a no-op when the cache holds the binaries); its progress goes
 * to stderr. Returns the folder of the binaries.
 * @throws ControlPlaneError of step `build`
 */
export function buildControlPlane(): string {
  const result = spawnSync('bash', [path.join(HERE, 'build.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.status !== 0) {
    throw new ControlPlaneError('build', `test/control-plane/build.sh exited with ${result.status ?? result.signal} (its output is above)`);
  }
  return result.stdout.trim().split('\n').pop()!;
}

export interface StartOptions {
  /** Folder of the plane (supervisor log, pid, the plane's own folder `plane/`). Created. */
  readonly root: string;
  readonly binDir: string;
  /** Stop when this process is gone. @default none */
  readonly owner?: number;
  /** Stop after this many seconds. @default none */
  readonly ttlSeconds?: number;
  /** Fake kwok nodes. @default 2 */
  readonly nodes?: number;
  /** How long to wait for the plane to be ready, seconds. @default 240 */
  readonly timeoutSeconds?: number;
  /** Users whose requests go to the plane's audit log (`ControlPlaneOptions.auditUsers`). @default none: no audit log */
  readonly auditUsers?: readonly string[];
  /** Client rate limit of the controller manager and scheduler (`ControlPlaneOptions.componentApiRate`). @default theirs */
  readonly componentApiRate?: { readonly qps: number; readonly burst: number };
}

/** The state of the plane in `root`, if its supervisor runs and the plane is ready. */
export function runningPlane(root: string): ControlPlaneState | undefined {
  const pidFile = path.join(root, 'supervisor.pid');
  const stateFile = path.join(root, 'plane', 'state.json');
  if (!fs.existsSync(pidFile) || !fs.existsSync(stateFile)) return undefined;
  if (!alive(Number(fs.readFileSync(pidFile, 'utf8')))) return undefined;
  return JSON.parse(fs.readFileSync(stateFile, 'utf8'));
}

/**
 * Starts a supervisor for a new plane in `root` and waits until the plane is
 * ready (bounded).
 * @throws ControlPlaneError naming the step that failed (from the supervisor's log)
 */
export async function startControlPlane(options: StartOptions): Promise<ControlPlaneState> {
  fs.mkdirSync(options.root, { recursive: true });
  const logFile = path.join(options.root, 'supervisor.log');
  const out = fs.openSync(logFile, 'a');
  const args = ['--root', options.root, '--bin', options.binDir, '--nodes', String(options.nodes ?? 2)];
  if (options.owner) args.push('--owner', String(options.owner));
  if (options.ttlSeconds) args.push('--ttl', String(options.ttlSeconds));
  if (options.auditUsers?.length) args.push('--audit-users', options.auditUsers.join(','));
  if (options.componentApiRate) args.push('--kube-api-qps', String(options.componentApiRate.qps), '--kube-api-burst', String(options.componentApiRate.burst));
  const child = spawn(process.execPath, ['-r', 'ts-node/register', path.join(HERE, 'supervisor.ts'), ...args], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'test', 'tsconfig.json'), TS_NODE_TRANSPILE_ONLY: 'true' },
  });
  fs.closeSync(out);
  let exited: string | undefined;
  child.on('exit', (code, signal) => (exited = signal ? `signal ${signal}` : `exit code ${code}`));
  child.unref();
  const deadline = Date.now() + (options.timeoutSeconds ?? 240) * 1000;
  while (Date.now() < deadline) {
    const state = runningPlane(options.root);
    if (state) return state;
    if (exited) {
      const log = fs.readFileSync(logFile, 'utf8').trim();
      // The supervisor logged the ControlPlaneError: throw it again here, once.
      const failed = /control plane: step '([^']+)' failed: (.*)/s.exec(log);
      if (failed) throw new ControlPlaneError(failed[1], `${failed[2]}\n(supervisor ${exited})`);
      throw new ControlPlaneError('start', `the supervisor stopped (${exited}):\n${log}`);
    }
    await sleep(250);
  }
  child.kill('SIGTERM');
  throw new ControlPlaneError('start', `not ready within ${options.timeoutSeconds ?? 240} s; see ${logFile}`);
}

/**
 * Stops the plane in `root` (SIGTERM to its supervisor, which stops every
 * process and removes the data; bounded, then SIGKILL of whatever is left)
 * and removes `root`. A no-op when nothing runs there.
 * @returns the supervisor's log if it had stopped on its own with an error
 */
export async function stopControlPlane(root: string): Promise<string | undefined> {
  const pidFile = path.join(root, 'supervisor.pid');
  const stateFile = path.join(root, 'plane', 'state.json');
  const logFile = path.join(root, 'supervisor.log');
  if (!fs.existsSync(root)) return undefined;
  const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8')) : 0;
  const pids: number[] = fs.existsSync(stateFile) ? Object.values(JSON.parse(fs.readFileSync(stateFile, 'utf8')).pids) : [];
  let failure: string | undefined;
  if (pid && alive(pid)) {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 30_000;
    while (alive(pid) && Date.now() < deadline) await sleep(100);
  } else if (fs.existsSync(logFile)) {
    failure = fs.readFileSync(logFile, 'utf8');
  }
  for (const p of [pid, ...pids]) if (p && alive(p)) process.kill(p, 'SIGKILL');
  fs.rmSync(root, { recursive: true, force: true });
  return failure;
}
