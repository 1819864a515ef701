/**
 * LiteLLM's proxy as a process of the tests: started on 127.0.0.1 from the
 * cached venv with a given `config.yaml`, waited for (bounded), stopped with
 * its whole process group.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'yaml';
import { liteLlmVenv, venvPython } from './venv';
import { GATEWAY_OFFLINE_ENV } from '../../src/agent/gateway-sidecar';

/**
 * What keeps LiteLLM off the network at startup: its model cost map, Anthropic
 * beta headers, blog posts, policy templates and router presets from the
 * copies in the package instead of GitHub, and its telemetry vetoed.
 */
export const OFFLINE_ENV: { readonly [name: string]: string } = {
  // What the library renders into the sidecar, and one more the venv needs here.
  ...GATEWAY_OFFLINE_ENV,
  HF_HUB_OFFLINE: '1',
};

export interface LiteLlmOptions {
  /** The proxy's `config.yaml`: an object (written as YAML) or YAML text. */
  readonly config: object | string;
  /** More files beside `config.yaml` (e.g. the files it `include`s), by name. @default none */
  readonly files?: { readonly [name: string]: string };
  /** Variables of the proxy process, beside PATH, a temporary HOME and OFFLINE_ENV (these win over them). @default none */
  readonly env?: { readonly [name: string]: string };
  /** The venv folder (build-venv.sh's output). @default liteLlmVenv() */
  readonly venv?: string;
  /** How long to wait for `/health/liveliness`, milliseconds. @default 90_000 */
  readonly startTimeoutMs?: number;
  /** The proxy stops by itself after this many seconds (run_litellm.py's watchdog). @default 900 */
  readonly ttlSeconds?: number;
}

export interface LiteLlm {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The process group (the proxy's pid). */
  readonly pid: number;
  /** The config file the proxy runs with. */
  readonly configFile: string;
  /** Everything the proxy printed so far (stdout and stderr, the last 4 MiB). */
  logs(): string;
  /** SIGTERM to the process group, SIGKILL after 10 s; removes the temporary folder. Idempotent. */
  stop(): Promise<void>;
}

const MAX_LOG = 4 * 1024 * 1024;
/** The proxy's entry point: its command line, and a watchdog that stops its process group when the owner is gone. */
export const RUN_SCRIPT = path.join(__dirname, 'run_litellm.py');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port of 127.0.0.1 free right now (the OS's choice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The last `lines` lines of `text`. */
export function tail(text: string, lines = 60): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Signals the process group of `pid`; false when it is gone. */
function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

async function stopGroup(pid: number): Promise<void> {
  if (!signalGroup(pid, 'SIGTERM')) return;
  const deadline = Date.now() + 10_000;
  while (groupAlive(pid) && Date.now() < deadline) await sleep(100);
  signalGroup(pid, 'SIGKILL');
  const killDeadline = Date.now() + 5_000;
  while (groupAlive(pid) && Date.now() < killDeadline) await sleep(50);
}

function spawnProxy(dir: string, configFile: string, port: number, options: LiteLlmOptions): ChildProcess {
  const venv = options.venv ?? liteLlmVenv();
  const args = [RUN_SCRIPT, '--config', configFile, '--host', '127.0.0.1', '--port', String(port)];
  return spawn(venvPython(venv), args, {
    cwd: dir,
    detached: true, // its own process group: stop() signals the group
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dir,
      PYTHONUNBUFFERED: '1',
      GATEWAY_TEST_TTL_SECONDS: String(options.ttlSeconds ?? 900),
      ...options.env,
      ...OFFLINE_ENV,
    },
  });
}

/**
 * Polls `<url>/health/liveliness` until it answers 200, the process exits or
 * `timeoutMs` passes.
 * @throws Error with the log tail when the process exits or time runs out
 */
async function waitLive(url: string, timeoutMs: number, exited: () => string | undefined, logs: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const exit = exited();
    if (exit) throw new Error(`LiteLLM exited before it was live (${exit}):\n${tail(logs())}`);
    try {
      const res = await fetch(`${url}/health/liveliness`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`LiteLLM not live within ${timeoutMs} ms:\n${tail(logs())}`);
}

/**
 * Starts LiteLLM's proxy with `options.config` on a free port of 127.0.0.1
 * and waits until it is live.
 * @throws Error with the log tail when it exits early or is not live in time (the process group is stopped)
 */
export async function startLiteLlm(options: LiteLlmOptions): Promise<LiteLlm> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'litellm-'));
  const configFile = path.join(dir, 'config.yaml');
  fs.writeFileSync(configFile, typeof options.config === 'string' ? options.config : yaml.stringify(options.config));
  for (const [name, text] of Object.entries(options.files ?? {})) fs.writeFileSync(path.join(dir, path.basename(name)), text);
  const port = await freePort();
  const child = spawnProxy(dir, configFile, port, options);
  let log = '';
  const append = (chunk: Buffer) => {
    log += chunk.toString('utf8');
    if (log.length > MAX_LOG) log = log.slice(log.length - MAX_LOG);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  let exit: string | undefined;
  child.on('exit', (code, signal) => (exit = signal ? `signal ${signal}` : `exit code ${code}`));
  child.on('error', (err) => (exit = `spawn error: ${err.message}`));

  const pid = child.pid!;
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= stopGroup(pid).then(() => fs.rmSync(dir, { recursive: true, force: true })));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitLive(url, options.startTimeoutMs ?? 90_000, () => exit, () => log);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, pid, configFile, logs: () => log, stop };
}
