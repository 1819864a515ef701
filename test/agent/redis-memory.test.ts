import { Testing } from 'cdk8s';
import { AgentPod } from '../../src/agent/agent-pod';
import { MemoryBackend, MemoryBackendType, MemoryProfile } from '../../src/agent/memory-profile';
import { RedisEvictionPolicy, RedisMemory, RedisMemoryProps } from '../../src/agent/redis-memory';
import { AgentSource } from '../../src/agent/source';
import { restrictedViolations } from '../support/pod-security-standards';
import { container, envOf, errorOf, findObject } from '../support/util';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Manifest = any;

const SECRET = { name: 'redis-auth', key: 'password' };
const BASE: RedisMemoryProps = { namespaceName: 'agents', passwordSecret: SECRET };

function build(props: Partial<RedisMemoryProps> = {}, id = 'agent-memory'): { redis: RedisMemory; synth: () => Manifest[] } {
  const chart = Testing.chart();
  const redis = new RedisMemory(chart, id, { ...BASE, ...props });
  return { redis, synth: () => Testing.synth(chart) };
}

function synth(props: Partial<RedisMemoryProps> = {}): Manifest[] {
  return build(props).synth();
}

/** Validates an object against the Kubernetes OpenAPI schema of its apiVersion/kind. */
function validate(obj: Manifest): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Cls = require(`kubernetes-models/${obj.apiVersion}`)[obj.kind];
  expect(Cls).toBeDefined();
  new Cls(obj).validate();
}

const sts = (m: Manifest[]) => findObject(m, 'StatefulSet', 'agent-memory');
const redisContainer = (m: Manifest[]) => container(sts(m), 'redis');
const policy = (m: Manifest[]) => findObject(m, 'NetworkPolicy', 'agent-memory');

describe('RedisMemory', () => {
  test('renders a ServiceAccount, Service, StatefulSet and NetworkPolicy that pass the Kubernetes schemas', () => {
    const { redis, synth: s } = build();
    redis.addAgent({ 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'web' }, 'other');
    const manifests = s();
    expect(manifests.map(m => m.kind).sort()).toEqual(['NetworkPolicy', 'Service', 'ServiceAccount', 'StatefulSet']);
    for (const m of manifests) {
      validate(m);
      expect(m.metadata.name).toBe('agent-memory');
      expect(m.metadata.namespace).toBe('agents');
      expect(m.metadata.labels).toMatchObject({
        'app.kubernetes.io/name': 'redis',
        'app.kubernetes.io/instance': 'agent-memory',
        'app.kubernetes.io/component': 'memory',
        'app.kubernetes.io/part-of': 'cdk8s-agents',
      });
    }
    expect(findObject(manifests, 'ServiceAccount', 'agent-memory').automountServiceAccountToken).toBe(false);
  });

  test('StatefulSet: one replica, the Service as serviceName, a 1Gi volumeClaimTemplate mounted at /data', () => {
    const m = synth();
    const spec = sts(m).spec;
    expect(spec.replicas).toBe(1);
    expect(spec.serviceName).toBe('agent-memory');
    expect(spec.volumeClaimTemplates).toEqual([{
      metadata: { name: 'data', labels: expect.any(Object) },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    }]);
    expect(redisContainer(m).volumeMounts).toEqual(expect.arrayContaining([{ name: 'data', mountPath: '/data' }]));
    // the claim comes from the template, not from a pod volume
    expect((spec.template.spec.volumes ?? []).map((v: Manifest) => v.name)).not.toContain('data');
  });

  test('storage size and storageClassName (including "" for no class) go to the claim template', () => {
    const claim = (props: Partial<RedisMemoryProps>) => sts(synth(props)).spec.volumeClaimTemplates[0].spec;
    expect(claim({ storage: '10Gi', storageClassName: 'fast-ssd' })).toMatchObject({
      resources: { requests: { storage: '10Gi' } }, storageClassName: 'fast-ssd',
    });
    expect(claim({ storageClassName: '' }).storageClassName).toBe('');
    expect(claim({})).not.toHaveProperty('storageClassName');
  });

  test('every container is restricted; the pod runs as 999 with fsGroup, /tmp is an emptyDir, no token', () => {
    const m = synth();
    const pod = sts(m).spec.template.spec;
    const all = [...pod.containers, ...(pod.initContainers ?? [])];
    expect(all).toHaveLength(1);
    for (const c of all) {
      expect(c.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 999,
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
    }
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999, fsGroup: 999 });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe('agent-memory');
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
    expect(redisContainer(m).volumeMounts).toEqual(expect.arrayContaining([{ name: 'tmp', mountPath: '/tmp' }]));
  });

  test('the password reaches Redis and redis-cli only through secretKeyRef', () => {
    const m = synth();
    const env = envOf(redisContainer(m));
    const ref = { valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'password' } } };
    expect(env.REDIS_PASSWORD).toEqual(ref);
    expect(env.REDISCLI_AUTH).toEqual(ref);
    expect(m.filter(o => o.kind === 'Secret')).toEqual([]);
    // requirepass takes the kubelet-expanded variable, never a literal
    const args: string[] = redisContainer(m).args;
    expect(args[args.indexOf('--requirepass') + 1]).toBe('$(REDIS_PASSWORD)');
    const text = JSON.stringify(m);
    expect(text).not.toMatch(/"value":"[^"]*"/); // no literal env value at all
  });

  test('args: redis-server with requirepass, maxmemory 80% of the limit, allkeys-lru, appendonly on /data', () => {
    const c = redisContainer(synth());
    expect(c.image).toBe('redis:7.4-alpine');
    expect(c.command).toEqual(['redis-server']);
    expect(c.args).toEqual([
      '--port', '6379', '--dir', '/data', '--requirepass', '$(REDIS_PASSWORD)',
      '--maxmemory', String(Math.floor(512 * 1024 * 1024 * 0.8)), '--maxmemory-policy', 'allkeys-lru',
      '--appendonly', 'yes',
    ]);
    expect(c.resources).toEqual({ requests: { memory: '256Mi', cpu: '100m' }, limits: { memory: '512Mi' } });
  });

  test('memory, maxMemoryPercent (0 = none), maxMemoryPolicy and appendOnly are overridable', () => {
    const c = redisContainer(synth({
      memory: { request: '1Gi', limit: '2Gi' },
      maxMemoryPercent: 50,
      maxMemoryPolicy: RedisEvictionPolicy.NO_EVICTION,
      appendOnly: false,
    }));
    expect(c.args.join(' ')).toContain(`--maxmemory ${1024 ** 3} --maxmemory-policy noeviction --appendonly no`);
    expect(c.resources.limits.memory).toBe('2048Mi');
    const none = redisContainer(synth({ maxMemoryPercent: 0 }));
    expect(none.args).not.toContain('--maxmemory');
    expect(none.args).not.toContain('--maxmemory-policy');
  });

  test('readiness and liveness probes run redis-cli ping (auth from REDISCLI_AUTH)', () => {
    const c = redisContainer(synth());
    expect(c.readinessProbe.exec.command.join(' ')).toContain('redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG');
    expect(c.livenessProbe.exec.command.join(' ')).toContain('redis-cli -h 127.0.0.1 -p 6379 ping');
    expect(c.livenessProbe.exec.command.join(' ')).toContain('LOADING');
    expect(JSON.stringify([c.readinessProbe, c.livenessProbe])).not.toContain('-a ');
  });

  test('the Service on port redis/6379 selects exactly the Redis pod labels', () => {
    const { redis, synth: s } = build();
    const m = s();
    const svc = findObject(m, 'Service', 'agent-memory');
    expect(svc.spec.type).toBe('ClusterIP');
    expect(svc.spec.ports).toEqual([{ name: 'redis', port: 6379, targetPort: 6379, protocol: 'TCP' }]);
    const podLabels = sts(m).spec.template.metadata.labels;
    for (const [k, v] of Object.entries(svc.spec.selector)) expect(podLabels[k]).toBe(v);
    expect(svc.spec.selector).toMatchObject(redis.podSelector);
    expect(sts(m).spec.selector.matchLabels).toEqual(redis.podSelector);
    expect(redisContainer(m).ports).toEqual([{ name: 'redis', containerPort: 6379, protocol: 'TCP' }]);
  });

  test('NetworkPolicy without agents denies all ingress and all egress to the Redis pods', () => {
    const { redis, synth: s } = build();
    const spec = policy(s()).spec;
    expect(spec.podSelector).toEqual({ matchLabels: redis.podSelector });
    expect([...spec.policyTypes].sort()).toEqual(['Egress', 'Ingress']);
    expect(spec.ingress).toBeUndefined();
    expect(spec.egress).toBeUndefined();
  });

  test('addAgent lets in only the added agents on TCP 6379; namespaces by name; duplicates once', () => {
    const { redis, synth: s } = build();
    redis.addAgent({ 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'web' });
    redis.addAgent({ 'app.kubernetes.io/instance': 'web', 'app.kubernetes.io/name': 'web' }, 'agents'); // same
    redis.addAgent({ 'app.kubernetes.io/name': 'bot' }, 'other');
    const ingress = policy(s()).spec.ingress;
    expect(ingress).toEqual([
      {
        from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'web' } } }],
        ports: [{ port: 6379, protocol: 'TCP' }],
      },
      {
        from: [{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'other' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'bot' } },
        }],
        ports: [{ port: 6379, protocol: 'TCP' }],
      },
    ]);
    expect(redis.agents).toHaveLength(2);
  });

  test('addAgent after construction and after later constructs: the policy, produced at synth, lets that agent in', () => {
    const chart = Testing.chart();
    const redis = new RedisMemory(chart, 'agent-memory', BASE);
    const ingressNow = () => redis.networkPolicy!.toJson().spec.ingress;
    expect(ingressNow()).toBeUndefined();
    const children = redis.node.children.length;
    // An AgentPod created after the Redis adds itself (fromRedis), then one more agent by hand.
    new AgentPod(chart, 'web', {
      namespaceName: 'agents',
      source: AgentSource.image('nginx:latest'),
      memory: MemoryProfile.SMALL.withBackend(MemoryBackend.fromRedis(redis)),
    });
    const late = redis.addAgent({ app: 'late' }, 'other');
    expect(late).toEqual({ podLabels: { app: 'late' }, namespaceName: 'other' });
    // recording an agent creates no construct
    expect(redis.node.children).toHaveLength(children);

    const m = Testing.synth(chart);
    const web = findObject(m, 'Deployment', 'web').spec.selector.matchLabels;
    expect(policy(m).spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: web } }], ports: [{ port: 6379, protocol: 'TCP' }] },
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'other' } }, podSelector: { matchLabels: { app: 'late' } } }],
        ports: [{ port: 6379, protocol: 'TCP' }],
      },
    ]);
    expect(ingressNow()).toEqual(policy(m).spec.ingress);
    // produced from the record on each synth, never accumulated
    expect(Testing.synth(chart)).toEqual(m);
  });

  test('addAgent returns the recorded agent (a copy); the same agent again returns the first record', () => {
    const { redis, synth: s } = build();
    const first = redis.addAgent({ b: '2', a: '1' }, 'agents');
    // the Redis' own namespace is left out: the peer needs no namespaceSelector
    expect(first).toEqual({ podLabels: { b: '2', a: '1' }, namespaceName: undefined });
    first.podLabels.a = 'changed';
    expect(redis.addAgent({ a: '1', b: '2' })).toEqual({ podLabels: { b: '2', a: '1' }, namespaceName: undefined });
    expect(redis.agents).toEqual([{ podLabels: { b: '2', a: '1' }, namespaceName: undefined }]);
    expect(policy(s()).spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { b: '2', a: '1' } } }], ports: [{ port: 6379, protocol: 'TCP' }] },
    ]);
  });

  test('addAgent refuses an empty selector, bad labels and a bad namespace', () => {
    const { redis } = build();
    expect(errorOf(() => redis.addAgent({}))).toMatch(/^RedisMemory 'test\/agent-memory': addAgent podLabels '\{\}' must hold at least one label/);
    expect(errorOf(() => redis.addAgent({ 'bad key!': 'x' }))).toContain('addAgent podLabels key \'bad key!\' is not a valid label key');
    expect(errorOf(() => redis.addAgent({ app: 'no spaces' }))).toContain('addAgent podLabels[\'app\'] \'no spaces\' is not a valid label value');
    expect(errorOf(() => redis.addAgent({ app: 'web' }, 'Bad_NS'))).toContain('addAgent namespaceName \'Bad_NS\'');
    expect(redis.agents).toEqual([]);
  });

  test('networkPolicy: false renders none; addAgent still records the agent', () => {
    const { redis, synth: s } = build({ networkPolicy: false });
    redis.addAgent({ app: 'web' });
    expect(s().filter(m => m.kind === 'NetworkPolicy')).toEqual([]);
    expect(redis.networkPolicy).toBeUndefined();
    expect(redis.agents).toEqual([{ podLabels: { app: 'web' }, namespaceName: undefined }]);
  });

  test('exposes serviceName, address, port, passwordSecret and podSelector (copies)', () => {
    const { redis } = build();
    expect(redis.serviceName).toBe('agent-memory');
    expect(redis.port).toBe(6379);
    expect(redis.address).toBe('agent-memory.agents.svc.cluster.local:6379');
    expect(build({ namespaceName: undefined }).redis.address).toBe('agent-memory:6379');
    expect(build({ clusterDomain: 'corp.internal' }).redis.address).toBe('agent-memory.agents.svc.corp.internal:6379');
    expect(build({ name: 'mem' }).redis.address).toBe('mem.agents.svc.cluster.local:6379');
    const secret = redis.passwordSecret as { name: string };
    secret.name = 'changed';
    expect(redis.passwordSecret).toEqual(SECRET);
    const selector = redis.podSelector;
    selector.extra = 'x';
    expect(redis.podSelector).not.toHaveProperty('extra');
  });

  test('MemoryBackend.fromRedis: the Service address, the auth Secret, the database, and the RedisMemory', () => {
    const { redis } = build();
    const backend = MemoryBackend.fromRedis(redis, 3);
    expect(backend.backendType).toBe(MemoryBackendType.REDIS);
    expect(backend.address).toBe('agent-memory.agents.svc.cluster.local:6379');
    expect(backend.passwordSecret).toEqual(SECRET);
    expect(backend.database).toBe(3);
    expect(backend.redisMemory).toBe(redis);
    expect(MemoryBackend.fromRedis(redis).database).toBe(0);
    expect(MemoryBackend.redis({ address: 'r:6379' }).redisMemory).toBeUndefined();
    expect(MemoryProfile.SMALL.withBackend(backend).toSpec()).toEqual({
      profile: 'small',
      size: '512Mi',
      backendType: 'redis',
      // the password Secret by reference (name and key), never a password
      config: { address: 'agent-memory.agents.svc.cluster.local:6379', database: 3, passwordSecret: { name: 'redis-auth', key: 'password' } },
    });
    expect(errorOf(() => MemoryBackend.fromRedis(redis, 16))).toContain('backend.database \'16\' is not a Redis database number');
  });

  test('an AgentPod with the fromRedis backend gets the address and the password secretKeyRef', () => {
    const chart = Testing.chart();
    const redis = new RedisMemory(chart, 'agent-memory', BASE);
    new AgentPod(chart, 'web', {
      namespaceName: 'agents',
      source: AgentSource.image('nginx:latest'),
      memory: MemoryProfile.SMALL.withBackend(MemoryBackend.fromRedis(redis)),
    });
    const env = envOf(container(findObject(Testing.synth(chart), 'Deployment', 'web'), 'agent'));
    expect(env.AGENT_MEMORY_REDIS_ADDRESS).toBe('agent-memory.agents.svc.cluster.local:6379');
    expect(env.AGENT_MEMORY_REDIS_PASSWORD).toEqual({ valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'password' } } });
  });

  test('bad props throw with the construct path, the field and the value, before anything is created', () => {
    const err = (props: Partial<RedisMemoryProps>) => errorOf(() => build(props));
    expect(errorOf(() => new RedisMemory(Testing.chart(), 'r', {} as RedisMemoryProps)))
      .toMatch(/^RedisMemory 'test\/r': passwordSecret '' is required/);
    expect(err({ passwordSecret: { name: 'Bad Name', key: 'p' } })).toContain('passwordSecret.name \'Bad Name\'');
    expect(err({ passwordSecret: { name: 'auth', key: '' } })).toContain('passwordSecret.key \'\' must not be empty');
    expect(err({ storage: '1GB' })).toBe('RedisMemory \'test/agent-memory\': storage \'1GB\' is not a Kubernetes quantity (for example \'512Mi\', \'2Gi\')');
    expect(err({ storage: '0' })).toContain('storage \'0\' must be a positive whole number of bytes');
    expect(err({ memory: { request: '1Gi', limit: '512Mi' } })).toContain('memory.request \'1Gi\' is larger than the limit \'512Mi\'');
    expect(err({ memory: { request: '256Mi', limit: '1G' } })).toContain('memory.limit \'1G\' must be a whole number of mebibytes');
    expect(err({ maxMemoryPercent: 120 })).toContain('maxMemoryPercent \'120\' is not an integer from 0 to 100');
    expect(err({ maxMemoryPolicy: 'lru' as RedisEvictionPolicy })).toContain('maxMemoryPolicy \'lru\' is not a Redis eviction policy');
    expect(err({ image: 'redis latest' })).toContain('image \'redis latest\'');
    expect(err({ name: 'Redis' })).toContain('name \'Redis\' is not a valid RFC 1123 label');
    expect(err({ storageClassName: 'Fast SSD' })).toContain('storageClassName \'Fast SSD\'');
    expect(err({ runAsUser: 0 })).toContain('runAsUser \'0\' is not a non-root user or group id');
    // a failed construct leaves no children behind
    const chart = Testing.chart();
    errorOf(() => new RedisMemory(chart, 'r', { ...BASE, storage: 'lots' }));
    expect(Testing.synth(chart)).toEqual([]);
  });

  test.each<[string, Partial<RedisMemoryProps>]>([
    ['passwordSecret', { passwordSecret: { name: 'auth', key: '' } }],
    ['memory', { memory: { request: '1Gi', limit: '512Mi' } }],
    ['maxMemoryPolicy', { maxMemoryPolicy: 'lru' as RedisEvictionPolicy }],
    ['clusterDomain', { clusterDomain: 'Corp Local' }],
    ['runAsUser', { runAsUser: 0 }],
  ])('a bad %s throws before any child is created: nothing half-written', (_field, props) => {
    const chart = Testing.chart();
    expect(() => new RedisMemory(chart, 'r', { ...BASE, ...props })).toThrow(/^RedisMemory 'test\/r': /);
    expect(chart.node.findChild('r').node.children).toEqual([]);
    expect(Testing.synth(chart)).toEqual([]);
  });
});

test('the restricted securityContext defaults can be changed, and the PSS checker sees the result', () => {
  expect(restrictedViolations(sts(synth()))).toEqual([]);
  const changed = synth({ securityContext: { allowPrivilegeEscalation: true } });
  expect(redisContainer(changed).securityContext.allowPrivilegeEscalation).toBe(true);
  expect(restrictedViolations(sts(changed)).join('\n')).toMatch(/allowPrivilegeEscalation must be false/);
});

describe('RedisMemory: no secret leaves synth', () => {
  test('a password pasted as passwordSecret.name is refused and never repeated', () => {
    for (const name of ['AKIAIOSFODNN7EXAMPLE', 'sk-0123456789abcdefghij', 'ghp_0123456789abcdef']) {
      const message = errorOf(() => build({ passwordSecret: { name, key: 'password' } }));
      expect(message).toContain('passwordSecret.name');
      expect(message).not.toContain(name);
      expect(errorOf(() => MemoryBackend.redis({ address: 'redis:6379', passwordSecret: { name, key: 'password' } }))).not.toContain(name);
    }
  });
});
