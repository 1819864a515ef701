import { ApiObject, ApiObjectMetadata, Duration, JsonPatch, Lazy, Size } from 'cdk8s';
import {
  ApiResource,
  ClusterRole,
  ClusterRoleBinding,
  ContainerProps,
  ContainerResources,
  ContainerSecurityContextProps,
  Cpu,
  Deployment,
  EnvFieldPaths,
  EnvValue,
  ImagePullPolicy,
  LabelSelector,
  Namespace,
  Probe,
  Protocol,
  Role,
  RoleBinding,
  Service,
  ServiceAccount,
  ServiceType,
  k8s,
} from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AgentTypeCrd } from './agent-type-crd';
import { AGENT_TYPE_PLURAL, DEFAULT_GROUP, checkGroup } from './agent-type-schema';
import {
  LOG_LEVELS,
  LogLevel,
  MAX_CONCURRENT_RECONCILES_RANGE,
  OPERATOR_DEFAULTS,
  OPERATOR_ENV,
  OperatorArguments,
  isWorkerCount,
  operatorArgs,
} from './operator-command-line';
import { AgentOperatorNetworkPolicyOptions, operatorNetworkPolicySpec } from './operator-network-policy';
import { clusterScoped } from '../core/cluster-scoped';
import { recommendedLabels, selectorLabels } from '../core/labels';
import { restrictedSecurityContextWith } from '../core/pod-security';
import { checkContainerResources } from '../core/quantity';
import { checkOutputOnSynth } from '../core/synth-check';
import { checkDns1123Label, checkDns1123Subdomain, checkImage, checkPort, checkPullPolicy, checkReplicaCount, fail } from '../core/validation';

const KIND = 'AgentOperator';

/** `app.kubernetes.io/name` of every object of the operator install. */
const APP_NAME = 'agent-operator';
/** UID and GID of the `nonroot` user of distroless images. */
const NONROOT_ID = 65532;
/** The verbs the operator needs on the objects an agent is made of: read, server-side apply (create, patch), update, delete. */
const WORKLOAD_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
/** Read-only verbs (an informer: get, list, watch). */
const READ_VERBS = ['get', 'list', 'watch'];
/** The `events.k8s.io/v1` Events the operator records (create, then patch a series). */
const EVENTS_V1 = ApiResource.custom({ apiGroup: 'events.k8s.io', resourceType: 'events' });
/** Suffix of the metrics Service name (`<name>-metrics`). */
const METRICS_SUFFIX = '-metrics';

/**
 * Properties of `AgentOperator`.
 */
export interface AgentOperatorProps {
  /**
   * Changes to the container `securityContext`, merged over the restricted
   * defaults (`runAsNonRoot`, no privilege escalation, not privileged, all
   * capabilities dropped, seccomp `RuntimeDefault`, read-only root
   * filesystem). A change can take the pod out of the `restricted` profile.
   * `user` and `group` are ids from 0 to 2147483647; `user: 0` (root) needs
   * `ensureNonRoot: false` as well, or the kubelet would refuse the container
   * (both are checked at construction).
   * @default - the restricted defaults
   */
  readonly securityContext?: ContainerSecurityContextProps;

  /**
   * Container image of the operator (the controller that reconciles AgentType
   * resources into agent workloads), e.g. `ghcr.io/acme/agent-operator:0.1.0`.
   *
   * Required: this project ships no operator image yet, so there is no default.
   * Must be a valid image reference (`[registry/]name[:tag][@digest]`,
   * lowercase repository), checked with `ImageReference.parse`.
   *
   * @throws if empty or not an image reference
   */
  readonly image: string;

  /**
   * Namespace the operator runs in: its Deployment, ServiceAccount, metrics
   * Service and leader-election Role/RoleBinding go here (`metadata.namespace`).
   * RFC 1123 label.
   *
   * @default 'agents-system'
   */
  readonly namespaceName?: string;

  /**
   * Whether to render the operator namespace as a `Namespace` object.
   * Set to `false` when the namespace is created out of band.
   *
   * @default true
   */
  readonly createNamespace?: boolean;

  /**
   * Cluster-wide mode.
   *
   * - `false`: namespaced mode. The operator watches only `watchNamespaces`
   *   (`WATCH_NAMESPACE` env) and gets one Role + RoleBinding per watched namespace.
   * - `true`: the operator watches every namespace (`WATCH_NAMESPACE=''`) and gets
   *   one ClusterRole + ClusterRoleBinding.
   *
   * @default false
   */
  readonly clusterWide?: boolean;

  /**
   * Namespaces the operator watches and may create agent workloads in, in
   * namespaced mode. Each must be an RFC 1123 label, without duplicates.
   * Must not be set together with `clusterWide: true`. More can be added
   * later with `addWatchNamespace()`.
   *
   * @default - [namespaceName]: the operator's own namespace
   * @throws if empty, if an entry is invalid or repeated, or if `clusterWide` is true
   */
  readonly watchNamespaces?: string[];

  /**
   * The AgentType CRD the operator reconciles: its `group` and `plural` are
   * used in the RBAC rules and in `AGENT_TYPE_GROUP`. The CRD object itself is
   * rendered where that construct was created, not by this construct.
   *
   * @default - the CRD created by this construct when `installCrd` is true,
   *   otherwise none (group `group`, plural 'agenttypes')
   */
  readonly crd?: AgentTypeCrd;

  /**
   * Whether to create the AgentType CRD as a child of this construct
   * (`new AgentTypeCrd(this, 'AgentTypeCrd', { group })`). Ignored when `crd` is passed.
   * Set to `false` when the CRD is installed separately (e.g. by a platform team).
   *
   * @default true
   */
  readonly installCrd?: boolean;

  /**
   * API group of the AgentType resource, when no `crd` is passed. An RFC 1123
   * subdomain with at least one dot.
   *
   * @default - `crd.group` when `crd` is passed, otherwise 'agents.example.com'
   * @throws if invalid, or if it differs from `crd.group`
   */
  readonly group?: string;

  /**
   * Number of operator pods (Deployment `spec.replicas`). Leader election is
   * always on (`--leader-elect`), so more than one replica is safe: one leader
   * reconciles, the others stand by. Integer >= 1.
   *
   * @default 1
   */
  readonly replicas?: number;

  /**
   * Name of the coordination.k8s.io Lease used for leader election
   * (`--leader-election-id`). RFC 1123 subdomain.
   *
   * @default 'cdk8s-agents-operator'
   */
  readonly leaderElectionId?: string;

  /**
   * CPU and memory of the `manager` container. Pass `{}` for none. CPU
   * amounts must not be negative, and each request must be at most its limit.
   *
   * @default - requests cpu 100m / memory 128Mi, limits cpu 500m / memory 256Mi
   */
  readonly resources?: ContainerResources;

  /**
   * Port of the Prometheus metrics endpoint (`--metrics-bind-address=:<port>`,
   * container port `metrics`, metrics Service port). 1-65535, different from `healthPort`.
   *
   * @default 8080
   */
  readonly metricsPort?: number;

  /**
   * Port of the health probes `/healthz` and `/readyz`
   * (`--health-probe-bind-address=:<port>`, container port `health`).
   * 1-65535, different from `metricsPort`.
   *
   * @default 8081
   */
  readonly healthPort?: number;

  /**
   * Image pull policy of the `manager` container (Kubernetes `imagePullPolicy`).
   *
   * @default ImagePullPolicy.IF_NOT_PRESENT
   */
  readonly imagePullPolicy?: ImagePullPolicy;

  /**
   * Log level of the operator program (`--log-level`): 'debug' (a line per
   * reconcile and per write), 'info' (writes, failures, leadership) or
   * 'error' (failures only).
   *
   * @default 'info'
   * @throws if not one of the three
   */
  readonly logLevel?: string;

  /**
   * Image of the tool sidecar (the LLM gateway, LiteLLM's proxy) the
   * operator adds to agents whose AgentType has `spec.tools` or LLM providers
   * (`--tool-sidecar-image`), checked with `ImageReference.parse`: e.g. a
   * copy of LiteLLM's image in your registry.
   *
   * @default - LiteLLM's official image of the release this library is tested with (`ToolSidecar`'s default)
   * @throws if not an image reference
   */
  readonly toolSidecarImage?: string;

  /**
   * Time between two full resyncs, in which every AgentType is reconciled
   * again even if no event came (`--sync-period`, controller-runtime's
   * `SyncPeriod`). A resync of an unchanged AgentType writes nothing. Whole
   * seconds, at least 1 second.
   *
   * @default Duration.hours(10)
   * @throws if under 1 second or not whole seconds
   */
  readonly syncPeriod?: Duration;

  /**
   * Number of reconcile workers of the operator: how many AgentTypes it
   * reconciles at once (`--max-concurrent-reconciles`, controller-runtime's
   * `MaxConcurrentReconciles`). One AgentType is never reconciled by two
   * workers at once. A reconcile mostly waits on the API server, so more
   * workers than CPU cores pay off. An integer from 1 to 64; rendered as the
   * flag only when set.
   *
   * @default 4
   * @throws if not an integer from 1 to 64
   */
  readonly maxConcurrentReconciles?: number;

  /**
   * Prefix of every object name (Deployment, ServiceAccount, Roles, bindings,
   * `<name>-metrics` Service) and the `app.kubernetes.io/instance` label.
   * RFC 1123 label starting with a letter, at most 55 characters (so that
   * `<name>-metrics` is a valid Service name).
   *
   * @default 'agent-operator'
   */
  readonly name?: string;

  /**
   * The operator pod's NetworkPolicy (`networking.k8s.io/v1`, named `<name>`
   * in `namespaceName`): default deny for ingress and egress, then DNS to the
   * cluster DNS pods, TCP `apiServerPorts` (443, 6443) to `apiServerCidrs`
   * (any address by default) for the Kubernetes API server, and ingress to
   * the metrics and health ports from `allowIngressFrom` only (nobody by
   * default). `{ enabled: false }` renders none.
   * @default - the policy above
   * @throws if an option is invalid (a namespace, label, CIDR or port), or
   *   an ingress peer names a port other than the metrics and health ports
   */
  readonly networkPolicy?: AgentOperatorNetworkPolicyOptions;
}

/**
 * Installs the operator that reconciles AgentType resources into agent
 * workloads:
 *
 * - a `Namespace` (optional) and the AgentType CRD (optional);
 * - a `ServiceAccount`;
 * - least-privilege RBAC: a Role + RoleBinding per watched namespace
 *   (namespaced mode) or one ClusterRole + ClusterRoleBinding (cluster-wide
 *   mode) with the agent rules: AgentTypes read-only, their `status`
 *   (update, patch) and `finalizers` (update) subresources; get, list, watch,
 *   create, update, patch and delete on the objects an agent is made of
 *   (Deployments, StatefulSets, ConfigMaps, Services, ServiceAccounts,
 *   NetworkPolicies, HorizontalPodAutoscalers, PodDisruptionBudgets,
 *   ServiceMonitors); get, list, watch and delete on PersistentVolumeClaims
 *   (the Redis ones, made by the StatefulSet controller); get, list, watch on
 *   Secrets (the ones AgentTypes reference; never written); create and patch
 *   on `events.k8s.io` Events. Plus a Role + RoleBinding
 *   `<name>-leader-election` in the operator namespace: create Leases, get and
 *   update the Lease `leaderElectionId` only, create and patch `events.k8s.io`
 *   Events. No wildcards, no `deletecollection`, no access to Pods, RBAC
 *   objects or anything cluster-scoped (in namespaced mode);
 * - a `Deployment` of the `manager` container with leader election, health
 *   probes and a restricted security context;
 * - a ClusterIP `Service` for the metrics port;
 * - a default-deny `NetworkPolicy` for the operator pod allowing DNS, the
 *   Kubernetes API server and, from the peers given, the metrics and health
 *   ports (prop `networkPolicy`).
 *
 * Namespaced objects always carry `metadata.namespace` (the operator namespace,
 * or the watched namespace for its Role/RoleBinding); cluster-scoped objects
 * (Namespace, ClusterRole, ClusterRoleBinding) never do, even inside a chart
 * that has a namespace.
 */
export class AgentOperator extends Construct {
  /** Namespace the operator runs in. */
  public readonly namespaceName: string;

  /** Whether the operator runs in cluster-wide mode. */
  public readonly clusterWide: boolean;

  /** API group of the AgentType resource the operator reconciles. */
  public readonly group: string;

  /** The AgentType CRD: the one passed in `crd`, the one created here, or none when `installCrd` is false. */
  public readonly crd?: AgentTypeCrd;

  /** The operator ServiceAccount (in `namespaceName`). */
  public readonly serviceAccount: ServiceAccount;

  /** The operator Deployment (in `namespaceName`). */
  public readonly deployment: Deployment;

  /** The ClusterIP Service in front of the metrics port (`<name>-metrics`). */
  public readonly metricsService: Service;

  /** The operator pod's NetworkPolicy (undefined with `networkPolicy: { enabled: false }`). */
  public readonly networkPolicy?: ApiObject;

  /** The `name` prop: the name of every object, and the prefix of the leader-election and metrics ones. */
  private readonly objectName: string;
  /** The recommended labels of every object and of the pod. */
  private readonly labels: Record<string, string>;
  /** The stable subset of `labels` selecting the operator pod. */
  private readonly selector: Record<string, string>;
  /** The rules of the agent Role in each watched namespace, or of the ClusterRole. */
  private readonly rules: Rule[];
  /** The agent Role of each watched namespace, in the order the namespaces were added. */
  private readonly watchRoles = new Map<string, Role>();

  /**
   * @throws if a prop is invalid (the message names the construct path, the
   *   field and the value); every check runs before the first child is created
   */
  constructor(scope: Construct, id: string, props: AgentOperatorProps) {
    super(scope, id);
    checkOutputOnSynth(this);
    const s = operatorSettings(this.node.path, props);
    this.namespaceName = s.namespace;
    this.clusterWide = s.clusterWide;
    this.group = s.group;
    this.objectName = s.name;
    const labelOptions = { name: APP_NAME, instance: s.name, component: 'operator' };
    this.labels = recommendedLabels(labelOptions);
    this.selector = selectorLabels(labelOptions);
    const policySpec = operatorNetworkPolicySpec(this.node.path, this.selector, props?.networkPolicy ?? {}, s);

    if (s.createNamespace) {
      clusterScoped(new Namespace(this, 'Namespace', { metadata: { name: this.namespaceName, labels: this.labels } }));
    }
    this.crd = s.crd ?? (s.installCrd ? new AgentTypeCrd(this, 'AgentTypeCrd', { group: this.group }) : undefined);
    this.rules = agentRules(this.group, this.crd?.plural ?? AGENT_TYPE_PLURAL);
    this.serviceAccount = new ServiceAccount(this, 'ServiceAccount', { metadata: this.metadata(this.namespaceName) });
    if (this.clusterWide) this.createClusterRbac();
    for (const ns of s.watchNamespaces) this.addWatchNamespace(ns);
    this.createLeaderElectionRbac(s.leaderElectionId);
    this.deployment = this.createDeployment(s);
    this.metricsService = this.createMetricsService(s.metricsPort);
    this.networkPolicy = policySpec && new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', { metadata: this.metadata(this.namespaceName), spec: policySpec });
  }

  /**
   * Namespaces the operator watches (`WATCH_NAMESPACE`), each with its own
   * Role + RoleBinding, in the order added. Empty in cluster-wide mode. Returns a copy.
   */
  public get watchNamespaces(): string[] {
    return [...this.watchRoles.keys()];
  }

  /**
   * Lets the operator watch one more namespace (namespaced mode): a Role
   * `<name>` with the agent rules and a RoleBinding to the operator
   * ServiceAccount in that namespace, and the namespace in the
   * `WATCH_NAMESPACE` env of the operator container (a comma-separated list,
   * rendered at synth from every namespace added). Adding a namespace that is
   * already watched changes nothing and returns its Role.
   *
   * @param namespaceName the namespace to watch, an RFC 1123 label
   * @returns the operator's Role in that namespace
   * @throws in cluster-wide mode (the operator already watches every
   *   namespace), or if `namespaceName` is not an RFC 1123 label
   */
  public addWatchNamespace(namespaceName: string): Role {
    const path = this.node.path;
    if (this.clusterWide) {
      fail(KIND, path, 'addWatchNamespace namespaceName', namespaceName, 'cannot be added with clusterWide: true (a cluster-wide operator watches every namespace)');
    }
    checkDns1123Label(KIND, path, 'addWatchNamespace namespaceName', namespaceName);
    const existing = this.watchRoles.get(namespaceName);
    if (existing) return existing;

    const role = new Role(this, `Role-${namespaceName}`, { metadata: this.metadata(namespaceName) });
    for (const rule of this.rules) role.allow(rule.verbs, ...rule.resources);
    const binding = new RoleBinding(this, `RoleBinding-${namespaceName}`, { metadata: this.metadata(namespaceName), role });
    binding.addSubjects(this.serviceAccount);
    this.watchRoles.set(namespaceName, role);
    return role;
  }

  /** Metadata of an operator object: `<name><suffix>`, the labels, the namespace if namespaced. */
  private metadata(namespace: string | undefined, suffix = ''): ApiObjectMetadata {
    return { name: `${this.objectName}${suffix}`, namespace, labels: this.labels };
  }

  /** Cluster-wide mode: one ClusterRole with the agent rules, bound to the ServiceAccount. */
  private createClusterRbac(): void {
    const role = new ClusterRole(this, 'ClusterRole', { metadata: this.metadata(undefined) });
    for (const rule of this.rules) role.allow(rule.verbs, ...rule.resources);
    clusterScoped(role);
    const binding = new ClusterRoleBinding(this, 'ClusterRoleBinding', { metadata: this.metadata(undefined), role });
    binding.addSubjects(this.serviceAccount);
    clusterScoped(binding);
  }

  /**
   * Leader election, in the operator namespace only: create a Lease (a create
   * names no object), get and update the Lease `leaseName` only (client-go's
   * Lease lock uses nothing else), and record its Events.
   */
  private createLeaderElectionRbac(leaseName: string): void {
    const metadata = this.metadata(this.namespaceName, '-leader-election');
    const role = new Role(this, 'LeaderElectionRole', { metadata });
    role.allow(['create'], ApiResource.LEASES);
    role.allow(['get', 'update'], { apiGroup: ApiResource.LEASES.apiGroup, resourceType: ApiResource.LEASES.resourceType, resourceName: leaseName });
    role.allow(['create', 'patch'], EVENTS_V1);
    const binding = new RoleBinding(this, 'LeaderElectionRoleBinding', { metadata, role });
    binding.addSubjects(this.serviceAccount);
  }

  /** The Deployment of the `manager` container, non-root with seccomp `RuntimeDefault`. */
  private createDeployment(s: OperatorSettings): Deployment {
    const deployment = new Deployment(this, 'Deployment', {
      metadata: this.metadata(this.namespaceName),
      podMetadata: {
        labels: this.labels,
        annotations: { 'kubectl.kubernetes.io/default-container': 'manager' },
      },
      replicas: s.replicas,
      select: false,
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: true,
      terminationGracePeriod: Duration.seconds(10),
      securityContext: { ensureNonRoot: true, user: NONROOT_ID, group: NONROOT_ID },
    });
    deployment.select(LabelSelector.of({ labels: this.selector }));
    // Produced at synth, so namespaces added after construction are in it.
    const watchNamespace = EnvValue.fromValue(Lazy.any({ produce: () => this.watchNamespaces.join(',') }));
    deployment.addContainer(managerContainer(s, watchNamespace));
    // cdk8s-plus PodSecurityContextProps has no seccompProfile: add it to the
    // pod security context (restricted Pod Security Standard) with a patch.
    ApiObject.of(deployment).addJsonPatch(
      JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
    );
    return deployment;
  }

  /** The ClusterIP Service `<name>-metrics` in front of the metrics port. */
  private createMetricsService(metricsPort: number): Service {
    const service = new Service(this, 'MetricsService', {
      metadata: this.metadata(this.namespaceName, METRICS_SUFFIX),
      type: ServiceType.CLUSTER_IP,
      ports: [{ name: 'metrics', port: metricsPort, targetPort: metricsPort, protocol: Protocol.TCP }],
    });
    for (const [key, value] of Object.entries(this.selector)) service.selectLabel(key, value);
    return service;
  }
}

/** The props of an AgentOperator, checked, with every default applied. */
interface OperatorSettings extends OperatorArguments {
  readonly image: string;
  readonly name: string;
  readonly namespace: string;
  readonly createNamespace: boolean;
  readonly clusterWide: boolean;
  /** Empty in cluster-wide mode. */
  readonly watchNamespaces: string[];
  readonly group: string;
  readonly crd?: AgentTypeCrd;
  readonly installCrd: boolean;
  readonly replicas: number;
  readonly imagePullPolicy: ImagePullPolicy;
  readonly resources: ContainerResources;
  /** The restricted defaults with the `securityContext` prop merged over them. */
  readonly securityContext: ContainerSecurityContextProps;
}

/**
 * Checks every prop and applies the defaults.
 * @throws `AgentOperator '<path>': <field> '<value>' <problem>` on the first invalid prop
 */
function operatorSettings(path: string, props: AgentOperatorProps): OperatorSettings {
  const p: Partial<AgentOperatorProps> = props ?? {};
  const image = checkImage(p.image ?? '', KIND, path, 'image');
  const name = checkOperatorName(path, p.name ?? APP_NAME);
  const namespace = checkDns1123Label(KIND, path, 'namespaceName', p.namespaceName ?? 'agents-system');
  const clusterWide = p.clusterWide ?? false;
  const watchNamespaces = checkWatchNamespaces(path, clusterWide, p.watchNamespaces, namespace);

  const replicas = p.replicas ?? 1;
  checkReplicaCount(KIND, path, 'replicas', replicas, 1);
  const leaderElectionId = checkDns1123Subdomain(KIND, path, 'leaderElectionId', p.leaderElectionId ?? OPERATOR_DEFAULTS.leaderElectionId);
  const metricsPort = checkPort(KIND, path, 'metricsPort', p.metricsPort ?? OPERATOR_DEFAULTS.metricsPort);
  const healthPort = checkPort(KIND, path, 'healthPort', p.healthPort ?? OPERATOR_DEFAULTS.healthPort);
  if (metricsPort === healthPort) {
    fail(KIND, path, 'healthPort', healthPort, 'must differ from metricsPort');
  }
  const logLevel = (p.logLevel ?? OPERATOR_DEFAULTS.logLevel) as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    fail(KIND, path, 'logLevel', logLevel, `is not a log level (${LOG_LEVELS.map(l => `'${l}'`).join(', ')})`);
  }
  const toolSidecarImage = p.toolSidecarImage === undefined ? undefined : checkImage(p.toolSidecarImage, KIND, path, 'toolSidecarImage');
  const syncPeriodSeconds = p.syncPeriod === undefined ? undefined : checkSyncPeriod(path, p.syncPeriod);
  const maxConcurrentReconciles = p.maxConcurrentReconciles === undefined ? undefined : checkWorkerCount(path, p.maxConcurrentReconciles);
  return {
    image,
    name,
    namespace,
    clusterWide,
    watchNamespaces,
    replicas,
    leaderElectionId,
    metricsPort,
    healthPort,
    logLevel,
    toolSidecarImage,
    syncPeriodSeconds,
    maxConcurrentReconciles,
    createNamespace: p.createNamespace ?? true,
    group: checkOperatorGroup(path, p.crd, p.group),
    crd: p.crd,
    installCrd: p.installCrd ?? true,
    imagePullPolicy: checkPullPolicy(KIND, path, 'imagePullPolicy', p.imagePullPolicy ?? ImagePullPolicy.IF_NOT_PRESENT),
    resources: p.resources ? checkContainerResources(KIND, path, 'resources', p.resources) : {
      cpu: { request: Cpu.millis(100), limit: Cpu.millis(500) },
      memory: { request: Size.mebibytes(128), limit: Size.mebibytes(256) },
    },
    securityContext: restrictedSecurityContextWith(KIND, path, 'securityContext', NONROOT_ID, p.securityContext),
  };
}

/** `syncPeriod` in whole seconds, at least 1. */
function checkSyncPeriod(path: string, period: Duration): number {
  const seconds = period.toSeconds({ integral: false });
  if (!Number.isInteger(seconds) || seconds < 1) fail(KIND, path, 'syncPeriod', `${seconds}s`, 'must be whole seconds, at least 1 second');
  return seconds;
}

/** `maxConcurrentReconciles`: an integer from 1 to 64. */
function checkWorkerCount(path: string, count: number): number {
  if (!isWorkerCount(count)) {
    const { min, max } = MAX_CONCURRENT_RECONCILES_RANGE;
    fail(KIND, path, 'maxConcurrentReconciles', typeof count === 'number' ? String(count) : count, `is not an integer from ${min} to ${max}`);
  }
  return count;
}

/** `name`: an RFC 1123 label starting with a letter, short enough for `<name>-metrics`. */
function checkOperatorName(path: string, name: string): string {
  checkDns1123Label(KIND, path, 'name', name);
  if (!/^[a-z]/.test(name) || name.length + METRICS_SUFFIX.length > 63) {
    fail(KIND, path, 'name', name, `must start with a letter and have at most ${63 - METRICS_SUFFIX.length} characters (the metrics Service '<name>${METRICS_SUFFIX}' must be an RFC 1035 label)`);
  }
  return name;
}

/**
 * `watchNamespaces`: none in cluster-wide mode; otherwise at least one RFC
 * 1123 label, none twice, by default the operator namespace.
 */
function checkWatchNamespaces(path: string, clusterWide: boolean, watch: string[] | undefined, namespace: string): string[] {
  if (watch !== undefined && clusterWide) {
    fail(KIND, path, 'watchNamespaces', watch, 'must not be set with clusterWide: true (a cluster-wide operator watches every namespace)');
  }
  if (clusterWide) return [];
  const list = watch ?? [namespace];
  if (list.length === 0) {
    fail(KIND, path, 'watchNamespaces', list, 'must not be empty (leave it out to watch the operator namespace, or set clusterWide: true)');
  }
  const seen = new Set<string>();
  for (const ns of list) {
    checkDns1123Label(KIND, path, 'watchNamespaces', ns);
    if (seen.has(ns)) {
      fail(KIND, path, 'watchNamespaces', ns, 'is listed more than once');
    }
    seen.add(ns);
  }
  return [...list];
}

/** The AgentType group: the crd's (then `group` must be left out or equal), else `group` or the default. */
function checkOperatorGroup(path: string, crd: AgentTypeCrd | undefined, group: string | undefined): string {
  if (!crd) return checkGroup(KIND, path, group ?? DEFAULT_GROUP);
  if (group !== undefined && group !== crd.group) {
    fail(KIND, path, 'group', group, `differs from the group of crd '${crd.node.path}' ('${crd.group}'); leave group out when passing crd`);
  }
  return crd.group;
}

/** The `manager` container: leader election, metrics and health ports, probes, the operator env. */
function managerContainer(s: OperatorSettings, watchNamespace: EnvValue): ContainerProps {
  return {
    name: 'manager',
    image: s.image,
    imagePullPolicy: s.imagePullPolicy,
    args: operatorArgs(s),
    envVariables: {
      [OPERATOR_ENV.watchNamespace]: watchNamespace,
      [OPERATOR_ENV.podNamespace]: EnvValue.fromFieldRef(EnvFieldPaths.POD_NAMESPACE),
      [OPERATOR_ENV.agentTypeGroup]: EnvValue.fromValue(s.group),
    },
    ports: [
      { name: 'metrics', number: s.metricsPort, protocol: Protocol.TCP },
      { name: 'health', number: s.healthPort, protocol: Protocol.TCP },
    ],
    liveness: Probe.fromHttpGet('/healthz', {
      port: s.healthPort,
      initialDelaySeconds: Duration.seconds(15),
      periodSeconds: Duration.seconds(20),
    }),
    readiness: Probe.fromHttpGet('/readyz', {
      port: s.healthPort,
      initialDelaySeconds: Duration.seconds(5),
      periodSeconds: Duration.seconds(10),
    }),
    resources: s.resources,
    securityContext: s.securityContext,
  };
}

/** One RBAC rule: verbs on resources. */
interface Rule {
  readonly verbs: string[];
  readonly resources: ApiResource[];
}

/**
 * The rules of the operator's agent Role / ClusterRole, one concern per rule:
 * what the operator program does for each AgentType, and nothing more.
 */
function agentRules(group: string, plural: string): Rule[] {
  const custom = (resourceType: string) => ApiResource.custom({ apiGroup: group, resourceType });
  return [
    // The AgentType resources it reconciles: read only, it writes only their status.
    { verbs: READ_VERBS, resources: [custom(plural)] },
    // Status, through the status subresource: update, or server-side apply (patch).
    { verbs: ['update', 'patch'], resources: [custom(`${plural}/status`)] },
    // ownerReferences with blockOwnerDeletion to an AgentType on the objects it makes.
    { verbs: ['update'], resources: [custom(`${plural}/finalizers`)] },
    // The objects an agent is made of (AgentPod, RedisMemory, scaling, monitoring), server-side applied.
    {
      verbs: WORKLOAD_VERBS,
      resources: [
        ApiResource.DEPLOYMENTS,
        ApiResource.STATEFUL_SETS,
        ApiResource.CONFIG_MAPS,
        ApiResource.SERVICE_ACCOUNTS,
        ApiResource.SERVICES,
        ApiResource.NETWORK_POLICIES,
        ApiResource.HORIZONTAL_POD_AUTOSCALERS,
        ApiResource.POD_DISRUPTION_BUDGETS,
        ApiResource.custom({ apiGroup: 'monitoring.coreos.com', resourceType: 'servicemonitors' }),
      ],
    },
    // The Redis memory PVCs: the StatefulSet controller makes them from
    // volumeClaimTemplates; the operator reads them and deletes them with the memory.
    { verbs: ['get', 'list', 'watch', 'delete'], resources: [ApiResource.PERSISTENT_VOLUME_CLAIMS] },
    // The Secrets its AgentTypes reference (LLM credentials, Redis password): read only.
    { verbs: READ_VERBS, resources: [ApiResource.SECRETS] },
    // Events about AgentTypes, events.k8s.io/v1 only.
    { verbs: ['create', 'patch'], resources: [EVENTS_V1] },
  ];
}
