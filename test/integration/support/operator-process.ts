/**
 * The operator program as the tests run it: installed by `AgentOperator`
 * (everything but its Deployment, whose pod is this process), started with
 * the container's own `args` and `env` (bind addresses moved to loopback and
 * port 0, POD_NAMESPACE filled in as the downward API would) and a token of
 * the ServiceAccount that install renders, so its RBAC is what the program
 * gets: too little permission fails a test.
 */
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { api, controlPlane, kubectlOk, waitFor } from './cluster';
import { AgentOperator, AgentOperatorProps } from '../../../src/install/agent-operator';
import { AgentTypeCrd } from '../../../src/install/agent-type-crd';
import { writeTokenKubeconfig } from '../../control-plane/control-plane';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** What an install gives the program: the manager container as rendered, the operator namespace and ServiceAccount. */
export interface OperatorInstall {
  readonly container: any;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly crd: AgentTypeCrd;
}

/** Applies `AgentOperator` (with its CRD) and `extra` objects, all but the Deployment; waits for the CRD. */
export async function installOperator(props: Omit<AgentOperatorProps, 'image'>, extra: (chart: Chart) => void = () => undefined): Promise<OperatorInstall> {
  const chart = new Chart(new App(), 'install');
  extra(chart);
  const operator = new AgentOperator(chart, 'operator', { image: 'registry.example.com/agent-operator:1.0.0', ...props });
  const objects = chart.toJson();
  const deployment = objects.find(o => o.kind === 'Deployment' && o.metadata.namespace === operator.namespaceName);
  const applied = objects.filter(o => o !== deployment);
  const apply = (list: any[]) => kubectlOk(['apply', '--server-side', '-f', '-'], list.map(o => JSON.stringify(o)).join('\n---\n'));
  apply(applied.filter(o => ['Namespace', 'CustomResourceDefinition'].includes(o.kind)));
  const crd = operator.crd!;
  await waitFor('the CRD to be established', 60, async () =>
    JSON.parse((await api('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.crdName}`)).body)
      .status?.conditions?.some((c: any) => c.type === 'Established' && c.status === 'True') ? true : undefined);
  apply(applied);
  return {
    container: deployment.spec.template.spec.containers[0], namespace: operator.namespaceName, serviceAccount: operator.serviceAccount.name, crd,
  };
}

/** A kubeconfig with a token of the install's ServiceAccount. */
async function serviceAccountKubeconfig(install: OperatorInstall, server?: string): Promise<string> {
  const response = await api('POST', `/api/v1/namespaces/${install.namespace}/serviceaccounts/${install.serviceAccount}/token`,
    { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } });
  if (response.status !== 201) throw new Error(`TokenRequest failed: ${response.status} ${response.body}`);
  const token = JSON.parse(response.body).status.token;
  const plane = controlPlane();
  return writeTokenKubeconfig({ dir: plane.dir, server: server ?? plane.server }, path.join(plane.dir, `${install.namespace}-${install.serviceAccount}.kubeconfig`), token);
}

/** A running operator process. */
export interface OperatorProcess {
  readonly child: ChildProcess;
  /** Everything it printed so far. */
  log(): string;
  /** Resolves when it says it is watching; then the ports it bound are known. */
  started(): Promise<{ healthPort: number; metricsPort: number }>;
  /** The text of its `/metrics`. */
  metrics(): Promise<string>;
  /** SIGTERM; SIGKILL after 20 s. Resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Runs the program from source with the install's container `args` and
 * `env`: both servers on 127.0.0.1 port 0 (every interface and a fixed port
 * in a pod), POD_NAMESPACE the operator namespace.
 */
export async function startOperator(install: OperatorInstall, server?: string): Promise<OperatorProcess> {
  const args = (install.container.args as string[]).map(a => a.replace(/^(--(?:metrics|health-probe)-bind-address)=:\d+$/, '$1=127.0.0.1:0'));
  const env = Object.fromEntries((install.container.env as any[]).map(e => [e.name,
    e.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace' ? install.namespace : e.value]));
  const child = spawn(process.execPath, ['-r', 'ts-node/register', 'src/operator/main.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, KUBECONFIG: await serviceAccountKubeconfig(install, server), ...env, TS_NODE_PROJECT: 'test/tsconfig.json', TS_NODE_TRANSPILE_ONLY: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', d => (output += String(d)));
  child.stderr!.on('data', d => (output += String(d)));
  let ports: { healthPort: number; metricsPort: number } | undefined;
  const started = async () => ports ?? (ports = await waitFor('the operator to start watching', 90, () => {
    const match = /watching .*; health on port (\d+), metrics on port (\d+)/.exec(output);
    if (child.exitCode !== null) throw new Error(`the operator exited (${child.exitCode}):\n${output}`);
    return match ? { healthPort: Number(match[1]), metricsPort: Number(match[2]) } : undefined;
  }, () => output));
  return {
    child,
    log: () => output,
    started,
    metrics: async () => {
      const response = await fetch(`http://127.0.0.1:${(await started()).metricsPort}/metrics`, { signal: AbortSignal.timeout(10_000) });
      if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
      return response.text();
    },
    stop: async () => {
      if (child.exitCode === null && !child.signalCode) {
        child.kill('SIGTERM');
        await waitFor('the operator to stop', 20, () => (child.exitCode !== null || child.signalCode ? true : undefined)).catch(() => child.kill('SIGKILL'));
      }
      return child.exitCode;
    },
  };
}

/** The value of the sample `name{labels}` in a Prometheus exposition (0 if absent). */
export function sample(exposition: string, nameAndLabels: string): number {
  const line = exposition.split('\n').find(l => l.startsWith(`${nameAndLabels} `));
  return line ? Number(line.slice(nameAndLabels.length + 1)) : 0;
}
