/**
 * The operator in cluster-wide mode (`AgentOperator({ clusterWide: true })`:
 * an empty WATCH_NAMESPACE and a ClusterRole), run with the args, env and
 * ServiceAccount identity that install renders: it reconciles AgentTypes in
 * every namespace, of its own API group only.
 */
import { api, waitFor } from './support/cluster';
import { OperatorProcess, installOperator, startOperator } from './support/operator-process';
import { AgentNamespace } from '../../src/install/agent-namespace';

const GROUP = 'agents.cluster-wide.test';
const NAMESPACES = ['cluster-wide-a', 'cluster-wide-b'];
const OPERATOR_NS = 'cluster-wide-system';
let operator: OperatorProcess;
let crdName: string;

beforeAll(async () => {
  const install = await installOperator({ name: 'cluster-operator', namespaceName: OPERATOR_NS, clusterWide: true, group: GROUP }, chart => {
    NAMESPACES.forEach(name => new AgentNamespace(chart, name, { name }));
  });
  crdName = install.crd.crdName;
  expect(install.container.env.find((e: any) => e.name === 'WATCH_NAMESPACE').value).toBe('');
  operator = await startOperator(install);
  await operator.started();
});

afterAll(async () => {
  expect(await operator?.stop()).toBe(0);
  for (const ns of [...NAMESPACES, OPERATOR_NS]) await api('DELETE', `/api/v1/namespaces/${ns}`);
  await api('DELETE', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crdName}`);
});

test('an empty WATCH_NAMESPACE: AgentTypes of its group in every namespace become running agents', async () => {
  expect(operator.log()).toContain('watching every namespace');
  for (const ns of NAMESPACES) {
    const response = await api('POST', `/apis/${GROUP}/v1/namespaces/${ns}/agenttypes`, {
      apiVersion: `${GROUP}/v1`,
      kind: 'AgentType',
      metadata: { name: `agent-in-${ns}` },
      spec: { agent: { name: 'agent', type: 'container', container: { image: 'registry.example.com/hello:1.0' } } },
    });
    expect(response.status).toBe(201);
  }
  for (const ns of NAMESPACES) {
    const agentType = await waitFor(`agent-in-${ns} Running`, 90, async () => {
      const at = JSON.parse((await api('GET', `/apis/${GROUP}/v1/namespaces/${ns}/agenttypes/agent-in-${ns}`)).body);
      return at.status?.phase === 'Running' ? at : undefined;
    }, operator.log);
    const deployment = JSON.parse((await api('GET', `/apis/apps/v1/namespaces/${ns}/deployments/agent-in-${ns}`)).body);
    expect(deployment.metadata.ownerReferences).toEqual([expect.objectContaining({ apiVersion: `${GROUP}/v1`, uid: agentType.metadata.uid, controller: true })]);
  }
});
