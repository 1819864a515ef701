/**
 * A real Kubernetes control plane as local processes on 127.0.0.1: etcd,
 * kube-apiserver (TLS, RBAC and Node authorization, service-account tokens),
 * kube-controller-manager (garbage collector, Deployment, ReplicaSet,
 * StatefulSet, Job, disruption, namespace and service-account controllers,
 * among all the defaults), kube-scheduler, and kwok with fake nodes that take
 * pods and report them Running. The binaries come from `build.sh`.
 *
 * `ControlPlane.start` makes the certificates, picks free ports, starts each
 * process and waits (bounded) until it serves; `stop` stops every process and
 * removes the plane's folder (data, certificates, logs). A failed step throws
 * a `ControlPlaneError` naming the step, with the end of the component's log.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as path from 'path';
import { makePki, Pki } from './pki';

/** A step of starting the plane that failed, by name (`start etcd`, `wait for kube-apiserver /readyz`, ...). */
export class ControlPlaneError extends Error {
  constructor(public readonly step: string, detail: string) {
    super(`control plane: step '${step}' failed: ${detail}`);
    this.name = 'ControlPlaneError';
  }
}

export interface ControlPlaneOptions {
  /** The folder `build.sh` printed (the binaries and kwok-stages.yaml). */
  readonly binDir: string;
  /** The plane's own folder: certificates, etcd data, kubeconfigs, logs. Created; removed by `stop()`. */
  readonly dir: string;
  /** Fake nodes kwok manages. @default 2 */
  readonly nodes?: number;
  /** Progress lines. @default none */
  readonly log?: (line: string) => void;
  /**
   * Users (e.g. `system:serviceaccount:<namespace>:<name>`) whose requests
   * kube-apiserver writes to an audit log, `<dir>/logs/audit.log`: one JSON
   * `audit.k8s.io/v1` Event per line, level Metadata, stages ResponseStarted
   * (watches) and ResponseComplete; every other user's requests are not logged.
   * Read it with `readAuditLog` (audit-log.ts).
   * @default none: no audit log
   */
  readonly auditUsers?: readonly string[];
  /**
   * Client rate limit of kube-controller-manager and kube-scheduler towards
   * the API server (`--kube-api-qps` and `--kube-api-burst` of both), for
   * planes that run many pods.
   * @default their own defaults (controller manager 20 QPS, burst 30; scheduler 50, burst 100)
   */
  readonly componentApiRate?: { readonly qps: number; readonly burst: number };
}

/** What a client of the plane needs: written to `state.json` in the plane's folder. */
export interface ControlPlaneState {
  readonly dir: string;
  readonly binDir: string;
  /** kubeconfig of the admin user (group `system:masters`). */
  readonly kubeconfig: string;
  /** The API server's URL, `https://127.0.0.1:<port>`. */
  readonly server: string;
  /** The pinned kubectl built with the plane. */
  readonly kubectl: string;
  readonly nodeNames: readonly string[];
  /** Process id per component. */
  readonly pids: Readonly<Record<string, number>>;
  /** The audit log, when the plane was started with `auditUsers`. */
  readonly auditLog?: string;
}

const SERVICE_CIDR = '10.0.0.0/24';
const POD_CIDR = '10.244.0.0/16';
/** Label and annotation that mark the fake nodes kwok manages. */
export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

/** A free TCP port on 127.0.0.1 (the OS picks it; closed before use). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether a process with this id runs (signal 0 only checks). */
/**
 * Writes `file`, a kubeconfig for the plane `state` that authenticates with
 * a bearer `token` (a ServiceAccount's, from a TokenRequest), mode 0600.
 */
export function writeTokenKubeconfig(state: Pick<ControlPlaneState, 'server' | 'dir'>, file: string, token: string): string {
  fs.writeFileSync(file, [
    'apiVersion: v1', 'kind: Config',
    `clusters: [{name: plane, cluster: {server: "${state.server}", certificate-authority: "${state.dir}/pki/ca.crt"}}]`,
    `users: [{name: token, user: {token: "${token}"}}]`,
    'contexts: [{name: token, context: {cluster: plane, user: token}}]',
    'current-context: token', '',
  ].join('\n'), { mode: 0o600 });
  return file;
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The last lines of a log file, for an error message. */
function tail(file: string, lines = 25): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

interface Component {
  readonly name: string;
  readonly process: ChildProcess;
  readonly logFile: string;
  exited?: string;
}

export class ControlPlane {
  /**
   * Starts the plane; resolves once etcd, the API server, the controller
   * manager and the scheduler serve and every fake node is Ready. On a failure
   * everything started so far is stopped and the folder removed.
   * @throws ControlPlaneError naming the step that failed
   */
  public static async start(options: ControlPlaneOptions): Promise<ControlPlane> {
    const plane = new ControlPlane(options);
    await plane.start();
    return plane;
  }

  private readonly components: Component[] = [];
  private readonly log: (line: string) => void;
  private pki!: Pki;
  private server = '';
  private etcdUrl = '';
  private stopped = false;

  /** Stores the options; `start()` starts the plane. */
  constructor(private readonly options: ControlPlaneOptions) {
    this.log = options.log ?? (() => undefined);
  }

  /**
   * Starts every component (see the static `start`). `stop()` may be called
   * while this runs: it stops what has started and this rejects.
   */
  public async start(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.boot();
        return;
      } catch (error) {
        // A free port is picked, then bound by the component: another process
        // may take it in between. Start again on new ports (at most 3 times).
        const portTaken = /address already in use/.test((error as Error).message);
        if (!portTaken || attempt >= 3 || this.stopped) {
          await this.stop();
          throw error;
        }
        this.log(`control plane: a port was taken before its component bound it; starting again (attempt ${attempt + 1})`);
        await this.killAll();
        fs.rmSync(this.options.dir, { recursive: true, force: true });
      }
    }
  }

  private get logDir(): string {
    return path.join(this.options.dir, 'logs');
  }

  /** The state clients need; also written to `<dir>/state.json`. */
  public get state(): ControlPlaneState {
    const nodes = this.options.nodes ?? 2;
    return {
      dir: this.options.dir,
      binDir: this.options.binDir,
      kubeconfig: path.join(this.options.dir, 'admin.kubeconfig'),
      server: this.server,
      kubectl: path.join(this.options.binDir, 'kubectl'),
      nodeNames: Array.from({ length: nodes }, (_, i) => `kwok-node-${i}`),
      pids: Object.fromEntries(this.components.map((c) => [c.name, c.process.pid ?? 0])),
      ...(this.options.auditUsers?.length ? { auditLog: path.join(this.logDir, 'audit.log') } : {}),
    };
  }

  private async boot(): Promise<void> {
    const { dir, binDir } = this.options;
    for (const bin of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok', 'kwok-stages.yaml']) {
      if (!fs.existsSync(path.join(binDir, bin))) throw new ControlPlaneError('find binaries', `${path.join(binDir, bin)} is missing (run test/control-plane/build.sh)`);
    }
    fs.mkdirSync(this.logDir, { recursive: true });
    await this.step('make certificates', async () => {
      this.pki = makePki(path.join(dir, 'pki'));
    });
    await this.startEtcd();
    await this.startApiServer();
    for (const user of ['admin', 'kube-controller-manager', 'kube-scheduler']) this.writeKubeconfig(user);
    await this.startControllerManager();
    await this.startScheduler();
    await this.startKwok();
    fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify(this.state, undefined, 2));
  }

  /** Runs one step; any error becomes a ControlPlaneError naming it. */
  private async step<T>(name: string, run: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      const result = await run();
      this.log(`control plane: ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      return result;
    } catch (error) {
      if (error instanceof ControlPlaneError) throw error;
      throw new ControlPlaneError(name, (error as Error).message);
    }
  }

  private launch(name: string, args: string[]): Component {
    if (this.stopped) throw new ControlPlaneError(`start ${name}`, 'the plane was stopped while starting');
    const logFile = path.join(this.logDir, `${name}.log`);
    const fd = fs.openSync(logFile, 'a');
    const child = spawn(path.join(this.options.binDir, name), args, { stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
    const component: Component = { name, process: child, logFile };
    child.on('exit', (code, signal) => {
      component.exited = signal ? `signal ${signal}` : `exit code ${code}`;
    });
    child.on('error', (error) => {
      component.exited = error.message;
    });
    this.components.push(component);
    return component;
  }

  /**
   * Polls `ready` every 250 ms until it returns true, for at most `seconds`;
   * fails at once if the component exits.
   */
  private async waitFor(step: string, component: Component, seconds: number, ready: () => Promise<boolean>): Promise<void> {
    await this.step(step, async () => {
      const deadline = Date.now() + seconds * 1000;
      while (Date.now() < deadline) {
        if (component.exited) {
          throw new ControlPlaneError(step, `${component.name} exited (${component.exited}); end of ${component.logFile}:\n${tail(component.logFile)}`);
        }
        if (await ready().catch(() => false)) return;
        await sleep(250);
      }
      throw new ControlPlaneError(step, `not ready within ${seconds} s; end of ${component.logFile}:\n${tail(component.logFile)}`);
    });
  }

  private async startEtcd(): Promise<void> {
    const [client, peer, metrics] = [await freePort(), await freePort(), await freePort()];
    const clientUrl = `http://127.0.0.1:${client}`;
    const peerUrl = `http://127.0.0.1:${peer}`;
    const etcd = this.launch('etcd', [
      '--name=control-plane', `--data-dir=${path.join(this.options.dir, 'etcd')}`,
      `--listen-client-urls=${clientUrl}`, `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`, `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=control-plane=${peerUrl}`, `--listen-metrics-urls=http://127.0.0.1:${metrics}`,
      '--quota-backend-bytes=2147483648', '--unsafe-no-fsync', '--log-level=warn',
    ]);
    this.etcdUrl = clientUrl;
    await this.waitFor('wait for etcd /health', etcd, 30, async () =>
      (await httpGet(`${clientUrl}/health`)).includes('"health":"true"'));
  }


  private async startApiServer(): Promise<void> {
    const port = await freePort();
    const p = this.pki;
    this.server = `https://127.0.0.1:${port}`;
    const apiServer = this.launch('kube-apiserver', [
      '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${port}`,
      `--etcd-servers=${this.etcdUrl}`,
      `--tls-cert-file=${p.serverCert}`, `--tls-private-key-file=${p.serverKey}`, `--client-ca-file=${p.caCert}`,
      `--service-account-key-file=${p.serviceAccountPublicKey}`,
      `--service-account-signing-key-file=${p.serviceAccountKey}`,
      '--service-account-issuer=https://kubernetes.default.svc',
      '--authorization-mode=Node,RBAC', `--service-cluster-ip-range=${SERVICE_CIDR}`,
      // One API server, no Endpoints of its own to keep (there is no kube-proxy).
      '--endpoint-reconciler-type=none',
      '--enable-priority-and-fairness=false',
      ...this.auditFlags(),
    ]);
    const admin = p.clients.admin;
    await this.waitFor('wait for kube-apiserver /readyz', apiServer, 90, async () =>
      (await httpsGet(`${this.server}/readyz`, { ca: p.caCert, cert: admin.cert, key: admin.key })) === 'ok');
  }

  /**
   * kube-apiserver's audit flags for `auditUsers` (none without): a policy
   * that logs their requests at level Metadata and nothing else, to a file
   * that is never rotated.
   */
  private auditFlags(): string[] {
    const users = this.options.auditUsers ?? [];
    if (users.length === 0) return [];
    const policy = path.join(this.options.dir, 'audit-policy.yaml');
    fs.writeFileSync(policy, JSON.stringify({
      apiVersion: 'audit.k8s.io/v1',
      kind: 'Policy',
      omitStages: ['RequestReceived'],
      rules: [{ level: 'Metadata', users: [...users] }, { level: 'None' }],
    }));
    return [
      `--audit-policy-file=${policy}`, `--audit-log-path=${this.state.auditLog}`,
      '--audit-log-format=json', '--audit-log-maxsize=1000000', '--audit-log-mode=blocking',
    ];
  }

  private writeKubeconfig(user: string): string {
    const file = path.join(this.options.dir, `${user}.kubeconfig`);
    const client = this.pki.clients[user];
    fs.writeFileSync(file, [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: cdk8s-agents-control-plane\n  cluster:\n    server: ${this.server}\n    certificate-authority: ${this.pki.caCert}`,
      'users:',
      `- name: ${user}\n  user:\n    client-certificate: ${client.cert}\n    client-key: ${client.key}`,
      'contexts:',
      `- name: ${user}\n  context:\n    cluster: cdk8s-agents-control-plane\n    user: ${user}`,
      `current-context: ${user}`,
      '',
    ].join('\n'), { mode: 0o600 });
    return file;
  }

  /** Common flags of the controller manager and the scheduler; each serves /healthz on its own port. */
  private async clientFlags(user: string): Promise<{ flags: string[]; port: number }> {
    const kubeconfig = path.join(this.options.dir, `${user}.kubeconfig`);
    const port = await freePort();
    const rate = this.options.componentApiRate;
    return {
      port,
      flags: [
        `--kubeconfig=${kubeconfig}`, `--authentication-kubeconfig=${kubeconfig}`, `--authorization-kubeconfig=${kubeconfig}`,
        '--bind-address=127.0.0.1', `--secure-port=${port}`, '--leader-elect=false',
        `--cert-dir=${path.join(this.options.dir, user)}`,
        ...(rate ? [`--kube-api-qps=${rate.qps}`, `--kube-api-burst=${rate.burst}`] : []),
      ],
    };
  }

  private async startControllerManager(): Promise<void> {
    const { flags, port } = await this.clientFlags('kube-controller-manager');
    const p = this.pki;
    const kcm = this.launch('kube-controller-manager', [
      ...flags,
      // All default controllers: among them garbagecollector, deployment,
      // replicaset, statefulset, job, disruption, namespace, serviceaccount.
      '--controllers=*', '--use-service-account-credentials=true',
      `--service-account-private-key-file=${p.serviceAccountKey}`, `--root-ca-file=${p.caCert}`,
      `--cluster-signing-cert-file=${p.caCert}`, `--cluster-signing-key-file=${p.caKey}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
    ]);
    await this.waitFor('wait for kube-controller-manager /healthz', kcm, 60, async () =>
      (await httpsGet(`https://127.0.0.1:${port}/healthz`, { insecure: true })) === 'ok');
    // The service-account controller is running once `default` has its ServiceAccount.
    await this.waitFor('wait for the default ServiceAccount', kcm, 60, async () =>
      (await this.api('GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200);
  }

  private async startScheduler(): Promise<void> {
    const { flags, port } = await this.clientFlags('kube-scheduler');
    const scheduler = this.launch('kube-scheduler', flags);
    await this.waitFor('wait for kube-scheduler /healthz', scheduler, 60, async () =>
      (await httpsGet(`https://127.0.0.1:${port}/healthz`, { insecure: true })) === 'ok');
  }

  private async startKwok(): Promise<void> {
    const kwok = this.launch('kwok', [
      `--kubeconfig=${path.join(this.options.dir, 'admin.kubeconfig')}`,
      `--config=${path.join(this.options.binDir, 'kwok-stages.yaml')}`,
      '--manage-all-nodes=false', `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
      '--node-ip=127.0.0.1', `--cidr=${POD_CIDR}`, '--server-address=127.0.0.1:0',
    ]);
    await this.step('create the fake nodes', async () => {
      for (const name of this.state.nodeNames) {
        const response = await this.api('POST', '/api/v1/nodes', fakeNode(name));
        if (response.status !== 201) throw new Error(`POST node ${name}: HTTP ${response.status} ${response.body}`);
      }
    });
    await this.waitFor('wait for the fake nodes to be Ready', kwok, 60, async () => {
      const response = await this.api('GET', `/api/v1/nodes?labelSelector=${encodeURIComponent('type=kwok')}`);
      const nodes = JSON.parse(response.body).items as any[];
      return nodes.length === this.state.nodeNames.length && nodes.every((node) =>
        (node.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'));
    });
  }

  /** The first component that exited on its own (`name: exit code N`), if any. */
  public get crashed(): string | undefined {
    const component = this.components.find((c) => c.exited);
    return component && !this.stopped ? `${component.name}: ${component.exited}; end of ${component.logFile}:\n${tail(component.logFile)}` : undefined;
  }

  /** A request to the API server as the admin. */
  public async api(method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: string }> {
    const admin = this.pki.clients.admin;
    return httpsRequest(method, `${this.server}${urlPath}`, { ca: this.pki.caCert, cert: admin.cert, key: admin.key }, body);
  }

  /**
   * Stops every process (SIGTERM, then SIGKILL after 10 s) and removes the
   * plane's folder. Safe to call twice.
   */
  public async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.killAll();
    fs.rmSync(this.options.dir, { recursive: true, force: true });
  }

  /** SIGTERM to every component, SIGKILL after 10 s; forgets them. */
  private async killAll(): Promise<void> {
    const running = [...this.components].reverse().filter((c) => !c.exited);
    for (const c of running) c.process.kill('SIGTERM');
    const deadline = Date.now() + 10_000;
    while (running.some((c) => !c.exited) && Date.now() < deadline) await sleep(100);
    for (const c of running) if (!c.exited) c.process.kill('SIGKILL');
    const killDeadline = Date.now() + 5_000;
    while (running.some((c) => !c.exited) && Date.now() < killDeadline) await sleep(50);
    this.components.length = 0;
  }
}

/** A Node object kwok manages (by its annotation): no taint, so any pod may land on it. */
function fakeNode(name: string): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [KWOK_NODE_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'type': 'kwok',
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node-role.kubernetes.io/agent': '',
      },
    },
    status: {
      allocatable: { 'cpu': '32', 'memory': '256Gi', 'pods': '110', 'ephemeral-storage': '500Gi' },
      capacity: { 'cpu': '32', 'memory': '256Gi', 'pods': '110', 'ephemeral-storage': '500Gi' },
    },
  };
}

interface TlsOptions {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  /** Accept any serving certificate (the components' self-signed /healthz). */
  readonly insecure?: boolean;
}

function httpGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { timeout: 2000 }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve(body));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
  });
}

async function httpsGet(url: string, tls: TlsOptions): Promise<string> {
  return (await httpsRequest('GET', url, tls)).body;
}

/** One HTTPS request with a 10 s timeout. */
export function httpsRequest(
  method: string, url: string, tls: TlsOptions, body?: unknown, contentType = 'application/json',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = https.request(url, {
      method,
      timeout: 10_000,
      ca: tls.ca ? fs.readFileSync(tls.ca) : undefined,
      cert: tls.cert ? fs.readFileSync(tls.cert) : undefined,
      key: tls.key ? fs.readFileSync(tls.key) : undefined,
      rejectUnauthorized: !tls.insecure,
      headers: payload ? { 'content-type': contentType } : {},
    }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
    request.end(payload);
  });
}
