/**
 * Props the Kubernetes API server (or the kubelet) would refuse are refused
 * at construction, with the construct, the field and the value, and leave
 * nothing behind: labels and version, user and group ids, names derived
 * from the agent name, pull policies.
 */
import { ApiObject, Chart, Testing } from 'cdk8s';
import { ImagePullPolicy } from 'cdk8s-plus-28';
import { AgentPod, AgentPodProps, AgentSource, RedisMemory, RedisMemoryProps, ToolSidecar } from '../../src';
import { errorOf, findObject } from '../support/util';

const SOURCE = AgentSource.image('agent:1.0');
const REDIS: RedisMemoryProps = { passwordSecret: { name: 'redis', key: 'password' } };

/** A failed construct leaves no API object behind. */
function expectNothingWritten(chart: Chart): void {
  expect(chart.node.findAll().filter(c => c instanceof ApiObject)).toHaveLength(0);
}

/** The error of an AgentPod `web` with these props; the chart must have no child left. */
function podError(props: Partial<AgentPodProps>, id = 'web'): string {
  const chart = Testing.chart();
  const message = errorOf(() => new AgentPod(chart, id, { source: SOURCE, ...props }));
  expectNothingWritten(chart);
  return message;
}

function redisError(props: Partial<RedisMemoryProps>, id = 'redis'): string {
  const chart = Testing.chart();
  const message = errorOf(() => new RedisMemory(chart, id, { ...REDIS, ...props }));
  expectNothingWritten(chart);
  return message;
}

describe('AgentPod labels and version follow the label rule', () => {
  test.each([
    [{ team: 'Has Space' }, "labels['team'] 'Has Space' is not a valid label value"],
    [{ role: '-lead' }, "labels['role'] '-lead' is not a valid label value"],
    [{ team: 'x'.repeat(64) }, "labels['team'] '" + 'x'.repeat(64) + "' is not a valid label value"],
    [{ 'a/b/c': 'x' }, "labels key 'a/b/c' is not a valid label key"],
    [{ 'Example.com/team': 'x' }, "labels key 'Example.com/team' is not a valid label key"],
  ])('labels %j are refused', (labels, expected) => {
    expect(podError({ labels })).toContain(`AgentPod 'test/web': ${expected}`);
  });

  test.each(['Has Space', '-1.0', '1.0-', 'v'.repeat(64)])('version %s is refused', version => {
    expect(podError({ version })).toContain(`AgentPod 'test/web': version '${version}' is not a valid label value`);
  });

  test('valid labels and version are rendered', () => {
    const chart = Testing.chart();
    new AgentPod(chart, 'web', { source: SOURCE, labels: { 'example.com/team': 'data_science.1', 'tier': '' }, version: '1.4.2-rc_1' });
    const labels = findObject(Testing.synth(chart), 'Deployment', 'web').metadata.labels;
    expect(labels).toMatchObject({ 'example.com/team': 'data_science.1', 'tier': '', 'app.kubernetes.io/version': '1.4.2-rc_1' });
  });
});

describe('user and group ids of the securityContext', () => {
  const construct: Array<[string, (securityContext: any) => string, string]> = [
    ['AgentPod', securityContext => podError({ securityContext }), "AgentPod 'test/web'"],
    ['RedisMemory', securityContext => redisError({ securityContext }), "RedisMemory 'test/redis'"],
  ];
  describe.each(construct)('%s', (_, error, subject) => {
    test.each([
      [{ user: 1.5 }, "securityContext.user '1.5'"],
      [{ user: -1 }, "securityContext.user '-1'"],
      [{ user: 2147483648 }, "securityContext.user '2147483648'"],
      [{ group: NaN }, "securityContext.group 'NaN'"],
      [{ group: 2.5 }, "securityContext.group '2.5'"],
    ])('%j is refused', (securityContext, field) => {
      expect(error(securityContext)).toBe(`${subject}: ${field} is not a user or group id (an integer from 0 to 2147483647)`);
    });

    test('user 0 with runAsNonRoot (the default) is refused: the kubelet would not start the container', () => {
      expect(error({ user: 0 })).toBe(`${subject}: securityContext.user '0' is root with runAsNonRoot (ensureNonRoot) true: `
        + 'the kubelet refuses to start such a container; give a non-root user, or also set ensureNonRoot: false to run as root');
    });
  });

  test('user 0 with ensureNonRoot: false renders root without runAsNonRoot', () => {
    const chart = Testing.chart();
    new AgentPod(chart, 'web', { source: SOURCE, securityContext: { user: 0, ensureNonRoot: false } });
    const pod = findObject(Testing.synth(chart), 'Deployment', 'web').spec.template.spec;
    const agent = pod.containers.find((c: any) => c.name === 'agent');
    expect(agent.securityContext).toMatchObject({ runAsUser: 0, runAsNonRoot: false });
  });

  test.each([0, 1.5, 2147483648, NaN])('AgentPod runAsUser %p is refused', runAsUser => {
    expect(podError({ runAsUser })).toContain(`AgentPod 'test/web': runAsUser '${runAsUser}' is not a non-root user or group id (an integer from 1 to 2147483647)`);
  });

  test('RedisMemory runAsUser 2^31 is refused', () => {
    expect(redisError({ runAsUser: 2147483648 })).toContain("runAsUser '2147483648' is not a non-root user or group id");
  });
});

describe('names derived from the agent name are checked by their kind\'s rule', () => {
  const monitoring = { metricsPort: 9090, serviceMonitor: true };

  test('a 60-character agent with a ServiceMonitor is refused: <name>-metrics is over 63 characters', () => {
    const name = 'a'.repeat(60);
    expect(podError({ monitoring }, name)).toBe(`AgentPod 'test/${name}': agentName (Service '<agentName>-metrics') '${name}-metrics' `
      + 'is not a valid Service name (RFC 1035 label: lowercase letters, digits and \'-\', at most 63 characters, '
      + 'starting with a letter and ending with a letter or digit)');
  });

  test('an agent name starting with a digit cannot name the metrics Service', () => {
    expect(podError({ monitoring, agentName: '1web' })).toContain("agentName (Service '<agentName>-metrics') '1web-metrics' is not a valid Service name");
  });

  test('55 characters is the longest agent name with a metrics Service; 63 without one', () => {
    const chart = Testing.chart();
    new AgentPod(chart, 'a'.repeat(55), { source: SOURCE, monitoring });
    new AgentPod(chart, 'b'.repeat(63), { source: SOURCE, monitoring: { metricsPort: 9090 } });
    const manifests = Testing.synth(chart);
    expect(findObject(manifests, 'Service', `${'a'.repeat(55)}-metrics`).metadata.name).toHaveLength(63);
    expect(findObject(manifests, 'ConfigMap', `${'b'.repeat(63)}-init`)).toBeDefined();
  });

  test('ToolSidecar names are container names (RFC 1123 labels)', () => {
    expect(errorOf(() => new ToolSidecar({ image: 'tools:1', name: 'a'.repeat(70) }))).toContain('is not a valid container name (RFC 1123 label)');
    expect(new ToolSidecar({ image: 'tools:1', name: 'a'.repeat(63) }).name).toHaveLength(63);
    // cdk8s would write the container name 0o17 unquoted: kubectl would read the number 15.
    expect(errorOf(() => new ToolSidecar({ image: 'tools:1', name: '0o17' }))).toContain("name '0o17' is written unquoted by cdk8s");
  });

  test('RedisMemory names the Service: an RFC 1035 label of at most 52 characters (controller-revision-hash)', () => {
    expect(redisError({ name: '1redis' })).toContain("RedisMemory 'test/redis': name '1redis' is not a valid Service name");
    expect(redisError({}, 'r'.repeat(53))).toContain(`name '${'r'.repeat(53)}' is longer than 52 characters`);
    expect(() => new RedisMemory(Testing.chart(), 'r'.repeat(52), REDIS)).not.toThrow();
  });
});

describe('image pull policies', () => {
  test.each([
    ['AgentSource.image', () => AgentSource.image('agent:1', { pullPolicy: 'Sometimes' as ImagePullPolicy }), "AgentSource 'agent:1': pullPolicy"],
    ['ToolSidecar', () => new ToolSidecar({ image: 'tools:1', imagePullPolicy: 'Sometimes' as ImagePullPolicy }), "ToolSidecar 'tool-manager': imagePullPolicy"],
  ])('%s refuses Sometimes', (_, make, prefix) => {
    expect(errorOf(make)).toBe(`${prefix} 'Sometimes' is not an image pull policy (Always, IfNotPresent, Never)`);
  });
});
