/**
 * Where the library's synth-time verdict on an AgentType (`validateAgentTypeManifest`)
 * disagreed with kube-apiserver's admission of the same object (found by the
 * generated corpus of test/integration/agent-type-crd.test.ts). The server is
 * right; each case here failed before its fix.
 */
import { isKubernetesDateTime, validateAgentTypeManifest } from '../../src/install/agent-type-schema';

const manifest = (spec: any, extra: any = {}): any => ({
  apiVersion: 'agents.example.com/v1', kind: 'AgentType', metadata: { name: 'a' }, spec, ...extra,
});

/** A copy of a JSON value whose objects have no prototype, as fast-check's records and some YAML parsers make them. */
function nullPrototype(value: any): any {
  if (Array.isArray(value)) return value.map(nullPrototype);
  if (value === null || typeof value !== 'object') return value;
  const out = Object.create(null);
  for (const [k, v] of Object.entries(value)) out[k] = nullPrototype(v);
  return out;
}

describe('validateAgentTypeManifest agrees with the API server', () => {
  test('objects without a prototype are checked against the CEL rules like any JSON (the server accepts them)', () => {
    const ok = manifest({ agent: { type: 'code', code: { runtime: 'python' } }, scaling: { minReplicas: 1, maxReplicas: 2 } });
    expect(validateAgentTypeManifest(nullPrototype(ok))).toEqual([]);
    const bad = manifest({ agent: { type: 'code', image: 'nginx:1.27' }, scaling: { minReplicas: 3, maxReplicas: 2 } });
    expect(validateAgentTypeManifest(nullPrototype(bad))).toEqual([
      expect.stringContaining('fails rule "!has(self.type) || self.type != \'code\' || has(self.code)"'),
      expect.stringContaining('scaling.minReplicas must not be greater than scaling.maxReplicas'),
    ]);
  });

  test('a null under a declared field is dropped before validation, as the server prunes it (or defaulted)', () => {
    const spec = {
      agent: { image: 'nginx:1.27', name: null, type: null, container: null, environment: { variables: [{ name: 'LOG_LEVEL', value: null }], sdk: null } },
      tools: null,
      memory: { size: null, type: null, config: null },
      scaling: { minReplicas: null, maxReplicas: 2, metrics: null },
      monitoring: { enabled: null },
    };
    expect(validateAgentTypeManifest(manifest(spec))).toEqual([]);
    expect(validateAgentTypeManifest(manifest({ agent: { image: 'nginx:1.27' } }, { status: { phase: null, conditions: null } }))).toEqual([]);
    // the rules see the pruned object: a null type is no type
    expect(validateAgentTypeManifest(manifest({ agent: { image: 'nginx:1.27', type: null, code: null } }))).toEqual([]);
  });

  test('a null the server keeps is still refused: a list item, a required field, an unknown field', () => {
    expect(validateAgentTypeManifest(manifest({ agent: { image: 'nginx:1.27', environment: { variables: [null] } } })))
      .toEqual(['spec.agent.environment.variables[0] \'null\' must be object']);
    expect(validateAgentTypeManifest(manifest({ agent: null }))).toEqual(['spec.agent is required but missing']);
    expect(validateAgentTypeManifest(manifest({ agent: { image: 'nginx:1.27', bogus: null } })))
      .toEqual(['spec.agent.bogus \'null\' is not a field of the AgentType schema']);
    // a null name of a map-list entry is pruned: then the key is missing
    expect(validateAgentTypeManifest(manifest({ agent: { image: 'nginx:1.27' }, llm: { providers: [{ name: null }] } })))
      .toEqual(['spec.llm.providers[0].name is required but missing']);
  });

  test('metadata holds only ObjectMeta fields of their JSON types (strict field validation refuses others)', () => {
    expect(validateAgentTypeManifest(manifest({ agent: { image: 'nginx:1.27' } }, { metadata: { name: 'a', bogusField: 'x' } })))
      .toEqual(['metadata.bogusField \'x\' is not a field of the AgentType schema']);
    expect(validateAgentTypeManifest(manifest({ agent: { image: 'nginx:1.27' } }, { metadata: { name: 'a', labels: { tier: 1 } } })))
      .toEqual(['metadata.labels.tier \'1\' must be string']);
    const full = {
      name: 'a',
      namespace: 'ns',
      labels: { tier: 'web' },
      annotations: { note: 'x' },
      finalizers: ['example.com/f'],
      generation: 2,
      resourceVersion: '12',
      uid: 'u',
      creationTimestamp: null,
      ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'o', uid: 'u2' }],
    };
    expect(validateAgentTypeManifest(manifest({ agent: { image: 'nginx:1.27' } }, { metadata: full }))).toEqual([]);
  });

  test('format date-time is kube-openapi\'s: real dates, hours to 23, and its looser time part', () => {
    const accepted = [
      '2024-01-02T03:04:05Z', '2024-01-02t03:04:05z', '2024-02-29T00:00:00+01:00', '2024-01-02T03:04:05.123456789Z',
      '2024-01-02T03:04:05,5Z', '2024-01-02T03:04:05:5Z', '2024-01-02T03:04:05+25:00', '2024-01-02T03:04:05ZTtrailing', '0000-01-01T00:00:00Z',
    ];
    const refused = [
      '2024-01-02T24:00:00Z', '2024-02-30T00:00:00Z', '2023-02-29T00:00:00Z', '2024-13-01T00:00:00Z', '2024-00-10T00:00:00Z', '2024-01-00T00:00:00Z',
      '2024-01-02T23:60:00Z', '2024-01-02T23:59:60Z', '2024-01-02T03:04:05', '2024-01-02 03:04:05Z', '2024-01-02T03:04:05+0100', '2024-1-2T03:04:05Z', '',
    ];
    expect(accepted.filter((s) => !isKubernetesDateTime(s))).toEqual([]);
    expect(refused.filter((s) => isKubernetesDateTime(s))).toEqual([]);
    const status = (t: string) => manifest({ agent: { image: 'nginx:1.27' } }, { status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: t }] } });
    expect(validateAgentTypeManifest(status('2024-01-02T03:04:05+25:00'))).toEqual([]);
    expect(validateAgentTypeManifest(status('2024-02-30T00:00:00Z'))).toEqual([
      'status.conditions[0].lastTransitionTime \'2024-02-30T00:00:00Z\' must be an RFC 3339 date-time, e.g. \'2024-01-02T03:04:05Z\'',
    ]);
  });
});
