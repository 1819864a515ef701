import { createHash } from 'crypto';
import { ApiObject, ApiObjectMetadata, Duration, JsonPatch, Lazy } from 'cdk8s';
import {
  ConfigMap, Container, ContainerProps, ContainerSecurityContextProps, Deployment, EnvValue, ISecret, ImagePullPolicy, LabelSelector,
  Secret, Service, ServiceAccount, Volume,
} from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AgentEnvironment } from './environment';
import { AgentProbes, AgentShutdown, agentProbes, resolveShutdown, sidecarPreStopSeconds, sidecarProbes, sleepHook } from './health';
import { LlmProvider } from './llm-provider';
import { MemoryBackendType, MemoryProfile } from './memory-profile';
import { AgentMonitoring, addServiceMonitor, checkMonitoring, otelResourceAttributes, scrapeAnnotations } from './monitoring';
import { AgentNetworkPolicyOptions, addAgentNetworkPolicy } from './network-policy';
import { AgentScaling, addAutoscaler, addHighAvailability, checkScaling } from './scaling';
import {
  INIT_MOUNT_PATH, INIT_SCRIPT_KEY, SHARED_MOUNT_PATH, SOURCE_MOUNT_PATH, WRAPPER_KEY, WRAPPER_PATH,
  glueKey, renderInitScript, renderWrapper, sourceKey,
} from './shared-volume';
import { AgentRuntime, AgentSource, AgentSourceType, CodeSourceType } from './source';
import { ToolSidecar } from './tool-sidecar';
import { ImagePolicy } from '../core/image-reference';
import {
  AUTOSCALED_LABEL, CONFIG_CHECKSUM_ANNOTATION, MEMORY_PROFILE_ANNOTATION, METRICS_LABEL, recommendedLabels, RUNTIME_LABEL,
  SECRET_CHECKSUM_ANNOTATION, selectorLabels, TOOL_SIDECAR_LABEL,
} from '../core/labels';
import { restrictedContainerSecurityContext } from '../core/pod-security';
import { checkDns1123Label, checkDns1123Subdomain, checkImage, checkPort, fail } from '../core/validation';
import { AgentTypeSpec } from '../install/agent-type';

const KIND = 'AgentPod';

/** Name of the agent container. */
const AGENT_CONTAINER = 'agent';
/** Name of the init container. */
const INIT_CONTAINER = 'agent-init';
/** Mount path of the tool manifest in the sidecar. */
const TOOLS_MOUNT_PATH = '/etc/tool-manager';
/** Default user and group of every container (restricted Pod Security Standard). */
const DEFAULT_UID = 1000;

/** Props of {@link AgentPod}. */
export interface AgentPodProps {
  /** What the agent container runs: an image or code. */
  readonly source: AgentSource;

  /**
   * Agent name: the name of the Deployment, ServiceAccount and ConfigMaps, and
   * the `app.kubernetes.io/name` / `instance` labels. RFC 1123 label.
   * @default - the construct id
   */
  readonly agentName?: string;

  /**
   * Namespace of every object.
   * @default - none: the namespace of `kubectl apply` / the overlay
   */
  readonly namespace?: string;

  /**
   * Environment variables, SDK packages and glue code prepared by the init container.
   * @default - only the variables the library sets (`AGENT_NAME`, endpoints, memory backend)
   */
  readonly environment?: AgentEnvironment;

  /**
   * The tool-manager sidecar. Required to use `llmProviders`:
   * LLM credentials are given to the sidecar only.
   * @default - no sidecar
   */
  readonly toolSidecar?: ToolSidecar;

  /**
   * Memory of every container and the memory backend.
   * @default MemoryProfile.SMALL
   */
  readonly memory?: MemoryProfile;

  /**
   * LLM providers in order: the first is the main provider, the next are
   * fallbacks (`llm.providers`). Names must be unique.
   * @default - none
   */
  readonly llmProviders?: LlmProvider[];

  /**
   * Secrets whose data rolls the pods when it changes: the
   * `agents.cdk8s.io/secret-checksum` pod annotation is a sha256 over the
   * data of each one defined in this app (a cdk8s-plus `Secret`, hashed at
   * synth; only the hash is rendered, never a value). A Secret imported by
   * name (`Secret.fromSecretName`, e.g. one External Secrets or Vault
   * manages) has no data here and adds nothing: roll on its changes with a
   * reloader. Hand in the Secrets the pod reads (LLM credentials, secret
   * variables, the Redis password) or mounts. The same Secret twice is refused.
   * @default - none: no `agents.cdk8s.io/secret-checksum` annotation
   */
  readonly secrets?: ISecret[];

  /**
   * `spec.replicas` of the Deployment (integer >= 0). Not with `scaling`.
   * More than one adds a PodDisruptionBudget and topology spread.
   * @default 1 (no `spec.replicas` at all with `scaling`)
   */
  readonly replicas?: number;

  /**
   * Autoscaling (`scaling`): an autoscaling/v2
   * HorizontalPodAutoscaler; the Deployment then leaves `spec.replicas` unset.
   * A `minReplicas` above 1 adds a PodDisruptionBudget and topology spread.
   * @default - no autoscaling: `replicas` pods
   */
  readonly scaling?: AgentScaling;

  /**
   * HTTP port the agent container serves on (container port `http`). The
   * default probes then use `GET /healthz` and `GET /readyz` on it.
   * @default - no port; the default probes check the shared volume instead
   */
  readonly port?: number;

  /**
   * Probes of the agent and sidecar containers.
   * @default - see `ContainerProbes` and `AgentProbes`
   */
  readonly probes?: AgentProbes;

  /**
   * Shutdown timing: `terminationGracePeriodSeconds` and the `preStop` hooks.
   * @default - 60 s grace period, agent preStop waits 5 s
   */
  readonly shutdown?: AgentShutdown;

  /**
   * Metrics port, Prometheus scrape configuration and OpenTelemetry endpoint.
   * `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` are always set.
   * @default - no metrics port, no OTLP endpoint
   */
  readonly monitoring?: AgentMonitoring;

  /**
   * The agent's NetworkPolicy: default deny for ingress and egress, then DNS,
   * its Redis, its LLM providers' and tools' endpoints, its git source and
   * package registries (derived from the declarations), the scrape port for
   * `monitoring.scrapeNamespaces`, and ingress only from `allowIngressFrom`.
   * @default - that policy; `{ enabled: false }` for none
   */
  readonly networkPolicy?: AgentNetworkPolicyOptions;

  /**
   * Rules for the pod's images (agent, init, sidecar), checked at synth:
   * every image must be a valid reference, and with `requireDigest` pinned
   * to a digest. The error names each image that breaks it.
   * @default - images are checked as references only
   */
  readonly imagePolicy?: ImagePolicy;

  /**
   * Changes to the container `securityContext` of every container of the pod
   * (agent, init, sidecar), merged over the defaults: `runAsNonRoot` with
   * `runAsUser`/`runAsGroup` = `runAsUser`, `allowPrivilegeEscalation: false`,
   * `privileged: false`, all capabilities dropped, seccomp `RuntimeDefault`,
   * `readOnlyRootFilesystem: true` (Pod Security Standards `restricted`).
   * E.g. `{ readOnlyRootFilesystem: false }` for an image that writes outside
   * `/tmp` and `/shared`. A change can take the pod out of `restricted`.
   * @default - the restricted defaults above
   */
  readonly securityContext?: ContainerSecurityContextProps;

  /**
   * `runtimeClassName` of the pod, to run agents in a sandbox such as gVisor
   * (`gvisor`) or Kata Containers (`kata`); the RuntimeClass must exist.
   * @default - the cluster's default runtime
   */
  readonly runtimeClassName?: string;

  /**
   * Image of the init container. It needs `/bin/sh`, plus `git` for a git
   * source and `pip`/`npm` for SDK packages.
   * @default - `python:<version>` / `node:<version>` (full images, which carry
   * git, pip and npm) when there are SDK packages (the SDK's runtime and
   * version) or a git source (the code's runtime and version), else `busybox:1.36`.
   * Throws when the SDK runtime differs from the code runtime: give an image with both.
   */
  readonly initImage?: string;

  /**
   * User id every container runs as (`securityContext.runAsUser`, also
   * `runAsGroup` and `fsGroup`). Must not be 0.
   * @default 1000
   */
  readonly runAsUser?: number;

  /**
   * Extra labels on every object and on the pod template. The selector keys
   * `app.kubernetes.io/name` and `app.kubernetes.io/instance` are refused (they
   * come from `agentName`; changing them would break the Deployment selector).
   * @default - only the recommended `app.kubernetes.io/*` labels
   */
  readonly labels?: { [key: string]: string };

  /**
   * `app.kubernetes.io/version` label.
   * @default - none
   */
  readonly version?: string;
}

/**
 * One agent workload: a Deployment whose pod has
 *
 * - the `agent` container (from an image, or code on a python/nodejs runtime);
 * - the `agent-init` init container, which fills the shared volume
 *   (`/shared`) with the wrapper entrypoint, the code, SDK packages and glue
 *   code before the agent starts;
 * - the optional `tool-manager` sidecar with the declared tools, a local
 *   endpoint for the agent and the LLM credentials (as `secretKeyRef`);
 * - requests and limits of every container from a `MemoryProfile`.
 *
 * Also renders a ServiceAccount (no API token mounted) and the ConfigMaps
 * holding the scripts, local source and tool manifest. Every object carries
 * the recommended `app.kubernetes.io/*` labels.
 */
export class AgentPod extends Construct {
  /** Label on every object of a code agent: its runtime, `python` or `nodejs` (agent-type presets select on it). */
  public static readonly RUNTIME_LABEL = RUNTIME_LABEL;
  /** Label on every object of an agent with a tool sidecar: the sidecar's container name (tool presets select on it). */
  public static readonly TOOL_SIDECAR_LABEL = TOOL_SIDECAR_LABEL;
  /** Label on every object of an agent with `scaling` (value `true`): presets never set its replicas. */
  public static readonly AUTOSCALED_LABEL = AUTOSCALED_LABEL;
  /** Name of the agent container. */
  public static readonly AGENT_CONTAINER_NAME = AGENT_CONTAINER;
  /** Name of the init container that prepares the shared volume. */
  public static readonly INIT_CONTAINER_NAME = INIT_CONTAINER;

  /** The agent name (object names and `app.kubernetes.io/name`). */
  public readonly agentName: string;
  /** The rendered Deployment. */
  public readonly deployment: Deployment;
  /** The agent's ServiceAccount. */
  public readonly serviceAccount: ServiceAccount;
  /** The ConfigMap holding the init script, wrapper and glue code. */
  public readonly initConfigMap: ConfigMap;
  /** The agent container. */
  public readonly agentContainer: Container;
  /** The init container that prepares the shared volume. */
  public readonly initContainer: Container;
  /** The tool sidecar container, if any. */
  public readonly sidecarContainer?: Container;
  /** The Service the ServiceMonitor scrapes, when `monitoring.serviceMonitor` is on. */
  public readonly metricsService?: Service;
  /** The source of the agent container. */
  public readonly source: AgentSource;
  /** The memory profile. */
  public readonly memory: MemoryProfile;
  /** The tool sidecar, if any. */
  public readonly toolSidecar?: ToolSidecar;
  /** The environment, if any. */
  public readonly environment?: AgentEnvironment;

  private readonly _providers: LlmProvider[] = [];
  private readonly _secrets: ISecret[] = [];
  /** Renders the NetworkPolicy from the current declarations (again when a provider is added). */
  private renderNetworkPolicy?: () => void;
  /** ConfigMaps whose data is fully known at construction (checksummed). */
  private readonly plainConfigMaps: ConfigMap[] = [];

  /** @throws if a prop is invalid (the message names the construct path, the field and the value) */
  public constructor(scope: Construct, id: string, props: AgentPodProps) {
    super(scope, id);
    const where = this.node.path;
    if (!props || !props.source) {
      fail(KIND, where, 'source', '', 'is required: use AgentSource.image(...) or AgentSource.code(...)');
    }
    this.agentName = checkDns1123Label(KIND, where, 'agentName', props.agentName ?? id);
    const namespace = props.namespace === undefined ? undefined : checkDns1123Label(KIND, where, 'namespace', props.namespace);
    checkScaling(KIND, where, props.scaling, props.replicas);
    const replicas = props.replicas ?? 1;
    if (!Number.isInteger(replicas) || replicas < 0) fail(KIND, where, 'replicas', replicas, 'is not an integer >= 0');
    if (props.port !== undefined) checkPort(KIND, where, 'port', props.port);
    checkMonitoring(KIND, where, props.monitoring);
    if (props.monitoring?.metricsPort !== undefined && props.monitoring.metricsPort === props.port) {
      fail(KIND, where, 'monitoring.metricsPort', props.monitoring.metricsPort, 'is the same as port');
    }
    if (props.runtimeClassName !== undefined) checkDns1123Subdomain(KIND, where, 'runtimeClassName', props.runtimeClassName);
    const shutdown = resolveShutdown(KIND, where, props.shutdown);
    const uid = props.runAsUser ?? DEFAULT_UID;
    if (!Number.isInteger(uid) || uid < 1) fail(KIND, where, 'runAsUser', uid, 'must be a non-root user id (an integer >= 1)');
    if (props.initImage !== undefined) checkImage(props.initImage, KIND, where, 'initImage');

    this.source = props.source;
    this.memory = props.memory ?? MemoryProfile.SMALL;
    this.toolSidecar = props.toolSidecar;
    this.environment = props.environment;

    const labelOptions = { name: this.agentName, instance: this.agentName, component: 'agent', version: props.version };
    const selector = selectorLabels(labelOptions);
    for (const key of Object.keys(props.labels ?? {})) {
      if (key in selector) {
        fail(KIND, where, `labels['${key}']`, props.labels![key], 'would break the Deployment selector; the selector labels are set from agentName');
      }
    }
    const labels: { [key: string]: string } = {
      ...recommendedLabels(labelOptions),
      ...(props.source.runtime ? { [RUNTIME_LABEL]: props.source.runtime } : {}),
      ...(props.toolSidecar ? { [TOOL_SIDECAR_LABEL]: props.toolSidecar.name } : {}),
      ...(props.scaling ? { [AUTOSCALED_LABEL]: 'true' } : {}),
      ...(props.labels ?? {}),
    };

    // Every check runs before the first child is created, so a caught error
    // leaves no half-built agent in the tree.
    const sidecar = this.toolSidecar;
    if (sidecar && (sidecar.name === AGENT_CONTAINER || sidecar.name === INIT_CONTAINER)) {
      fail(KIND, where, 'toolSidecar.name', sidecar.name, 'clashes with a container of the agent pod');
    }
    const providers = props.llmProviders ?? [];
    providers.forEach((provider, i) => this.checkProvider(provider, providers.slice(0, i)));
    const secrets = props.secrets ?? [];
    secrets.forEach((secret, i) => checkSecret(where, secret, secrets.slice(0, i)));
    const initImage = props.initImage ?? this.defaultInitImage();
    this.environment?._markUsedBy(`AgentPod '${where}'`);
    sidecar?._markUsedBy(`AgentPod '${where}'`);

    const metadata = (name: string): ApiObjectMetadata => ({ name, namespace, labels });

    this.serviceAccount = new ServiceAccount(this, 'ServiceAccount', {
      metadata: metadata(this.agentName),
      automountToken: false,
    });

    // Init ConfigMap: init script, wrapper entrypoint, glue code.
    this.initConfigMap = new ConfigMap(this, 'InitConfig', { metadata: metadata(`${this.agentName}-init`) });
    this.initConfigMap.addData(INIT_SCRIPT_KEY, renderInitScript(this.source, this.environment));
    this.initConfigMap.addData(WRAPPER_KEY, renderWrapper());
    this.plainConfigMaps.push(this.initConfigMap);
    if (this.environment?.glueCode) {
      this.initConfigMap.addData(glueKey(this.environment.glueCode.fileName), this.environment.glueCode.content);
    }

    const shared = Volume.fromEmptyDir(this, 'SharedVolume', 'agent-shared');
    const tmp = Volume.fromEmptyDir(this, 'TmpVolume', 'tmp');
    const initVolume = Volume.fromConfigMap(this, 'InitVolume', this.initConfigMap, { name: 'agent-init', defaultMode: 0o555 });

    const restricted = { ...restrictedContainerSecurityContext(uid), ...(props.securityContext ?? {}) };

    const configHash = Lazy.any({ produce: () => this.configChecksum() }) as unknown as string;
    this.deployment = new Deployment(this, 'Deployment', {
      metadata: metadata(this.agentName),
      replicas: props.scaling ? undefined : replicas,
      select: false,
      terminationGracePeriod: Duration.seconds(shutdown.gracePeriodSeconds),
      podMetadata: {
        labels,
        annotations: {
          [MEMORY_PROFILE_ANNOTATION]: this.memory.name,
          [CONFIG_CHECKSUM_ANNOTATION]: configHash,
          ...scrapeAnnotations(props.monitoring ?? {}),
        },
      },
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: false,
      securityContext: { ensureNonRoot: true, user: uid, group: uid, fsGroup: uid },
    });
    this.deployment.select(LabelSelector.of({ labels: selector }));
    if (props.runtimeClassName) {
      // cdk8s-plus has no runtimeClassName.
      ApiObject.of(this.deployment).addJsonPatch(JsonPatch.add('/spec/template/spec/runtimeClassName', props.runtimeClassName));
    }
    if (props.scaling) addAutoscaler(this, this.deployment, props.scaling, metadata(this.agentName));
    if ((props.scaling?.minReplicas ?? replicas) > 1) addHighAvailability(this, this.deployment, selector, metadata(this.agentName));

    // Init container: prepares the shared volume before the agent starts.
    this.initContainer = this.deployment.addInitContainer({
      name: INIT_CONTAINER,
      image: initImage,
      imagePullPolicy: ImagePullPolicy.IF_NOT_PRESENT,
      command: ['/bin/sh', `${INIT_MOUNT_PATH}/${INIT_SCRIPT_KEY}`],
      envVariables: {
        HOME: EnvValue.fromValue('/tmp'),
        AGENT_SHARED_DIR: EnvValue.fromValue(SHARED_MOUNT_PATH),
        PIP_NO_CACHE_DIR: EnvValue.fromValue('1'),
        NPM_CONFIG_CACHE: EnvValue.fromValue('/tmp/.npm'),
      },
      resources: this.memory.initResources(),
      securityContext: restricted,
    });
    this.initContainer.mount(SHARED_MOUNT_PATH, shared);
    this.initContainer.mount('/tmp', tmp, { subPath: INIT_CONTAINER });
    this.initContainer.mount(INIT_MOUNT_PATH, initVolume, { readOnly: true });

    const code = this.source.type === AgentSourceType.CODE ? this.source.codeSource : undefined;
    if (code?.type === CodeSourceType.LOCAL) {
      const sourceConfigMap = new ConfigMap(this, 'SourceConfig', { metadata: metadata(`${this.agentName}-source`) });
      this.plainConfigMaps.push(sourceConfigMap);
      const items: { [key: string]: { path: string } } = {};
      Object.values(code.files).forEach((content, i) => {
        sourceConfigMap.addData(sourceKey(i), content);
        items[sourceKey(i)] = { path: sourceKey(i) };
      });
      const sourceVolume = Volume.fromConfigMap(this, 'SourceVolume', sourceConfigMap, { name: 'agent-source', items });
      this.initContainer.mount(SOURCE_MOUNT_PATH, sourceVolume, { readOnly: true });
    }

    // Agent container.
    const probes = agentProbes(props.port, props.probes?.agent);
    const agentPorts = [
      ...(props.port !== undefined ? [{ number: props.port, name: 'http' }] : []),
      ...(props.monitoring?.metricsPort !== undefined ? [{ number: props.monitoring.metricsPort, name: 'metrics' }] : []),
    ];
    const agentProps: ContainerProps = {
      ports: agentPorts.length > 0 ? agentPorts : undefined,
      startup: probes.startup,
      liveness: probes.liveness,
      readiness: probes.readiness,
      lifecycle: shutdown.preStopDelaySeconds > 0 ? { preStop: sleepHook(shutdown.preStopDelaySeconds) } : undefined,
      name: AGENT_CONTAINER,
      image: this.source.containerImage,
      imagePullPolicy: this.source.pullPolicy,
      command: this.source.command ? ['/bin/sh', WRAPPER_PATH, ...this.source.command] : undefined,
      args: this.source.args,
      workingDir: code ? `${SHARED_MOUNT_PATH}/src${code.path === '/' ? '' : code.path}` : undefined,
      resources: this.memory.agentResources(),
      securityContext: restricted,
    };
    this.agentContainer = this.deployment.addContainer(agentProps);
    this.agentContainer.mount(SHARED_MOUNT_PATH, shared);
    this.agentContainer.mount('/tmp', tmp, { subPath: AGENT_CONTAINER });
    const agentEnv = this.agentContainer.env;
    agentEnv.addVariable('AGENT_NAME', EnvValue.fromValue(this.agentName));
    agentEnv.addVariable('AGENT_SHARED_DIR', EnvValue.fromValue(SHARED_MOUNT_PATH));
    for (const [name, value] of Object.entries(this.environment?.variables ?? {})) {
      agentEnv.addVariable(name, EnvValue.fromValue(value));
    }
    const otelAttributes = Lazy.any({
      produce: () => otelResourceAttributes(this.agentName, namespace ?? this.deployment.metadata.namespace, this._providers),
    }) as unknown as string;
    const addOtel = (env: typeof agentEnv, serviceName: string) => {
      const own = this.environment?.variables ?? {};
      const otel: { [name: string]: string } = { OTEL_SERVICE_NAME: serviceName, OTEL_RESOURCE_ATTRIBUTES: otelAttributes };
      if (props.monitoring?.otlpEndpoint) otel.OTEL_EXPORTER_OTLP_ENDPOINT = props.monitoring.otlpEndpoint;
      // A value the user set in the environment wins.
      for (const [name, value] of Object.entries(otel)) if (!(name in own)) env.addVariable(name, EnvValue.fromValue(value));
    };
    addOtel(agentEnv, this.agentName);
    for (const [name, ref] of Object.entries(this.environment?.secretVariables ?? {})) {
      agentEnv.addVariable(name, EnvValue.fromSecretValue({ secret: Secret.fromSecretName(this, `EnvSecret-${name}`, ref.name), key: ref.key }));
    }
    if (this.environment?.glueCode) {
      agentEnv.addVariable('AGENT_GLUE_CODE', EnvValue.fromValue(`${SHARED_MOUNT_PATH}/glue/${this.environment.glueCode.fileName}`));
    }
    const backend = this.memory.backend;
    agentEnv.addVariable('AGENT_MEMORY_BACKEND', EnvValue.fromValue(backend.type));
    // A Redis this app deploys lets this agent in through its NetworkPolicy.
    backend.redisMemory?.addAgent(selector, namespace);
    if (backend.type === MemoryBackendType.REDIS) {
      agentEnv.addVariable('AGENT_MEMORY_REDIS_ADDRESS', EnvValue.fromValue(backend.address!));
      agentEnv.addVariable('AGENT_MEMORY_REDIS_DB', EnvValue.fromValue(String(backend.database ?? 0)));
      if (backend.passwordSecret) {
        agentEnv.addVariable('AGENT_MEMORY_REDIS_PASSWORD', EnvValue.fromSecretValue({
          secret: Secret.fromSecretName(this, 'RedisSecret', backend.passwordSecret.name),
          key: backend.passwordSecret.key,
        }));
      }
    }

    // Tool sidecar.
    if (sidecar) {
      const toolsConfigMap = new ConfigMap(this, 'ToolsConfig', { metadata: metadata(`${this.agentName}-tools`) });
      toolsConfigMap.addData('tools.json', JSON.stringify(sidecar.toSpec(), null, 2));
      this.plainConfigMaps.push(toolsConfigMap);
      toolsConfigMap.addData('llm-providers.json',
        Lazy.any({ produce: () => this.providersJson() }) as unknown as string);
      const toolsVolume = Volume.fromConfigMap(this, 'ToolsVolume', toolsConfigMap, { name: 'tool-manager-config' });
      this.sidecarContainer = this.deployment.addContainer({
        name: sidecar.name,
        image: sidecar.image,
        imagePullPolicy: sidecar.imagePullPolicy,
        ports: [{ number: sidecar.port, name: 'tools' }],
        envVariables: {
          TOOL_MANAGER_PORT: EnvValue.fromValue(String(sidecar.port)),
          TOOL_MANAGER_CONFIG: EnvValue.fromValue(`${TOOLS_MOUNT_PATH}/tools.json`),
          LLM_PROVIDERS_CONFIG: EnvValue.fromValue(`${TOOLS_MOUNT_PATH}/llm-providers.json`),
          AGENT_SHARED_DIR: EnvValue.fromValue(SHARED_MOUNT_PATH),
        },
        resources: this.memory.sidecarResources(),
        securityContext: restricted,
        ...sidecarProbes(sidecar.port, props.probes?.sidecar),
        lifecycle: { preStop: sleepHook(sidecarPreStopSeconds(shutdown)) },
      });
      addOtel(this.sidecarContainer.env, `${this.agentName}-${sidecar.name}`);
      this.sidecarContainer.mount(SHARED_MOUNT_PATH, shared);
      this.sidecarContainer.mount('/tmp', tmp, { subPath: sidecar.name });
      this.sidecarContainer.mount(TOOLS_MOUNT_PATH, toolsVolume, { readOnly: true });
      agentEnv.addVariable('TOOL_MANAGER_ENDPOINT', EnvValue.fromValue(sidecar.endpoint));
    }

    for (const provider of providers) {
      this.addLlmProvider(provider);
    }
    for (const secret of secrets) {
      this.addSecret(secret);
    }

    const codeSource = this.source.codeSource;
    const backendAddress = /^(.*):(\d+)$/.exec(backend.address ?? '');
    const redis = backend.type === MemoryBackendType.REDIS && backendAddress
      ? {
        host: backendAddress[1],
        port: Number(backendAddress[2]),
        podLabels: backend.redisMemory?.podSelector,
        namespace: backend.redisMemory?.namespace,
      }
      : undefined;
    const metricsPort = props.monitoring?.metricsPort;
    const networkOptions: AgentNetworkPolicyOptions = {
      ...props.networkPolicy,
      allowIngressFrom: [
        ...(props.networkPolicy?.allowIngressFrom ?? []),
        ...(metricsPort !== undefined ? [{ namespaces: props.monitoring?.scrapeNamespaces ?? ['monitoring'], ports: [metricsPort] }] : []),
      ],
    };
    this.renderNetworkPolicy = () => {
      this.node.tryRemoveChild('NetworkPolicy');
      this.node.tryRemoveChild('NetworkPolicySelector');
      addAgentNetworkPolicy(this, 'NetworkPolicy', {
        agentName: this.agentName,
        namespace,
        podSelector: selector,
        labels,
        options: networkOptions,
        where,
        sources: {
          llmProviders: this._providers,
          toolSidecar: sidecar,
          redis,
          gitRepository: codeSource?.type === CodeSourceType.GIT ? codeSource.repository : undefined,
          installsPackages: (this.environment?.sdk?.packages ?? []).length > 0,
        },
      });
    };
    this.renderNetworkPolicy();

    const policy = props.imagePolicy;
    if (policy) {
      this.node.addValidation({
        validate: () => policy.violations(ImagePolicy.imagesOf([ApiObject.of(this.deployment).toJson()]))
          .map(problem => `${KIND} '${where}': ${problem}`),
      });
    }

    const monitoring = props.monitoring;
    if (monitoring?.serviceMonitor && monitoring.metricsPort !== undefined) {
      const serviceLabels = { ...labels, [METRICS_LABEL]: 'true' };
      this.metricsService = new Service(this, 'MetricsService', {
        metadata: { name: `${this.agentName}-metrics`, namespace, labels: serviceLabels },
        selector: this.deployment,
        ports: [{ port: monitoring.metricsPort, targetPort: monitoring.metricsPort, name: 'metrics' }],
      });
      addServiceMonitor(this, monitoring, metadata(this.agentName), serviceLabels);
    }
  }

  /**
   * Adds an LLM provider after the ones already given (the order is the
   * fallback order). Its API key goes to the sidecar as `secretKeyRef`; the
   * agent only gets the sidecar's proxy endpoint (`LLM_PROXY_ENDPOINT`) and
   * the provider names (`AGENT_LLM_PROVIDERS`).
   * @throws if there is no tool sidecar, or a provider of that name exists
   */
  public addLlmProvider(provider: LlmProvider): void {
    this.checkProvider(provider, this._providers);
    this._providers.push(provider);
    this.sidecarContainer!.env.addVariable(provider.apiKeyEnvVar, EnvValue.fromSecretValue({
      secret: Secret.fromSecretName(this, `LlmSecret-${provider.name}`, provider.secretName),
      key: provider.secretKey,
    }));
    this.renderNetworkPolicy?.();
    const agentEnv = this.agentContainer.env;
    if (this._providers.length === 1) {
      agentEnv.addVariable('LLM_PROXY_ENDPOINT', EnvValue.fromValue(`${this.toolSidecar!.endpoint}/llm`));
      agentEnv.addVariable('AGENT_LLM_PROVIDERS', EnvValue.fromValue(
        Lazy.any({ produce: () => this._providers.map(p => p.name).join(',') }) as unknown as string));
    }
  }

  /**
   * Hands in a Secret whose data rolls the pods when it changes (see
   * `AgentPodProps.secrets`): a cdk8s-plus `Secret` of this app counts in the
   * `agents.cdk8s.io/secret-checksum` pod annotation, computed at synth; a
   * Secret imported by name is recorded but has no data to hash.
   * @returns the secret
   * @throws if this Secret was handed in already
   */
  public addSecret(secret: ISecret): ISecret {
    checkSecret(this.node.path, secret, this._secrets);
    this._secrets.push(secret);
    if (secret instanceof Secret && this._secrets.filter(s => s instanceof Secret).length === 1) {
      this.deployment.podMetadata.addAnnotation(SECRET_CHECKSUM_ANNOTATION, Lazy.any({ produce: () => this.secretChecksum() }) as unknown as string);
    }
    return secret;
  }

  /** The LLM providers in fallback order (a copy). */
  public get llmProviders(): LlmProvider[] {
    return [...this._providers];
  }

  /** The Secrets handed in with `secrets` or `addSecret`, in order (a copy). */
  public get secrets(): ISecret[] {
    return [...this._secrets];
  }

  /**
   * The AgentType `spec` that describes this workload, so the
   * same agent can be declared as an `AgentType` resource without typing it twice.
   * Secret values never appear: providers carry their Secret name only.
   */
  public toAgentTypeSpec(): AgentTypeSpec {
    const agent: { [key: string]: any } = { name: AGENT_CONTAINER, ...this.source.toSpec() };
    const environment = this.environment?.toSpec();
    if (environment && Object.keys(environment).length > 0) agent.environment = environment;
    const spec: { -readonly [K in keyof AgentTypeSpec]: any } = { agent, memory: this.memory.toSpec() };
    const tools = this.toolSidecar?.toSpec();
    if (tools && Object.keys(tools).length > 0) spec.tools = tools;
    if (this._providers.length > 0) spec.llm = { providers: this._providers.map(p => p.toSpec()) };
    return spec;
  }

  /** Checks a provider against the ones before it and the sidecar's own variables. */
  private checkProvider(provider: LlmProvider, before: LlmProvider[]): void {
    const where = this.node.path;
    if (!this.toolSidecar) {
      fail(KIND, where, 'llmProviders', provider.name, 'needs a toolSidecar: LLM credentials are given to the sidecar only, never to the agent container');
    }
    if (before.some(p => p.name === provider.name)) {
      fail(KIND, where, 'llmProviders', provider.name, 'is declared twice');
    }
    if (before.some(p => p.apiKeyEnvVar === provider.apiKeyEnvVar)) {
      fail(KIND, where, 'llmProviders', provider.name, `uses the key variable ${provider.apiKeyEnvVar} of another provider; give one of them apiKeyEnvVar via LlmProvider.generic()`);
    }
  }

  /**
   * The init image: the full runtime image (it has git, pip / npm) when the
   * code source or the SDK needs one, else busybox.
   * @throws if the code runtime and the SDK runtime differ and no initImage is given
   */
  private defaultInitImage(): string {
    const where = this.node.path;
    const sdk = (this.environment?.sdk?.packages ?? []).length > 0 ? this.environment!.sdk : undefined;
    const code = this.source.codeSource;
    if (sdk && this.source.runtime && sdk.runtime !== this.source.runtime) {
      fail(KIND, where, 'environment.sdk.runtime', sdk.runtime, `differs from the code runtime '${this.source.runtime}'; give initImage with both`);
    }
    const runtime = sdk?.runtime ?? (code?.type === CodeSourceType.GIT ? this.source.runtime : undefined);
    if (!runtime) return 'busybox:1.36';
    const version = sdk?.version ?? this.source.runtimeVersion;
    return runtime === AgentRuntime.PYTHON ? `python:${version}` : `node:${version}`;
  }

  /** The `llm-providers.json` the sidecar reads: providers in fallback order, Secret names only. */
  private providersJson(): string {
    return JSON.stringify(this._providers.map(p => p.toSpec()), null, 2);
  }

  /** sha256 of everything the pod reads from ConfigMaps: a change rolls the pods. */
  private configChecksum(): string {
    const hash = createHash('sha256');
    const add = (key: string, value: string) => hash.update(key).update('\0').update(value).update('\0');
    for (const cm of this.plainConfigMaps) {
      for (const [key, value] of Object.entries(cm.data).sort(([a], [b]) => a.localeCompare(b))) {
        if (typeof value === 'string') add(`${cm.name}/${key}`, value); // the Lazy providers file is added below
      }
    }
    if (this.toolSidecar) add('llm-providers.json', this.providersJson());
    return hash.digest('hex');
  }

  /**
   * sha256 over the data of the handed-in Secrets defined in this app, in
   * namespace/name order, as rendered at synth. Only the hash is rendered,
   * never the data. Called once one such Secret was handed in.
   */
  private secretChecksum(): string {
    const inApp = this._secrets.filter((s): s is Secret => s instanceof Secret).map(s => ApiObject.of(s).toJson())
      .map(json => ({ key: `${json.metadata?.namespace ?? ''}/${json.metadata?.name}`, json }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const hash = createHash('sha256');
    for (const { key, json } of inApp) {
      hash.update(key).update('\0').update(JSON.stringify({ data: json.data ?? {}, stringData: json.stringData ?? {} })).update('\0');
    }
    return hash.digest('hex');
  }
}

/** Checks a Secret handed in for the checksum against the ones before it. */
function checkSecret(where: string, secret: ISecret, before: ISecret[]): void {
  if (before.includes(secret)) fail(KIND, where, 'secrets', secret.name, 'is handed in twice');
}
