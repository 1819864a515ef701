/**
 * What the operator wants in the cluster for an AgentType: the AgentPod's
 * objects rendered from the spec, owned by the AgentType, with the checksum
 * of the Secrets the pod reads and never a Secret value.
 */
import { buildOperatorApp } from '../../examples/operator';
import { manifestProblems } from '../../src/core/manifest-check';
import { AgentTypeResource, renderAgentType, secretReferences, withSecretChecksum } from '../../src/operator/desired-state';
import { errorOf } from '../support/util';

/** The examples' AgentTypes as the API server would hand them to the operator (with a uid). */
function exampleAgentTypes(): AgentTypeResource[] {
  const app = buildOperatorApp({ outdir: '/nonexistent-examples-outdir' });
  return app.charts.flatMap(c => c.toJson()).filter(o => o.kind === 'AgentType')
    .map((o, i) => ({ ...o, metadata: { ...o.metadata, uid: `00000000-0000-0000-0000-00000000000${i}`, generation: 1 } }));
}

const SIDECAR = { toolSidecar: { image: 'ghcr.io/example/tool-manager:1.0' } };
const owned = (objects: any[]) => objects.map(o => o.metadata.ownerReferences);

describe('renderAgentType', () => {
  const agentTypes = exampleAgentTypes();

  test('the examples have AgentTypes to render', () => {
    expect(agentTypes.map(a => a.metadata.name).sort()).toEqual(
      ['basic-agent', 'code-agent', 'container-agent', 'full-agent', 'production-agent', 'tooled-agent']);
  });

  test.each(agentTypes.map(a => [a.metadata.name, a]))(
    '%s: the AgentPod objects, in its namespace, each owned by the AgentType, passing the final check', (name, agentType) => {
      const objects = renderAgentType(agentType as AgentTypeResource, SIDECAR);
      const deployment = objects.find(o => o.kind === 'Deployment');
      expect(deployment.metadata.name).toBe(name);
      expect(deployment.spec.template.spec.containers.map((c: any) => c.name)).toContain('agent');
      expect(new Set(objects.map(o => o.metadata.namespace))).toEqual(new Set(['agents']));
      expect(new Set(owned(objects).map(refs => JSON.stringify(refs)))).toEqual(new Set([JSON.stringify([{
        apiVersion: 'agents.example.com/v1',
        kind: 'AgentType',
        name,
        uid: (agentType as AgentTypeResource).metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      }])]));
      expect(manifestProblems(objects)).toEqual([]);
    });

  test('a spec the constructs refuse throws the message for the Failed condition, naming the field and the value', () => {
    const basic = agentTypes.find(a => a.metadata.name === 'basic-agent')!;
    const bad = { ...basic, spec: { ...basic.spec, memory: { type: 'mongo', size: '1Gi' } } } as any;
    expect(errorOf(() => renderAgentType(bad, SIDECAR))).toMatch(/spec\.memory\.type 'mongo'/);
  });

  test('spec.monitoring and spec.security of the production agent become its metrics port, ServiceMonitor and NetworkPolicy', () => {
    const production = agentTypes.find(a => a.metadata.name === 'production-agent')!;
    const objects = renderAgentType(production, SIDECAR);
    expect(objects.map(o => o.kind)).toEqual(expect.arrayContaining(['ServiceMonitor', 'NetworkPolicy', 'HorizontalPodAutoscaler']));
    expect(objects.find(o => o.kind === 'Deployment').spec.template.spec.runtimeClassName).toBe('gvisor');
  });
});

describe('Secrets of the pod', () => {
  const agentTypes = exampleAgentTypes();
  const withProviders = agentTypes.find(a => (a.spec.llm?.providers ?? []).length > 0 && !a.spec.monitoring && !a.spec.security)!;
  const objects = renderAgentType(withProviders, SIDECAR);

  test('secretReferences lists each Secret key the pod reads, once, with where it is read', () => {
    const refs = secretReferences(objects);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref.name).toMatch(/^[a-z0-9.-]+$/);
      expect(ref.usedBy).toMatch(/^(container \S+ env \S+|container \S+ envFrom|volume \S+)$/);
    }
    expect(new Set(refs.map(r => `${r.name}/${r.key}`)).size).toBe(refs.length);
    const basic = agentTypes.find(a => a.metadata.name === 'basic-agent')!;
    expect(secretReferences(renderAgentType(basic, SIDECAR))).toEqual([]);
  });

  test('withSecretChecksum annotates each pod template with a checksum that follows the data, never the data', () => {
    const secret = (value: string) => ({ namespace: 'agents', name: 'llm-keys', data: { key: Buffer.from(value).toString('base64') } });
    const one = withSecretChecksum(objects, [secret('sk-first-value-aaaaaaaaaaaaaaaa')]);
    const same = withSecretChecksum(objects, [secret('sk-first-value-aaaaaaaaaaaaaaaa')]);
    const rotated = withSecretChecksum(objects, [secret('sk-second-value-bbbbbbbbbbbbbbb')]);
    const annotation = (out: any[]) => out.find(o => o.kind === 'Deployment').spec.template.metadata.annotations['agents.cdk8s.io/secret-checksum'];
    expect(annotation(one)).toMatch(/^[0-9a-f]{64}$/);
    expect(annotation(same)).toBe(annotation(one));
    expect(annotation(rotated)).not.toBe(annotation(one));
    const text = JSON.stringify(rotated);
    expect(text).not.toContain('sk-second-value');
    expect(text).not.toContain(Buffer.from('sk-second-value-bbbbbbbbbbbbbbb').toString('base64'));
    // The input objects are left as they were.
    expect(annotation(objects)).toBeUndefined();
  });
});
