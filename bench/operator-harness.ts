/**
 * What the operator benchmark drives: the admin's requests to the plane (one
 * keep-alive TLS agent), the install the operator needs (CRD, namespaces,
 * the RBAC `AgentOperator` renders), a kubeconfig with the operator's
 * ServiceAccount token, and the operator program as a process (its output to
 * a file, its reconciles counted, its memory and CPU from /proc).
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as https from 'https';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { AgentNamespace } from '../src/install/agent-namespace';
import { AgentOperator } from '../src/install/agent-operator';
import { AgentTypeCrd } from '../src/install/agent-type-crd';
import { ControlPlaneState, writeTokenKubeconfig } from '../test/control-plane/control-plane';

export const ROOT = path.resolve(__dirname, '..');
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Requests to the plane as its admin (not in the audit log: only the operator's user is). */
export class Admin {
  private readonly agent: https.Agent;

  constructor(private readonly plane: ControlPlaneState) {
    const pki = path.join(plane.dir, 'pki');
    this.agent = new https.Agent({
      keepAlive: true,
      maxSockets: 32,
      ca: fs.readFileSync(path.join(pki, 'ca.crt')),
      cert: fs.readFileSync(path.join(pki, 'admin.crt')),
      key: fs.readFileSync(path.join(pki, 'admin.key')),
    });
  }

  /** One request (60 s timeout); a body is JSON. */
  public request(method: string, urlPath: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const request = https.request(`${this.plane.server}${urlPath}`, {
        method,
        agent: this.agent,
        timeout: 60_000,
        headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...headers },
      }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      });
      request.on('timeout', () => request.destroy(new Error(`${method} ${urlPath}: timeout`)));
      request.on('error', reject);
      request.end(payload);
    });
  }

  /** GET as JSON. @throws naming the path and the status unless 200 */
  public async json(urlPath: string, headers?: Record<string, string>): Promise<any> {
    const response = await this.request('GET', urlPath, undefined, headers);
    if (response.status !== 200) throw new Error(`GET ${urlPath}: HTTP ${response.status} ${response.body.slice(0, 300)}`);
    return JSON.parse(response.body);
  }

  /** `kubectl apply --server-side` of these objects, as the admin. @throws with kubectl's stderr */
  public apply(objects: readonly any[]): void {
    const result = spawnSync(this.plane.kubectl, ['apply', '--server-side', '-f', '-'], {
      input: objects.map(o => JSON.stringify(o)).join('\n---\n'),
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, KUBECONFIG: this.plane.kubeconfig },
    });
    if (result.status !== 0) throw new Error(`kubectl apply failed (${result.status ?? result.signal}): ${result.stderr}`);
  }

  public close(): void {
    this.agent.destroy();
  }
}

/** Polls `check` every `everyMs` until it returns a value, for at most `seconds`. @throws naming `what` and `last()` */
export async function waitFor<T>(
  what: string, seconds: number, everyMs: number, check: () => Promise<T | undefined> | T | undefined, last?: () => string,
): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${seconds} s waiting for ${what}${last ? `; last seen: ${last()}` : ''}`);
}

/**
 * Installs what the operator needs, as the tests do: the watched namespace,
 * the AgentType CRD (waits until it is established), and everything
 * `AgentOperator` renders but its Deployment (the program runs here as a process).
 */
export async function install(admin: Admin, namespace: string, operatorNamespace: string): Promise<void> {
  const chart = new Chart(new App(), 'install');
  new AgentNamespace(chart, 'ns', { name: namespace });
  const crd = new AgentTypeCrd(chart, 'crd');
  new AgentOperator(chart, 'operator', { image: 'registry.example.com/agent-operator:1.0.0', crd, namespaceName: operatorNamespace, watchNamespaces: [namespace] });
  const objects = chart.toJson().filter(o => o.kind !== 'Deployment');
  admin.apply(objects.filter(o => ['Namespace', 'CustomResourceDefinition'].includes(o.kind)));
  await waitFor('the CRD to be established', 60, 500, async () =>
    (await admin.json(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.crdName}`))
      .status?.conditions?.some((c: any) => c.type === 'Established' && c.status === 'True') ? true : undefined);
  admin.apply(objects);
}

/** A kubeconfig (in the plane's folder) with a 24-hour token of the operator's ServiceAccount. */
export async function operatorKubeconfig(admin: Admin, plane: ControlPlaneState, operatorNamespace: string, serviceAccount: string): Promise<string> {
  const response = await admin.request('POST', `/api/v1/namespaces/${operatorNamespace}/serviceaccounts/${serviceAccount}/token`,
    { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 86400 } });
  if (response.status !== 201) throw new Error(`TokenRequest for ${operatorNamespace}/${serviceAccount}: HTTP ${response.status} ${response.body}`);
  const token = JSON.parse(response.body).status.token;
  return writeTokenKubeconfig(plane, path.join(plane.dir, 'operator.kubeconfig'), token);
}

/** How the operator program runs: node arguments and extra environment. */
export interface OperatorProgram {
  /** `compiled` (tsc output, plain node) or `source` (ts-node, transpile only: its compiler adds to the memory). */
  readonly mode: 'compiled' | 'source';
  readonly nodeArgs: readonly string[];
  readonly env: Record<string, string>;
}

/**
 * The operator program: compiled with tsc into build/bench-operator (so its
 * memory is the program's, not ts-node's), or from source with ts-node when
 * `fromSource`.
 * @throws with tsc's output when it does not compile
 */
export function operatorProgram(fromSource: boolean): OperatorProgram {
  if (fromSource) {
    return { mode: 'source', nodeArgs: ['-r', 'ts-node/register', 'src/operator/main.ts'], env: { TS_NODE_PROJECT: 'test/tsconfig.json', TS_NODE_TRANSPILE_ONLY: 'true' } };
  }
  const outDir = path.join(ROOT, 'build', 'bench-operator');
  fs.rmSync(outDir, { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json', '--outDir', outDir,
    '--declaration', 'false', '--inlineSourceMap', 'false', '--inlineSources', 'false'], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
  if (tsc.status !== 0) throw new Error(`tsc of the operator failed (${tsc.status ?? tsc.signal}):\n${tsc.stdout}${tsc.stderr}`);
  return { mode: 'compiled', nodeArgs: [path.join(outDir, 'operator', 'main.js')], env: {} };
}

/** Memory and CPU of a process from /proc (Linux), KiB and seconds. */
export function processUsage(pid: number): { peakRssKiB: number; rssKiB: number; cpuSeconds: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  // /proc/<pid>/stat: utime and stime are fields 14 and 15 (after the command in parentheses), in clock ticks.
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);
  return { peakRssKiB: kib('VmHWM'), rssKiB: kib('VmRSS'), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / ticks };
}

/**
 * A preload that ends the operator when its parent (the benchmark) is gone,
 * so nothing outlives a benchmark killed with SIGKILL.
 */
function parentWatchdog(dir: string): string {
  const file = path.join(dir, 'exit-with-parent.js');
  fs.writeFileSync(file, 'const parent = process.ppid;\nsetInterval(() => { if (process.ppid !== parent) process.exit(1); }, 1000).unref();\n');
  return file;
}

/** The operator program running as a process: its output in a file, the keys it reconciled counted. */
export class OperatorProcess {
  /**
   * Starts the program with the operator's kubeconfig, watching `namespace`;
   * resolves once it says it watches (bounded, 120 s).
   * @throws with the end of its output if it exits or does not start in time
   */
  public static async start(
    program: OperatorProgram, kubeconfig: string, namespace: string, args: readonly string[], logFile: string,
  ): Promise<OperatorProcess> {
    const operator = new OperatorProcess(program, kubeconfig, namespace, args, logFile);
    await waitFor('the operator to watch', 120, 200, () => {
      if (operator.exited) throw new Error(`the operator exited (${operator.exited}): ${operator.tail()}`);
      return operator.watching ? true : undefined;
    }, () => operator.tail());
    return operator;
  }

  public readonly child: ChildProcess;
  public readonly startedAt = Date.now();
  /** Reconciles begun (`reconcile <key> generation <n>` lines), and of which keys. */
  public reconciles = 0;
  public readonly reconciled = new Set<string>();
  /** Failed reconciles (`reconcile <key> failed, retrying`). */
  public failures = 0;
  /** When the last line came. */
  public lastOutputAt = Date.now();
  public exited: string | undefined;
  private watching = false;
  private lines: string[] = [];
  private partial = '';
  private readonly log: fs.WriteStream;

  private constructor(program: OperatorProgram, kubeconfig: string, namespace: string, args: readonly string[], logFile: string) {
    this.log = fs.createWriteStream(logFile, { flags: 'a' });
    this.child = spawn(process.execPath, ['-r', parentWatchdog(path.dirname(kubeconfig)), ...program.nodeArgs,
      '--health-probe-bind-address=127.0.0.1:0', '--metrics-bind-address=127.0.0.1:0', '--log-level=debug',
      '--tool-sidecar-image=registry.example.com/tool-manager:1.0', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...program.env, KUBECONFIG: kubeconfig, WATCH_NAMESPACE: namespace, HOSTNAME: 'bench-operator' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [this.child.stdout!, this.child.stderr!]) stream.on('data', (data) => this.output(String(data)));
    this.child.on('exit', (code, signal) => (this.exited = signal ? `signal ${signal}` : `exit code ${code}`));
  }

  private output(text: string): void {
    this.log.write(text);
    this.lastOutputAt = Date.now();
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop()!;
    for (const timestamped of lines) {
      const line = timestamped.replace(/^\d{4}-\d\d-\d\dT\S+Z /, ''); // the program's lines begin with a timestamp
      const reconcile = /^reconcile (\S+) generation /.exec(line);
      if (reconcile) {
        this.reconciles++;
        this.reconciled.add(reconcile[1]);
      } else if (/^reconcile \S+ failed/.test(line)) {this.failures++;}
      if (line.includes('cdk8s-agents-operator: watching')) this.watching = true;
      this.lines.push(line);
    }
    if (this.lines.length > 200) this.lines = this.lines.slice(-40);
  }

  /** The last lines of its output. */
  public tail(lines = 20): string {
    return [...this.lines, this.partial].slice(-lines).join('\n');
  }

  /** Memory and CPU so far (see `processUsage`). */
  public usage(): ReturnType<typeof processUsage> {
    return processUsage(this.child.pid!);
  }

  /** SIGTERM, SIGKILL after 30 s; resolves once it exited. */
  public async stop(): Promise<void> {
    if (!this.exited) {
      this.child.kill('SIGTERM');
      await waitFor('the operator to stop', 30, 100, () => (this.exited ? true : undefined)).catch(() => this.child.kill('SIGKILL'));
      await waitFor('the operator to be killed', 10, 100, () => (this.exited ? true : undefined));
    }
    await new Promise(resolve => this.log.end(resolve));
  }
}
