/**
 * The status the operator computes (src/operator/status.ts) is what the real
 * API server takes through the AgentType's status subresource, with strict
 * field validation: Running, Pending and Failed, read back unchanged.
 */
import { App, Chart } from 'cdk8s';
import { api, kubectlOk, waitFor } from './support/cluster';
import type { AgentTypeSpec } from '../../src/install/agent-type';
import { AgentTypeCrd } from '../../src/install/agent-type-crd';
import { agentTypeSpecFromJson } from '../../src/install/agent-type-json';
import { DEFAULT_GROUP } from '../../src/install/agent-type-schema';
import { agentTypeStatus, ReconcileOutcome } from '../../src/operator/status';

const NAMESPACE = 'agent-type-status';
const BASE = `/apis/${DEFAULT_GROUP}/v1/namespaces/${NAMESPACE}/agenttypes`;
const SPEC = {
  agent: { name: 'agent', type: 'container', container: { image: 'registry.example.com/agent:1.0' } },
  tools: { required: ['git'] },
  memory: { type: 'inmemory', size: '512Mi' },
  llm: { providers: [{ name: 'primary', type: 'anthropic', credentialsSecret: 'llm-keys', config: { model: 'claude-x' } }] },
};

beforeAll(async () => {
  const chart = new Chart(new App(), 'crd');
  const crd = new AgentTypeCrd(chart, 'Crd');
  kubectlOk(['apply', '--server-side', '-f', '-'], JSON.stringify(chart.toJson()[0]));
  await waitFor('the AgentType CRD to be established', 60, async () => {
    const response = await api('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.crdName}`);
    return (JSON.parse(response.body).status?.conditions ?? []).some((c: any) => c.type === 'Established' && c.status === 'True') ? true : undefined;
  });
  await api('POST', '/api/v1/namespaces', { metadata: { name: NAMESPACE } });
  const created = await api('POST', BASE, { apiVersion: `${DEFAULT_GROUP}/v1`, kind: 'AgentType', metadata: { name: 'status-agent' }, spec: SPEC });
  expect(created.status).toBe(201);
});

afterAll(async () => {
  await api('DELETE', `/api/v1/namespaces/${NAMESPACE}`);
});

const deployment = { metadata: { generation: 1 }, spec: { replicas: 1 }, status: { observedGeneration: 1, updatedReplicas: 1, availableReplicas: 1, conditions: [{ type: 'Available', status: 'True' }] } };
/** The spec as the operator reads it: the structs of the AgentType's JSON. */
const READ = agentTypeSpecFromJson<AgentTypeSpec>(SPEC, 'AgentType');
const OUTCOMES: Array<[string, ReconcileOutcome]> = [
  ['Running', { applied: true, spec: READ, deployment }],
  ['Pending', { applied: true, spec: READ }],
  ['Failed', { applied: false, reason: 'SecretNotFound', message: "Secret 'agent-type-status/llm-keys' (container tool-manager env ANTHROPIC_API_KEY) does not exist" }],
];

test.each(OUTCOMES)('%s: the computed status is accepted through the status subresource and reads back unchanged', async (phase, outcome) => {
  const current = JSON.parse((await api('GET', `${BASE}/status-agent`)).body);
  const status = agentTypeStatus(outcome, current.metadata.generation, current.status, '2026-12-01T10:00:00Z');
  expect(status.phase).toBe(phase);
  // what was rendered, under the status schema's names (`type`)
  if (outcome.applied) {
    expect([status.memoryStatus?.type, (status.llmStatus?.providers as any[]).map(p => p.type)]).toEqual(['inmemory', ['anthropic']]);
  }
  const response = await api('PUT', `${BASE}/status-agent/status?fieldValidation=Strict`, { ...current, status });
  expect({ code: response.status, body: response.status === 200 ? '' : response.body }).toEqual({ code: 200, body: '' });
  const stored = JSON.parse(response.body);
  expect(stored.status).toEqual(JSON.parse(JSON.stringify(status)));
  expect(stored.status.observedGeneration).toBe(current.metadata.generation);
});
