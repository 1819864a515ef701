import { Chart, Duration, Testing } from 'cdk8s';
import { Cpu, ImagePullPolicy } from 'cdk8s-plus-28';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { Namespace, Service, ServiceAccount } from 'kubernetes-models/v1';
import { AgentPod, AgentSource } from '../../src';
import { AgentOperator, AgentOperatorProps } from '../../src/install/agent-operator';
import { AgentTypeCrd } from '../../src/install/agent-type-crd';
import { restrictedViolations } from '../support/pod-security-standards';

const IMAGE = 'ghcr.io/example/agent-operator:0.1.0';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Manifest = any;

/** kubernetes-models class per `apiVersion/kind`; an unknown kind fails the test. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'apiextensions.k8s.io/v1/CustomResourceDefinition': CustomResourceDefinition,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition']);

function synth(props: Partial<AgentOperatorProps> = {}, chartNamespace?: string): Manifest[] {
  // Testing.chart() takes no props: a chart with a namespace is built by hand.
  const chart = chartNamespace ? new Chart(Testing.app(), 'test', { namespace: chartNamespace }) : Testing.chart();
  new AgentOperator(chart, 'op', { image: IMAGE, ...props });
  return Testing.synth(chart);
}

function ofKind(manifests: Manifest[], kind: string): Manifest[] {
  return manifests.filter(m => m.kind === kind);
}

function only(manifests: Manifest[], kind: string): Manifest {
  const found = ofKind(manifests, kind);
  expect(found).toHaveLength(1);
  return found[0];
}

function container(manifests: Manifest[]): Manifest {
  const spec = only(manifests, 'Deployment').spec.template.spec;
  expect(spec.containers).toHaveLength(1);
  return spec.containers[0];
}

function env(manifests: Manifest[]): Record<string, Manifest> {
  return Object.fromEntries(container(manifests).env.map((e: Manifest) => [e.name, e]));
}

/** Every rule of every Role and ClusterRole, with the role it came from. */
function allRules(manifests: Manifest[]): { role: Manifest; rule: Manifest }[] {
  return manifests
    .filter(m => m.kind === 'Role' || m.kind === 'ClusterRole')
    .flatMap(role => (role.rules ?? []).map((rule: Manifest) => ({ role, rule })));
}

/** The verbs granted on `apiGroup`/`resource` by one role. */
function verbsOn(role: Manifest, apiGroup: string, resource: string): string[] {
  return (role.rules ?? [])
    .filter((r: Manifest) => r.apiGroups.includes(apiGroup) && r.resources.includes(resource))
    .flatMap((r: Manifest) => r.verbs)
    .sort();
}

function validateAll(manifests: Manifest[]): void {
  expect(manifests.length).toBeGreaterThan(0);
  for (const m of manifests) {
    const Model = MODELS[`${m.apiVersion}/${m.kind}`];
    if (!Model) {
      throw new Error(`no kubernetes-models class for ${m.apiVersion} ${m.kind} (${m.metadata?.name}): add it to MODELS`);
    }
    expect(() => new Model(m).validate()).not.toThrow();
  }
}

describe('AgentOperator validation', () => {
  test('image is required: a JS caller passing {} gets path, field and value', () => {
    const chart = Testing.chart();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    expect(() => new AgentOperator(chart, 'op', {} as any)).toThrow(/AgentOperator 'test\/op': image '' is required/);
  });

  test('empty, whitespace or malformed image throws with path, field and value', () => {
    expect(() => synth({ image: '' })).toThrow("AgentOperator 'test/op': image '' is required");
    expect(() => synth({ image: '  ' })).toThrow("AgentOperator 'test/op': image '  ' is required");
    expect(() => synth({ image: 'repo/op :1' })).toThrow("AgentOperator 'test/op': image 'repo/op :1' is not an image reference");
    // The same rule as every other construct (ImageReference): two tags, an empty path component.
    expect(() => synth({ image: 'operator:1:2' })).toThrow("AgentOperator 'test/op': image 'operator:1:2' is not an image reference");
    expect(() => synth({ image: 'example.com//operator:1' })).toThrow("image 'example.com//operator:1' is not an image reference");
  });

  test('invalid namespace throws', () => {
    expect(() => synth({ namespaceName: 'Agents_System' })).toThrow("AgentOperator 'test/op': namespaceName 'Agents_System' is not a valid RFC 1123 label");
  });

  test('watchNamespaces with clusterWide: true throws', () => {
    expect(() => synth({ clusterWide: true, watchNamespaces: ['team-a'] }))
      .toThrow("AgentOperator 'test/op': watchNamespaces '[\"team-a\"]' must not be set with clusterWide: true");
  });

  test('invalid, duplicate or empty watchNamespaces throw', () => {
    expect(() => synth({ watchNamespaces: ['team-a', 'Team_B'] })).toThrow("watchNamespaces 'Team_B' is not a valid RFC 1123 label");
    expect(() => synth({ watchNamespaces: ['team-a', 'team-a'] })).toThrow("AgentOperator 'test/op': watchNamespaces 'team-a' is listed more than once");
    expect(() => synth({ watchNamespaces: [] })).toThrow("watchNamespaces '[]' must not be empty");
  });

  test('equal or invalid ports throw', () => {
    expect(() => synth({ metricsPort: 9000, healthPort: 9000 })).toThrow("AgentOperator 'test/op': healthPort '9000' must differ from metricsPort");
    expect(() => synth({ healthPort: 8080 })).toThrow("healthPort '8080' must differ from metricsPort");
    expect(() => synth({ metricsPort: 70000 })).toThrow("AgentOperator 'test/op': metricsPort '70000' is not a port number");
    expect(() => synth({ healthPort: 0 })).toThrow("healthPort '0' is not a port number");
  });

  test('replicas, name, group, leaderElectionId, logLevel, toolSidecarImage, syncPeriod and maxConcurrentReconciles are checked', () => {
    expect(() => synth({ replicas: 0 })).toThrow("AgentOperator 'test/op': replicas '0' is not an integer from 1 to 2147483647");
    expect(() => synth({ replicas: 1.5 })).toThrow("replicas '1.5' is not an integer from 1 to 2147483647");
    expect(() => synth({ name: 'Op' })).toThrow("name 'Op' is not a valid RFC 1123 label");
    expect(() => synth({ name: '1op' })).toThrow("name '1op' must start with a letter");
    expect(() => synth({ name: 'a'.repeat(56) })).toThrow('at most 55 characters');
    expect(() => synth({ group: 'agents' })).toThrow("group 'agents' must contain at least one dot");
    expect(() => synth({ group: 'Agents.Example.com' })).toThrow("group 'Agents.Example.com' is not a valid RFC 1123 subdomain");
    expect(() => synth({ leaderElectionId: 'Lease_1' })).toThrow("leaderElectionId 'Lease_1' is not a valid RFC 1123 subdomain");
    expect(() => synth({ logLevel: 'very loud' })).toThrow("AgentOperator 'test/op': logLevel 'very loud' is not a log level ('debug', 'info', 'error')");
    expect(() => synth({ logLevel: '2' })).toThrow("logLevel '2' is not a log level");
    expect(() => synth({ toolSidecarImage: 'Tool:1' })).toThrow("AgentOperator 'test/op': toolSidecarImage 'Tool:1'");
    expect(() => synth({ syncPeriod: Duration.millis(1500) })).toThrow("AgentOperator 'test/op': syncPeriod '1.5s' must be whole seconds, at least 1 second");
    expect(() => synth({ syncPeriod: Duration.seconds(0) })).toThrow("syncPeriod '0s' must be whole seconds");
    for (const count of [0, 65, -1, 2.5, NaN, Infinity]) {
      expect(() => synth({ maxConcurrentReconciles: count })).toThrow(`AgentOperator 'test/op': maxConcurrentReconciles '${count}' is not an integer from 1 to 64`);
    }
    expect(() => synth({ maxConcurrentReconciles: '8' as any })).toThrow("AgentOperator 'test/op': maxConcurrentReconciles '8' is not an integer from 1 to 64");
    expect(container(synth({ maxConcurrentReconciles: 1 })).args).toContain('--max-concurrent-reconciles=1');
    expect(container(synth({ maxConcurrentReconciles: 64 })).args).toContain('--max-concurrent-reconciles=64');
  });

  test('group that differs from the passed crd throws', () => {
    const chart = Testing.chart();
    const crd = new AgentTypeCrd(chart, 'crd', { group: 'agents.acme.io' });
    expect(() => new AgentOperator(chart, 'op', { image: IMAGE, crd, group: 'other.acme.io' }))
      .toThrow("AgentOperator 'test/op': group 'other.acme.io' differs from the group of crd");
  });
});

describe('AgentOperator default install', () => {
  test('snapshot, with the key facts asserted beside it', () => {
    const manifests = synth();
    expect(manifests).toMatchSnapshot();

    expect(manifests.map(m => m.kind).sort()).toEqual([
      'CustomResourceDefinition',
      'Deployment',
      'Namespace',
      'NetworkPolicy',
      'Role',
      'Role',
      'RoleBinding',
      'RoleBinding',
      'Service',
      'ServiceAccount',
    ].sort());

    const ns = only(manifests, 'Namespace');
    expect(ns.metadata.name).toBe('agents-system');

    const deployment = only(manifests, 'Deployment');
    expect(deployment.metadata).toMatchObject({ name: 'agent-operator', namespace: 'agents-system' });
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.metadata.labels).toMatchObject({
      'app.kubernetes.io/name': 'agent-operator',
      'app.kubernetes.io/instance': 'agent-operator',
      'app.kubernetes.io/component': 'operator',
      'app.kubernetes.io/part-of': 'cdk8s-agents',
      'app.kubernetes.io/managed-by': 'cdk8s',
    });

    const c = container(manifests);
    expect(c.name).toBe('manager');
    expect(c.image).toBe(IMAGE);
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(c.args).toEqual([
      '--leader-elect',
      '--leader-election-id=cdk8s-agents-operator',
      '--metrics-bind-address=:8080',
      '--health-probe-bind-address=:8081',
      '--log-level=info',
    ]);
    expect(c.resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    });

    const e = env(manifests);
    expect(e.WATCH_NAMESPACE.value).toBe('agents-system');
    expect(e.POD_NAMESPACE.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.namespace' } });
    expect(e.AGENT_TYPE_GROUP.value).toBe('agents.example.com');

    const crd = only(manifests, 'CustomResourceDefinition');
    expect(crd.spec.group).toBe('agents.example.com');
    expect(crd.metadata.name).toBe('agenttypes.agents.example.com');

    const svc = only(manifests, 'Service');
    expect(svc.metadata).toMatchObject({ name: 'agent-operator-metrics', namespace: 'agents-system' });
    expect(svc.spec.type).toBe('ClusterIP');
    expect(svc.spec.ports).toEqual([{ name: 'metrics', port: 8080, targetPort: 8080, protocol: 'TCP' }]);

    validateAll(manifests);
  });

  test('Deployment: probes, ports, pod and container security context, service account', () => {
    const manifests = synth();
    const pod = only(manifests, 'Deployment').spec.template.spec;
    const c = container(manifests);

    expect(c.ports).toEqual([
      { name: 'metrics', containerPort: 8080, protocol: 'TCP' },
      { name: 'health', containerPort: 8081, protocol: 'TCP' },
    ]);
    expect(c.livenessProbe).toMatchObject({
      httpGet: { path: '/healthz', port: 8081 },
      initialDelaySeconds: 15,
      periodSeconds: 20,
    });
    expect(c.readinessProbe).toMatchObject({
      httpGet: { path: '/readyz', port: 8081 },
      initialDelaySeconds: 5,
      periodSeconds: 10,
    });

    expect(c.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });

    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.terminationGracePeriodSeconds).toBe(10);
    const sa = only(manifests, 'ServiceAccount');
    expect(sa.metadata).toMatchObject({ name: 'agent-operator', namespace: 'agents-system' });
    expect(pod.serviceAccountName).toBe(sa.metadata.name);
  });

  test('Deployment selector is the stable label subset and matches the pod template; the Service selects the same pods', () => {
    const manifests = synth();
    const deployment = only(manifests, 'Deployment');
    const matchLabels = deployment.spec.selector.matchLabels;
    expect(matchLabels).toEqual({
      'app.kubernetes.io/name': 'agent-operator',
      'app.kubernetes.io/instance': 'agent-operator',
    });
    expect(deployment.spec.selector.matchExpressions).toBeUndefined();
    expect(deployment.spec.template.metadata.labels).toEqual(expect.objectContaining(matchLabels));
    expect(deployment.spec.template.metadata.labels['app.kubernetes.io/component']).toBe('operator');
    const svc = only(manifests, 'Service');
    expect(svc.spec.selector).toEqual(matchLabels);
  });

  test('every override is honoured', () => {
    const manifests = synth({
      name: 'ops',
      namespaceName: 'platform',
      replicas: 3,
      leaderElectionId: 'ops.agents.acme.io',
      metricsPort: 9090,
      healthPort: 9091,
      imagePullPolicy: ImagePullPolicy.ALWAYS,
      logLevel: 'debug',
      toolSidecarImage: 'registry.example.com/tool-manager:1.0',
      syncPeriod: Duration.minutes(10),
      maxConcurrentReconciles: 16,
      group: 'agents.acme.io',
      resources: { cpu: { request: Cpu.millis(50) } },
    });
    const deployment = only(manifests, 'Deployment');
    expect(deployment.metadata).toMatchObject({ name: 'ops', namespace: 'platform' });
    expect(deployment.spec.replicas).toBe(3);
    const c = container(manifests);
    expect(c.imagePullPolicy).toBe('Always');
    expect(c.args).toEqual([
      '--leader-elect',
      '--leader-election-id=ops.agents.acme.io',
      '--metrics-bind-address=:9090',
      '--health-probe-bind-address=:9091',
      '--log-level=debug',
      '--tool-sidecar-image=registry.example.com/tool-manager:1.0',
      '--sync-period=600s',
      '--max-concurrent-reconciles=16',
    ]);
    expect(c.resources).toEqual({ requests: { cpu: '50m' } });
    expect(c.livenessProbe.httpGet.port).toBe(9091);
    expect(env(manifests).AGENT_TYPE_GROUP.value).toBe('agents.acme.io');
    expect(env(manifests).WATCH_NAMESPACE.value).toBe('platform');
    expect(only(manifests, 'Service').metadata.name).toBe('ops-metrics');
    expect(only(manifests, 'Service').spec.ports[0].port).toBe(9090);
    expect(only(manifests, 'CustomResourceDefinition').spec.group).toBe('agents.acme.io');
    expect(ofKind(manifests, 'Role').map(r => r.metadata.name).sort()).toEqual(['ops', 'ops-leader-election']);
    validateAll(manifests);
  });

  test('createNamespace: false renders no Namespace', () => {
    const manifests = synth({ createNamespace: false });
    expect(ofKind(manifests, 'Namespace')).toHaveLength(0);
    validateAll(manifests);
  });

  test('installCrd: false renders no CRD but keeps the group', () => {
    const chart = Testing.chart();
    const op = new AgentOperator(chart, 'op', { image: IMAGE, installCrd: false, group: 'agents.acme.io' });
    const manifests = Testing.synth(chart);
    expect(op.crd).toBeUndefined();
    expect(ofKind(manifests, 'CustomResourceDefinition')).toHaveLength(0);
    expect(env(manifests).AGENT_TYPE_GROUP.value).toBe('agents.acme.io');
    const agentRole = ofKind(manifests, 'Role').find(r => r.metadata.name === 'agent-operator');
    expect(verbsOn(agentRole, 'agents.acme.io', 'agenttypes')).toEqual(['get', 'list', 'watch']);
    validateAll(manifests);
  });

  test('a passed crd gives the group and plural, and is not rendered twice', () => {
    const chart = Testing.chart();
    const crd = new AgentTypeCrd(chart, 'crd', { group: 'agents.acme.io' });
    const op = new AgentOperator(chart, 'op', { image: IMAGE, crd });
    const manifests = Testing.synth(chart);
    expect(op.crd).toBe(crd);
    expect(op.group).toBe('agents.acme.io');
    expect(ofKind(manifests, 'CustomResourceDefinition')).toHaveLength(1);
    const agentRole = ofKind(manifests, 'Role').find(r => r.metadata.name === 'agent-operator');
    expect(verbsOn(agentRole, 'agents.acme.io', crd.plural)).toEqual(['get', 'list', 'watch']);
    expect(verbsOn(agentRole, 'agents.acme.io', `${crd.plural}/status`)).toEqual(['patch', 'update']);
    expect(env(manifests).AGENT_TYPE_GROUP.value).toBe('agents.acme.io');
  });

  test('public fields', () => {
    const chart = Testing.chart();
    const op = new AgentOperator(chart, 'op', { image: IMAGE, watchNamespaces: ['team-a', 'team-b'] });
    expect(op.namespaceName).toBe('agents-system');
    expect(op.clusterWide).toBe(false);
    expect(op.group).toBe('agents.example.com');
    expect(op.crd).toBeInstanceOf(AgentTypeCrd);
    expect(op.serviceAccount.name).toBe('agent-operator');
    expect(op.deployment.name).toBe('agent-operator');
    expect(op.watchNamespaces).toEqual(['team-a', 'team-b']);
    op.watchNamespaces.push('mutated');
    expect(op.watchNamespaces).toEqual(['team-a', 'team-b']);
  });
});

describe('AgentOperator RBAC', () => {
  test('namespaced mode: a Role + RoleBinding in each watched namespace, no ClusterRole', () => {
    const manifests = synth({ watchNamespaces: ['team-a', 'team-b'] });
    expect(ofKind(manifests, 'ClusterRole')).toHaveLength(0);
    expect(ofKind(manifests, 'ClusterRoleBinding')).toHaveLength(0);

    const agentRoles = ofKind(manifests, 'Role').filter(r => r.metadata.name === 'agent-operator');
    expect(agentRoles.map(r => r.metadata.namespace).sort()).toEqual(['team-a', 'team-b']);
    const agentBindings = ofKind(manifests, 'RoleBinding').filter(r => r.metadata.name === 'agent-operator');
    expect(agentBindings.map(r => r.metadata.namespace).sort()).toEqual(['team-a', 'team-b']);
    for (const b of agentBindings) {
      expect(b.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'agent-operator' });
      expect(b.subjects).toEqual([{ apiGroup: '', kind: 'ServiceAccount', name: 'agent-operator', namespace: 'agents-system' }]);
    }
    // the operator namespace itself only holds the leader-election Role
    expect(ofKind(manifests, 'Role').filter(r => r.metadata.namespace === 'agents-system').map(r => r.metadata.name))
      .toEqual(['agent-operator-leader-election']);

    expect(env(manifests).WATCH_NAMESPACE.value).toBe('team-a,team-b');
    validateAll(manifests);
  });

  test('cluster-wide mode: ClusterRole + ClusterRoleBinding, no namespaced agent Role, WATCH_NAMESPACE empty', () => {
    const manifests = synth({ clusterWide: true });
    const clusterRole = only(manifests, 'ClusterRole');
    expect(clusterRole.metadata.name).toBe('agent-operator');
    const crb = only(manifests, 'ClusterRoleBinding');
    expect(crb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'agent-operator' });
    expect(crb.subjects).toEqual([{ apiGroup: '', kind: 'ServiceAccount', name: 'agent-operator', namespace: 'agents-system' }]);

    // only the leader-election Role is namespaced
    expect(ofKind(manifests, 'Role').map(r => r.metadata.name)).toEqual(['agent-operator-leader-election']);
    expect(ofKind(manifests, 'RoleBinding').map(r => r.metadata.name)).toEqual(['agent-operator-leader-election']);
    expect(verbsOn(clusterRole, 'agents.example.com', 'agenttypes/status')).toEqual(['patch', 'update']);

    const e = env(manifests);
    expect(e.WATCH_NAMESPACE).toEqual({ name: 'WATCH_NAMESPACE', value: '' });
    validateAll(manifests);
  });

  test.each([
    ['namespaced', { watchNamespaces: ['team-a', 'team-b'] }],
    ['cluster-wide', { clusterWide: true }],
  ])('least privilege (%s)', (_mode, props) => {
    const manifests = synth(props);
    const rules = allRules(manifests);
    expect(rules.length).toBeGreaterThan(0);

    for (const { rule } of rules) {
      for (const field of ['verbs', 'resources', 'apiGroups', 'resourceNames', 'nonResourceURLs']) {
        for (const v of rule[field] ?? []) {
          expect(v).not.toContain('*');
        }
      }
      // Secrets: read only (the ones AgentTypes reference), never written
      if (rule.resources.includes('secrets')) expect([...rule.verbs].sort()).toEqual(['get', 'list', 'watch']);
      expect(rule.apiGroups).not.toContain('rbac.authorization.k8s.io');
      expect(rule.nonResourceURLs).toBeUndefined();
      expect(rule.verbs).not.toContain('deletecollection');
      expect(rule.verbs).not.toContain('escalate');
      expect(rule.verbs).not.toContain('bind');
      expect(rule.verbs).not.toContain('impersonate');
    }

    // leases only in the leader-election Role of the operator namespace
    const leaseRoles = rules.filter(({ rule }) => rule.resources.includes('leases')).map(({ role }) => role);
    expect(leaseRoles.length).toBeGreaterThan(0);
    for (const role of leaseRoles) {
      expect(role.kind).toBe('Role');
      expect(role.metadata.namespace).toBe('agents-system');
      expect(role.metadata.name).toBe('agent-operator-leader-election');
      // create names no object; get and update only the leader-election Lease
      expect(role.rules.filter((r: Manifest) => r.resources.includes('leases'))).toEqual([
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['cdk8s-agents-operator'], verbs: ['get', 'update'] },
      ]);
      expect(verbsOn(role, 'events.k8s.io', 'events')).toEqual(['create', 'patch']);
      expect(role.rules).toHaveLength(3);
    }

    const agentRoles = manifests.filter(m => (m.kind === 'Role' || m.kind === 'ClusterRole') && m.metadata.name === 'agent-operator');
    expect(agentRoles.length).toBeGreaterThan(0);
    for (const role of agentRoles) {
      expect(verbsOn(role, 'agents.example.com', 'agenttypes')).toEqual(['get', 'list', 'watch']);
      expect(verbsOn(role, 'agents.example.com', 'agenttypes/status')).toEqual(['patch', 'update']);
      expect(verbsOn(role, 'agents.example.com', 'agenttypes/finalizers')).toEqual(['update']);
      const crud = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
      expect(verbsOn(role, 'apps', 'deployments')).toEqual(crud);
      expect(verbsOn(role, 'apps', 'statefulsets')).toEqual(crud);
      expect(verbsOn(role, 'monitoring.coreos.com', 'servicemonitors')).toEqual(crud);
      expect(verbsOn(role, '', 'persistentvolumeclaims')).toEqual(['delete', 'get', 'list', 'watch']);
      expect(verbsOn(role, '', 'configmaps')).toEqual(crud);
      expect(verbsOn(role, '', 'serviceaccounts')).toEqual(crud);
      expect(verbsOn(role, '', 'services')).toEqual(crud);
      expect(verbsOn(role, 'networking.k8s.io', 'networkpolicies')).toEqual(crud);
      expect(verbsOn(role, 'autoscaling', 'horizontalpodautoscalers')).toEqual(crud);
      expect(verbsOn(role, 'policy', 'poddisruptionbudgets')).toEqual(crud);
      expect(verbsOn(role, '', 'pods')).toEqual([]);
      expect(verbsOn(role, '', 'events')).toEqual([]);
      expect(verbsOn(role, 'events.k8s.io', 'events')).toEqual(['create', 'patch']);
      expect(verbsOn(role, '', 'secrets')).toEqual(['get', 'list', 'watch']);
      expect(verbsOn(role, 'coordination.k8s.io', 'leases')).toEqual([]);
      // one apiGroup per rule, so each rule reads on its own
      for (const rule of role.rules) expect(rule.apiGroups).toHaveLength(1);
      // and nothing else: exactly these resources
      expect(role.rules.map((r: Manifest) => `${r.apiGroups[0]}/${r.resources.join(',')}`).sort()).toEqual([
        '/configmaps', '/persistentvolumeclaims', '/secrets', '/serviceaccounts', '/services',
        'agents.example.com/agenttypes', 'agents.example.com/agenttypes/finalizers', 'agents.example.com/agenttypes/status',
        'apps/deployments', 'apps/statefulsets', 'autoscaling/horizontalpodautoscalers', 'events.k8s.io/events',
        'monitoring.coreos.com/servicemonitors', 'networking.k8s.io/networkpolicies', 'policy/poddisruptionbudgets',
      ]);
    }
  });

  test('the leader-election Role gets and updates only the leaderElectionId Lease', () => {
    const manifests = synth({ leaderElectionId: 'my-lock' });
    const role = ofKind(manifests, 'Role').find(r => r.metadata.name === 'agent-operator-leader-election');
    expect(role.metadata.namespace).toBe('agents-system');
    expect(role.rules.filter((r: Manifest) => r.resourceNames)).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['my-lock'], verbs: ['get', 'update'] },
    ]);
    expect(container(manifests).args).toContain('--leader-election-id=my-lock');
  });
});

describe('AgentOperator.addWatchNamespace', () => {
  test('after construction and after later constructs: a Role + RoleBinding there, and WATCH_NAMESPACE lists it at synth', () => {
    const chart = Testing.chart();
    const op = new AgentOperator(chart, 'op', { image: IMAGE, watchNamespaces: ['team-a'] });
    new AgentTypeCrd(chart, 'later', { group: 'later.example.com' });
    const role = op.addWatchNamespace('team-b');
    expect(op.watchNamespaces).toEqual(['team-a', 'team-b']);

    const manifests = Testing.synth(chart);
    expect(env(manifests).WATCH_NAMESPACE.value).toBe('team-a,team-b');
    const agentRoles = ofKind(manifests, 'Role').filter(r => r.metadata.name === 'agent-operator');
    expect(agentRoles.map(r => r.metadata.namespace)).toEqual(['team-a', 'team-b']);
    expect(agentRoles[1].rules).toEqual(agentRoles[0].rules);
    const binding = ofKind(manifests, 'RoleBinding').find(b => b.metadata.namespace === 'team-b');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'agent-operator' });
    expect(binding.subjects).toEqual([{ apiGroup: '', kind: 'ServiceAccount', name: 'agent-operator', namespace: 'agents-system' }]);
    // the returned child is the Role rendered in team-b
    expect(role.metadata.namespace).toBe('team-b');
    expect(role.name).toBe('agent-operator');
    validateAll(manifests);
    // produced once per synth from what was recorded: a second synth is the same
    expect(Testing.synth(chart)).toEqual(manifests);
  });

  test('a namespace already watched returns its Role and adds nothing', () => {
    const chart = Testing.chart();
    const op = new AgentOperator(chart, 'op', { image: IMAGE });
    const children = op.node.children.length;
    const role = op.addWatchNamespace('agents-system');
    expect(op.addWatchNamespace('agents-system')).toBe(role);
    expect(op.node.children).toHaveLength(children);
    expect(op.watchNamespaces).toEqual(['agents-system']);
    expect(env(Testing.synth(chart)).WATCH_NAMESPACE.value).toBe('agents-system');
  });

  test('refused in cluster-wide mode and for an invalid name, recording nothing', () => {
    const chart = Testing.chart();
    const clusterWide = new AgentOperator(chart, 'op', { image: IMAGE, clusterWide: true });
    expect(() => clusterWide.addWatchNamespace('team-a'))
      .toThrow("AgentOperator 'test/op': addWatchNamespace namespaceName 'team-a' cannot be added with clusterWide: true");
    expect(clusterWide.watchNamespaces).toEqual([]);
    expect(env(Testing.synth(chart)).WATCH_NAMESPACE.value).toBe('');

    const namespaced = new AgentOperator(Testing.chart(), 'op', { image: IMAGE });
    const children = namespaced.node.children.length;
    expect(() => namespaced.addWatchNamespace('Team_A'))
      .toThrow("AgentOperator 'test/op': addWatchNamespace namespaceName 'Team_A' is not a valid RFC 1123 label");
    expect(namespaced.watchNamespaces).toEqual(['agents-system']);
    expect(namespaced.node.children).toHaveLength(children);
  });
});

describe('AgentOperator with bad props', () => {
  test.each<[string, Partial<AgentOperatorProps>]>([
    ['image', { image: 'operator:1:2' }],
    ['watchNamespaces', { watchNamespaces: ['team-a', 'team-a'] }],
    ['healthPort', { healthPort: 8080 }],
    ['logLevel', { logLevel: 'very loud' }],
    ['group', { group: 'agents' }],
    ['maxConcurrentReconciles', { maxConcurrentReconciles: 0 }],
  ])('a bad %s throws before any child is created: nothing half-written', (_field, props) => {
    const chart = Testing.chart();
    expect(() => new AgentOperator(chart, 'op', { image: IMAGE, ...props })).toThrow(/^AgentOperator 'test\/op': /);
    expect(chart.node.findChild('op').node.children).toEqual([]);
    expect(Testing.synth(chart)).toEqual([]);
  });
});

describe('AgentOperator namespaces on objects', () => {
  test.each([
    ['namespaced, plain chart', {}, undefined],
    ['cluster-wide, plain chart', { clusterWide: true }, undefined],
    ['namespaced, chart with a namespace', { watchNamespaces: ['team-a'] }, 'chart-ns'],
    ['cluster-wide, chart with a namespace', { clusterWide: true }, 'chart-ns'],
  ])('%s: cluster-scoped objects have no namespace, namespaced ones have theirs', (_name, props, chartNs) => {
    const manifests = synth(props as Partial<AgentOperatorProps>, chartNs);
    for (const m of manifests) {
      if (CLUSTER_SCOPED.has(m.kind)) {
        expect({ kind: m.kind, namespace: m.metadata.namespace }).toEqual({ kind: m.kind, namespace: undefined });
      } else {
        expect(typeof m.metadata.namespace).toBe('string');
        expect(m.metadata.namespace).not.toBe('chart-ns');
      }
    }
    for (const kind of ['Deployment', 'ServiceAccount', 'Service']) {
      expect(only(manifests, kind).metadata.namespace).toBe('agents-system');
    }
    validateAll(manifests);
  });
});

test('the restricted securityContext defaults can be changed, and the PSS checker sees the result', () => {
  const deployment = (m: Manifest[]) => m.find(o => o.kind === 'Deployment')!;
  expect(restrictedViolations(deployment(synth()))).toEqual([]);
  const relaxed = deployment(synth({ securityContext: { readOnlyRootFilesystem: false } }));
  expect(relaxed.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(false);
  expect(restrictedViolations(relaxed)).toEqual([]);
  expect(restrictedViolations(deployment(synth({ securityContext: { privileged: true } }))).join('\n')).toMatch(/privileged/);
});

describe('AgentOperator NetworkPolicy', () => {
  const DNS = {
    ports: [{ port: 53, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }],
    to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  };
  const API_PORTS = [{ port: 443, protocol: 'TCP' }, { port: 6443, protocol: 'TCP' }];

  test('default: deny all but DNS (the agents\' rule) and the API server on 443/6443 to any address; no ingress', () => {
    const manifests = synth();
    const policy = only(manifests, 'NetworkPolicy');
    expect(policy.metadata).toMatchObject({ name: 'agent-operator', namespace: 'agents-system' });
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: only(manifests, 'Deployment').spec.selector.matchLabels },
      policyTypes: ['Egress', 'Ingress'],
      egress: [
        DNS,
        { ports: API_PORTS, to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] },
        { ports: API_PORTS, to: [{ ipBlock: { cidr: '::/0' } }] },
      ],
    });
    // The pod selector selects the operator pods.
    const labels = only(manifests, 'Deployment').spec.template.metadata.labels;
    for (const [k, v] of Object.entries(policy.spec.podSelector.matchLabels)) expect(labels[k]).toBe(v);
  });

  test('the DNS rule is the one an agent\'s policy renders', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'agents' });
    new AgentPod(chart, 'web', { source: AgentSource.image('registry.example.com/web:1') });
    const agentPolicy = Testing.synth(chart).find(m => m.kind === 'NetworkPolicy');
    expect(agentPolicy.spec.egress[0]).toEqual(DNS);
  });

  test('API server CIDRs and ports, DNS options and ingress to the metrics and health ports are honoured', () => {
    const policy = only(synth({
      metricsPort: 9090,
      healthPort: 9091,
      networkPolicy: {
        apiServerCidrs: ['10.0.0.1/32'],
        apiServerPorts: [6443],
        dnsNamespace: 'dns',
        dnsPodLabels: { app: 'coredns' },
        allowIngressFrom: [{ namespaces: ['monitoring'], podLabels: { app: 'prometheus' }, ports: [9090] }, { cidr: '192.0.2.0/24' }],
      },
    }), 'NetworkPolicy');
    expect(policy.spec.egress).toEqual([
      { ports: DNS.ports, to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dns' } }, podSelector: { matchLabels: { app: 'coredns' } } }] },
      { ports: [{ port: 6443, protocol: 'TCP' }], to: [{ ipBlock: { cidr: '10.0.0.1/32' } }] },
    ]);
    expect(policy.spec.ingress).toEqual([
      { ports: [{ port: 9090, protocol: 'TCP' }], from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { app: 'prometheus' } } }] },
      { ports: [{ port: 9090, protocol: 'TCP' }, { port: 9091, protocol: 'TCP' }], from: [{ ipBlock: { cidr: '192.0.2.0/24' } }] },
    ]);
    expect(only(synth({ networkPolicy: { allowDns: false } }), 'NetworkPolicy').spec.egress.map((r: Manifest) => r.to[0].ipBlock?.cidr)).toEqual(['0.0.0.0/0', '::/0']);
  });

  test('enabled: false renders none', () => {
    const operator = new AgentOperator(new Chart(Testing.app(), 'c'), 'op', { image: IMAGE, networkPolicy: { enabled: false, apiServerCidrs: ['not checked'] } });
    expect(operator.networkPolicy).toBeUndefined();
    expect(Testing.synth(Chart.of(operator)).filter(m => m.kind === 'NetworkPolicy')).toEqual([]);
  });

  test('bad options fail at construction, naming the option, before anything is created', () => {
    const make = (networkPolicy: any) => () => new AgentOperator(new Chart(Testing.app(), 'c'), 'op', { image: IMAGE, networkPolicy });
    expect(make({ allowIngressFrom: [{ namespaces: ['monitoring'], ports: [22] }] }))
      .toThrow("AgentOperator 'c/op': networkPolicy.allowIngressFrom[0].ports[0] '22' is not the metrics port (8080) or the health port (8081), the only ports of the operator");
    expect(make({ apiServerCidrs: ['10.0.0.1/8'] })).toThrow(/AgentOperator 'c\/op': networkPolicy.apiServerCidrs\[0\] '10.0.0.1\/8'/);
    expect(make({ apiServerCidrs: [] })).toThrow("AgentOperator 'c/op': networkPolicy.apiServerCidrs '[]' is empty");
    expect(make({ apiServerPorts: [0] })).toThrow(/networkPolicy.apiServerPorts\[0\] '0' is not a port number/);
    expect(make({ dnsNamespace: 'Kube' })).toThrow(/networkPolicy.dnsNamespace 'Kube'/);
    const chart = new Chart(Testing.app(), 'c');
    expect(() => new AgentOperator(chart, 'op', { image: IMAGE, networkPolicy: { apiServerPorts: [] } })).toThrow(/apiServerPorts/);
    expect(chart.node.findAll().length).toBe(2); // the chart and the AgentOperator construct itself, no child
  });
});
