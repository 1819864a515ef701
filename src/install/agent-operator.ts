import { ApiObject, Chart, Duration, JsonPatch, Size } from 'cdk8s';
import {
  ApiResource,
  ClusterRole,
  ClusterRoleBinding,
  ContainerResources,
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
  ServiceType, ContainerSecurityContextProps,
} from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { AgentTypeCrd } from './agent-type-crd';
import { AGENT_TYPE_PLURAL, DEFAULT_GROUP, checkGroup } from './agent-type-schema';
import { recommendedLabels, selectorLabels } from '../core/labels';
import { restrictedContainerSecurityContext } from '../core/pod-security';
import { checkDns1123Label, checkDns1123Subdomain, checkImage, checkPort, fail } from '../core/validation';

const KIND = 'AgentOperator';

/** `app.kubernetes.io/name` of every object of the operator install. */
const APP_NAME = 'agent-operator';
/** UID and GID of the `nonroot` user of distroless images. */
const NONROOT_ID = 65532;
/** The verbs the operator needs on the workloads it creates for agents. */
const WORKLOAD_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
/** Suffix of the metrics Service name (`<name>-metrics`). */
const METRICS_SUFFIX = '-metrics';
/** controller-runtime `--zap-log-level`: a level name or a positive integer. */
const LOG_LEVEL = /^([a-z]+|[1-9][0-9]*)$/;

/**
 * Properties of `AgentOperator`.
 */
export interface AgentOperatorProps {
  /**
   * Changes to the container `securityContext`, merged over the restricted
   * defaults (`runAsNonRoot`, no privilege escalation, not privileged, all
   * capabilities dropped, seccomp `RuntimeDefault`, read-only root
   * filesystem). A change can take the pod out of the `restricted` profile.
   * @default - the restricted defaults
   */
  readonly securityContext?: ContainerSecurityContextProps;

  /**
   * Container image of the operator (the controller that reconciles AgentType
   * resources into agent workloads), e.g. `ghcr.io/acme/agent-operator:0.1.0`.
   *
   * Required: this project ships no operator image yet, so there is no default.
   * Must be a non-empty image reference without whitespace.
   *
   * @throws if empty or if it contains whitespace
   */
  readonly image: string;

  /**
   * Namespace the operator runs in: its Deployment, ServiceAccount, metrics
   * Service and leader-election Role/RoleBinding go here. RFC 1123 label.
   *
   * @default 'agents-system'
   */
  readonly namespace?: string;

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
   * Must not be set together with `clusterWide: true`.
   *
   * @default - [namespace]: the operator's own namespace
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
   * CPU and memory of the `manager` container. Pass `{}` for none.
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
   * Log level passed as `--zap-log-level` (controller-runtime): 'debug',
   * 'info', 'error', 'panic' or an integer > 0 for more verbosity.
   *
   * @default 'info'
   */
  readonly logLevel?: string;

  /**
   * Prefix of every object name (Deployment, ServiceAccount, Roles, bindings,
   * `<name>-metrics` Service) and the `app.kubernetes.io/instance` label.
   * RFC 1123 label starting with a letter, at most 55 characters (so that
   * `<name>-metrics` is a valid Service name).
   *
   * @default 'agent-operator'
   */
  readonly name?: string;
}

/**
 * Installs the operator that reconciles AgentType resources into agent
 * workloads:
 *
 * - a `Namespace` (optional) and the AgentType CRD (optional);
 * - a `ServiceAccount`;
 * - least-privilege RBAC: a Role + RoleBinding per watched namespace
 *   (namespaced mode) or one ClusterRole + ClusterRoleBinding (cluster-wide
 *   mode), plus a namespaced Role + RoleBinding
 *   for leader election on Leases in the operator namespace. No wildcards and
 *   no access to Secrets;
 * - a `Deployment` of the `manager` container with leader election, health
 *   probes and a restricted security context;
 * - a ClusterIP `Service` for the metrics port.
 *
 * Namespaced objects always carry `metadata.namespace` (the operator namespace,
 * or the watched namespace for its Role/RoleBinding); cluster-scoped objects
 * (Namespace, ClusterRole, ClusterRoleBinding) never do, even inside a chart
 * that has a namespace.
 */
export class AgentOperator extends Construct {
  /** Namespace the operator runs in. */
  public readonly namespace: string;

  /** Whether the operator runs in cluster-wide mode. */
  public readonly clusterWide: boolean;

  /** API group of the AgentType resource the operator reconciles. */
  public readonly group: string;

  /** The AgentType CRD: the one passed in `crd`, the one created here, or none when `installCrd` is false. */
  public readonly crd?: AgentTypeCrd;

  /** The operator ServiceAccount (in `namespace`). */
  public readonly serviceAccount: ServiceAccount;

  /** The operator Deployment (in `namespace`). */
  public readonly deployment: Deployment;

  /** The ClusterIP Service in front of the metrics port (`<name>-metrics`). */
  public readonly metricsService: Service;

  private readonly _watchNamespaces: string[];

  constructor(scope: Construct, id: string, props: AgentOperatorProps) {
    super(scope, id);
    const path = this.node.path;
    const p: Partial<AgentOperatorProps> = props ?? {};

    // ---- validation ------------------------------------------------------
    const image = checkImage(p.image as string, KIND, path, 'image');

    const name = p.name ?? APP_NAME;
    checkDns1123Label(KIND, path, 'name', name);
    if (!/^[a-z]/.test(name) || name.length + METRICS_SUFFIX.length > 63) {
      fail(KIND, path, 'name', name, `must start with a letter and have at most ${63 - METRICS_SUFFIX.length} characters (the metrics Service '<name>${METRICS_SUFFIX}' must be an RFC 1035 label)`);
    }

    this.namespace = checkDns1123Label(KIND, path, 'namespace', p.namespace ?? 'agents-system');
    this.clusterWide = p.clusterWide ?? false;

    if (p.watchNamespaces !== undefined && this.clusterWide) {
      fail(KIND, path, 'watchNamespaces', p.watchNamespaces, 'must not be set with clusterWide: true (a cluster-wide operator watches every namespace)');
    }
    if (this.clusterWide) {
      this._watchNamespaces = [];
    } else {
      const watch = p.watchNamespaces ?? [this.namespace];
      if (watch.length === 0) {
        fail(KIND, path, 'watchNamespaces', watch, 'must not be empty (leave it out to watch the operator namespace, or set clusterWide: true)');
      }
      const seen = new Set<string>();
      for (const ns of watch) {
        checkDns1123Label(KIND, path, 'watchNamespaces', ns);
        if (seen.has(ns)) {
          fail(KIND, path, 'watchNamespaces', ns, 'is listed more than once');
        }
        seen.add(ns);
      }
      this._watchNamespaces = [...watch];
    }

    const replicas = p.replicas ?? 1;
    if (!Number.isInteger(replicas) || replicas < 1) {
      fail(KIND, path, 'replicas', replicas, 'must be an integer >= 1');
    }

    const leaderElectionId = checkDns1123Subdomain(KIND, path, 'leaderElectionId', p.leaderElectionId ?? 'cdk8s-agents-operator');

    const metricsPort = checkPort(KIND, path, 'metricsPort', p.metricsPort ?? 8080);
    const healthPort = checkPort(KIND, path, 'healthPort', p.healthPort ?? 8081);
    if (metricsPort === healthPort) {
      fail(KIND, path, 'healthPort', healthPort, 'must differ from metricsPort');
    }

    const logLevel = p.logLevel ?? 'info';
    if (!LOG_LEVEL.test(logLevel)) {
      fail(KIND, path, 'logLevel', logLevel, 'is not a log level (\'debug\', \'info\', \'error\', \'panic\' or an integer > 0)');
    }

    // ---- CRD and group -----------------------------------------------------
    let plural = AGENT_TYPE_PLURAL;
    if (p.crd) {
      if (p.group !== undefined && p.group !== p.crd.group) {
        fail(KIND, path, 'group', p.group, `differs from the group of crd '${p.crd.node.path}' ('${p.crd.group}'); leave group out when passing crd`);
      }
      this.group = p.crd.group;
      plural = p.crd.plural;
    } else {
      this.group = checkGroup(KIND, path, p.group ?? DEFAULT_GROUP);
    }

    const labelOptions = { name: APP_NAME, instance: name, component: 'operator' };
    const labels = recommendedLabels(labelOptions);
    const selector = selectorLabels(labelOptions);

    // ---- Namespace ---------------------------------------------------------
    if (p.createNamespace ?? true) {
      const ns = new Namespace(this, 'Namespace', {
        metadata: { name: this.namespace, labels },
      });
      clusterScoped(ns);
    }

    if (p.crd) {
      this.crd = p.crd;
    } else if (p.installCrd ?? true) {
      this.crd = new AgentTypeCrd(this, 'AgentTypeCrd', { group: this.group });
      plural = this.crd.plural;
    }

    // ---- ServiceAccount ----------------------------------------------------
    this.serviceAccount = new ServiceAccount(this, 'ServiceAccount', {
      metadata: { name, namespace: this.namespace, labels },
    });

    // ---- RBAC: the AgentType resources and the agent workloads -------------
    const rules = agentRules(this.group, plural);
    if (this.clusterWide) {
      const role = new ClusterRole(this, 'ClusterRole', {
        metadata: { name, labels },
      });
      for (const rule of rules) role.allow(rule.verbs, ...rule.resources);
      clusterScoped(role);
      const binding = new ClusterRoleBinding(this, 'ClusterRoleBinding', {
        metadata: { name, labels },
        role,
      });
      binding.addSubjects(this.serviceAccount);
      clusterScoped(binding);
    } else {
      for (const ns of this._watchNamespaces) {
        const role = new Role(this, `Role-${ns}`, {
          metadata: { name, namespace: ns, labels },
        });
        for (const rule of rules) role.allow(rule.verbs, ...rule.resources);
        const binding = new RoleBinding(this, `RoleBinding-${ns}`, {
          metadata: { name, namespace: ns, labels },
          role,
        });
        binding.addSubjects(this.serviceAccount);
      }
    }

    // ---- RBAC: leader election, in the operator namespace only -------------
    const leaderRole = new Role(this, 'LeaderElectionRole', {
      metadata: { name: `${name}-leader-election`, namespace: this.namespace, labels },
    });
    leaderRole.allow(WORKLOAD_VERBS, ApiResource.LEASES);
    const leaderBinding = new RoleBinding(this, 'LeaderElectionRoleBinding', {
      metadata: { name: `${name}-leader-election`, namespace: this.namespace, labels },
      role: leaderRole,
    });
    leaderBinding.addSubjects(this.serviceAccount);

    // ---- Deployment --------------------------------------------------------
    this.deployment = new Deployment(this, 'Deployment', {
      metadata: { name, namespace: this.namespace, labels },
      podMetadata: {
        labels,
        annotations: { 'kubectl.kubernetes.io/default-container': 'manager' },
      },
      replicas,
      select: false,
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: true,
      terminationGracePeriod: Duration.seconds(10),
      securityContext: {
        ensureNonRoot: true,
        user: NONROOT_ID,
        group: NONROOT_ID,
      },
    });
    this.deployment.select(LabelSelector.of({ labels: selector }));
    this.deployment.addContainer({
      name: 'manager',
      image,
      imagePullPolicy: p.imagePullPolicy ?? ImagePullPolicy.IF_NOT_PRESENT,
      args: [
        '--leader-elect',
        `--leader-election-id=${leaderElectionId}`,
        `--metrics-bind-address=:${metricsPort}`,
        `--health-probe-bind-address=:${healthPort}`,
        `--zap-log-level=${logLevel}`,
      ],
      envVariables: {
        WATCH_NAMESPACE: EnvValue.fromValue(this._watchNamespaces.join(',')),
        POD_NAMESPACE: EnvValue.fromFieldRef(EnvFieldPaths.POD_NAMESPACE),
        AGENT_TYPE_GROUP: EnvValue.fromValue(this.group),
      },
      ports: [
        { name: 'metrics', number: metricsPort, protocol: Protocol.TCP },
        { name: 'health', number: healthPort, protocol: Protocol.TCP },
      ],
      liveness: Probe.fromHttpGet('/healthz', {
        port: healthPort,
        initialDelaySeconds: Duration.seconds(15),
        periodSeconds: Duration.seconds(20),
      }),
      readiness: Probe.fromHttpGet('/readyz', {
        port: healthPort,
        initialDelaySeconds: Duration.seconds(5),
        periodSeconds: Duration.seconds(10),
      }),
      resources: p.resources ?? {
        cpu: { request: Cpu.millis(100), limit: Cpu.millis(500) },
        memory: { request: Size.mebibytes(128), limit: Size.mebibytes(256) },
      },
      securityContext: { ...restrictedContainerSecurityContext(NONROOT_ID), ...(props.securityContext ?? {}) },
    });
    // cdk8s-plus PodSecurityContextProps has no seccompProfile: add it to the
    // pod security context (restricted Pod Security Standard) with a patch.
    ApiObject.of(this.deployment).addJsonPatch(
      JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
    );

    // ---- metrics Service ---------------------------------------------------
    this.metricsService = new Service(this, 'MetricsService', {
      metadata: { name: `${name}${METRICS_SUFFIX}`, namespace: this.namespace, labels },
      type: ServiceType.CLUSTER_IP,
      ports: [{ name: 'metrics', port: metricsPort, targetPort: metricsPort, protocol: Protocol.TCP }],
    });
    for (const [key, value] of Object.entries(selector)) {
      this.metricsService.selectLabel(key, value);
    }
  }

  /**
   * Namespaces the operator watches (`WATCH_NAMESPACE`), each with its own
   * Role + RoleBinding. Empty in cluster-wide mode. Returns a copy.
   */
  public get watchNamespaces(): string[] {
    return [...this._watchNamespaces];
  }
}

/** One RBAC rule: verbs on resources. */
interface Rule {
  readonly verbs: string[];
  readonly resources: ApiResource[];
}

/**
 * The rules of the operator's agent Role / ClusterRole, one concern per rule.
 * No wildcards, no Secrets: agent credentials are `secretKeyRef`s that the
 * kubelet resolves, the operator never reads them.
 */
function agentRules(group: string, plural: string): Rule[] {
  const custom = (resourceType: string) => ApiResource.custom({ apiGroup: group, resourceType });
  return [
    // The AgentType resources it reconciles.
    { verbs: ['get', 'list', 'watch', 'update', 'patch'], resources: [custom(plural)] },
    // Status updates, via the status subresource.
    { verbs: ['get', 'update', 'patch'], resources: [custom(`${plural}/status`)] },
    // ownerReferences with blockOwnerDeletion on children.
    { verbs: ['update'], resources: [custom(`${plural}/finalizers`)] },
    // The workloads it creates for agents.
    {
      verbs: WORKLOAD_VERBS,
      resources: [
        ApiResource.DEPLOYMENTS,
        ApiResource.CONFIG_MAPS,
        ApiResource.SERVICE_ACCOUNTS,
        ApiResource.SERVICES,
        ApiResource.NETWORK_POLICIES,
        ApiResource.HORIZONTAL_POD_AUTOSCALERS,
        ApiResource.POD_DISRUPTION_BUDGETS,
      ],
    },
    // Pods, read-only, to report agent status.
    { verbs: ['get', 'list', 'watch'], resources: [ApiResource.PODS] },
    // Event recording, both event APIs.
    {
      verbs: ['create', 'patch'],
      resources: [ApiResource.EVENTS, ApiResource.custom({ apiGroup: 'events.k8s.io', resourceType: 'events' })],
    },
  ];
}

/**
 * Cluster-scoped objects must not carry a namespace, but cdk8s copies the
 * chart's namespace into every ApiObject: remove it again when the chart has one.
 */
function clusterScoped(resource: IConstruct): void {
  if (Chart.of(resource).namespace !== undefined) {
    ApiObject.of(resource).addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  }
}
