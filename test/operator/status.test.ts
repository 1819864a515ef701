/**
 * The AgentType status the operator writes: phase, observedGeneration,
 * Reconciled and Ready conditions (metav1.Condition) whose transition time
 * holds while their status holds, and what was rendered.
 */
import { AgentTypeSpec } from '../../src/install/agent-type';
import { agentTypeStatus, ReconcileOutcome } from '../../src/operator/status';

const T0 = '2026-12-01T10:00:00Z';
const T1 = '2026-12-01T10:05:00Z';
const SPEC: AgentTypeSpec = {
  agent: { name: 'agent', sourceType: 'container', container: { image: 'agent:1' } },
  tools: { required: ['git'], optional: ['kubectl'], custom: [{ name: 'scan', source: 'https://example.com/scan', version: '1' }] },
  memory: { backendType: 'inmemory', size: '512Mi' },
  llm: { providers: [{ name: 'primary', providerType: 'anthropic', credentialsSecret: 'llm-keys', config: { model: 'claude-x' } }, { name: 'backup', providerType: 'openai', credentialsSecret: 'llm-keys' }] },
};

/** A Deployment at generation 3 with the given status. */
const deployment = (status: any, replicas = 2) => ({ metadata: { generation: 3 }, spec: { replicas }, status });
const AVAILABLE = { observedGeneration: 3, updatedReplicas: 2, availableReplicas: 2, conditions: [{ type: 'Available', status: 'True' }] };
const applied = (d?: any): ReconcileOutcome => ({ applied: true, spec: SPEC, deployment: d });

test('applied, Deployment Available for its generation: Running, Reconciled and Ready True', () => {
  const status = agentTypeStatus(applied(deployment(AVAILABLE)), 7, undefined, T0);
  expect(status.phase).toBe('Running');
  expect(status.observedGeneration).toBe(7);
  expect(status.conditions).toEqual([
    { type: 'Reconciled', status: 'True', observedGeneration: 7, lastTransitionTime: T0, reason: 'Applied', message: 'every object of the agent is applied' },
    { type: 'Ready', status: 'True', observedGeneration: 7, lastTransitionTime: T0, reason: 'DeploymentAvailable', message: '2/2 replicas available' },
  ]);
});

test('applied, Deployment not there, behind, or not yet available: Pending, Ready False with why', () => {
  const cases: Array<[any, string]> = [
    [undefined, 'DeploymentNotFound'],
    [deployment({ ...AVAILABLE, observedGeneration: 2 }), 'DeploymentProgressing'],
    [deployment({ observedGeneration: 3, updatedReplicas: 2, availableReplicas: 0, conditions: [{ type: 'Available', status: 'False' }] }), 'DeploymentProgressing'],
    [deployment({ ...AVAILABLE, updatedReplicas: 1 }), 'DeploymentProgressing'],
  ];
  for (const [d, reason] of cases) {
    const status = agentTypeStatus(applied(d), 1, undefined, T0);
    expect(status.phase).toBe('Pending');
    expect(status.conditions.find(c => c.type === 'Ready')).toMatchObject({ status: 'False', reason });
    expect(status.conditions.find(c => c.type === 'Reconciled')).toMatchObject({ status: 'True' });
  }
});

test('failed: Failed with the message, both conditions False with the reason, nothing rendered reported', () => {
  const message = "AgentPod 'agent-type/a': spec.memory.type 'mongo' must be one of: redis, inmemory";
  const status = agentTypeStatus({ applied: false, reason: 'InvalidSpec', message }, 2, undefined, T0);
  expect(status).toMatchObject({ phase: 'Failed', message, observedGeneration: 2 });
  expect(status.conditions.map(c => [c.type, c.status, c.reason])).toEqual([['Reconciled', 'False', 'InvalidSpec'], ['Ready', 'False', 'InvalidSpec']]);
  expect(status.conditions[0].message).toBe(message);
  expect(status.toolStatus).toBeUndefined();
});

test('a condition keeps its transition time while its status holds, so an unchanged AgentType gives an equal status', () => {
  const first = agentTypeStatus(applied(deployment(AVAILABLE)), 1, undefined, T0);
  const again = agentTypeStatus(applied(deployment(AVAILABLE)), 1, first, T1);
  expect(again).toEqual(first);
  // Ready turns False: only Ready moves its time.
  const degraded = agentTypeStatus(applied(deployment({ ...AVAILABLE, conditions: [{ type: 'Available', status: 'False' }] })), 1, again, T1);
  expect(degraded.conditions.find(c => c.type === 'Ready')!.lastTransitionTime).toBe(T1);
  expect(degraded.conditions.find(c => c.type === 'Reconciled')!.lastTransitionTime).toBe(T0);
});

test('toolStatus, memoryStatus and llmStatus say what was rendered, providers in fallback order, no Secret name', () => {
  const status = agentTypeStatus(applied(deployment(AVAILABLE)), 1, undefined, T0);
  expect(status.toolStatus).toEqual({ required: ['git'], optional: ['kubectl'], custom: ['scan'] });
  expect(status.memoryStatus).toEqual({ type: 'inmemory', size: '512Mi' });
  expect(status.llmStatus).toEqual({
    providers: [{ name: 'primary', type: 'anthropic', model: 'claude-x' }, { name: 'backup', type: 'openai' }],
    fallbackOrder: ['primary', 'backup'],
  });
  expect(JSON.stringify(status)).not.toContain('llm-keys');
});
