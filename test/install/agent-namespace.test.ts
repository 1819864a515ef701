/** AgentNamespace: Pod Security Admission labels, ResourceQuota and LimitRange. */
import { Chart, Testing } from 'cdk8s';
import { AgentNamespace, PodSecurityLevel } from '../../src';
import { errorOf, findObject } from '../support/util';

function synth(props: any = {}): any[] {
  const chart = Testing.chart();
  new AgentNamespace(chart, 'agents', props);
  return Testing.synth(chart);
}

function validate(o: any): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Cls = require(`kubernetes-models/${o.apiVersion}`)[o.kind];
  expect(() => new Cls(o).validate()).not.toThrow();
}

test('restricted Pod Security Admission by default, and nothing else', () => {
  const out = synth();
  expect(out.map(o => o.kind)).toEqual(['Namespace']);
  expect(out[0].metadata.labels).toMatchObject({
    'pod-security.kubernetes.io/enforce': 'restricted',
    'pod-security.kubernetes.io/enforce-version': 'latest',
    'pod-security.kubernetes.io/audit': 'restricted',
    'pod-security.kubernetes.io/warn': 'restricted',
  });
  expect(out[0].metadata.namespace).toBeUndefined();
  out.forEach(validate);
});

test('quota and limits', () => {
  const out = synth({
    name: 'agents-prod',
    podSecurity: PodSecurityLevel.BASELINE,
    quota: { requestsCpu: '8', requestsMemory: '16Gi', limitsMemory: '32Gi', pods: 40, persistentVolumeClaims: 5 },
    limits: { defaultRequestCpu: '100m', defaultRequestMemory: '256Mi', defaultLimitMemory: '512Mi', maxMemory: '8Gi' },
  });
  expect(findObject(out, 'Namespace', 'agents-prod').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('baseline');
  const quota = findObject(out, 'ResourceQuota', 'agents-prod-quota');
  expect(quota.metadata.namespace).toBe('agents-prod');
  expect(quota.spec.hard).toEqual({ 'requests.cpu': '8', 'requests.memory': '16Gi', 'limits.memory': '32Gi', 'pods': '40', 'persistentvolumeclaims': '5' });
  const limits = findObject(out, 'LimitRange', 'agents-prod-limits');
  expect(limits.spec.limits).toEqual([{ type: 'Container', defaultRequest: { cpu: '100m', memory: '256Mi' }, default: { memory: '512Mi' }, max: { memory: '8Gi' } }]);
  out.forEach(validate);
});

test.each([
  [{ quota: { requestsMemory: '16GB' } }, "AgentNamespace 'test/agents': quota.requestsMemory '16GB' is not a Kubernetes quantity"],
  [{ quota: { pods: -1 } }, "AgentNamespace 'test/agents': quota.pods '-1' must be an integer >= 0"],
  [{ quota: {} }, "AgentNamespace 'test/agents': quota '{}' limits nothing"],
  [{ limits: {} }, "AgentNamespace 'test/agents': limits '{}' sets nothing"],
  [{ name: 'Agents' }, "AgentNamespace 'test/agents': name 'Agents' is not a valid RFC 1123 label"],
  [{ podSecurity: 'strict' }, "AgentNamespace 'test/agents': podSecurity 'strict' is not a Pod Security Standards level (privileged, baseline, restricted)"],
])('refuses %j', (props, message) => {
  expect(errorOf(() => synth(props))).toContain(message);
});

test('a bad prop throws before any child is created: nothing half-written', () => {
  const chart = Testing.chart();
  expect(() => new AgentNamespace(chart, 'agents', { quota: { pods: 4 }, limits: { maxMemory: '8GB' } })).toThrow("limits.maxMemory '8GB'");
  expect(chart.node.findChild('agents').node.children).toEqual([]);
  expect(Testing.synth(chart)).toEqual([]);
});

test('in a chart with a namespace, the Namespace carries none; quota and limits stay in the agent namespace', () => {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'chart-ns' });
  new AgentNamespace(chart, 'agents', { quota: { pods: 4 }, limits: { maxMemory: '8Gi' } });
  const out = Testing.synth(chart);
  expect(out.map(o => [o.kind, o.metadata.namespace])).toEqual([
    ['Namespace', undefined],
    ['ResourceQuota', 'agents'],
    ['LimitRange', 'agents'],
  ]);
  out.forEach(validate);
});
