/** Preset props whose patches the API server would refuse are refused when the preset is built. */
import { AgentTypePreset } from '../../src';
import { errorOf } from '../support/util';

describe('AgentTypePreset.custom CPU', () => {
  test.each([
    [{ cpuRequest: '1', cpuLimit: '500m' }, "cpuRequest '1' is more than cpuLimit '500m'"],
    [{ cpuRequest: '1001m', cpuLimit: '1' }, "cpuRequest '1001m' is more than cpuLimit '1'"],
    [{ cpuRequest: '-5m' }, "cpuRequest '-5m' must not be negative"],
    [{ cpuLimit: '-1' }, "cpuLimit '-1' must not be negative"],
  ])('%j is refused', (cpu, expected) => {
    expect(errorOf(() => AgentTypePreset.custom({ name: 'worker', ...cpu }))).toBe(`AgentTypePreset 'worker': ${expected}`);
  });

  test('a request equal to its limit, in other units, is accepted', () => {
    const component = AgentTypePreset.custom({ name: 'worker', cpuRequest: '1', cpuLimit: '1000m' });
    const patch = component.patches[0].content;
    expect(patch.spec.template.spec.containers[0].resources).toEqual({ requests: { cpu: '1' }, limits: { cpu: '1000m' } });
  });
});
