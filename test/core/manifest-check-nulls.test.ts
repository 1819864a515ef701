/**
 * The final check agrees with the API server on a `null` label or annotation
 * value (found by the AgentType corpus of test/integration/agent-type-crd.test.ts):
 * the server decodes it as the empty string, a valid value, and accepts it.
 */
import { manifestProblems } from '../../src/core/manifest-check';

const configMap = (metadata: any): any => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', ...metadata }, data: {} });

describe('manifestProblems: null label and annotation values', () => {
  test('a null label or annotation value is the empty string: no problem', () => {
    expect(manifestProblems([configMap({ labels: { tier: null }, annotations: { note: null } })])).toEqual([]);
  });

  test('other non-string values are still refused', () => {
    expect(manifestProblems([configMap({ labels: { tier: 7 }, annotations: { note: true } })])).toEqual([
      expect.stringContaining('metadata.labels[\'tier\']'),
      expect.stringContaining('metadata.annotations[\'note\'] \'true\' is not a string'),
    ]);
  });
});
