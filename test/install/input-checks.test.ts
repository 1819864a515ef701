/**
 * AgentOperator and AgentType props the API server or the kubelet would
 * refuse are refused at construction; AgentType always renders a name.
 */
import { ApiObject, Chart, Size, Testing } from 'cdk8s';
import { Cpu, ImagePullPolicy } from 'cdk8s-plus-28';
import { AgentNamespace, AgentNamespaceProps, AgentOperator, AgentOperatorProps, AgentType } from '../../src';
import { agentTypeSpecToJson } from '../../src/install/agent-type-json';
import { errorOf } from '../support/util';

function operatorError(props: Partial<AgentOperatorProps>): string {
  const chart = Testing.chart();
  const message = errorOf(() => new AgentOperator(chart, 'operator', { image: 'ghcr.io/acme/operator:1.0', ...props }));
  expectNothingWritten(chart);
  return message;
}

function expectNothingWritten(chart: Chart): void {
  expect(chart.node.findAll().filter(c => c instanceof ApiObject)).toHaveLength(0);
}

describe('AgentOperator', () => {
  test.each([
    [{ user: 1.5 }, "securityContext.user '1.5' is not a user or group id (an integer from 0 to 2147483647)"],
    [{ group: NaN }, "securityContext.group 'NaN' is not a user or group id (an integer from 0 to 2147483647)"],
    [{ user: 0 }, "securityContext.user '0' is root with runAsNonRoot (ensureNonRoot) true"],
  ])('securityContext %j is refused', (securityContext, expected) => {
    expect(operatorError({ securityContext })).toContain(`AgentOperator 'test/operator': ${expected}`);
  });

  test('imagePullPolicy Sometimes is refused', () => {
    expect(operatorError({ imagePullPolicy: 'Sometimes' as ImagePullPolicy }))
      .toBe("AgentOperator 'test/operator': imagePullPolicy 'Sometimes' is not an image pull policy (Always, IfNotPresent, Never)");
  });

  test('image takes the one image rule: an uppercase repository is refused', () => {
    expect(operatorError({ image: 'Acme/Operator:1' })).toContain("image 'Acme/Operator:1' is not an image reference");
  });
});

describe('AgentType metadata.name', () => {
  const spec = { agent: { image: 'agent:1.0', name: 'web' } } as any;

  test('an explicit undefined name renders the name cdk8s generates, as no metadata does', () => {
    const chart = Testing.chart();
    new AgentType(chart, 'undefined-name', { metadata: { name: undefined, labels: { team: 'a' } }, spec });
    new AgentType(chart, 'no-metadata', { spec });
    const [withUndefined, without] = Testing.synth(chart);
    expect(withUndefined.metadata.name).toMatch(/^test-undefined-name-c8[0-9a-f]+$/);
    expect(withUndefined.metadata.labels).toEqual({ team: 'a' });
    expect(without.metadata.name).toMatch(/^test-no-metadata-c8[0-9a-f]+$/);
  });

  test('a name that is not a string is refused', () => {
    const chart = Testing.chart();
    expect(errorOf(() => new AgentType(chart, 't', { metadata: { name: 15 as any }, spec })))
      .toBe("AgentType 'test/t': metadata.name '15' is not a string");
    expectNothingWritten(chart);
  });
});

describe('AgentOperator resources', () => {
  test('a negative CPU amount is refused', () => {
    expect(operatorError({ resources: { cpu: { request: Cpu.millis(-5) } } }))
      .toBe("AgentOperator 'test/operator': resources.cpu.request '-5m' must not be negative");
  });
  test('a request above its limit is refused', () => {
    expect(operatorError({ resources: { cpu: { request: Cpu.units(1), limit: Cpu.millis(500) } } }))
      .toBe("AgentOperator 'test/operator': resources.cpu.request '1' is more than resources.cpu.limit '500m'");
    expect(operatorError({ resources: { memory: { request: Size.gibibytes(1), limit: Size.mebibytes(256) } } }))
      .toBe("AgentOperator 'test/operator': resources.memory.request '1024Mi' is more than resources.memory.limit '256Mi'");
  });
});

describe('AgentNamespace quantities', () => {
  function namespaceError(props: Partial<AgentNamespaceProps>): string {
    const chart = Testing.chart();
    const message = errorOf(() => new AgentNamespace(chart, 'agents', props));
    expectNothingWritten(chart);
    return message;
  }
  test('negative quota and limit amounts are refused', () => {
    expect(namespaceError({ quota: { requestsCpu: '-1' } })).toBe("AgentNamespace 'test/agents': quota.requestsCpu '-1' must not be negative");
    expect(namespaceError({ limits: { maxMemory: '-1Gi' } })).toBe("AgentNamespace 'test/agents': limits.maxMemory '-1Gi' must not be negative");
  });
  test.each([
    [{ defaultRequestMemory: '1Gi', defaultLimitMemory: '512Mi' }, "limits.defaultRequestMemory '1Gi' is more than limits.defaultLimitMemory '512Mi'"],
    [{ defaultRequestMemory: '1Gi', maxMemory: '512Mi' }, "limits.defaultRequestMemory '1Gi' is more than limits.maxMemory '512Mi'"],
    [{ defaultLimitMemory: '2Gi', maxMemory: '1Gi' }, "limits.defaultLimitMemory '2Gi' is more than limits.maxMemory '1Gi'"],
    [{ defaultRequestCpu: '2', maxCpu: '1500m' }, "limits.defaultRequestCpu '2' is more than limits.maxCpu '1500m'"],
  ])('LimitRange %j out of order is refused', (limits, expected) => {
    expect(namespaceError({ limits })).toBe(`AgentNamespace 'test/agents': ${expected}`);
  });
});

describe('AgentType images follow the one image rule', () => {
  test.each([
    [{ agent: { image: 'Redis:7' } }, "spec.agent.image 'Redis:7' is not an image reference"],
    [{ agent: { container: { image: 'agent:1:2' } } }, "spec.agent.container.image 'agent:1:2' is not an image reference"],
    [{ agent: { code: { runtime: 'python', source: { sourceType: 'git', repository: 'https://example.com/a.git' }, image: 'Python:3.12' } } },
      "spec.agent.code.image 'Python:3.12' is not an image reference"],
  ])('%j is refused', (spec, expected) => {
    const chart = Testing.chart();
    expect(errorOf(() => new AgentType(chart, 't', { spec: spec as any }))).toContain(`AgentType 'test/t': ${expected}`);
    expectNothingWritten(chart);
    // the same spec as the CRD's JSON (`source.type`): what validateManifest reads
    expect(AgentType.validateManifest({ apiVersion: 'agents.example.com/v1', kind: 'AgentType', metadata: { name: 't' }, spec: agentTypeSpecToJson(spec as any, 't') }))
      .toEqual([expect.stringContaining(expected)]);
  });
});

test('AgentType memory.size may not be negative: the CRD pattern is the core quantity rule', () => {
  const chart = Testing.chart();
  expect(errorOf(() => new AgentType(chart, 't', { spec: { agent: { image: 'agent:1' }, memory: { size: '-1Gi' } } as any })))
    .toContain("AgentType 'test/t': spec.memory.size '-1Gi'");
});
