/**
 * The two example apps (GitOps: AgentPods; operator: CRD, operator and
 * AgentTypes), synthesized to files as `npx projen synth` does, checked with
 * libraries we did not write: kubernetes-models (every object) and ajv
 * (every AgentType against the synthesized CRD schema).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parseAllDocuments } from 'yaml';
import { AGENTS_NAMESPACE, CUSTOM_TOOL, EXAMPLE_AGENTS, GATEWAY_IMAGE } from '../../examples/app';
import { buildGitOpsApp } from '../../examples/gitops';
import { buildOperatorApp } from '../../examples/operator';
import { restrictedViolations } from '../support/pod-security-standards';
import { applyOrderProblems, container, modelClass } from '../support/util';

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: any;
}

const CLUSTER_SCOPED = new Set(['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding']);
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

let outdir: string;
const files: Record<string, string[]> = {};
const byApp: Record<string, Manifest[]> = {};
let manifests: Manifest[];

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-agents-examples-'));
  buildGitOpsApp({ outdir: path.join(outdir, 'gitops') }).synth();
  buildOperatorApp({ outdir: path.join(outdir, 'operator') }).synth();
  for (const app of ['gitops', 'operator']) {
    files[app] = fs.readdirSync(path.join(outdir, app)).sort();
    byApp[app] = files[app].flatMap(f => parseAllDocuments(fs.readFileSync(path.join(outdir, app, f), 'utf-8')).map(d => d.toJSON() as Manifest));
  }
  manifests = [...byApp.gitops, ...byApp.operator];
});

afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

const ofKind = (kind: string) => manifests.filter(m => m.kind === kind);
const find = (kind: string, name: string, app = 'gitops') => {
  const found = (kind === 'AgentType' || kind === 'CustomResourceDefinition' ? byApp.operator : byApp[app]).find(m => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};


test('GitOps: the namespace, then the agents; operator: the CRD, namespace and operator, then the AgentTypes', () => {
  expect(files.gitops).toEqual(['0000-agents-namespace.k8s.yaml', '0001-agents.k8s.yaml']);
  expect(files.operator).toEqual(['0000-agent-operator.k8s.yaml', '0001-agent-types.k8s.yaml']);
  const operatorFile = parseAllDocuments(fs.readFileSync(path.join(outdir, 'operator', files.operator[0]), 'utf-8')).map(d => d.toJSON().kind);
  expect(operatorFile).toEqual(expect.arrayContaining(['CustomResourceDefinition', 'Namespace', 'Deployment', 'ServiceAccount', 'NetworkPolicy']));
  for (const name of EXAMPLE_AGENTS) {
    expect(find('Deployment', name).metadata.namespace).toBe(AGENTS_NAMESPACE);
    expect(find('AgentType', name).metadata.namespace).toBe(AGENTS_NAMESPACE);
  }
  // Each agent once per app: workloads in one, AgentTypes in the other.
  expect(byApp.gitops.filter(m => m.kind === 'AgentType')).toEqual([]);
  expect(byApp.operator.filter(m => m.kind === 'AgentType')).toHaveLength(6);
  expect(byApp.gitops.filter(m => m.kind === 'Deployment')).toHaveLength(6);
  expect(byApp.operator.filter(m => m.kind === 'Deployment').map(m => m.metadata.name)).toEqual(['agent-operator']);
  const manager = find('Deployment', 'agent-operator', 'operator').spec.template.spec.containers[0];
  expect(manager.args).toContain(`--tool-sidecar-image=${GATEWAY_IMAGE}`);
});

test.each(['gitops', 'operator'])('%s: applied file by file, document by document, each Namespace and CRD comes before what needs it', (app) => {
  expect(applyOrderProblems(byApp[app])).toEqual([]);
});

test('the apply-order check finds a Role before its Namespace and an AgentType before its CRD', () => {
  const ns = find('Namespace', AGENTS_NAMESPACE, 'operator');
  const role = byApp.operator.find(m => m.kind === 'Role' && m.metadata.namespace === AGENTS_NAMESPACE)!;
  const crd = find('CustomResourceDefinition', 'agenttypes.agents.example.com');
  const agentType = find('AgentType', EXAMPLE_AGENTS[0]);
  expect(applyOrderProblems([role, ns, agentType, crd])).toEqual([
    `Role ${AGENTS_NAMESPACE}/${role.metadata.name} comes before Namespace ${AGENTS_NAMESPACE}`,
    `AgentType ${agentType.metadata.name} comes before its CustomResourceDefinition`,
  ]);
});

test('every built-in object is valid for kubernetes-models', () => {
  const builtIn = manifests.filter(m => m.kind !== 'AgentType');
  expect(builtIn.length).toBeGreaterThan(30);
  for (const m of builtIn) {
    const Cls = modelClass(m);
    expect(`${m.apiVersion}/${m.kind}: ${Cls ? 'model' : 'NO MODEL'}`).toBe(`${m.apiVersion}/${m.kind}: model`);
    expect(() => new Cls(m).validate()).not.toThrow();
  }
});

test('every pod meets the Pod Security Standards restricted profile (operator, agents, Redis)', () => {
  const workloads = manifests.filter(m => ['Deployment', 'StatefulSet'].includes(m.kind));
  expect(workloads.length).toBe(9); // six agents and Redis (GitOps), the operator and Redis (operator)
  for (const w of workloads) expect([`${w.kind}/${w.metadata.name}`, restrictedViolations(w)]).toEqual([`${w.kind}/${w.metadata.name}`, []]);
});

test('kubernetes-models does reject a broken object (the check above can fail)', () => {
  const deployment = structuredClone(find('Deployment', 'basic-agent'));
  delete deployment.spec.selector;
  deployment.spec.template.spec.containers[0].name = 42;
  const Cls = modelClass(deployment);
  expect(() => new Cls(deployment).validate()).toThrow(/selector/);
});

describe('AgentType resources against the synthesized CRD schema (ajv)', () => {
  const compile = () => {
    const crd = find('CustomResourceDefinition', 'agenttypes.agents.example.com');
    const version = crd.spec.versions.find((v: any) => v.name === 'v1');
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    return { crd, validate: ajv.compile(version.schema.openAPIV3Schema) };
  };

  test.each(EXAMPLE_AGENTS)('%s is valid', (name) => {
    const { crd, validate } = compile();
    const at = find('AgentType', name);
    expect(at.apiVersion).toBe(`${crd.spec.group}/v1`);
    expect(at.kind).toBe(crd.spec.names.kind);
    const ok = validate(at);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  test('the same schema rejects an agent with neither image nor code', () => {
    const { validate } = compile();
    const bad = structuredClone(find('AgentType', 'basic-agent'));
    bad.spec.agent = { name: 'agent' };
    expect(validate(bad)).toBe(false);
  });
});

test('Kubernetes API-server rules: names, namespaces, selectors', () => {
  for (const m of manifests) {
    expect(m.metadata.name).toMatch(DNS1123_SUBDOMAIN);
    if (CLUSTER_SCOPED.has(m.kind)) {
      expect(`${m.kind}/${m.metadata.name} namespace=${m.metadata.namespace}`).toBe(`${m.kind}/${m.metadata.name} namespace=undefined`);
    } else {
      expect(m.metadata.namespace).toBeDefined();
    }
  }
  for (const [app, d] of Object.entries(byApp).flatMap(([a, ms]) => ms.filter(m => m.kind === 'Deployment').map(m => [a, m] as const))) {
    const template = d.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(d.spec.selector.matchLabels)) expect(template[k]).toBe(v);
    const volumes = new Set((d.spec.template.spec.volumes ?? []).map((v: any) => v.name));
    for (const c of [...d.spec.template.spec.containers, ...(d.spec.template.spec.initContainers ?? [])]) {
      for (const mount of c.volumeMounts ?? []) expect(volumes.has(mount.name)).toBe(true);
    }
    // Every ConfigMap and ServiceAccount the pod refers to is part of the output.
    for (const v of d.spec.template.spec.volumes ?? []) {
      if (v.configMap) expect(find('ConfigMap', v.configMap.name, app).metadata.namespace).toBe(d.metadata.namespace);
    }
    expect(find('ServiceAccount', d.spec.template.spec.serviceAccountName, app).metadata.namespace).toBe(d.metadata.namespace);
  }
});

test('no secret value lands in a manifest: credentials are secretKeyRefs, and no Secret is rendered', () => {
  expect(ofKind('Secret')).toHaveLength(0);
  const secretLike = /(API[_-]?KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL)/i;
  let checked = 0;
  for (const d of ofKind('Deployment')) {
    for (const c of [...d.spec.template.spec.containers, ...(d.spec.template.spec.initContainers ?? [])]) {
      for (const e of c.env ?? []) {
        if (!secretLike.test(e.name)) continue;
        checked++;
        expect(e.value).toBeUndefined();
        expect(e.valueFrom.secretKeyRef.name).toMatch(DNS1123_SUBDOMAIN);
      }
    }
  }
  expect(checked).toBeGreaterThanOrEqual(5); // API_KEY, two LLM keys of full-agent, one LLM key and the Redis password of production-agent
  expect(JSON.stringify(manifests)).not.toMatch(/secret-key|sk-[A-Za-z0-9]/);
});

test('LLM keys are in the tool sidecar only, never in the agent container', () => {
  for (const name of ['full-agent', 'production-agent']) {
    const pod = find('Deployment', name).spec.template.spec;
    const agent = pod.containers.find((c: any) => c.name === 'agent');
    const sidecar = pod.containers.find((c: any) => c.name === 'tool-manager');
    expect(agent.env.some((e: any) => /_API_KEY$/.test(e.name))).toBe(false);
    expect(sidecar.env.filter((e: any) => /_API_KEY$/.test(e.name)).every((e: any) => e.valueFrom.secretKeyRef)).toBe(true);
    expect(sidecar.env.some((e: any) => e.name === 'ANTHROPIC_API_KEY')).toBe(true);
  }
});

/** Everything one example agent renders: its workload objects and its AgentType. */
function exampleObjects(name: string): Manifest[] {
  return manifests.filter(m => m.metadata.labels?.['app.kubernetes.io/instance'] === name || (m.kind === 'AgentType' && m.metadata.name === name));
}

describe('one snapshot per example, with targeted assertions', () => {
  test('basic-agent', () => {
    const objects = exampleObjects('basic-agent');
    expect(objects.map(o => o.kind).sort()).toEqual(['AgentType', 'ConfigMap', 'Deployment', 'NetworkPolicy', 'ServiceAccount']);
    const pod = find('Deployment', 'basic-agent').spec.template.spec;
    expect(pod.containers.map((c: any) => c.name)).toEqual(['agent']);
    expect(pod.containers[0].image).toBe('nginx:latest');
    expect(pod.containers[0].command).toEqual(['/bin/sh', '/shared/bin/agent-entrypoint.sh', 'nginx', '-g', 'daemon off;']);
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(['agent-init']);
    expect(find('AgentType', 'basic-agent').spec.agent.container).toEqual({ image: 'nginx:latest', command: ['nginx', '-g', 'daemon off;'] });
    expect(objects).toMatchSnapshot();
  });

  test('container-agent', () => {
    const objects = exampleObjects('container-agent');
    const pod = find('Deployment', 'container-agent').spec.template.spec;
    const agent = pod.containers[0];
    expect(agent.imagePullPolicy).toBe('Always');
    expect(agent.env).toEqual(expect.arrayContaining([
      { name: 'LOG_LEVEL', value: 'debug' },
      { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'container-agent-api', key: 'api-key' } } },
    ]));
    expect(pod.initContainers[0].image).toBe('python:3.9');
    expect(find('ConfigMap', 'container-agent-init').data['prepare-shared-volume.sh']).toContain("--target \"$SHARED/sdk/python\" 'requests' 'pandas'");
    expect(find('AgentType', 'container-agent').spec.agent.environment.sdk).toEqual({ runtime: 'python', version: '3.9', packages: ['requests', 'pandas'] });
    expect(objects).toMatchSnapshot();
  });

  test('code-agent', () => {
    const objects = exampleObjects('code-agent');
    const agent = find('Deployment', 'code-agent').spec.template.spec.containers[0];
    expect(agent.image).toBe('python:3.9-slim');
    expect(agent.workingDir).toBe('/shared/src/src');
    expect(agent.command.slice(-2)).toEqual(['python', 'main.py']);
    const init = find('ConfigMap', 'code-agent-init').data;
    expect(init['prepare-shared-volume.sh']).toContain("git clone --depth 1 -- 'https://github.com/example/agent' \"$SHARED/src\"");
    expect(init['glue_gluecode.py']).toBe(fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'glue', 'gluecode.py'), 'utf-8'));
    expect(find('AgentType', 'code-agent').spec.agent.code).toEqual({ source: { type: 'git', path: '/src', repository: 'https://github.com/example/agent' }, runtime: 'python', version: '3.9' });
    expect(find('AgentType', 'code-agent').spec.agent.environment.glueCode.content).toBe(init['glue_gluecode.py']);
    expect(objects).toMatchSnapshot();
  });

  test('tooled-agent', () => {
    const objects = exampleObjects('tooled-agent');
    const pod = find('Deployment', 'tooled-agent').spec.template.spec;
    expect(pod.containers.map((c: any) => c.name)).toEqual(['agent', 'tool-manager']);
    const tools = JSON.parse(find('ConfigMap', 'tooled-agent-tools').data['tools.json']);
    expect(tools).toEqual({
      required: ['python3'],
      optional: ['kubectl'],
      custom: [CUSTOM_TOOL],
    });
    expect(find('AgentType', 'tooled-agent').spec.tools).toEqual(tools);
    // The init container downloads the custom tool and checks its digest; the sidecar is ready once it and python3 are on PATH.
    const init = find('ConfigMap', 'tooled-agent-init').data['prepare-shared-volume.sh'];
    expect(init).toContain(`install_tool 'custom-tool' '${CUSTOM_TOOL.source}' '${CUSTOM_TOOL.sha256}'`);
    expect(container(find('Deployment', 'tooled-agent'), 'tool-manager').readinessProbe.exec.command[2]).toContain("for t in 'python3' 'custom-tool'");
    expect(objects).toMatchSnapshot();
  });

  test('full-agent', () => {
    const objects = exampleObjects('full-agent');
    const pod = find('Deployment', 'full-agent').spec.template.spec;
    const agent = pod.containers.find((c: any) => c.name === 'agent');
    expect(agent.resources.limits.memory).toBe('1024Mi');
    expect(agent.env).toEqual(expect.arrayContaining([
      { name: 'AGENT_MEMORY_BACKEND', value: 'redis' },
      { name: 'AGENT_LLM_PROVIDERS', value: 'main-llm,backup-llm' },
    ]));
    const providers = find('AgentType', 'full-agent').spec.llm.providers;
    expect(providers.map((p: any) => [p.name, p.type, p.credentialsSecret])).toEqual([
      ['main-llm', 'anthropic', 'anthropic-credentials'],
      ['backup-llm', 'openai', 'openai-credentials'],
    ]);
    expect(objects).toMatchSnapshot();
  });

  test('production-agent', () => {
    const objects = exampleObjects('production-agent');
    const deployment = find('Deployment', 'production-agent');
    // Autoscaled: no replicas on the Deployment, an autoscaling/v2 HPA, a PDB and spread.
    expect('replicas' in deployment.spec).toBe(false);
    expect(find('HorizontalPodAutoscaler', 'production-agent').spec).toMatchObject({ minReplicas: 2, maxReplicas: 5 });
    expect(find('PodDisruptionBudget', 'production-agent').spec.maxUnavailable).toBe(1);
    expect(deployment.spec.template.spec.topologySpreadConstraints).toHaveLength(2);
    expect(deployment.spec.template.spec.runtimeClassName).toBe('gvisor');
    expect(find('ServiceMonitor', 'production-agent').spec.endpoints[0].port).toBe('metrics');
    const policy = find('NetworkPolicy', 'production-agent');
    expect(policy.spec.policyTypes).toEqual(['Egress', 'Ingress']);
    expect(policy.spec.ingress.map((r: any) => r.from.map((f: any) => f.namespaceSelector.matchLabels['kubernetes.io/metadata.name']))).toEqual([['default', 'monitoring'], ['monitoring']]);
    expect(policy.spec.ingress.map((r: any) => r.ports)).toEqual([[{ port: 8080, protocol: 'TCP' }], [{ port: 9464, protocol: 'TCP' }]]);
    expect(deployment.spec.template.spec.containers[0].env).toContainEqual({ name: 'AGENT_METRICS', value: 'memory_usage,api_latency' });
    // Its Redis is deployed by the app and lets only this agent in.
    const redisPolicy = find('NetworkPolicy', 'agent-memory');
    expect(redisPolicy.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: deployment.spec.selector.matchLabels } }], ports: [{ port: 6379, protocol: 'TCP' }] }]);
    expect(find('StatefulSet', 'agent-memory').spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('2Gi');
    const spec = find('AgentType', 'production-agent').spec;
    expect(spec.memory).toMatchObject({ size: '2Gi', type: 'redis' });
    expect(spec.scaling).toMatchObject({ minReplicas: 2, maxReplicas: 5 });
    expect(spec.monitoring).toEqual({ enabled: true, metrics: ['memory_usage', 'api_latency'], serviceMonitor: true, otlpEndpoint: 'http://otel-collector.monitoring:4317' });
    expect(spec.security).toEqual({ networkPolicy: { allowedNamespaces: ['default', 'monitoring'] }, runtimeClassName: 'gvisor' });
    expect(spec.agent.port).toBe(8080);
    const agent = deployment.spec.template.spec.containers[0];
    expect(agent.env).toContainEqual({ name: 'AGENT_MEMORY_REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'password' } } });
    expect(agent.env).toContainEqual({ name: 'AGENT_MEMORY_REDIS_ADDRESS', value: 'agent-memory.agents.svc.cluster.local:6379' });
    expect(objects).toMatchSnapshot();
  });
});
