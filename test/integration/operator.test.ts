/**
 * The operator program, run as a process against the real control plane
 * with the args, env and identity `AgentOperator` renders (its
 * ServiceAccount's token, so too little RBAC fails here): an AgentType
 * becomes a running agent, a spec change rolls it, a rotated Secret rolls
 * its pods, a missing Secret fails it with no pod, an unchanged one is never
 * written again, deleting it removes what it owned (the garbage collector),
 * and the namespaces it does not watch are left alone.
 */
import { Duration } from 'cdk8s';
import { api, controlPlane, waitFor } from './support/cluster';
import { OperatorInstall, OperatorProcess, installOperator, sample, startOperator } from './support/operator-process';
import { AgentNamespace } from '../../src/install/agent-namespace';
import { DEFAULT_GROUP } from '../../src/install/agent-type-schema';

const NS = 'operator-agents';
/** A namespace the operator does not watch, where AgentTypes exist too. */
const OTHER_NS = 'operator-unwatched';
// Its own operator namespace: the examples' install (agents-system) is applied by another test file with another field manager.
const OPERATOR_NS = 'operator-system';
const AGENT_TYPES = `/apis/${DEFAULT_GROUP}/v1/namespaces/${NS}/agenttypes`;
/** The full resync period the install renders: short, so the idle-resync test sees several. */
const SYNC_PERIOD_SECONDS = 3;
let install: OperatorInstall;
let operator: OperatorProcess;
const operatorLog = () => operator.log();

const spec = (image: string, extra: any = {}) => ({
  agent: { name: 'agent', type: 'container', container: { image } },
  memory: { type: 'inmemory', size: '512Mi' },
  ...extra,
});
const newAgentType = (name: string, body: any) => ({ apiVersion: `${DEFAULT_GROUP}/v1`, kind: 'AgentType', metadata: { name }, spec: body });

beforeAll(async () => {
  install = await installOperator({
    namespaceName: OPERATOR_NS,
    watchNamespaces: [NS],
    logLevel: 'debug',
    toolSidecarImage: 'registry.example.com/tool-manager:1.0',
    syncPeriod: Duration.seconds(SYNC_PERIOD_SECONDS),
  }, chart => {
    new AgentNamespace(chart, 'ns', { name: NS });
    new AgentNamespace(chart, 'other', { name: OTHER_NS });
  });
  operator = await startOperator(install);
  await operator.started();
});

afterAll(async () => {
  await operator?.stop();
  for (const ns of [NS, OTHER_NS, OPERATOR_NS]) await api('DELETE', `/api/v1/namespaces/${ns}`);
});

const getJson = async (p: string) => {
  const r = await api('GET', p);
  return r.status === 200 ? JSON.parse(r.body) : undefined;
};

test('an AgentType becomes its Deployment (owned, Running on a kwok node) and its status says Running for its generation', async () => {
  expect((await api('POST', AGENT_TYPES, newAgentType('hello', spec('registry.example.com/hello:1.0')))).status).toBe(201);
  const agentType = await waitFor('status Running', 90, async () => {
    const at = await getJson(`${AGENT_TYPES}/hello`);
    return at?.status?.phase === 'Running' ? at : undefined;
  }, operatorLog);
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
  }, operatorLog);
});

/** The operator's writes (apply, delete, status, event) and successful reconciles so far, from its /metrics. */
async function counters(): Promise<{ writes: number; reconciles: number }> {
  const text = await operator.metrics();
  const writes = ['apply', 'delete', 'status', 'event'].reduce((sum, verb) => sum + sample(text, `cdk8s_agents_operator_writes_total{controller="agenttype",verb="${verb}"}`), 0);
  return { writes, reconciles: sample(text, 'controller_runtime_reconcile_total{controller="agenttype",result="success"}') };
}

test('/metrics counts reconciles and writes; once settled, full resyncs reconcile the unchanged AgentType and write nothing', async () => {
  const text = await operator.metrics();
  expect(sample(text, 'controller_runtime_reconcile_total{controller="agenttype",result="success"}')).toBeGreaterThan(0);
  expect(sample(text, 'cdk8s_agents_operator_writes_total{controller="agenttype",verb="apply"}')).toBeGreaterThan(0);
  expect(text).toMatch(/^workqueue_depth\{name="agenttype"\} \d+$/m);
  expect(text).toMatch(/^controller_runtime_reconcile_time_seconds_count\{controller="agenttype"\} \d+$/m);
  expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  // The rollout of the previous test settles (pods, Deployment status, our status); then a window of
  // at least 3 resyncs of every AgentType must have no write at all.
  const quiet = await waitFor('a window of 3 full resyncs with no write', 120, async () => {
    const before = await counters();
    await new Promise(resolve => setTimeout(resolve, 3.5 * SYNC_PERIOD_SECONDS * 1000));
    const after = await counters();
    return after.writes === before.writes ? { before, after } : undefined;
  }, operatorLog);
  expect(quiet.after.reconciles - quiet.before.reconciles).toBeGreaterThanOrEqual(3);
});

test('a rotated Secret rolls the agent\'s pods: its checksum (never its data) changes in the pod template', async () => {
  const secrets = `/api/v1/namespaces/${NS}/secrets`;
  const encode = (text: string) => Buffer.from(text).toString('base64');
  expect((await api('POST', secrets, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'rotated-llm' }, data: { 'api-key': encode('sk-first-value') } })).status).toBe(201);
  const providers = { llm: { providers: [{ name: 'main', type: 'anthropic', credentialsSecret: 'rotated-llm', config: { model: 'claude-sonnet-4-5' } }] } };
  expect((await api('POST', AGENT_TYPES, newAgentType('rotated', spec('registry.example.com/llm:1.0', providers)))).status).toBe(201);
  const deploymentPath = `/apis/apps/v1/namespaces/${NS}/deployments/rotated`;
  const checksumOf = (d: any) => d?.spec.template.metadata.annotations?.['agents.cdk8s.io/secret-checksum'];
  const runningPods = async () => JSON.parse((await api('GET', `/api/v1/namespaces/${NS}/pods?labelSelector=app.kubernetes.io%2Finstance%3Drotated`)).body)
    .items.filter((p: any) => p.status.phase === 'Running' && !p.metadata.deletionTimestamp).map((p: any) => p.metadata.name);
  const first = await waitFor('the agent to run', 90, async () => {
    const pods = await runningPods();
    const d = await getJson(deploymentPath);
    return pods.length === 1 && checksumOf(d) ? { pods, checksum: checksumOf(d), deployment: d } : undefined;
  }, operatorLog);
  expect(JSON.stringify(first.deployment)).not.toContain(encode('sk-first-value'));
  expect(JSON.stringify(first.deployment)).not.toContain('sk-first-value');
  expect((await api('PATCH', `${secrets}/rotated-llm`, { data: { 'api-key': encode('sk-second-value') } })).status).toBe(200);
  const rolled = await waitFor('a new pod with the new checksum', 90, async () => {
    const pods = await runningPods();
    const checksum = checksumOf(await getJson(deploymentPath));
    return checksum !== first.checksum && pods.length === 1 && pods[0] !== first.pods[0] ? { checksum } : undefined;
  }, operatorLog);
  expect(rolled.checksum).toMatch(/^[0-9a-f]{64}$/);
});

test('an AgentType without an image is refused by the API server with the schema\'s message, and no Deployment appears', async () => {
  const response = await api('POST', AGENT_TYPES, newAgentType('no-image', { agent: { name: 'agent', type: 'container', container: { command: ['run'] } } }));
  expect(response.status).toBe(422);
  const status = JSON.parse(response.body);
  expect(status.reason).toBe('Invalid');
  expect(status.message).toContain('spec.agent.container.image: Required value');
  expect(await getJson(`${AGENT_TYPES}/no-image`)).toBeUndefined();
  expect(await getJson(`/apis/apps/v1/namespaces/${NS}/deployments/no-image`)).toBeUndefined();
});

test('namespaced mode: an AgentType outside WATCH_NAMESPACE is left alone (no status, no Deployment)', async () => {
  const other = `/apis/${DEFAULT_GROUP}/v1/namespaces/${OTHER_NS}/agenttypes`;
  expect((await api('POST', other, newAgentType('elsewhere', spec('registry.example.com/hello:1.0')))).status).toBe(201);
  // One later in the watched namespace gets reconciled: the operator was working all along.
  expect((await api('POST', AGENT_TYPES, newAgentType('after-elsewhere', spec('registry.example.com/hello:1.0')))).status).toBe(201);
  await waitFor('after-elsewhere Running', 90, async () => ((await getJson(`${AGENT_TYPES}/after-elsewhere`))?.status?.phase === 'Running' ? true : undefined), operatorLog);
  expect((await getJson(`${other}/elsewhere`)).status).toBeUndefined();
  expect(await getJson(`/apis/apps/v1/namespaces/${OTHER_NS}/deployments/elsewhere`)).toBeUndefined();
  expect(operator.log()).not.toContain(OTHER_NS);
});

test('an AgentType whose Secret is missing goes Failed, naming the Secret, and gets no Deployment', async () => {
  const withProvider = spec('registry.example.com/llm:1.0', { llm: { providers: [{ name: 'primary', type: 'anthropic', credentialsSecret: 'no-such-secret', config: { model: 'claude-sonnet-4-5' } }] } });
  expect((await api('POST', AGENT_TYPES, newAgentType('no-secret', withProvider))).status).toBe(201);
  const agentType = await waitFor('status Failed', 60, async () => {
    const at = await getJson(`${AGENT_TYPES}/no-secret`);
    return at?.status?.phase === 'Failed' ? at : undefined;
  }, operatorLog);
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

test('two replicas (the install renders --leader-elect): one leads and reconciles; killing it hands the Lease to the other, which reconciles', async () => {
  await operator.stop();
  const replicas = await Promise.all([0, 1].map(() => startOperator(install)));
  const logs = () => replicas.map(r => r.log()).join('\n---\n');
  try {
    const lease = `/apis/coordination.k8s.io/v1/namespaces/${OPERATOR_NS}/leases/cdk8s-agents-operator`;
    const leader = await waitFor('one replica to lead', 60, () => {
      const leading = replicas.map(r => r.log().includes(' leads (Lease'));
      return leading.filter(x => x).length === 1 ? leading.indexOf(true) : undefined;
    }, logs);
    const standby = replicas[1 - leader];
    const holder = JSON.parse((await api('GET', lease)).body).spec.holderIdentity;
    const running = (name: string) => waitFor(`${name} Running`, 90, async () =>
      (await getJson(`${AGENT_TYPES}/${name}`))?.status?.phase === 'Running' ? true : undefined, logs);
    expect((await api('POST', AGENT_TYPES, newAgentType('led-by-first', spec('registry.example.com/ha:1.0')))).status).toBe(201);
    await running('led-by-first');
    // The standby does nothing meanwhile (at debug level the leader logs every reconcile).
    expect(replicas[leader].log()).toContain('reconcile operator-agents/led-by-first');
    expect(standby.log()).not.toContain('reconcile');
    replicas[leader].child.kill('SIGKILL'); // a crash: the Lease is not given up, it expires
    await waitFor('the other replica to lead', 60, () => (standby.log().includes(' leads (Lease') ? true : undefined), standby.log);
    expect(JSON.parse((await api('GET', lease)).body).spec.holderIdentity).not.toBe(holder);
    expect((await api('POST', AGENT_TYPES, newAgentType('led-by-second', spec('registry.example.com/ha:1.0')))).status).toBe(201);
    await running('led-by-second');
  } finally {
    expect(await Promise.all(replicas.map(r => r.stop()))).toContain(0); // the surviving replica stops cleanly on SIGTERM
  }
});
