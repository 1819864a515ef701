/**
 * The ingress derivation as plain data: closed unless allowed, one rule per
 * allowed peer, in order.
 */
import { PolicyInput, deriveIngress } from '../../../src/agent/network-policy';
import { errorOf } from '../../support/util';

const derive = (peers: any[], input = PolicyInput.of('web')) => deriveIngress(peers, input);

test('no peers, no rules', () => {
  expect(derive([])).toEqual([]);
});

test('one rule per peer, in the order given; ports de-duplicated and sorted, or every port', () => {
  expect(derive([
    { namespaces: ['monitoring', 'gateway'], podLabels: { app: 'proxy' }, ports: [8080, 443, 8080] },
    { podLabels: { role: 'client' } },
    { cidr: '2001:DB8::/32', exceptCidrs: ['2001:db8:1::/48'], ports: [8080] },
    { namespaces: ['ops'] },
  ])).toEqual([
    {
      peer: { type: 'pods', namespaces: ['monitoring', 'gateway'], labels: { app: 'proxy' } },
      ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 8080 }],
    },
    { peer: { type: 'pods', namespaces: [], labels: { role: 'client' } }, ports: undefined },
    { peer: { type: 'ipBlock', cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] }, ports: [{ protocol: 'TCP', port: 8080 }] },
    { peer: { type: 'pods', namespaces: ['ops'], labels: {} }, ports: undefined },
  ]);
});

test('bad peers are refused with the field and the value', () => {
  expect(errorOf(() => derive([{ podLabels: { a: 'b' } }, { cidr: '10.0.0.0/8', exceptCidrs: ['10.0.0.0/8'] }])))
    .toBe('NetworkPolicy \'web\': allowIngressFrom[1].exceptCidrs[0] \'10.0.0.0/8\' is not strictly inside cidr \'10.0.0.0/8\'');
  expect(errorOf(() => derive([{ podLabels: { a: 'b' }, exceptCidrs: ['10.1.0.0/16'] }])))
    .toBe('NetworkPolicy \'web\': allowIngressFrom[0].exceptCidrs \'["10.1.0.0/16"]\' is only allowed with cidr');
  expect(errorOf(() => derive([{ cidr: '10.0.0.0/8', namespaces: ['a'] }])))
    .toMatch(/^NetworkPolicy 'web': allowIngressFrom\[0\] '.*' must give either cidr, or namespaces and\/or podLabels/);
  expect(errorOf(() => derive([{ podLabels: { 'a/b/c': 'x' } }], PolicyInput.of('web', 'app/web'))))
    .toMatch(/^AgentPod 'app\/web': networkPolicy.allowIngressFrom\[0\].podLabels key 'a\/b\/c' is not a valid label key/);
});
