/**
 * The two example apps declare the same agents two ways: the GitOps app as
 * AgentPods, the operator app as AgentType resources. What the operator
 * renders for each AgentType (`renderAgentType`, with the options its
 * Deployment gives it) must be the GitOps app's objects for that agent, but
 * for the owner reference the operator adds: no drift between the two ways.
 */
import { Testing } from 'cdk8s';
import { AGENTS_NAMESPACE, EXAMPLE_AGENTS, GATEWAY_IMAGE } from '../../examples/app';
import { buildGitOpsApp } from '../../examples/gitops';
import { buildOperatorApp } from '../../examples/operator';
import { AgentTypeResource, renderAgentType } from '../../src/operator/desired-state';

const gitops = buildGitOpsApp({ outdir: '/nonexistent-examples-outdir' }).charts.flatMap(c => c.toJson());
const operatorApp = buildOperatorApp({ outdir: '/nonexistent-examples-outdir' }).charts.flatMap(c => c.toJson());

/**
 * The objects with the value of each `cdk8s.io/metadata.addr` label (which
 * cdk8s-plus puts on a pod template, and a Service of the workload selects
 * by, from the construct path: the chart ids differ between the apps and the
 * operator) replaced by `<construct address>`, after checking that it
 * identifies a pod template of these objects.
 */
function withoutConstructAddresses(objects: any[]): any[] {
  const addresses = objects.map(o => o.spec?.template?.metadata?.labels?.['cdk8s.io/metadata.addr']).filter(a => a);
  let text = JSON.stringify(objects);
  for (const address of addresses) {
    expect(address).toMatch(/-(Deployment|StatefulSet)-[0-9a-f]{8}$/);
    text = text.split(`"${address}"`).join('"<construct address>"');
  }
  expect(text).not.toMatch(/"cdk8s\.io\/metadata\.addr":"(?!<construct address>)/);
  return JSON.parse(text);
}

const key = (o: any) => `${o.apiVersion}/${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;
const byKey = (objects: any[]) => Object.fromEntries(withoutConstructAddresses(objects).map(o => [key(o), o]));

/** The objects of the GitOps app for one agent (its `app.kubernetes.io/instance`). */
const gitopsObjectsOf = (name: string) => gitops.filter(o => o.metadata.labels?.['app.kubernetes.io/instance'] === name);

/** The operator's options, read from its Deployment's arguments (as main.ts reads them). */
function operatorOptions(): { toolSidecar?: { image: string } } {
  const manager = operatorApp.find(o => o.kind === 'Deployment' && o.metadata.name === 'agent-operator').spec.template.spec.containers[0];
  const image = manager.args.find((a: string) => a.startsWith('--tool-sidecar-image='))?.split('=')[1];
  return image ? { toolSidecar: { image } } : {};
}

/** An AgentType of the operator app as the API server hands it to the operator. */
function resource(name: string): AgentTypeResource {
  const agentType = operatorApp.find(o => o.kind === 'AgentType' && o.metadata.name === name);
  return { ...agentType, metadata: { ...agentType.metadata, uid: `uid-${name}`, generation: 1 } };
}

test('each app declares the six agents once: the GitOps app as workloads, the operator app as AgentTypes', () => {
  expect(gitops.filter(o => o.kind === 'AgentType')).toEqual([]);
  expect(gitops.filter(o => o.kind === 'CustomResourceDefinition')).toEqual([]);
  expect(gitops.filter(o => o.kind === 'Deployment').map(o => o.metadata.name)).toEqual(EXAMPLE_AGENTS);
  expect(operatorApp.filter(o => o.kind === 'AgentType').map(o => o.metadata.name)).toEqual(EXAMPLE_AGENTS);
  expect(operatorApp.filter(o => o.kind === 'Deployment').map(o => o.metadata.name)).toEqual(['agent-operator']);
  expect(operatorOptions()).toEqual({ toolSidecar: { image: GATEWAY_IMAGE } });
});

describe('the operator renders each AgentType into the GitOps app\'s objects for that agent', () => {
  test.each(EXAMPLE_AGENTS)('%s', (name) => {
    const agentType = resource(name);
    const rendered = renderAgentType(agentType, operatorOptions());
    // What the operator adds: the owner reference to the AgentType, on every object.
    for (const o of rendered) {
      expect(o.metadata.ownerReferences).toEqual([{
        apiVersion: 'agents.example.com/v1', kind: 'AgentType', name, uid: `uid-${name}`, controller: true, blockOwnerDeletion: true,
      }]);
    }
    const withoutOwner = rendered.map(({ metadata: { ownerReferences, ...metadata }, ...rest }) => ({ ...rest, metadata }));
    const expected = gitopsObjectsOf(name);
    expect(expected.length).toBeGreaterThanOrEqual(4);
    expect(Object.keys(byKey(withoutOwner)).sort()).toEqual(Object.keys(byKey(expected)).sort());
    expect(byKey(withoutOwner)).toEqual(byKey(expected));
  });

  test('the production agent: monitoring and security of the AgentType reach the workload', () => {
    const rendered = byKey(renderAgentType(resource('production-agent'), operatorOptions()));
    const deployment = rendered[`apps/v1/Deployment/${AGENTS_NAMESPACE}/production-agent`];
    const pod = deployment.spec.template.spec;
    const agent = pod.containers.find((c: any) => c.name === 'agent');
    expect(agent.ports).toEqual([{ containerPort: 8080, name: 'http' }, { containerPort: 9464, name: 'metrics' }]);
    expect(agent.env).toContainEqual({ name: 'AGENT_METRICS', value: 'memory_usage,api_latency' });
    expect(pod.runtimeClassName).toBe('gvisor');
    expect(rendered[`monitoring.coreos.com/v1/ServiceMonitor/${AGENTS_NAMESPACE}/production-agent`].spec.endpoints[0].port).toBe('metrics');
    const policy = rendered[`networking.k8s.io/v1/NetworkPolicy/${AGENTS_NAMESPACE}/production-agent`];
    expect(policy.spec.ingress).toEqual([
      {
        from: ['default', 'monitoring'].map(ns => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } }, podSelector: {} })),
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: {} }], ports: [{ port: 9464, protocol: 'TCP' }] },
    ]);
    expect(rendered[`autoscaling/v2/HorizontalPodAutoscaler/${AGENTS_NAMESPACE}/production-agent`].spec).toMatchObject({ minReplicas: 2, maxReplicas: 5 });
  });
});

test('both apps deploy the same Redis for the production agent, letting in its pods', () => {
  const redisOf = (objects: any[]) => objects.filter(o => o.metadata.labels?.['app.kubernetes.io/instance'] === 'agent-memory');
  expect(redisOf(gitops).map(o => o.kind).sort()).toEqual(expect.arrayContaining(['NetworkPolicy', 'Service', 'StatefulSet']));
  expect(byKey(redisOf(operatorApp))).toEqual(byKey(redisOf(gitops)));
  const policy = redisOf(gitops).find(o => o.kind === 'NetworkPolicy');
  const selector = gitops.find(o => o.kind === 'Deployment' && o.metadata.name === 'production-agent').spec.selector.matchLabels;
  expect(policy.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: selector } }], ports: [{ port: 6379, protocol: 'TCP' }] }]);
});

test('a drift is caught: an AgentType that differs from its AgentPod renders other objects', () => {
  const agentType = resource('basic-agent');
  const changed = { ...agentType, spec: { ...agentType.spec, agent: { container: { image: 'nginx:1.27', command: ['nginx', '-g', 'daemon off;'] } } } };
  expect(byKey(renderAgentType(changed, operatorOptions()).map(({ metadata: { ownerReferences, ...metadata }, ...rest }) => ({ ...rest, metadata }))))
    .not.toEqual(byKey(gitopsObjectsOf('basic-agent')));
  // The whole synthesized operator app is valid output (the AgentType schema checks run at synth).
  expect(() => Testing.synth(buildOperatorApp({ outdir: '/nonexistent-examples-outdir' }).charts[1])).not.toThrow();
});
