/**
 * Where the library's synth-time verdict on an AgentType (`validateAgentTypeManifest`)
 * disagreed with kube-apiserver's admission of the same object (found by the
 * generated corpus of test/integration/agent-type-crd.test.ts). The server is
 * right; each case here failed before its fix.
 */
import { validateAgentTypeManifest } from '../../src/install/agent-type-schema';

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
});
