import { createHash } from 'crypto';
import { ApiObject, ApiObjectMetadata, Duration, JsonPatch } from 'cdk8s';
import {
  ConfigMap, Container, ContainerSecurityContextProps, Deployment, Env, EnvValue, ISecret, ImagePullPolicy, k8s, LabelSelector,
  Secret, Service, ServiceAccount, Volume,
} from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AgentEnvironment } from './environment';
import { GATEWAY_CONFIG_DIR, GATEWAY_OFFLINE_ENV, TOOLS_CONFIG_SUFFIX, gatewayCommand, gatewayMcpEnv, gatewayProbes } from './gateway-sidecar';
import {
  AgentProbes, AgentShutdown, ResolvedShutdown, agentProbes, resolveShutdown, sidecarPreStopSeconds, sleepHook,
} from './health';
import { GATEWAY_CONFIG_KEY, GATEWAY_SETTINGS_KEY, checkGatewayProvider, checkLlmProviders, liteLlmFiles } from './llm-gateway';
import { LlmProvider } from './llm-provider';
import { MemoryBackend, MemoryBackendType, MemoryProfile } from './memory-profile';
import {
  AgentMonitoring, addServiceMonitor, checkMonitoring, monitoringFromSpec, monitoringToSpec, otelResourceAttributes, scrapeAnnotations,
} from './monitoring';
import {
  AgentEgressSources, AgentNetworkPolicyOptions, AgentRedisDestination, PolicyInput, PolicyRule, deriveEgress, deriveIngress,
  networkPolicySpec,
} from './network-policy';
import { RedisMemory } from './redis-memory';
import { AgentScaling, addAutoscaler, addHighAvailability, checkScaling, needsDisruptionBudget, scalingFromSpec, scalingToSpec } from './scaling';
import { DEFAULT_AGENT_UID, securityFromSpec, securityToSpec } from './security-spec';
import {
  INIT_MOUNT_PATH, INIT_SCRIPT_KEY, SHARED_MOUNT_PATH, SOURCE_MOUNT_PATH, WRAPPER_KEY, WRAPPER_PATH,
  glueKey, renderInitScript, renderWrapper, sourceKey,
} from './shared-volume';
import { AgentRuntime, AgentSource, AgentSourceType, CodeSourceType } from './source';
import { ToolSidecar, ToolSidecarContainerOptions } from './tool-sidecar';
import { screenText } from '../core/credential-screen';
import { ImagePolicy } from '../core/image-reference';
import {
  AUTOSCALED_LABEL, CONFIG_CHECKSUM_ANNOTATION, MEMORY_PROFILE_ANNOTATION, METRICS_LABEL, recommendedLabels, RUNTIME_LABEL,
  SECRET_CHECKSUM_ANNOTATION, selectorLabels, TOOL_SIDECAR_LABEL,
} from '../core/labels';
import { lazy } from '../core/lazy';
import { restrictedSecurityContextWith } from '../core/pod-security';
import { secretChecksum } from '../core/secret-checksum';
import { checkOutputOnSynth } from '../core/synth-check';
import { onceInSynth } from '../core/synth-session';
import {
  checkDns1035Label, checkDns1123Label, checkDns1123Subdomain, checkImage, checkLabels, checkLabelValue, checkPort, checkReplicaCount,
  checkUserId, fail, subject,
} from '../core/validation';
import { stringifyYaml } from '../core/yaml';
import { AgentSpec, AgentTypeSpec } from '../install/agent-type';
import { agentTypeSpecToJson } from '../install/agent-type-json';
import { AGENT_TYPE_KIND, AGENT_TYPE_VERSION, DEFAULT_GROUP, validateAgentTypeManifest } from '../install/agent-type-schema';

const KIND = 'AgentPod';

/** Name of the agent container. */
const AGENT_CONTAINER = 'agent';
/** Name of the init container. */
const INIT_CONTAINER = 'agent-init';
/** Pod annotation of the EKS Pod Identity webhook: containers that get no IRSA credentials. */
const IRSA_SKIP_CONTAINERS = 'eks.amazonaws.com/skip-containers';
/** The agent's variable holding the sidecar's MCP endpoint, when the sidecar has MCP servers. */
const MCP_URL_VARIABLE = 'MCP_SERVER_URL';
/** Suffixes of the names of the objects derived from the agent name. */
const INIT_CONFIG_SUFFIX = '-init';
const SOURCE_CONFIG_SUFFIX = '-source';
const METRICS_SERVICE_SUFFIX = '-metrics';

type Labels = { [key: string]: string };

/**
 * The settings of an {@link AgentPod} that an AgentType spec does not carry:
 * names, labels and the pod-level production settings. Part of
 * `AgentPodProps`, and what `AgentPod.fromAgentTypeSpec` takes beside the spec.
 */
export interface AgentPodOptions {
  /**
   * Agent name: the name of the Deployment, ServiceAccount and ConfigMaps, and
   * the `app.kubernetes.io/name` / `instance` labels. RFC 1123 label; with
   * `monitoring.serviceMonitor` it also names the `<agentName>-metrics`
   * Service, so it must then start with a letter and have at most 55 characters.
   * @default - the construct id
   */
  readonly agentName?: string;

  /**
   * Namespace of every object (`metadata.namespace`), an RFC 1123 label.
   * @default - none: the namespace of `kubectl apply` / the overlay
   */
  readonly namespaceName?: string;

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
   * The rules are derived (and checked) at construction and again when
   * `addLlmProvider` adds a provider; the object is rendered at synth.
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
   * `user` and `group` are ids from 0 to 2147483647; `user: 0` (root) needs
   * `ensureNonRoot: false` as well, or the kubelet would refuse the container
   * (both are checked at construction).
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
   * `runAsGroup` and `fsGroup`): an integer from 1 to 2147483647 (not root).
   * @default 1000
   */
  readonly runAsUser?: number;

  /**
   * Extra labels on every object and on the pod template: label keys
   * (`[prefix/]name`) and values (at most 63 alphanumerics, '-', '_', '.',
   * starting and ending alphanumeric), checked at construction. The selector keys
   * `app.kubernetes.io/name` and `app.kubernetes.io/instance` are refused (they
   * come from `agentName`; changing them would break the Deployment selector).
   * @default - only the recommended `app.kubernetes.io/*` labels
   */
  readonly labels?: { [key: string]: string };

  /**
   * `app.kubernetes.io/version` label: a label value (at most 63
   * alphanumerics, '-', '_', '.', starting and ending alphanumeric), e.g. `1.4.2`.
   * @default - none
   */
  readonly version?: string;
}

/**
 * Props of {@link AgentPod}: the options, and what the agent runs with (the
 * parts an AgentType spec describes, see `AgentPod.toAgentTypeSpec`).
 */
export interface AgentPodProps extends AgentPodOptions {
  /** What the agent container runs: an image or code. */
  readonly source: AgentSource;

  /**
   * Environment variables, SDK packages and glue code prepared by the init container.
   * @default - only the variables the library sets (`AGENT_NAME`, endpoints, memory backend)
   */
  readonly environment?: AgentEnvironment;

  /**
   * The tool-manager sidecar. Required to use `llmProviders`:
   * LLM credentials are given to the sidecar only. With MCP servers
   * (`ToolSidecar.addMcpServer`) the agent gets `MCP_SERVER_URL`, the
   * sidecar's MCP endpoint; the servers' header and secret variables go to
   * the sidecar only.
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
   * Autoscaling (`scaling`): an autoscaling/v2
   * HorizontalPodAutoscaler; the Deployment then leaves `spec.replicas` unset.
   * A `minReplicas` above 1 adds a PodDisruptionBudget and topology spread.
   * @default - no autoscaling: `replicas` pods
   */
  readonly scaling?: AgentScaling;
}

/**
 * What `AgentPod.fromAgentTypeSpec` takes beside the AgentType spec: the
 * options an AgentType spec does not carry (for an operator, `agentName` and
 * `namespace` are the AgentType's `metadata.name` and `metadata.namespace`),
 * the container of the tool sidecar, and the Redis instances the app deploys.
 */
export interface AgentPodFromSpecOptions extends AgentPodOptions {
  /**
   * The container of the tool sidecar (its image, name, port, pull
   * policy), which the spec does not carry: the sidecar is added, with the
   * tools of `spec.tools`, when the spec has `tools` or LLM providers
   * (`spec.llm.providers`); otherwise this option is not used.
   * @default - the sidecar's defaults (LiteLLM's pinned image, port 4000)
   */
  readonly toolSidecar?: ToolSidecarContainerOptions;

  /**
   * Redis instances the app deploys: a `spec.memory` of type `redis` whose
   * `config.address` is the address of one of them uses it
   * (`MemoryBackend.fromRedis`), so the agent is let into its NetworkPolicy
   * and its own NetworkPolicy selects the Redis pods.
   * @default - none: a redis backend is an existing Redis reached by address
   */
  readonly redisMemories?: RedisMemory[];
}

/**
 * One agent workload: a Deployment whose pod has
 *
 * - the `agent` container (from an image, or code on a python/nodejs runtime);
 * - the `agent-init` init container, which fills the shared volume
 *   (`/shared`) with the wrapper entrypoint, the code, SDK packages and glue
 *   code before the agent starts;
 * - the optional `tool-manager` sidecar with the declared tools, a local
 *   endpoint for the agent (LLM gateway, and the MCP endpoint of its MCP
 *   servers) and the LLM and MCP credentials (as `secretKeyRef`);
 * - requests and limits of every container from a `MemoryProfile`.
 *
 * Also renders a ServiceAccount (no API token mounted), the ConfigMaps
 * holding the scripts, local source and tool manifest, and the agent's
 * NetworkPolicy. Every object carries the recommended `app.kubernetes.io/*`
 * labels. The pod template carries `agents.cdk8s.io/config-checksum` (a
 * sha256 of every ConfigMap value the pod reads) and, with `secrets`,
 * `agents.cdk8s.io/secret-checksum`, so a change rolls the pods.
 *
 * The constructor checks the props (the NetworkPolicy rules included) and
 * creates the objects; values that depend on later `addLlmProvider` /
 * `addSecret` calls (provider list, checksums, OpenTelemetry attributes,
 * the NetworkPolicy spec) are produced at synth.
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

  /**
   * The AgentPod an AgentType `spec` describes: the inverse of
   * {@link AgentPod.toAgentTypeSpec}, so an operator that turns AgentType
   * resources into workloads renders what `cdk8s synth` renders for the same
   * agent. `toAgentTypeSpec()` of the result is the spec with its defaults
   * filled in (`agent.name: agent`, `container.pullPolicy: IfNotPresent`, a
   * git source's `path: /`, `memory` with `profile: small`, the endpoint of
   * each provider, the CPU metric of `scaling`, `tools: {}` for a sidecar
   * without tools).
   *
   * The spec maps field by field:
   * - `agent` (`image` / `container` / `code`, `environment`): `source` and
   *   `environment` (see `AgentSource.fromSpec`, `AgentEnvironment.fromSpec`);
   *   `agent.name` must be `agent`;
   * - `tools`: the tool sidecar in `options.toolSidecar` (`ToolSidecar.fromSpec`);
   * - `memory`: `memory` (`MemoryProfile.fromSpec`; a Redis of
   *   `options.redisMemories` by address);
   * - `llm.providers[]`: `llmProviders`, in order (`LlmProvider.fromSpec`;
   *   Secret references by name, never a key);
   * - `scaling`: `scaling` (a HorizontalPodAutoscaler);
   * - `agent.port`: `port`;
   * - `monitoring`: `monitoring` (`enabled: true` is a metrics port, 9464
   *   unless `metricsPort` says otherwise; `metrics` the `AGENT_METRICS`
   *   variable; `otlpEndpoint`);
   * - `security.networkPolicy`: `networkPolicy` (`enabled: false` for none;
   *   `allowedNamespaces` let in on `agent.port`), merged over the option's
   *   other settings; `security.podSecurityContext`: `runAsUser`;
   *   `security.runtimeClassName`: `runtimeClassName`.
   *
   * What the spec says wins over the same option. A local code source is
   * refused (its files are on the synth machine only), as is a
   * `container.securityContext` (give it as the `securityContext` option).
   *
   * @param scope the scope of the AgentPod
   * @param id the construct id
   * @param spec the AgentType `spec` as the structs of `AgentTypeSpec`, whose
   *   properties are the CRD's fields but for `agent.sourceType`,
   *   `code.source.sourceType`/`revision`, `memory.backendType` and
   *   `llm.providers[].providerType` (the CRD's `type` and `ref`)
   * @param options what the spec does not carry (agent name, namespace, labels, sidecar container, pod settings)
   * @throws with the message an operator can put in the AgentType's
   * `Failed` condition, naming the field and the value (never a value that
   * looks like a credential): `AgentPod '<path>': spec.<field> '<value>'
   * <problem>` for a spec the AgentType schema refuses (one line per problem)
   * or names an agent container other than `agent`, else the part's own message
   * (`AgentSource`, `AgentEnvironment`, `ToolSidecar`, `MemoryProfile`,
   * `LlmProvider`), or what the AgentPod constructor refuses; a field given
   * by its CRD name where the struct names it otherwise (e.g. `memory.type`)
   * is refused, naming the struct property
   */
  public static fromAgentTypeSpec(scope: Construct, id: string, spec: AgentTypeSpec, options: AgentPodFromSpecOptions = {}): AgentPod {
    const where = scope.node.path ? `${scope.node.path}/${id}` : id;
    return new AgentPod(scope, id, agentPodPropsFromSpec(where, spec, options, AGENT_CONTAINER));
  }

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
  /**
   * The NetworkPolicy (`networking.k8s.io/v1`, named after the agent), unless
   * `networkPolicy.enabled` is false. Its `spec` is produced at synth from the
   * rules of the final declarations (see `AgentPodProps.networkPolicy`).
   */
  public readonly networkPolicy?: k8s.KubeNetworkPolicy;
  /** The source of the agent container. */
  public readonly source: AgentSource;
  /** The memory profile. */
  public readonly memory: MemoryProfile;
  /** The tool sidecar, if any. */
  public readonly toolSidecar?: ToolSidecar;
  /** The environment, if any. */
  public readonly environment?: AgentEnvironment;

  private readonly props: AgentPodProps;
  private readonly settings: PodSettings;
  private readonly _providers: LlmProvider[] = [];
  private readonly _secrets: ISecret[] = [];
  /** ConfigMaps whose data the config checksum covers. */
  private readonly checksummedConfigMaps: ConfigMap[] = [];
  /** The gateway's files, rendered for the first `providers` providers (see `gatewayFiles`). */
  private renderedGatewayFiles?: { readonly providers: number; readonly files: { [key: string]: string } };
  /** The NetworkPolicy's egress rules, derived from the current providers. */
  private egressRules: PolicyRule[];

  /** @throws if a prop is invalid (the message names the construct path, the field and the value) */
  public constructor(scope: Construct, id: string, props: AgentPodProps) {
    super(scope, id);
    checkOutputOnSynth(this);
    // Every check runs before the first child is created, so a caught error
    // leaves no half-built agent in the tree.
    this.settings = checkProps(this.node.path, id, props);
    this.egressRules = this.settings.networkRules?.egress ?? [];
    this.props = props;
    this.agentName = this.settings.agentName;
    this.source = props.source;
    this.memory = props.memory ?? MemoryProfile.SMALL;
    this.toolSidecar = props.toolSidecar;
    this.environment = props.environment;
    this.environment?._markUsedBy(`${KIND} '${this.node.path}'`);
    this.toolSidecar?._markUsedBy(`${KIND} '${this.node.path}'`);

    this.serviceAccount = new ServiceAccount(this, 'ServiceAccount', { metadata: this.metadata(this.agentName), automountToken: false });
    this.initConfigMap = this.newInitConfigMap();
    const volumes: PodVolumes = {
      shared: Volume.fromEmptyDir(this, 'SharedVolume', 'agent-shared'),
      tmp: Volume.fromEmptyDir(this, 'TmpVolume', 'tmp'),
      init: Volume.fromConfigMap(this, 'InitVolume', this.initConfigMap, { name: 'agent-init', defaultMode: 0o555 }),
    };
    this.deployment = this.newDeployment();
    this.initContainer = this.addInitContainer(volumes);
    this.agentContainer = this.addAgentContainer(volumes);
    // A Redis this app deploys lets this agent in through its own NetworkPolicy.
    this.memory.backend.redisMemory?.addAgent(this.settings.selector, this.settings.namespace);
    this.sidecarContainer = this.toolSidecar && this.addSidecarContainer(this.toolSidecar, volumes);
    (props.llmProviders ?? []).forEach(provider => this.addLlmProvider(provider));
    (props.secrets ?? []).forEach(secret => this.addSecret(secret));

    const ingressRules = this.settings.networkRules?.ingress;
    this.networkPolicy = ingressRules && new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: this.metadata(this.agentName),
      spec: lazy(() => networkPolicySpec(this.settings.selector, this.egressRules, ingressRules)),
    });
    const imagePolicy = props.imagePolicy;
    if (imagePolicy) {
      this.node.addValidation({
        validate: () => imagePolicy.violations(ImagePolicy.imagesOf([ApiObject.of(this.deployment).toJson()]))
          .map(problem => `${KIND} '${this.node.path}': ${problem}`),
      });
    }
    this.metricsService = this.addMetrics();
  }

  /**
   * Adds an LLM provider after the ones already given (the order is the
   * fallback order). Its keys go to the sidecar as `secretKeyRef` variables
   * (a Bedrock provider on the pod's AWS identity has none: with `roleArn`
   * its role annotates the agent's ServiceAccount, `eks.amazonaws.com/role-arn`,
   * and the pod tells the EKS webhook to skip the agent and init containers), and
   * the sidecar's LLM gateway gets a model entry for it (`model_name` the
   * provider's name) with fallback to the providers after it. The agent only
   * gets the gateway's URLs, never a key: `LLM_PROXY_ENDPOINT`
   * (`http://127.0.0.1:<port>`), `OPENAI_BASE_URL` (`.../v1`, for OpenAI
   * SDKs), `ANTHROPIC_BASE_URL` (for Anthropic SDKs), `LLM_MODEL` (the first
   * provider's name: the model to ask the gateway for) and
   * `AGENT_LLM_PROVIDERS` (the names in fallback order). Its endpoint joins
   * the NetworkPolicy's egress rules (derived again now, so a forbidden
   * endpoint fails here); the policy, the gateway's `config.yaml` and the
   * config checksum take it at synth.
   * @returns the provider
   * @throws if there is no tool sidecar, the provider has no model, a
   * provider of that name exists, another provider sets one of its variables
   * from another Secret key or asks for another IAM role, or its endpoint is
   * a cloud metadata address
   */
  public addLlmProvider(provider: LlmProvider): LlmProvider {
    checkProvider(this.node.path, this.toolSidecar, provider, this._providers);
    if (this.networkPolicy) {
      this.egressRules = deriveEgressRules(this.node.path, this.agentName, this.props, [...this._providers, provider]);
    }
    this._providers.push(provider);
    for (const { envVar, secretName, secretKey } of provider._secretEnv()) {
      this.sidecarContainer!.env.addVariable(envVar, EnvValue.fromSecretValue({
        secret: Secret.fromSecretName(this, `LlmSecret-${provider.name}-${envVar}`, secretName),
        key: secretKey,
      }));
    }
    for (const [key, value] of Object.entries(provider._serviceAccountAnnotations())) {
      this.serviceAccount.metadata.addAnnotation(key, value);
    }
    if (provider._workloadIdentity() === 'irsa') {
      // The EKS webhook gives the role to every container unless told otherwise: the sidecar alone calls the provider.
      this.deployment.podMetadata.addAnnotation(IRSA_SKIP_CONTAINERS, `${AGENT_CONTAINER},${INIT_CONTAINER}`);
    }
    if (this._providers.length === 1) {
      const agentEnv = this.agentContainer.env;
      const gateway = this.toolSidecar!.endpoint;
      agentEnv.addVariable('LLM_PROXY_ENDPOINT', EnvValue.fromValue(gateway));
      agentEnv.addVariable('OPENAI_BASE_URL', EnvValue.fromValue(`${gateway}/v1`));
      agentEnv.addVariable('ANTHROPIC_BASE_URL', EnvValue.fromValue(gateway));
      agentEnv.addVariable('LLM_MODEL', EnvValue.fromValue(provider.name));
      agentEnv.addVariable('AGENT_LLM_PROVIDERS', EnvValue.fromValue(lazy(() => this._providers.map(p => p.name).join(','))));
    }
    return provider;
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
      this.deployment.podMetadata.addAnnotation(SECRET_CHECKSUM_ANNOTATION, lazy(() => this.secretChecksum()));
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
   * The AgentType `spec` that describes this workload, so the same agent can
   * be declared as an `AgentType` resource without typing it twice, and an
   * operator can build the same AgentPod from it
   * ({@link AgentPod.fromAgentTypeSpec} is the inverse): `agent` (source,
   * command and args, environment with secret variables as
   * `valueFrom.secretKeyRef`), `tools` (whenever there is a tool sidecar),
   * `memory`, `llm.providers`, `scaling`, and of the options `agent.port`
   * (`port`), `monitoring` (a metrics port as `enabled: true` with its scrape
   * settings, `metrics`, `otlpEndpoint`) and `security` (`networkPolicy`
   * off, or one `allowIngressFrom` peer of namespaces on `port` as
   * `allowedNamespaces`; `runAsUser` as `podSecurityContext`;
   * `runtimeClassName`). Secret values never appear: Secrets are referenced
   * by name and key.
   *
   * Not in the spec: the other options (names, labels, replicas, probes,
   * shutdown, other NetworkPolicy peers and egress, container security
   * context changes, ...), the tool sidecar's container, the files of a local
   * source, and the request, CPU, init and sidecar sizes of a custom memory
   * profile (only its agent limit).
   */
  public toAgentTypeSpec(): AgentTypeSpec {
    const props = this.props;
    const agent: { -readonly [K in keyof AgentSpec]: AgentSpec[K] } = { name: AGENT_CONTAINER, ...this.source.toSpec() };
    const environment = this.environment?.toSpec();
    if (environment && Object.keys(environment).length > 0) agent.environment = environment;
    if (props.port !== undefined) agent.port = props.port;
    const spec: { -readonly [K in keyof AgentTypeSpec]: AgentTypeSpec[K] } = { agent, memory: this.memory.toSpec() };
    if (this.toolSidecar) spec.tools = this.toolSidecar.toSpec();
    if (this._providers.length > 0) spec.llm = { providers: this._providers.map(p => p.toSpec()) };
    const monitoring = monitoringToSpec(props.monitoring);
    if (monitoring) spec.monitoring = monitoring;
    const security = securityToSpec(props);
    if (security) spec.security = security;
    if (props.scaling) spec.scaling = scalingToSpec(props.scaling);
    return spec;
  }

  /** Metadata of an object of this agent: its name, the namespace and the labels. */
  private metadata(name: string): ApiObjectMetadata {
    return { name, namespace: this.settings.namespace, labels: this.settings.labels };
  }

  /** The `<name>-init` ConfigMap: init script, wrapper entrypoint, glue code. */
  private newInitConfigMap(): ConfigMap {
    const glue = this.environment?.glueCode;
    const configMap = new ConfigMap(this, 'InitConfig', {
      metadata: this.metadata(`${this.agentName}${INIT_CONFIG_SUFFIX}`),
      data: {
        [INIT_SCRIPT_KEY]: renderInitScript(this.source, this.environment, this.toolSidecar?.customTools),
        [WRAPPER_KEY]: renderWrapper(),
        ...(glue ? { [glueKey(glue.fileName)]: glue.content } : {}),
      },
    });
    this.checksummedConfigMaps.push(configMap);
    return configMap;
  }

  /** The Deployment (no containers yet), with its autoscaler, disruption budget and spread. */
  private newDeployment(): Deployment {
    const { props, settings } = this;
    const deployment = new Deployment(this, 'Deployment', {
      metadata: this.metadata(this.agentName),
      replicas: props.scaling ? undefined : settings.replicas,
      select: false,
      terminationGracePeriod: Duration.seconds(settings.shutdown.gracePeriodSeconds),
      podMetadata: {
        labels: settings.labels,
        annotations: {
          [MEMORY_PROFILE_ANNOTATION]: this.memory.name,
          [CONFIG_CHECKSUM_ANNOTATION]: lazy(() => this.configChecksum()),
          ...scrapeAnnotations(props.monitoring ?? {}),
        },
      },
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: false,
      securityContext: { ensureNonRoot: true, user: settings.uid, group: settings.uid, fsGroup: settings.uid },
    });
    deployment.select(LabelSelector.of({ labels: settings.selector }));
    if (props.runtimeClassName) {
      // cdk8s-plus has no runtimeClassName.
      ApiObject.of(deployment).addJsonPatch(JsonPatch.add('/spec/template/spec/runtimeClassName', props.runtimeClassName));
    }
    if (props.scaling) addAutoscaler(this, deployment, props.scaling, this.metadata(this.agentName));
    if (needsDisruptionBudget(props.scaling?.minReplicas ?? settings.replicas)) {
      addHighAvailability(this, deployment, settings.selector, this.metadata(this.agentName));
    }
    return deployment;
  }

  /** The init container: prepares the shared volume before the agent starts (and reads a local source). */
  private addInitContainer(volumes: PodVolumes): Container {
    const container = this.deployment.addInitContainer({
      name: INIT_CONTAINER,
      image: this.settings.initImage,
      imagePullPolicy: ImagePullPolicy.IF_NOT_PRESENT,
      command: ['/bin/sh', `${INIT_MOUNT_PATH}/${INIT_SCRIPT_KEY}`],
      envVariables: {
        HOME: EnvValue.fromValue('/tmp'),
        AGENT_SHARED_DIR: EnvValue.fromValue(SHARED_MOUNT_PATH),
        PIP_NO_CACHE_DIR: EnvValue.fromValue('1'),
        NPM_CONFIG_CACHE: EnvValue.fromValue('/tmp/.npm'),
      },
      resources: this.memory.initResources(),
      securityContext: this.settings.securityContext,
    });
    container.mount(SHARED_MOUNT_PATH, volumes.shared);
    container.mount('/tmp', volumes.tmp, { subPath: INIT_CONTAINER });
    container.mount(INIT_MOUNT_PATH, volumes.init, { readOnly: true });
    const code = this.source.sourceType === AgentSourceType.CODE ? this.source.codeSource : undefined;
    if (code?.sourceType === CodeSourceType.LOCAL) {
      container.mount(SOURCE_MOUNT_PATH, this.newSourceVolume(code.files), { readOnly: true });
    }
    return container;
  }

  /** A local source: the `<name>-source` ConfigMap (one key per file) as a volume. */
  private newSourceVolume(files: { [relativePath: string]: string }): Volume {
    const data: Labels = {};
    const items: { [key: string]: { path: string } } = {};
    Object.values(files).forEach((content, i) => {
      data[sourceKey(i)] = content;
      items[sourceKey(i)] = { path: sourceKey(i) };
    });
    const configMap = new ConfigMap(this, 'SourceConfig', { metadata: this.metadata(`${this.agentName}${SOURCE_CONFIG_SUFFIX}`), data });
    this.checksummedConfigMaps.push(configMap);
    return Volume.fromConfigMap(this, 'SourceVolume', configMap, { name: 'agent-source', items });
  }

  /** The agent container: the image or code, through the wrapper when there is a command. */
  private addAgentContainer(volumes: PodVolumes): Container {
    const { props } = this;
    const probes = agentProbes(props.port, props.probes?.agent);
    const ports = [
      ...(props.port !== undefined ? [{ number: props.port, name: 'http' }] : []),
      ...(props.monitoring?.metricsPort !== undefined ? [{ number: props.monitoring.metricsPort, name: 'metrics' }] : []),
    ];
    const code = this.source.sourceType === AgentSourceType.CODE ? this.source.codeSource : undefined;
    const preStopSeconds = this.settings.shutdown.preStopDelaySeconds;
    const container = this.deployment.addContainer({
      ports: ports.length > 0 ? ports : undefined,
      startup: probes.startup,
      liveness: probes.liveness,
      readiness: probes.readiness,
      lifecycle: preStopSeconds > 0 ? { preStop: sleepHook(preStopSeconds) } : undefined,
      name: AGENT_CONTAINER,
      image: this.source.containerImage,
      imagePullPolicy: this.source.pullPolicy,
      command: this.source.command ? ['/bin/sh', WRAPPER_PATH, ...this.source.command] : undefined,
      args: this.source.args,
      workingDir: code ? `${SHARED_MOUNT_PATH}/src${code.path === '/' ? '' : code.path}` : undefined,
      resources: this.memory.agentResources(),
      securityContext: this.settings.securityContext,
    });
    container.mount(SHARED_MOUNT_PATH, volumes.shared);
    container.mount('/tmp', volumes.tmp, { subPath: AGENT_CONTAINER });
    this.addAgentEnv(container.env);
    return container;
  }

  /** The agent's variables: its name, the user's, OpenTelemetry, secret ones, glue code, memory, sidecar endpoint. */
  private addAgentEnv(env: Env): void {
    env.addVariable('AGENT_NAME', EnvValue.fromValue(this.agentName));
    env.addVariable('AGENT_SHARED_DIR', EnvValue.fromValue(SHARED_MOUNT_PATH));
    for (const [name, value] of Object.entries(this.environment?.variables ?? {})) {
      env.addVariable(name, EnvValue.fromValue(value));
    }
    this.addOtel(env, this.agentName);
    const metrics = this.props.monitoring?.metrics ?? [];
    if (metrics.length > 0 && !('AGENT_METRICS' in (this.environment?.variables ?? {}))) {
      env.addVariable('AGENT_METRICS', EnvValue.fromValue(metrics.join(',')));
    }
    for (const [name, ref] of Object.entries(this.environment?.secretVariables ?? {})) {
      env.addVariable(name, EnvValue.fromSecretValue({ secret: Secret.fromSecretName(this, `EnvSecret-${name}`, ref.name), key: ref.key }));
    }
    const glue = this.environment?.glueCode;
    if (glue) env.addVariable('AGENT_GLUE_CODE', EnvValue.fromValue(`${SHARED_MOUNT_PATH}/glue/${glue.fileName}`));
    const backend = this.memory.backend;
    env.addVariable('AGENT_MEMORY_BACKEND', EnvValue.fromValue(backend.backendType));
    if (backend.backendType === MemoryBackendType.REDIS) {
      env.addVariable('AGENT_MEMORY_REDIS_ADDRESS', EnvValue.fromValue(backend.address!));
      env.addVariable('AGENT_MEMORY_REDIS_DB', EnvValue.fromValue(String(backend.database ?? 0)));
      if (backend.passwordSecret) {
        const secret = Secret.fromSecretName(this, 'RedisSecret', backend.passwordSecret.name);
        env.addVariable('AGENT_MEMORY_REDIS_PASSWORD', EnvValue.fromSecretValue({ secret, key: backend.passwordSecret.key }));
      }
    }
    if (this.toolSidecar) env.addVariable('TOOL_MANAGER_ENDPOINT', EnvValue.fromValue(this.toolSidecar.endpoint));
    if (this.toolSidecar && this.toolSidecar.mcpServers.length > 0) {
      env.addVariable(MCP_URL_VARIABLE, EnvValue.fromValue(this.toolSidecar.mcpEndpoint));
    }
  }

  /** `OTEL_*` variables of a container; a value the user set in the environment wins. */
  private addOtel(env: Env, serviceName: string): void {
    const own = this.environment?.variables ?? {};
    const otel: Labels = {
      OTEL_SERVICE_NAME: serviceName,
      OTEL_RESOURCE_ATTRIBUTES: lazy(() =>
        otelResourceAttributes(this.agentName, this.settings.namespace ?? this.deployment.metadata.namespace, this._providers)),
    };
    if (this.props.monitoring?.otlpEndpoint) otel.OTEL_EXPORTER_OTLP_ENDPOINT = this.props.monitoring.otlpEndpoint;
    for (const [name, value] of Object.entries(otel)) if (!(name in own)) env.addVariable(name, EnvValue.fromValue(value));
  }

  /**
   * The tool sidecar, running the LLM gateway on 127.0.0.1, and its
   * `<name>-tools` ConfigMap: the tool manifest (`tools.json`) and the
   * gateway's `config.yaml` and `gateway-settings.yaml`. The MCP servers'
   * Secret keys become its `secretKeyRef` variables.
   */
  private addSidecarContainer(sidecar: ToolSidecar, volumes: PodVolumes): Container {
    const mcpServers = sidecar.mcpServers;
    // The sidecar is ready once its required tools and the custom ones the init container installed are on PATH.
    const neededTools = [...sidecar.requiredTools, ...sidecar.customTools.map(t => t.name)];
    const toolsConfigMap = new ConfigMap(this, 'ToolsConfig', {
      metadata: this.metadata(`${this.agentName}${TOOLS_CONFIG_SUFFIX}`),
      data: {
        'tools.json': JSON.stringify(sidecar.toSpec(), null, 2),
        [GATEWAY_CONFIG_KEY]: lazy(() => this.gatewayFiles(sidecar)[GATEWAY_CONFIG_KEY]),
        [GATEWAY_SETTINGS_KEY]: lazy(() => this.gatewayFiles(sidecar)[GATEWAY_SETTINGS_KEY]),
      },
    });
    this.checksummedConfigMaps.push(toolsConfigMap);
    const toolsVolume = Volume.fromConfigMap(this, 'ToolsVolume', toolsConfigMap, { name: 'tool-manager-config' });
    const container = this.deployment.addContainer({
      name: sidecar.name,
      image: sidecar.image,
      imagePullPolicy: sidecar.imagePullPolicy,
      command: gatewayCommand(sidecar.port, neededTools),
      envVariables: {
        TOOL_MANAGER_CONFIG: EnvValue.fromValue(`${GATEWAY_CONFIG_DIR}/tools.json`),
        AGENT_SHARED_DIR: EnvValue.fromValue(SHARED_MOUNT_PATH),
        ...Object.fromEntries(Object.entries({ ...GATEWAY_OFFLINE_ENV, ...gatewayMcpEnv(mcpServers) })
          .map(([name, value]) => [name, EnvValue.fromValue(value)])),
      },
      resources: this.memory.sidecarResources(),
      securityContext: this.settings.securityContext,
      ...gatewayProbes(sidecar.port, neededTools, this.props.probes?.sidecar),
      lifecycle: { preStop: sleepHook(sidecarPreStopSeconds(this.settings.shutdown)) },
    });
    this.addOtel(container.env, `${this.agentName}-${sidecar.name}`);
    for (const server of mcpServers) {
      for (const { envVar, secretName, secretKey } of server._secretEnv()) {
        const secret = Secret.fromSecretName(this, `McpSecret-${server.name}-${envVar}`, secretName);
        container.env.addVariable(envVar, EnvValue.fromSecretValue({ secret, key: secretKey }));
      }
    }
    container.mount(SHARED_MOUNT_PATH, volumes.shared);
    container.mount('/tmp', volumes.tmp, { subPath: sidecar.name });
    container.mount(GATEWAY_CONFIG_DIR, toolsVolume, { readOnly: true });
    return container;
  }

  /** With `monitoring.serviceMonitor`: the `<name>-metrics` Service and the ServiceMonitor selecting it. */
  private addMetrics(): Service | undefined {
    const monitoring = this.props.monitoring;
    if (!monitoring?.serviceMonitor || monitoring.metricsPort === undefined) return undefined;
    const serviceLabels = { ...this.settings.labels, [METRICS_LABEL]: 'true' };
    const service = new Service(this, 'MetricsService', {
      metadata: { name: `${this.agentName}${METRICS_SERVICE_SUFFIX}`, namespace: this.settings.namespace, labels: serviceLabels },
      selector: this.deployment,
      ports: [{ port: monitoring.metricsPort, targetPort: monitoring.metricsPort, name: 'metrics' }],
    });
    addServiceMonitor(this, monitoring, this.metadata(this.agentName), serviceLabels);
    return service;
  }

  /** sha256 of everything the pod reads from ConfigMaps: a change rolls the pods. */
  private configChecksum(): string {
    const hash = createHash('sha256');
    const add = (key: string, value: string) => hash.update(key).update('\0').update(value).update('\0');
    for (const cm of this.checksummedConfigMaps) {
      for (const [key, value] of Object.entries(cm.data).sort(([a], [b]) => a.localeCompare(b))) {
        if (typeof value === 'string') add(`${cm.name}/${key}`, value); // the lazy gateway files are added below
      }
    }
    if (this.toolSidecar) {
      const files = this.gatewayFiles(this.toolSidecar);
      for (const key of Object.keys(files).sort()) add(key, files[key]);
    }
    return hash.digest('hex');
  }

  /**
   * The gateway's `config.yaml` and `gateway-settings.yaml` for the providers
   * added so far. Each synth asks for them three times (the two ConfigMap
   * keys and the config checksum): they are rendered again only when a
   * provider was added since (providers are only ever appended; the
   * sidecar's settings are fixed at construction and its MCP servers once
   * it is rendered). In `app.synth()`, a document several agents render
   * alike (the same providers, settings and MCP servers) is written as YAML
   * once per synth.
   */
  private gatewayFiles(sidecar: ToolSidecar): { [key: string]: string } {
    if (this.renderedGatewayFiles?.providers !== this._providers.length) {
      const render = (doc: any) => onceInSynth(this, `gateway-yaml ${JSON.stringify(doc)}`, () => stringifyYaml(doc));
      const files = liteLlmFiles(this._providers, sidecar._gatewaySettings(), sidecar.mcpServers, render);
      this.renderedGatewayFiles = { providers: this._providers.length, files };
    }
    return this.renderedGatewayFiles.files;
  }

  /**
   * sha256 over the data of the handed-in Secrets defined in this app, in
   * namespace/name order, as rendered at synth. Only the hash is rendered,
   * never the data. Called once one such Secret was handed in.
   */
  private secretChecksum(): string {
    return secretChecksum(this._secrets.filter((s): s is Secret => s instanceof Secret).map(s => ApiObject.of(s).toJson())
      .map(json => ({ namespace: json.metadata?.namespace, name: json.metadata?.name, data: json.data, stringData: json.stringData })));
  }

}

/** The props after the checks, with their defaults. */
interface PodSettings {
  readonly agentName: string;
  readonly namespace?: string;
  readonly replicas: number;
  readonly shutdown: ResolvedShutdown;
  readonly initImage: string;
  readonly uid: number;
  /** Container `securityContext` of every container: the restricted defaults and the user's changes. */
  readonly securityContext: ContainerSecurityContextProps;
  /** Labels the Deployment selects its pods by. */
  readonly selector: Labels;
  /** Labels of every object and of the pod template. */
  readonly labels: Labels;
  /** The NetworkPolicy's rules for the providers of the props; none without a policy. */
  readonly networkRules?: { readonly egress: PolicyRule[]; readonly ingress: PolicyRule[] };
}

/** The volumes of the pod that several containers mount. */
interface PodVolumes {
  readonly shared: Volume;
  readonly tmp: Volume;
  readonly init: Volume;
}

/** Checks the props of an AgentPod at `where` and applies their defaults. */
function checkProps(where: string, id: string, props: AgentPodProps): PodSettings {
  if (!props || !props.source) {
    fail(KIND, where, 'source', '', 'is required: use AgentSource.image(...) or AgentSource.code(...)');
  }
  const agentName = checkDns1123Label(KIND, where, 'agentName', props.agentName ?? id);
  checkDerivedNames(where, agentName, props);
  // Names are written into every object: none may be a pasted key (labels: see checkLabels).
  screenText(KIND, where, 'agentName', agentName);
  const namespace = props.namespaceName === undefined ? undefined : checkDns1123Label(KIND, where, 'namespaceName', props.namespaceName);
  checkScaling(KIND, where, props.scaling, props.replicas);
  const replicas = props.replicas ?? 1;
  checkReplicaCount(KIND, where, 'replicas', replicas, 0);
  if (props.port !== undefined) checkPort(KIND, where, 'port', props.port);
  checkMonitoring(KIND, where, props.monitoring);
  if (props.monitoring?.metricsPort !== undefined && props.monitoring.metricsPort === props.port) {
    fail(KIND, where, 'monitoring.metricsPort', props.monitoring.metricsPort, 'is the same as port');
  }
  if (props.runtimeClassName !== undefined) checkDns1123Subdomain(KIND, where, 'runtimeClassName', props.runtimeClassName);
  const shutdown = resolveShutdown(KIND, where, props.shutdown);
  const uid = checkUserId(KIND, where, 'runAsUser', props.runAsUser ?? DEFAULT_AGENT_UID, 1);
  if (props.initImage !== undefined) checkImage(props.initImage, KIND, where, 'initImage');
  const { selector, labels } = podLabels(where, agentName, props);
  const sidecar = props.toolSidecar;
  if (sidecar && (sidecar.name === AGENT_CONTAINER || sidecar.name === INIT_CONTAINER)) {
    fail(KIND, where, 'toolSidecar.name', sidecar.name, 'clashes with a container of the agent pod');
  }
  if (sidecar && sidecar.mcpServers.length > 0) {
    const environment = props.environment;
    if (environment && (MCP_URL_VARIABLE in environment.variables || MCP_URL_VARIABLE in environment.secretVariables)) {
      fail(KIND, where, 'environment.variables', MCP_URL_VARIABLE, 'is set by the AgentPod to the tool sidecar\'s MCP endpoint, as the sidecar has MCP servers');
    }
  }
  const providers = props.llmProviders ?? [];
  providers.forEach((provider, i) => checkProvider(where, sidecar, provider, providers.slice(0, i)));
  const secrets = props.secrets ?? [];
  secrets.forEach((secret, i) => checkSecret(where, secret, secrets.slice(0, i)));
  const initImage = props.initImage ?? defaultInitImage(where, props.source, props.environment);
  const securityContext = restrictedSecurityContextWith(KIND, where, 'securityContext', uid, props.securityContext);
  const networkRules = props.networkPolicy?.enabled === false ? undefined : {
    egress: deriveEgressRules(where, agentName, props, providers),
    ingress: deriveIngressRules(where, agentName, props),
  };
  return { agentName, namespace, replicas, shutdown, uid, selector, labels, initImage, securityContext, networkRules };
}

/**
 * Checks the names derived from the agent name by the rule of their kind:
 * the `<agentName>-init`, `-tools` and `-source` ConfigMaps (RFC 1123
 * subdomains) and, with `monitoring.serviceMonitor`, the `<agentName>-metrics`
 * Service (an RFC 1035 label: at most 63 characters, starting with a letter).
 * @throws naming the prop, the derived name and its rule
 */
function checkDerivedNames(where: string, agentName: string, props: AgentPodProps): void {
  for (const suffix of [INIT_CONFIG_SUFFIX, TOOLS_CONFIG_SUFFIX, SOURCE_CONFIG_SUFFIX]) {
    checkDns1123Subdomain(KIND, where, `agentName (ConfigMap '<agentName>${suffix}')`, `${agentName}${suffix}`);
  }
  if (props.monitoring?.serviceMonitor && props.monitoring.metricsPort !== undefined) {
    checkDns1035Label(KIND, where, `agentName (Service '<agentName>${METRICS_SERVICE_SUFFIX}')`, `${agentName}${METRICS_SERVICE_SUFFIX}`);
  }
}

/**
 * The selector labels (from the agent name) and the labels of every object:
 * the recommended ones, the runtime, sidecar and autoscaled labels, the user's.
 * @throws if a user label would change a selector label
 */
function podLabels(where: string, agentName: string, props: AgentPodProps): { selector: Labels; labels: Labels } {
  if (props.version !== undefined) checkLabelValue(KIND, where, 'version', props.version);
  const userLabels = checkLabels(KIND, where, 'labels', props.labels ?? {});
  const labelOptions = { name: agentName, instance: agentName, component: 'agent', version: props.version };
  const selector = selectorLabels(labelOptions);
  for (const [key, value] of Object.entries(userLabels)) {
    if (key in selector) fail(KIND, where, `labels['${key}']`, value, 'would break the Deployment selector; the selector labels are set from agentName');
  }
  const labels: Labels = {
    ...recommendedLabels(labelOptions),
    ...(props.source.runtime ? { [RUNTIME_LABEL]: props.source.runtime } : {}),
    ...(props.toolSidecar ? { [TOOL_SIDECAR_LABEL]: props.toolSidecar.name } : {}),
    ...(props.scaling ? { [AUTOSCALED_LABEL]: 'true' } : {}),
    ...userLabels,
  };
  return { selector, labels };
}

/** Checks a provider against the ones before it and the sidecar's own variables. */
function checkProvider(where: string, sidecar: ToolSidecar | undefined, provider: LlmProvider, before: LlmProvider[]): void {
  if (!sidecar) {
    fail(KIND, where, 'llmProviders', provider.name, 'needs a toolSidecar: LLM credentials are given to the sidecar only, never to the agent container');
  }
  checkGatewayProvider(where, provider);
  if (before.some(p => p.name === provider.name)) {
    fail(KIND, where, 'llmProviders', provider.name, 'is declared twice');
  }
  for (const server of sidecar.mcpServers) {
    const shared = server._secretEnv().find(e => provider._secretEnv().some(p => p.envVar === e.envVar));
    if (shared) {
      fail(KIND, where, 'llmProviders', provider.name, `sets the sidecar variable ${shared.envVar}, which MCP server '${server.name}' sets; give the provider another variable (apiKeyEnvVar)`);
    }
  }
  checkLlmProviders(where, [...before, provider]);
}

/** Checks a Secret handed in for the checksum against the ones before it. */
function checkSecret(where: string, secret: ISecret, before: ISecret[]): void {
  if (before.includes(secret)) fail(KIND, where, 'secrets', secret.name, 'is handed in twice');
}

/**
 * The init image: the full runtime image (it has git, pip / npm) when the
 * code source or the SDK needs one, else busybox.
 * @throws if the code runtime and the SDK runtime differ and no initImage is given
 */
function defaultInitImage(where: string, source: AgentSource, environment: AgentEnvironment | undefined): string {
  const sdk = (environment?.sdk?.packages ?? []).length > 0 ? environment!.sdk : undefined;
  if (sdk && source.runtime && sdk.runtime !== source.runtime) {
    fail(KIND, where, 'environment.sdk.runtime', sdk.runtime, `differs from the code runtime '${source.runtime}'; give initImage with both`);
  }
  const runtime = sdk?.runtime ?? (source.codeSource?.sourceType === CodeSourceType.GIT ? source.runtime : undefined);
  if (!runtime) return 'busybox:1.36';
  const version = sdk?.version ?? source.runtimeVersion;
  return runtime === AgentRuntime.PYTHON ? `python:${version}` : `node:${version}`;
}

/**
 * The NetworkPolicy's egress rules for these providers and the other
 * declarations of the props (sidecar, Redis, git source, packages) and options.
 * @throws if an option is invalid or a derived destination is a cloud metadata address
 */
function deriveEgressRules(where: string, agentName: string, props: AgentPodProps, providers: LlmProvider[]): PolicyRule[] {
  const code = props.source.codeSource;
  const sources: AgentEgressSources = {
    llmProviders: providers,
    toolSidecar: props.toolSidecar,
    redis: redisDestination((props.memory ?? MemoryProfile.SMALL).backend),
    gitRepository: code?.sourceType === CodeSourceType.GIT ? code.repository : undefined,
    installsPackages: (props.environment?.sdk?.packages ?? []).length > 0,
  };
  return deriveEgress(sources, props.networkPolicy ?? {}, PolicyInput.of(agentName, where));
}

/**
 * The NetworkPolicy's ingress rules: `allowIngressFrom`, then the metrics port
 * from `monitoring.scrapeNamespaces` when there is one.
 * @throws if a peer is invalid
 */
function deriveIngressRules(where: string, agentName: string, props: AgentPodProps): PolicyRule[] {
  const metricsPort = props.monitoring?.metricsPort;
  const scrapers = metricsPort === undefined ? [] : [{ namespaces: props.monitoring?.scrapeNamespaces ?? ['monitoring'], ports: [metricsPort] }];
  return deriveIngress([...(props.networkPolicy?.allowIngressFrom ?? []), ...scrapers], PolicyInput.of(agentName, where));
}

/** The Redis of a redis memory backend, for the NetworkPolicy (`host:port` address; pods and namespace when the app deploys it). */
function redisDestination(backend: MemoryBackend): AgentRedisDestination | undefined {
  const address = /^(.*):(\d+)$/.exec(backend.address ?? '');
  if (backend.backendType !== MemoryBackendType.REDIS || !address) return undefined;
  return { host: address[1], port: Number(address[2]), podLabels: backend.redisMemory?.podSelector, namespace: backend.redisMemory?.namespaceName };
}

// ---------------------------------------------------------------------------
// The AgentType spec -> AgentPodProps mapping (the inverse of toAgentTypeSpec): each part is read by the
// `fromSpec` beside its `toSpec`; here the spec is checked as a whole and the parts put together.
// ---------------------------------------------------------------------------

/**
 * The props of the AgentPod an AgentType `spec` describes, at construct path
 * `where`, with `options` for what the spec does not carry.
 * @param agentContainer the name of the AgentPod's agent container (`spec.agent.name` must be it)
 * @throws `AgentPod '<where>': <field> '<value>' <problem>` for a spec the
 * schema refuses (one line per problem, credentials redacted), for an agent container of another
 * name; and whatever the parts' `fromSpec` refuse, in their own kind's words
 * (e.g. an LLM provider without `config.model`)
 */
export function agentPodPropsFromSpec(
  where: string, spec: AgentTypeSpec, options: AgentPodFromSpecOptions, agentContainer: string,
): AgentPodProps {
  checkSpec(where, spec);
  if (spec.agent.name !== undefined && spec.agent.name !== agentContainer) {
    fail(KIND, where, 'spec.agent.name', spec.agent.name, `is not supported: the agent container of an AgentPod is named '${agentContainer}'`);
  }
  const { toolSidecar: sidecarContainer, redisMemories, ...podOptions } = options;
  const providers = spec.llm?.providers ?? [];
  const needsSidecar = spec.tools !== undefined || providers.length > 0;
  const environment = spec.agent.environment;
  const port = spec.agent.port ?? podOptions.port;
  const { networkPolicy, ...security } = securityFromSpec(spec.security, port);
  const monitoring = spec.monitoring && monitoringFromSpec(spec.monitoring);
  return {
    ...podOptions,
    ...(port !== undefined ? { port } : {}),
    ...(monitoring ? { monitoring } : {}),
    ...(networkPolicy ? { networkPolicy: { ...podOptions.networkPolicy, ...networkPolicy } } : {}),
    ...security,
    source: AgentSource.fromSpec(spec.agent),
    environment: environment && Object.keys(environment).length > 0 ? AgentEnvironment.fromSpec(environment) : undefined,
    toolSidecar: needsSidecar ? ToolSidecar.fromSpec(spec.tools ?? {}, sidecarContainer ?? {}) : undefined,
    memory: spec.memory && MemoryProfile.fromSpec(spec.memory, redisMemories),
    llmProviders: providers.length > 0 ? providers.map(p => LlmProvider.fromSpec(p)) : undefined,
    scaling: spec.scaling && scalingFromSpec(KIND, where, spec.scaling),
  };
}

/**
 * Checks the spec against the AgentType schema (as `AgentType` does):
 * required fields, enums, patterns, unknown fields, CEL rules, credentials.
 * @throws one line per problem, each `AgentPod '<where>': spec.<path> '<value>' <problem>`
 */
function checkSpec(where: string, spec: AgentTypeSpec): void {
  const json = agentTypeSpecToJson(spec, subject(KIND, where));
  const problems = validateAgentTypeManifest({ apiVersion: `${DEFAULT_GROUP}/${AGENT_TYPE_VERSION}`, kind: AGENT_TYPE_KIND, metadata: {}, spec: json });
  if (problems.length > 0) throw new Error(problems.map(problem => `${subject(KIND, where)}: ${problem}`).join('\n'));
}
