/**
 * The operator program, run as a process against the real control plane
 * with the identity `AgentOperator` renders (its ServiceAccount's token, so
 * too little RBAC fails here): an AgentType becomes a running agent, a spec
 * change rolls it, a missing Secret fails it with no pod, and deleting it
 * removes what it owned (the garbage collector).
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { api, controlPlane, kubectlOk, waitFor } from './support/cluster';
import { AgentNamespace } from '../../src/install/agent-namespace';
import { AgentOperator } from '../../src/install/agent-operator';
import { AgentTypeCrd } from '../../src/install/agent-type-crd';
import { DEFAULT_GROUP } from '../../src/install/agent-type-schema';

const NS = 'operator-agents';
// Its own operator namespace: the examples' install (agents-system) is applied by another test file with another field manager.
const OPERATOR_NS = 'operator-system';
const ROOT = path.resolve(__dirname, '..', '..');
const AGENT_TYPES = `/apis/${DEFAULT_GROUP}/v1/namespaces/${NS}/agenttypes`;
let operator: ChildProcess;
let operatorLog = '';
let kubeconfig: string;

/** Starts the operator program as a process with the operator's ServiceAccount token; its output goes to `log`. */
function startOperator(args: string[], onOutput: (text: string) => void): ChildProcess {
  const child = spawn(process.execPath, ['-r', 'ts-node/register', 'src/operator/main.ts', '--health-probe-bind-address=127.0.0.1:0',
    '--tool-sidecar-image=registry.example.com/tool-manager:1.0', ...args], {
    cwd: ROOT,
    env: { ...process.env, KUBECONFIG: kubeconfig, WATCH_NAMESPACE: NS, TS_NODE_PROJECT: 'test/tsconfig.json', TS_NODE_TRANSPILE_ONLY: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', d => onOutput(String(d)));
  child.stderr!.on('data', d => onOutput(String(d)));
  return child;
}

/** SIGTERM, then SIGKILL after 20 s. */
async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode) return;
  child.kill('SIGTERM');
  await waitFor('the operator to stop', 20, () => (child.exitCode !== null || child.signalCode ? true : undefined)).catch(() => child.kill('SIGKILL'));
}

const spec = (image: string, extra: any = {}) => ({
  agent: { name: 'agent', type: 'container', container: { image } },
  memory: { type: 'inmemory', size: '512Mi' },
  ...extra,
});

/** A kubeconfig with a token of the operator's ServiceAccount. */
async function operatorKubeconfig(): Promise<string> {
  const response = await api('POST', `/api/v1/namespaces/${OPERATOR_NS}/serviceaccounts/agent-operator/token`,
    { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } });
  expect(response.status).toBe(201);
  const token = JSON.parse(response.body).status.token;
  const plane = controlPlane();
  const file = path.join(plane.dir, 'operator.kubeconfig');
  fs.writeFileSync(file, [
    'apiVersion: v1', 'kind: Config',
    `clusters: [{name: plane, cluster: {server: "${plane.server}", certificate-authority: "${plane.dir}/pki/ca.crt"}}]`,
    `users: [{name: operator, user: {token: "${token}"}}]`,
    'contexts: [{name: operator, context: {cluster: plane, user: operator}}]',
    'current-context: operator', '',
  ].join('\n'), { mode: 0o600 });
  return file;
}

beforeAll(async () => {
  const chart = new Chart(new App(), 'install');
  new AgentNamespace(chart, 'ns', { name: NS });
  const crd = new AgentTypeCrd(chart, 'crd');
  new AgentOperator(chart, 'operator', { image: 'registry.example.com/agent-operator:1.0.0', crd, namespace: OPERATOR_NS, watchNamespaces: [NS] });
  const objects = chart.toJson().filter(o => o.kind !== 'Deployment'); // the program runs here, as a process
  kubectlOk(['apply', '--server-side', '-f', '-'], objects.filter(o => ['Namespace', 'CustomResourceDefinition'].includes(o.kind)).map(o => JSON.stringify(o)).join('\n---\n'));
  await waitFor('the CRD to be established', 60, async () =>
    JSON.parse((await api('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.crdName}`)).body)
      .status?.conditions?.some((c: any) => c.type === 'Established' && c.status === 'True') ? true : undefined);
  kubectlOk(['apply', '--server-side', '-f', '-'], objects.map(o => JSON.stringify(o)).join('\n---\n'));
  kubeconfig = await operatorKubeconfig();
  operator = startOperator([], text => (operatorLog += text));
  await waitFor('the operator to start', 60, () => (operatorLog.includes('watching') ? true : undefined), () => operatorLog);
});

afterAll(async () => {
  await stopProcess(operator);
  for (const ns of [NS, OPERATOR_NS]) await api('DELETE', `/api/v1/namespaces/${ns}`);
});

const getJson = async (p: string) => {
  const r = await api('GET', p);
  return r.status === 200 ? JSON.parse(r.body) : undefined;
};

test('an AgentType becomes its Deployment (owned, Running on a kwok node) and its status says Running for its generation', async () => {
  expect((await api('POST', AGENT_TYPES, { apiVersion: `${DEFAULT_GROUP}/v1`, kind: 'AgentType', metadata: { name: 'hello' }, spec: spec('registry.example.com/hello:1.0') })).status).toBe(201);
  const agentType = await waitFor('status Running', 90, async () => {
    const at = await getJson(`${AGENT_TYPES}/hello`);
    return at?.status?.phase === 'Running' ? at : undefined;
  }, () => operatorLog);
  expect(agentType.status.observedGeneration).toBe(agentType.metadata.generation);
  expect(agentType.status.conditions.map((c: any) => [c.type, c.status])).toEqual([['Reconciled', 'True'], ['Ready', 'True']]);
  const deployment = await getJson(`/apis/apps/v1/namespaces/${NS}/deployments/hello`);
  expect(deployment.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'AgentType', name: 'hello', uid: agentType.metadata.uid, controller: true })]);
  const pod = deployment.spec.template.spec;
  expect(pod.initContainers.map((c: any) => c.name)).toContain('agent-init');
  expect(pod.containers.find((c: any) => c.name === 'agent').image).toBe('registry.example.com/hello:1.0');
  const pods = JSON.parse((await api('GET', `/api/v1/namespaces/${NS}/pods?labelSelector=app.kubernetes.io%2Finstance%3Dhello`)).body).items;
  expect(pods.map((p: any) => [p.status.phase, controlPlane().nodeNames.includes(p.spec.nodeName)])).toEqual([['Running', true]]);
});

test('a spec change rolls the Deployment and the status follows the new generation', async () => {
  const patched = await api('PATCH', `${AGENT_TYPES}/hello`, { spec: { agent: { container: { image: 'registry.example.com/hello:2.0' } } } });
  expect(patched.status).toBe(200);
  await waitFor('the Deployment to run image 2.0 and the status its generation', 90, async () => {
    const deployment = await getJson(`/apis/apps/v1/namespaces/${NS}/deployments/hello`);
    const at = await getJson(`${AGENT_TYPES}/hello`);
    const image = deployment?.spec.template.spec.containers.find((c: any) => c.name === 'agent').image;
    return image === 'registry.example.com/hello:2.0' && at.status.observedGeneration === at.metadata.generation && at.status.phase === 'Running' ? true : undefined;
  }, () => operatorLog);
});

test('an AgentType whose Secret is missing goes Failed, naming the Secret, and gets no Deployment', async () => {
  const withProvider = spec('registry.example.com/llm:1.0', { llm: { providers: [{ name: 'primary', type: 'anthropic', credentialsSecret: 'no-such-secret' }] } });
  expect((await api('POST', AGENT_TYPES, { apiVersion: `${DEFAULT_GROUP}/v1`, kind: 'AgentType', metadata: { name: 'no-secret' }, spec: withProvider })).status).toBe(201);
  const agentType = await waitFor('status Failed', 60, async () => {
    const at = await getJson(`${AGENT_TYPES}/no-secret`);
    return at?.status?.phase === 'Failed' ? at : undefined;
  }, () => operatorLog);
  expect(agentType.status.message).toMatch(new RegExp(`^Secret '${NS}/no-such-secret' \\(container \\S+ env \\S+\\) does not exist$`));
  expect(agentType.status.conditions.find((c: any) => c.type === 'Reconciled')).toMatchObject({ status: 'False', reason: 'SecretNotFound' });
  expect(await getJson(`/apis/apps/v1/namespaces/${NS}/deployments/no-secret`)).toBeUndefined();
});

test('deleting the AgentType removes every object it owned (the garbage collector)', async () => {
  expect((await api('DELETE', `${AGENT_TYPES}/hello`)).status).toBe(200);
  await waitFor('the owned objects to be collected', 90, async () => {
    const gone = await Promise.all([
      `/apis/apps/v1/namespaces/${NS}/deployments/hello`,
      `/api/v1/namespaces/${NS}/serviceaccounts/hello`,
      `/api/v1/namespaces/${NS}/configmaps/hello-init`,
      `/apis/networking.k8s.io/v1/namespaces/${NS}/networkpolicies/hello`,
    ].map(async p => (await api('GET', p)).status === 404));
    return gone.every(g => g) ? true : undefined;
  });
});

test('two replicas with --leader-elect: one leads and reconciles; killing it hands the Lease to the other, which reconciles', async () => {
  await stopProcess(operator);
  const logs = ['', ''];
  const replicas = [0, 1].map(i => startOperator(['--leader-elect', `--leader-election-namespace=${OPERATOR_NS}`], text => (logs[i] += text)));
  try {
    const lease = `/apis/coordination.k8s.io/v1/namespaces/${OPERATOR_NS}/leases/cdk8s-agents-operator`;
    const leader = await waitFor('one replica to lead', 60, () => {
      const leading = logs.map(l => l.includes(' leads (Lease'));
      return leading.filter(x => x).length === 1 ? leading.indexOf(true) : undefined;
    }, () => logs.join('\n---\n'));
    const holder = JSON.parse((await api('GET', lease)).body).spec.holderIdentity;
    const created = (name: string) => api('POST', AGENT_TYPES, { apiVersion: `${DEFAULT_GROUP}/v1`, kind: 'AgentType', metadata: { name }, spec: spec('registry.example.com/ha:1.0') });
    const running = (name: string) => waitFor(`${name} Running`, 90, async () =>
      (await getJson(`${AGENT_TYPES}/${name}`))?.status?.phase === 'Running' ? true : undefined, () => logs.join('\n---\n'));
    expect((await created('led-by-first')).status).toBe(201);
    await running('led-by-first');
    // The standby does nothing meanwhile.
    expect(logs[1 - leader]).not.toContain('reconcile');
    replicas[leader].kill('SIGKILL'); // a crash: the Lease is not given up, it expires
    await waitFor('the other replica to lead', 60, () => (logs[1 - leader].includes(' leads (Lease') ? true : undefined), () => logs[1 - leader]);
    expect(JSON.parse((await api('GET', lease)).body).spec.holderIdentity).not.toBe(holder);
    expect((await created('led-by-second')).status).toBe(201);
    await running('led-by-second');
  } finally {
    await Promise.all(replicas.map(stopProcess));
  }
});
