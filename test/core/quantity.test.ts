/**
 * The one quantity rule: exact comparison (a request above its limit is
 * refused as the API server does) and no negative amounts.
 */
import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import {
  checkContainerResources, checkQuantity, checkRequestWithinLimit, compareQuantities,
} from '../../src/core/quantity';
import { errorOf } from '../support/util';

describe('compareQuantities', () => {
  test.each([
    ['1', '1000m', 0],
    ['0.5', '500m', 0],
    ['1k', '1000', 0],
    ['1e3', '1k', 0],
    ['1Ki', '1024', 0],
    ['1Gi', '1G', 1],
    ['1Mi', '1049k', -1],
    ['1', '500m', 1],
    ['250m', '0.25001', -1],
    ['-1', '0', -1],
    ['-2', '-1', -1],
    ['0', '-0', 0],
    ['.5', '0.5', 0],
    ['+1', '1', 0],
    ['1E-3', '1m', 0],
    ['1n', '0.000000001', 0],
    ['1u', '1000n', 0],
    ['1Ei', '1E', 1],
    ['123456789012345678901234567890', '123456789012345678901234567891', -1],
    ['1e400', '9e399', 1],
  ])('%s vs %s is %d', (a, b, expected) => {
    expect(Math.sign(compareQuantities(a, b))).toBe(expected);
    expect(Math.sign(compareQuantities(b, a))).toBe(-expected || 0);
  });
});

describe('checkQuantity', () => {
  test.each(['-5m', '-1', '-0.5Gi', '-1e3', '-0'])('refuses the negative %s', value => {
    expect(errorOf(() => checkQuantity('K', 'p', 'cpu', value))).toBe(`K 'p': cpu '${value}' must not be negative`);
  });
  test.each(['0', '250m', '1.5', '8Gi', '+1'])('accepts %s', value => {
    expect(checkQuantity('K', 'p', 'cpu', value)).toBe(value);
  });
});

describe('checkRequestWithinLimit', () => {
  test('a request above its limit is refused, equal ones pass', () => {
    expect(errorOf(() => checkRequestWithinLimit('K', 'p', 'cpuRequest', '1', 'cpuLimit', '500m')))
      .toBe("K 'p': cpuRequest '1' is more than cpuLimit '500m'");
    expect(() => checkRequestWithinLimit('K', 'p', 'cpuRequest', '1', 'cpuLimit', '1000m')).not.toThrow();
  });
});

describe('checkContainerResources (cdk8s-plus ContainerResources)', () => {
  const check = (resources: any) => errorOf(() => checkContainerResources('K', 'p', 'resources', resources));
  test('negative and invalid CPU amounts are refused', () => {
    expect(check({ cpu: { request: Cpu.millis(-5) } })).toBe("K 'p': resources.cpu.request '-5m' must not be negative");
    expect(check({ cpu: { limit: Cpu.units(NaN) } })).toContain("resources.cpu.limit 'NaN' is not a Kubernetes quantity");
  });
  test('a request above its limit is refused for cpu, memory and ephemeral storage', () => {
    expect(check({ cpu: { request: Cpu.units(2), limit: Cpu.millis(500) } }))
      .toBe("K 'p': resources.cpu.request '2' is more than resources.cpu.limit '500m'");
    expect(check({ memory: { request: Size.gibibytes(1), limit: Size.mebibytes(512) } }))
      .toBe("K 'p': resources.memory.request '1024Mi' is more than resources.memory.limit '512Mi'");
    expect(check({ ephemeralStorage: { request: Size.gibibytes(2), limit: Size.gibibytes(1) } }))
      .toContain('resources.ephemeralStorage.request');
  });
  test('valid resources are returned as they are', () => {
    const resources = {
      cpu: { request: Cpu.millis(100), limit: Cpu.millis(100) },
      memory: { request: Size.mebibytes(128), limit: Size.gibibytes(1) },
    };
    expect(checkContainerResources('K', 'p', 'resources', resources)).toBe(resources);
  });
});
