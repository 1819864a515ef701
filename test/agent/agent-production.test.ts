/**
 * Production defaults of AgentPod: scaling, availability, probes,
 * shutdown, monitoring, sandboxed runtimes and the Secret checksum.
 */
import { Chart, Testing } from 'cdk8s';
import { ISecret, Probe, Secret } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AgentPod, AgentPodProps, AgentSource, LlmProvider, MemoryProfile, ToolSidecar } from '../../src';
import { restrictedViolations } from '../support/pod-security-standards';
import { container, envOf, errorOf, findObject, podSpec } from '../support/util';

const TOOL_IMAGE = 'registry.example.com/agents/tool-manager:0.1.0';

function synth(props: Partial<AgentPodProps> = {}, setup?: (chart: any) => void): any[] {
  const chart = Testing.chart();
  setup?.(chart);
  new AgentPod(chart, 'web', { source: AgentSource.image('registry.example.com/agents/web:1.0'), namespaceName: 'agents', ...props });
  return Testing.synth(chart);
}

const sidecar = () => new ToolSidecar({ image: TOOL_IMAGE, required: ['git'] });
const provider = () => LlmProvider.anthropic({ name: 'main', model: 'claude-sonnet-4', credentials: { secretName: 'anthropic' } });

describe('scaling and availability', () => {
  test('scaling renders an autoscaling/v2 HPA and the Deployment has no replicas', () => {
    const out = synth({ scaling: { minReplicas: 2, maxReplicas: 6, memoryUtilization: 75 } });
    const deployment = findObject(out, 'Deployment', 'web');
    expect('replicas' in deployment.spec).toBe(false);
    const hpa = findObject(out, 'HorizontalPodAutoscaler', 'web');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.metadata.namespace).toBe('agents');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' });
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([2, 6]);
    expect(hpa.spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
      { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 75 } } },
    ]);
  });

  test('more than one replica: a PodDisruptionBudget and topology spread over nodes and zones', () => {
    for (const out of [synth({ replicas: 3 }), synth({ scaling: { minReplicas: 2, maxReplicas: 4 } })]) {
      const deployment = findObject(out, 'Deployment', 'web');
      const selector = deployment.spec.selector.matchLabels;
      const pdb = findObject(out, 'PodDisruptionBudget', 'web');
      expect(pdb.apiVersion).toBe('policy/v1');
      expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: selector } });
      const spread = podSpec(deployment).topologySpreadConstraints;
      expect(spread.map((s: any) => s.topologyKey)).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
      for (const s of spread) {
        expect(s.labelSelector.matchLabels).toEqual(selector);
        expect(s.matchLabelKeys).toEqual(['pod-template-hash']);
        expect(s.whenUnsatisfiable).toBe('ScheduleAnyway');
      }
    }
  });

  test('one replica: no PDB (it would block every drain) and no spread', () => {
    const out = synth();
    expect(out.filter(o => o.kind === 'PodDisruptionBudget')).toEqual([]);
    expect(podSpec(findObject(out, 'Deployment', 'web')).topologySpreadConstraints).toBeUndefined();
    expect(findObject(out, 'Deployment', 'web').spec.replicas).toBe(1);
  });

  test.each([
    [{ replicas: 2, scaling: { minReplicas: 1, maxReplicas: 2 } }, "AgentPod 'test/web': replicas '2' cannot be set together with scaling"],
    [{ scaling: { minReplicas: 0, maxReplicas: 2 } }, "AgentPod 'test/web': scaling.minReplicas '0' is not an integer from 1 to 2147483647"],
    [{ scaling: { minReplicas: 3, maxReplicas: 2 } }, "AgentPod 'test/web': scaling.maxReplicas '2' is not an integer from 3 to 2147483647"],
    [{ scaling: { minReplicas: 1, maxReplicas: 2, cpuUtilization: 150 } }, "AgentPod 'test/web': scaling.cpuUtilization '150' must be an integer percentage"],
  ])('refuses %j', (props, message) => {
    expect(errorOf(() => synth(props as any))).toContain(message);
  });
});

describe('health and shutdown', () => {
  test('default probes: shared-volume checks on the agent, exec checks of the gateway on 127.0.0.1 in the sidecar', () => {
    const d = findObject(synth({ toolSidecar: sidecar() }), 'Deployment', 'web');
    const agent = container(d, 'agent');
    const ready = { exec: { command: ['/bin/sh', '-c', 'test -f /shared/etc/ready'] } };
    expect(agent.startupProbe).toEqual({ ...ready, periodSeconds: 5, failureThreshold: 60 });
    expect(agent.livenessProbe).toEqual({ ...ready, periodSeconds: 10, failureThreshold: 3 });
    expect(agent.readinessProbe).toEqual({ ...ready, periodSeconds: 5, failureThreshold: 3 });
    const tools = container(d, 'tool-manager');
    const live = { exec: { command: ['/bin/sh', '-c', 'python3 -c "import urllib.request; urllib.request.urlopen(\'http://127.0.0.1:4000/health/liveliness\', timeout=5)"'] } };
    expect(tools.startupProbe).toEqual({ ...live, periodSeconds: 2, failureThreshold: 60, timeoutSeconds: 6 });
    expect(tools.livenessProbe).toEqual({ ...live, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 6 });
    expect(tools.readinessProbe.exec.command[2]).toMatch(/^export PATH="\$PATH:\/shared\/tools\/bin"; .*\/health\/readiness/);
    expect(tools.readinessProbe).toMatchObject({ periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 6 });
  });

  test('with a port: HTTP probes on it and a container port named http', () => {
    const agent = container(findObject(synth({ port: 8080 }), 'Deployment', 'web'), 'agent');
    expect(agent.ports).toEqual([{ containerPort: 8080, name: 'http' }]);
    expect(agent.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 8080, scheme: 'HTTP' });
    expect(agent.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 8080, scheme: 'HTTP' });
  });

  test('probes can be replaced or turned off', () => {
    const d = findObject(synth({
      toolSidecar: sidecar(),
      probes: { agent: { liveness: Probe.fromTcpSocket({ port: 7000 }) }, sidecar: { disabled: true } },
    }), 'Deployment', 'web');
    expect(container(d, 'agent').livenessProbe.tcpSocket).toEqual({ port: 7000 });
    expect(container(d, 'agent').readinessProbe.exec).toBeDefined();
    const tools = container(d, 'tool-manager');
    expect([tools.startupProbe, tools.livenessProbe, tools.readinessProbe]).toEqual([undefined, undefined, undefined]);
  });

  test('grace period and preStop hooks: the sidecar outlives the agent', () => {
    const d = findObject(synth({ toolSidecar: sidecar(), shutdown: { gracePeriodSeconds: 120, preStopDelaySeconds: 10 } }), 'Deployment', 'web');
    expect(podSpec(d).terminationGracePeriodSeconds).toBe(120);
    expect(container(d, 'agent').lifecycle.preStop.exec.command).toEqual(['/bin/sh', '-c', 'sleep 10']);
    expect(container(d, 'tool-manager').lifecycle.preStop.exec.command).toEqual(['/bin/sh', '-c', 'sleep 115']);
    const defaults = findObject(synth(), 'Deployment', 'web');
    expect(podSpec(defaults).terminationGracePeriodSeconds).toBe(60);
    expect(container(defaults, 'agent').lifecycle.preStop.exec.command).toEqual(['/bin/sh', '-c', 'sleep 5']);
    const noHook = findObject(synth({ shutdown: { preStopDelaySeconds: 0 } }), 'Deployment', 'web');
    expect(container(noHook, 'agent').lifecycle).toBeUndefined();
    expect(errorOf(() => synth({ shutdown: { gracePeriodSeconds: 10, preStopDelaySeconds: 10 } })))
      .toContain("AgentPod 'test/web': shutdown.preStopDelaySeconds '10' must be an integer >= 0 and below gracePeriodSeconds (10)");
  });
});

describe('monitoring', () => {
  test('OpenTelemetry settings on agent and sidecar, with GenAI semantic-convention attributes', () => {
    const d = findObject(synth({ toolSidecar: sidecar(), llmProviders: [provider()], monitoring: { otlpEndpoint: 'http://otel.monitoring:4317' } }), 'Deployment', 'web');
    const attributes = 'gen_ai.agent.name=web,gen_ai.provider.name=anthropic,gen_ai.request.model=claude-sonnet-4,k8s.namespace.name=agents';
    expect(envOf(container(d, 'agent'))).toMatchObject({
      OTEL_SERVICE_NAME: 'web', OTEL_RESOURCE_ATTRIBUTES: attributes, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel.monitoring:4317',
    });
    expect(envOf(container(d, 'tool-manager'))).toMatchObject({ OTEL_SERVICE_NAME: 'web-tool-manager', OTEL_RESOURCE_ATTRIBUTES: attributes });
  });

  test('without providers or an endpoint: the agent name only, no endpoint', () => {
    const env = envOf(container(findObject(synth(), 'Deployment', 'web'), 'agent'));
    expect(env.OTEL_RESOURCE_ATTRIBUTES).toBe('gen_ai.agent.name=web,k8s.namespace.name=agents');
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
  });

  test('metrics port with prometheus.io annotations by default', () => {
    const d = findObject(synth({ monitoring: { metricsPort: 9464 } }), 'Deployment', 'web');
    expect(container(d, 'agent').ports).toEqual([{ containerPort: 9464, name: 'metrics' }]);
    expect(d.spec.template.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9464', 'prometheus.io/path': '/metrics' });
  });

  test('a ServiceMonitor and the Service it selects, instead of annotations', () => {
    const out = synth({ monitoring: { metricsPort: 9464, serviceMonitor: true, scrapeInterval: '15s' } });
    const d = findObject(out, 'Deployment', 'web');
    expect(d.spec.template.metadata.annotations['prometheus.io/scrape']).toBeUndefined();
    const service = findObject(out, 'Service', 'web-metrics');
    expect(service.spec.ports).toEqual([{ name: 'metrics', port: 9464, targetPort: 9464 }]);
    for (const [k, v] of Object.entries(service.spec.selector)) expect(d.spec.template.metadata.labels[k]).toBe(v);
    const monitor = findObject(out, 'ServiceMonitor', 'web');
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.spec).toEqual({
      selector: { matchLabels: service.metadata.labels },
      namespaceSelector: { matchNames: ['agents'] },
      endpoints: [{ port: 'metrics', path: '/metrics', interval: '15s' }],
    });
    expect(errorOf(() => synth({ monitoring: { serviceMonitor: true } }))).toContain("AgentPod 'test/web': monitoring.serviceMonitor 'true' needs monitoring.metricsPort");
  });
});

describe('sandboxed runtime', () => {
  test('runtimeClassName for gVisor or Kata', () => {
    expect(podSpec(findObject(synth({ runtimeClassName: 'gvisor' }), 'Deployment', 'web')).runtimeClassName).toBe('gvisor');
    expect(podSpec(findObject(synth(), 'Deployment', 'web')).runtimeClassName).toBeUndefined();
    expect(errorOf(() => synth({ runtimeClassName: 'G Visor' }))).toContain("AgentPod 'test/web': runtimeClassName 'G Visor' is not a valid RFC 1123 subdomain");
  });
});

describe('Secret checksum: the Secrets handed in roll the pods', () => {
  const SECRET_CHECKSUM = 'agents.cdk8s.io/secret-checksum';
  const checksumOf = (objects: any[]) => findObject(objects, 'Deployment', 'web').spec.template.metadata.annotations[SECRET_CHECKSUM];
  const webProps = (): AgentPodProps => ({
    source: AgentSource.image('registry.example.com/agents/web:1.0'), namespaceName: 'agents', toolSidecar: sidecar(), llmProviders: [provider()],
  });
  const credentials = (scope: Construct, value: string, name = 'anthropic') =>
    new Secret(scope, `creds-${name}`, { metadata: { name, namespace: 'agents' }, stringData: { 'api-key': value } });
  /** Every object the library rendered (the app's own Secrets hold their values by definition). */
  const rendered = (objects: any[]) => JSON.stringify(objects.filter(o => o.kind !== 'Secret'));

  /** Synthesizes the web agent with the `secrets` that `make` creates in its chart. */
  function synthWith(make: (chart: Chart) => ISecret[]): any[] {
    const chart = Testing.chart();
    new AgentPod(chart, 'web', { ...webProps(), secrets: make(chart) });
    return Testing.synth(chart);
  }

  test('a sha256 of the data of a handed-in Secret: changes with the data, stable otherwise, no value in any rendered object', () => {
    const one = synthWith(chart => [credentials(chart, 'value-one')]);
    expect(checksumOf(one)).toMatch(/^[a-f0-9]{64}$/);
    expect(rendered(one)).not.toContain('value-one');
    const two = synthWith(chart => [credentials(chart, 'value-two')]);
    expect(checksumOf(two)).not.toBe(checksumOf(one));
    expect(rendered(two)).not.toContain('value-two');
    expect(checksumOf(synthWith(chart => [credentials(chart, 'value-one')]))).toBe(checksumOf(one));
  });

  test('covers every handed-in Secret of the app, whatever the order they are handed in', () => {
    const both = (reversed: boolean) => checksumOf(synthWith(chart => {
      const secrets = [credentials(chart, 'a', 'anthropic'), credentials(chart, 'b', 'openai')];
      return reversed ? secrets.reverse() : secrets;
    }));
    const anthropicOnly = checksumOf(synthWith(chart => [credentials(chart, 'a', 'anthropic')]));
    expect(both(true)).toBe(both(false));
    expect(both(false)).not.toBe(anthropicOnly);
  });

  test('absent with no Secret handed in, even when the app defines the one the pod reads; a Secret imported by name adds nothing', () => {
    expect(checksumOf(synth({ toolSidecar: sidecar(), llmProviders: [provider()] }))).toBeUndefined();
    expect(checksumOf(synthWith(chart => { credentials(chart, 'value-one'); return []; }))).toBeUndefined();
    expect(checksumOf(synthWith(chart => [Secret.fromSecretName(chart, 'external', 'anthropic')]))).toBeUndefined();
    const mixed = synthWith(chart => [Secret.fromSecretName(chart, 'external', 'openai'), credentials(chart, 'value-one')]);
    expect(checksumOf(mixed)).toBe(checksumOf(synthWith(chart => [credentials(chart, 'value-one')])));
  });

  test('two synths in one tick: a Secret handed in, or its data changed, between them counts in the second', () => {
    const chart = Testing.chart();
    const pod = new AgentPod(chart, 'web', webProps());
    expect(checksumOf(Testing.synth(chart))).toBeUndefined();
    const secret = credentials(chart, 'value-one');
    expect(pod.addSecret(secret)).toBe(secret);
    const first = checksumOf(Testing.synth(chart));
    expect(first).toMatch(/^[a-f0-9]{64}$/);
    secret.addStringData('api-key', 'value-two');
    const second = Testing.synth(chart);
    expect(checksumOf(second)).not.toBe(first);
    expect(rendered(second)).not.toMatch(/value-one|value-two/);
  });

  test('the same Secret twice is refused, naming the path, the field and the Secret; secrets returns a copy', () => {
    const chart = Testing.chart();
    const secret = credentials(chart, 'value-one');
    expect(errorOf(() => new AgentPod(chart, 'web', { ...webProps(), secrets: [secret, secret] })))
      .toContain("AgentPod 'test/web': secrets 'anthropic' is handed in twice");
    const pod = new AgentPod(chart, 'other', { ...webProps(), secrets: [secret] });
    expect(errorOf(() => pod.addSecret(secret))).toContain("AgentPod 'test/other': secrets 'anthropic' is handed in twice");
    pod.secrets.pop();
    expect(pod.secrets).toEqual([secret]);
  });
});

describe('pod security', () => {
  test('every pod setting meets the restricted profile by default, sidecar and init included', () => {
    const d = findObject(synth({ toolSidecar: sidecar(), llmProviders: [provider()], scaling: { minReplicas: 2, maxReplicas: 3 } }), 'Deployment', 'web');
    expect(restrictedViolations(d)).toEqual([]);
  });

  test('each setting can be overridden for every container, and the checker sees what that breaks', () => {
    const relaxed = findObject(synth({ toolSidecar: sidecar(), securityContext: { readOnlyRootFilesystem: false } }), 'Deployment', 'web');
    for (const name of ['agent', 'agent-init', 'tool-manager']) expect(container(relaxed, name).securityContext.readOnlyRootFilesystem).toBe(false);
    expect(restrictedViolations(relaxed)).toEqual([]); // not part of the restricted profile
    const escalating = findObject(synth({ securityContext: { allowPrivilegeEscalation: true } }), 'Deployment', 'web');
    expect(restrictedViolations(escalating)).toContain("Deployment 'web' container 'agent': allowPrivilegeEscalation must be false");
  });
});

describe('memory backend: a Redis the app deploys', () => {
  test('MemoryProfile.withDeployedRedis: PVC of the profile size, password by reference, only its agents let in', () => {
    expect(synth().filter(o => o.kind === 'StatefulSet')).toEqual([]); // nothing without asking
    const chart = Testing.chart();
    const memory = MemoryProfile.fromSize('3Gi').withDeployedRedis(chart, 'memory', { namespaceName: 'agents', passwordSecret: { name: 'redis-auth', key: 'password' } });
    const redisName = memory.backend.redisMemory!.name;
    new AgentPod(chart, 'web', { source: AgentSource.image('registry.example.com/agents/web:1.0'), namespaceName: 'agents', memory });
    new AgentPod(chart, 'other', { source: AgentSource.image('registry.example.com/agents/other:1.0'), namespaceName: 'agents' });
    const objects = Testing.synth(chart);
    const sts = findObject(objects, 'StatefulSet', redisName);
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('3Gi');
    expect(restrictedViolations(sts)).toEqual([]);
    const web = findObject(objects, 'Deployment', 'web');
    expect(envOf(container(web, 'agent'))).toMatchObject({
      AGENT_MEMORY_BACKEND: 'redis',
      AGENT_MEMORY_REDIS_ADDRESS: 'memory.agents.svc.cluster.local:6379',
      AGENT_MEMORY_REDIS_PASSWORD: { valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'password' } } },
    });
    const redisPolicy = findObject(objects, 'NetworkPolicy', redisName);
    expect(redisPolicy.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: web.spec.selector.matchLabels } }], ports: [{ port: 6379, protocol: 'TCP' }] }]);
    // The agent's own policy lets it reach exactly those Redis pods on 6379.
    const webPolicy = findObject(objects, 'NetworkPolicy', 'web');
    const toRedis = webPolicy.spec.egress.find((r: any) => r.ports.some((p: any) => p.port === 6379));
    expect(toRedis.to[0].podSelector.matchLabels).toEqual(sts.spec.selector.matchLabels);
    expect(JSON.stringify(objects)).not.toMatch(/requirepass [^$]/);
  });
});
