/**
 * AgentOperator and AgentType props the API server or the kubelet would
 * refuse are refused at construction; AgentType always renders a name.
 */
import { ApiObject, Chart, Testing } from 'cdk8s';
import { ImagePullPolicy } from 'cdk8s-plus-28';
import { AgentOperator, AgentOperatorProps, AgentType } from '../../src';
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
