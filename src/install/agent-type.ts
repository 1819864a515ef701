import { ApiObject, ApiObjectMetadata, Chart, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AgentTypeCrd } from './agent-type-crd';
import { agentTypeSpecFromJson, agentTypeSpecToJson } from './agent-type-json';
import {
  AGENT_TYPE_KIND, AGENT_TYPE_VERSION, DEFAULT_GROUP, checkGroup, validateAgentTypeManifest,
} from './agent-type-schema';
import { sortedKeys } from '../core/canonical-json';
import { checkOutputOnSynth } from '../core/synth-check';
import { checkAnnotations, checkDns1123Label, checkDns1123Subdomain, checkLabels, fail, subject } from '../core/validation';

// ---------------------------------------------------------------------------
// Spec structs: a typed mirror of the AgentType openAPIV3Schema.
// Enum-valued fields are `string`; their allowed values are listed in the
// docs and enforced by the CRD schema when the AgentType is synthesized.
// A property has its CRD field's name, except where that name is a reserved
// word in a jsii language (`type`, `ref`): those are named after what they
// hold, and agent-type-json.ts maps them (see each property's docs).
// ---------------------------------------------------------------------------

/**
 * The user container of an agent (`spec.agent.container`).
 */
export interface AgentContainerSpec {
  /**
   * Container image, e.g. `custom-agent:latest`.
   *
   * @default - none; then `spec.agent.image` or `spec.agent.code` must be set
   */
  readonly image?: string;

  /**
   * Image pull policy. One of `Always`, `IfNotPresent`, `Never`.
   *
   * @default - Kubernetes' default (`Always` for `:latest`, else `IfNotPresent`)
   */
  readonly pullPolicy?: string;

  /**
   * Command of the agent (an addition of cdk8s-agents to the AgentType
   * schema), run through the wrapper entrypoint on the shared volume, which
   * puts the SDK packages and glue code on `PYTHONPATH`/`NODE_PATH`.
   *
   * @default - the image's own entrypoint, unwrapped
   */
  readonly command?: string[];

  /**
   * Arguments of the command (an addition of cdk8s-agents to the AgentType schema).
   *
   * @default - none
   */
  readonly args?: string[];

  /**
   * Container securityContext (core/v1 SecurityContext), kept as given
   * (`x-kubernetes-preserve-unknown-fields`). `AgentPod.fromAgentTypeSpec`
   * refuses a non-empty one: give it as the AgentPod's `securityContext`.
   *
   * @default - none
   */
  readonly securityContext?: k8s.SecurityContext;
}

/**
 * Where the code of a code-based agent comes from
 * (`spec.agent.code.source`).
 */
export interface AgentCodeSourceSpec {
  /**
   * Source kind (CRD field `spec.agent.code.source.type`). One of `git`, `local`.
   *
   * @default - none
   */
  readonly sourceType?: string;

  /**
   * Repository URL, for `git` sources, e.g. `https://github.com/example/agent`.
   *
   * @default - none
   */
  readonly repository?: string;

  /**
   * Path of the code inside the repository or the local volume, e.g. `/src`.
   *
   * @default - the root
   */
  readonly path?: string;

  /**
   * Branch or tag to check out, for `git` sources (CRD field
   * `spec.agent.code.source.ref`, an addition of cdk8s-agents to the
   * AgentType schema).
   *
   * @default - the repository's default branch
   */
  readonly revision?: string;
}

/**
 * An agent delivered as code run by a language runtime
 * (`spec.agent.code`).
 */
export interface AgentCodeSpec {
  /**
   * Where the code comes from.
   *
   * @default - none
   */
  readonly source?: AgentCodeSourceSpec;

  /**
   * Language runtime. One of `python`, `nodejs`.
   *
   * @default - none
   */
  readonly runtime?: string;

  /**
   * Runtime version, e.g. `3.9`.
   *
   * @default - the operator's default for the runtime
   */
  readonly version?: string;

  /**
   * File started by the runtime, relative to the source path (an addition of cdk8s-agents to the AgentType schema).
   *
   * @default - `main.py` for python, `index.js` for nodejs
   */
  readonly entrypoint?: string;

  /**
   * Image of the agent container (an addition of cdk8s-agents to the AgentType schema).
   *
   * @default - `python:<version>-slim` or `node:<version>-slim`
   */
  readonly image?: string;
}

/**
 * One environment variable injected into the agent
 * (`spec.agent.environment.variables[]`). Never put secret values here.
 */
export interface EnvironmentVariableSpec {
  /**
   * Variable name (letters, digits, `_`, `-`, `.`; not starting with a digit).
   * Names are unique within the list (`x-kubernetes-list-type: map`).
   */
  readonly name: string;

  /**
   * Variable value.
   *
   * @default - empty, or the value of `valueFrom`
   */
  readonly value?: string;

  /**
   * Where the value comes from instead of `value`: a key of a Secret (an
   * addition of cdk8s-agents to the AgentType schema; the pod gets it as
   * `valueFrom.secretKeyRef`, the value never appears in a manifest).
   *
   * @default - the literal `value`
   */
  readonly valueFrom?: EnvironmentVariableSourceSpec;
}

/**
 * The source of an environment variable's value
 * (`spec.agent.environment.variables[].valueFrom`).
 */
export interface EnvironmentVariableSourceSpec {
  /** A key of a Secret in the agent's namespace. */
  readonly secretKeyRef: SecretKeyRefSpec;
}

/**
 * A key of a Secret, by name (`valueFrom.secretKeyRef`). Never the value.
 */
export interface SecretKeyRefSpec {
  /** Name of the Secret (an RFC 1123 subdomain). */
  readonly name: string;

  /** Key inside the Secret. */
  readonly key: string;
}

/**
 * The agent SDK the init container installs
 * (`spec.agent.environment.sdk`).
 */
export interface SdkSpec {
  /**
   * SDK runtime. One of `python`, `nodejs`.
   *
   * @default - none
   */
  readonly runtime?: string;

  /**
   * Runtime version, e.g. `3.9`.
   *
   * @default - none
   */
  readonly version?: string;

  /**
   * Packages to install, e.g. `['requests', 'pandas']`. Unique entries.
   *
   * @default - none
   */
  readonly packages?: string[];
}

/**
 * Glue code placed beside the agent
 * (`spec.agent.environment.glueCode`).
 */
export interface GlueCodeSpec {
  /**
   * Path or URL of the glue code, e.g. `/shared/gluecode.py`.
   *
   * @default - none
   */
  readonly source?: string;

  /**
   * The glue code itself (an addition of cdk8s-agents to the AgentType
   * schema), written to `source` by the init container.
   *
   * @default - none
   */
  readonly content?: string;
}

/**
 * The environment the init container prepares
 * (`spec.agent.environment`).
 */
export interface AgentEnvironmentSpec {
  /**
   * Environment variables.
   *
   * @default - none
   */
  readonly variables?: EnvironmentVariableSpec[];

  /**
   * SDK to install.
   *
   * @default - none
   */
  readonly sdk?: SdkSpec;

  /**
   * Glue code.
   *
   * @default - none
   */
  readonly glueCode?: GlueCodeSpec;
}

/**
 * The agent itself (`spec.agent`).
 *
 * It needs something to run: `image`, `container.image` or `code`; an agent
 * with none of these fails validation at synth time.
 */
export interface AgentSpec {
  /**
   * Container image, e.g. `nginx:latest`. Shorthand for `container.image`.
   *
   * @default - none; then `container.image` or `code` must be set
   */
  readonly image?: string;

  /**
   * Name of the agent container, an RFC 1123 label.
   *
   * @default 'agent' (applied by the API server)
   */
  readonly name?: string;

  /**
   * How the agent is delivered (CRD field `spec.agent.type`). One of
   * `container`, `code`. `code` requires `code`; `container` requires
   * `container` or `image`.
   *
   * @default - none
   */
  readonly sourceType?: string;

  /**
   * User container.
   *
   * @default - none
   */
  readonly container?: AgentContainerSpec;

  /**
   * Code and runtime.
   *
   * @default - none
   */
  readonly code?: AgentCodeSpec;

  /**
   * Environment injected by the init container.
   *
   * @default - none
   */
  readonly environment?: AgentEnvironmentSpec;

  /**
   * HTTP port the agent container serves on (container port `http`), 1 to
   * 65535 (an addition of cdk8s-agents to the AgentType schema). The probes
   * then use `GET /healthz` and `GET /readyz` on it.
   *
   * @default - no port; the probes check the shared volume instead
   */
  readonly port?: number;
}

/**
 * A custom tool (`spec.tools.custom[]`).
 */
export interface CustomToolSpec {
  /** Tool name; unique within the list. */
  readonly name: string;

  /**
   * Tool version, e.g. `1.0`.
   *
   * @default - latest
   */
  readonly version?: string;

  /**
   * Where the init container downloads the tool from: an http(s) URL of one
   * executable file, e.g. `https://example.com/tools/custom-tool`.
   *
   * @default - none
   */
  readonly source?: string;

  /**
   * SHA-256 of the file at `source`, 64 lowercase hex digits: the init
   * container refuses a download whose digest differs (required with a
   * source).
   *
   * @default - none
   */
  readonly sha256?: string;
}

/**
 * Tools managed by the tool sidecar (`spec.tools`).
 */
export interface ToolsSpec {
  /**
   * Tools that must be available, e.g. `['python', 'git']`. Unique entries.
   *
   * @default - none
   */
  readonly required?: string[];

  /**
   * Tools installed when available, e.g. `['kubectl']`. Unique entries.
   *
   * @default - none
   */
  readonly optional?: string[];

  /**
   * Custom tools.
   *
   * @default - none
   */
  readonly custom?: CustomToolSpec[];

  /**
   * MCP servers whose tools the sidecar's LLM gateway serves to the agent at
   * one MCP endpoint (`MCP_SERVER_URL`), each tool named `<server>-<tool>`.
   * Names are unique within the list.
   *
   * @default - none
   */
  readonly mcpServers?: McpServerSpec[];
}

/**
 * An MCP server of the tool sidecar (`spec.tools.mcpServers[]`): a remote
 * one (`url`) or a process the gateway starts (`command`), never both.
 */
export interface McpServerSpec {
  /**
   * Server name: a lowercase letter, then at most 31 lowercase letters,
   * digits and `_`. Unique within the list.
   */
  readonly name: string;

  /**
   * How the gateway reaches the server: `streamable-http` or `sse` (with
   * `url`), `stdio` (with `command`).
   *
   * @default - `streamable-http` with `url`, `stdio` with `command`
   */
  readonly transport?: string;

  /**
   * URL of a remote server's MCP endpoint (`http://` or `https://`), without
   * credentials.
   *
   * @default - none: a stdio server
   */
  readonly url?: string;

  /**
   * Headers sent to a remote server, each from a key of a Secret.
   *
   * @default - none
   */
  readonly headers?: McpHeaderSpec[];

  /**
   * Program the gateway starts in the sidecar (a stdio server): a name on its
   * `PATH` or a path.
   *
   * @default - none: a remote server
   */
  readonly command?: string;

  /**
   * Arguments of the command.
   *
   * @default - none
   */
  readonly args?: string[];

  /**
   * Variables of a stdio server's process: `{ name, value }`, or `{ name,
   * valueFrom: { secretKeyRef } }` for a value from a Secret.
   *
   * @default - none
   */
  readonly env?: EnvironmentVariableSpec[];
}

/**
 * A header the gateway sends to a remote MCP server
 * (`spec.tools.mcpServers[].headers[]`): its value is a key of a Secret.
 */
export interface McpHeaderSpec {
  /** Header name (letters, digits and `-`). Unique within the list. */
  readonly name: string;

  /** The Secret key holding the header's whole value (e.g. `Bearer <token>`). */
  readonly valueFrom: EnvironmentVariableSourceSpec;
}

/**
 * Agent memory (`spec.memory`).
 */
export interface MemorySpec {
  /**
   * Named memory profile of every container (an addition of cdk8s-agents
   * to the AgentType schema): `small`, `medium` or `large` (see
   * `MemoryProfile`); `size` is then that profile's agent memory limit.
   *
   * @default - the agent's memory request and limit are both `size`
   */
  readonly profile?: string;

  /**
   * Memory size, a Kubernetes quantity such as `1Gi` or `512Mi`.
   *
   * @default - none
   */
  readonly size?: string;

  /**
   * Memory backend (CRD field `spec.memory.type`). One of `redis`, `inmemory`.
   *
   * @default - none (`inmemory` when read by `MemoryProfile.fromSpec`)
   */
  readonly backendType?: string;

  /**
   * Backend configuration (`spec.memory.config`): for `redis` only. The CRD
   * keeps any object as given (`x-kubernetes-preserve-unknown-fields`);
   * `MemoryProfile.fromSpec` reads these fields and refuses others.
   *
   * @default - none
   */
  readonly config?: MemoryConfigSpec;
}

/**
 * The configuration of a `redis` memory backend (`spec.memory.config`).
 */
export interface MemoryConfigSpec {
  /**
   * Redis `host:port`, e.g. `redis.agents.svc.cluster.local:6379`.
   *
   * @default - none: required for `redis`
   */
  readonly address?: string;

  /**
   * Redis logical database number, 0 to 15.
   *
   * @default 0
   */
  readonly database?: number;

  /**
   * The Secret key holding the Redis password (its name and key, never the
   * password).
   *
   * @default - no password
   */
  readonly passwordSecret?: SecretKeyRefSpec;
}

/**
 * One LLM provider (`spec.llm.providers[]`). `LlmProvider.fromSpec` reads it
 * and `LlmProvider.toSpec` writes it; each type with a factory of its own
 * keeps its settings in `config`, as strings:
 * - `anthropic`, `openai`: `endpoint`, `model`;
 * - `azure-openai`: `endpoint`, `deployment`, `apiVersion`, `model`;
 * - `bedrock`: `region`, `model`, `roleArn`; with `credentialsSecret`, the
 *   keys `accessKeyIdKeyName` (default `aws-access-key-id`) and
 *   `secretAccessKeyKeyName` (default `aws-secret-access-key`) and the
 *   variables `accessKeyIdEnvVar` (default `AWS_ACCESS_KEY_ID`) and
 *   `secretAccessKeyEnvVar` (default `AWS_SECRET_ACCESS_KEY`);
 * - `gemini`: `model`;
 * - `vertex-ai`: `project`, `location`, `model`;
 * - `openai-compatible`: `model`, and `endpoint` or the in-cluster Service
 *   `serviceName`, `serviceNamespace`, `servicePort`, `serviceTargetPort`,
 *   `serviceClusterDomain` (ports as decimal strings).
 * Derived endpoints (Bedrock, Gemini, Vertex AI, a Service) are written to
 * `config.endpoint` too, and must match when read back.
 */
export interface LlmProviderSpec {
  /** Entry name, e.g. `main-llm`; unique within the list. */
  readonly name: string;

  /**
   * Provider kind (CRD field `spec.llm.providers[].type`): `anthropic`,
   * `openai`, `azure-openai`, `bedrock`, `gemini`, `vertex-ai`,
   * `openai-compatible`, or any other (a generic OpenAI-compatible provider,
   * e.g. `vllm`). An `azure-openai` or `bedrock` entry without its settings
   * in `config` is a generic provider.
   *
   * @default - none
   */
  readonly providerType?: string;

  /**
   * Name of the Secret that holds the credentials (an RFC 1123 subdomain),
   * e.g. `anthropic-credentials`. Never the credentials themselves.
   *
   * @default - none: required except for `bedrock` (the pod's AWS identity)
   * and `openai-compatible` (a server without key)
   */
  readonly credentialsSecret?: string;

  /**
   * Key inside `credentialsSecret` that holds the API key (an addition of
   * cdk8s-agents to the AgentType schema). Not for `bedrock`, whose two keys
   * are in `config`.
   *
   * @default 'api-key' ('credentials.json' for `vertex-ai`)
   */
  readonly credentialsKeyName?: string;

  /**
   * Environment variable of the tool sidecar that receives the API key
   * (an addition of cdk8s-agents to the AgentType schema). Not for
   * `bedrock`, whose two variables are in `config`.
   *
   * @default - `ANTHROPIC_API_KEY`, `OPENAI_API_KEY`, `AZURE_API_KEY`,
   * `GEMINI_API_KEY`, `VERTEXAI_CREDENTIALS` for those types, else
   * `LLM_<NAME>_API_KEY`
   */
  readonly apiKeyEnvVar?: string;

  /**
   * Provider configuration as strings, e.g. `{ model: 'claude-3' }`: the
   * settings listed above, and any extra entries. The CRD keeps any object as
   * given (`x-kubernetes-preserve-unknown-fields`); `LlmProvider.fromSpec`
   * refuses a value that is not a string.
   *
   * @default - none
   */
  readonly config?: { [key: string]: string };
}

/**
 * LLM API access (`spec.llm`).
 */
export interface LlmSpec {
  /**
   * Providers, in order of preference.
   *
   * @default - none
   */
  readonly providers?: LlmProviderSpec[];
}

/**
 * Monitoring (`spec.monitoring`): metrics the agent exports on a port for
 * Prometheus to scrape, and the OpenTelemetry endpoint. Maps onto the
 * AgentPod's `monitoring` option. `metricsPort`, `metricsPath`,
 * `serviceMonitor`, `scrapeInterval`, `scrapeNamespaces` and `metrics` need
 * `enabled: true` (the CRD refuses them otherwise).
 */
export interface MonitoringSpec {
  /**
   * Whether the agent exports metrics on a port (`metricsPort`) for
   * Prometheus to scrape.
   *
   * @default - no metrics port
   */
  readonly enabled?: boolean;

  /**
   * Names of the metrics to export (Prometheus metric names), e.g.
   * `['memory_usage', 'api_latency']`, given to the agent container as
   * `AGENT_METRICS` (comma-separated). Unique entries.
   *
   * @default - none: the agent exports what it exports
   */
  readonly metrics?: string[];

  /**
   * Port the agent serves metrics on (container port `metrics`), 1 to 65535
   * (an addition of cdk8s-agents to the AgentType schema).
   *
   * @default 9464 with `enabled: true` (the OpenTelemetry Prometheus exporter's port)
   */
  readonly metricsPort?: number;

  /**
   * HTTP path of the metrics (an addition of cdk8s-agents to the AgentType schema).
   *
   * @default '/metrics'
   */
  readonly metricsPath?: string;

  /**
   * Scrape through a Prometheus Operator ServiceMonitor instead of
   * `prometheus.io/*` pod annotations (an addition of cdk8s-agents to the AgentType schema).
   *
   * @default false
   */
  readonly serviceMonitor?: boolean;

  /**
   * Scrape interval of the ServiceMonitor, e.g. `30s` (an addition of cdk8s-agents to the AgentType schema).
   *
   * @default '30s'
   */
  readonly scrapeInterval?: string;

  /**
   * Namespaces the scraper runs in, let in on the metrics port by the
   * agent's NetworkPolicy (an addition of cdk8s-agents to the AgentType schema).
   *
   * @default ['monitoring']
   */
  readonly scrapeNamespaces?: string[];

  /**
   * OTLP endpoint for traces and metrics (`OTEL_EXPORTER_OTLP_ENDPOINT`), an
   * http(s) URL without credentials, e.g. `http://otel-collector.monitoring:4317`
   * (an addition of cdk8s-agents to the AgentType schema).
   *
   * @default - not set: the OpenTelemetry SDK's default
   */
  readonly otlpEndpoint?: string;
}

/**
 * The agent's NetworkPolicy (`spec.security.networkPolicy`). Maps onto the
 * AgentPod's `networkPolicy` option.
 */
export interface NetworkPolicySpec {
  /**
   * `false` renders no NetworkPolicy for the agent.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * Namespaces whose pods may reach the agent, e.g. `['default',
   * 'monitoring']`: on its HTTP port (`spec.agent.port`), or on every port of
   * the pod without one (the tool sidecar's too). Unique RFC 1123 labels.
   *
   * @default - none: no ingress but the scrapers' on the metrics port
   */
  readonly allowedNamespaces?: string[];
}

/**
 * The user of the agent pod (`spec.security.podSecurityContext`), as a
 * core/v1 PodSecurityContext. An agent pod runs every container as one non-root
 * id, so `runAsGroup` and `fsGroup` equal `runAsUser` and `runAsNonRoot` is
 * true (the CRD refuses anything else, and any other PodSecurityContext field).
 * Maps onto the AgentPod's `runAsUser` option.
 */
export interface PodSecurityContextSpec {
  /**
   * Must be true when given.
   *
   * @default true
   */
  readonly runAsNonRoot?: boolean;

  /**
   * User id of every container, 1 to 2147483647.
   *
   * @default 1000
   */
  readonly runAsUser?: number;

  /**
   * Group id of every container: `runAsUser`.
   *
   * @default - runAsUser
   */
  readonly runAsGroup?: number;

  /**
   * Group of the pod's volumes: `runAsUser`.
   *
   * @default - runAsUser
   */
  readonly fsGroup?: number;
}

/**
 * Security settings of the agent pod (`spec.security`).
 */
export interface SecuritySpec {
  /**
   * The agent's NetworkPolicy.
   *
   * @default - default deny with the derived egress, no extra ingress
   */
  readonly networkPolicy?: NetworkPolicySpec;

  /**
   * The user every container runs as.
   *
   * @default - user, group and fsGroup 1000
   */
  readonly podSecurityContext?: PodSecurityContextSpec;

  /**
   * `runtimeClassName` of the pod, to run the agent in a sandbox such as
   * `gvisor` or `kata` (an addition of cdk8s-agents to the AgentType schema;
   * the RuntimeClass must exist).
   *
   * @default - the cluster's default runtime
   */
  readonly runtimeClassName?: string;
}

/**
 * Horizontal scaling (`spec.scaling`).
 */
export interface ScalingSpec {
  /**
   * Lowest number of replicas; an integer of at least 1, not above `maxReplicas`.
   *
   * @default - none
   */
  readonly minReplicas?: number;

  /**
   * Highest number of replicas; an integer of at least 1.
   *
   * @default - none
   */
  readonly maxReplicas?: number;

  /**
   * Scaling metrics (`spec.scaling.metrics`), autoscaling/v2 MetricSpec
   * objects, kept as given. `AgentPod.fromAgentTypeSpec` maps only `Resource`
   * metrics of `cpu` and `memory` with a `Utilization` target.
   *
   * @default - none
   */
  readonly metrics?: k8s.MetricSpecV2[];
}

/**
 * The `spec` of an AgentType. Only `agent` is required.
 *
 * The structs of the spec carry the CRD's field names, except where a name is
 * a reserved word in a jsii language: `AgentSpec.sourceType` (`agent.type`),
 * `AgentCodeSourceSpec.sourceType` and `revision` (`code.source.type`,
 * `code.source.ref`), `MemorySpec.backendType` (`memory.type`),
 * `LlmProviderSpec.providerType` (`llm.providers[].type`). `AgentType`
 * renders them under the CRD's names; the YAML does not change.
 */
export interface AgentTypeSpec {
  /** The agent. */
  readonly agent: AgentSpec;

  /**
   * Tools.
   *
   * @default - none
   */
  readonly tools?: ToolsSpec;

  /**
   * Memory.
   *
   * @default - none
   */
  readonly memory?: MemorySpec;

  /**
   * LLM providers.
   *
   * @default - none
   */
  readonly llm?: LlmSpec;

  /**
   * Monitoring.
   *
   * @default - none
   */
  readonly monitoring?: MonitoringSpec;

  /**
   * Security.
   *
   * @default - none
   */
  readonly security?: SecuritySpec;

  /**
   * Scaling.
   *
   * @default - none
   */
  readonly scaling?: ScalingSpec;
}

/**
 * Properties of an `AgentType`.
 */
export interface AgentTypeProps {
  /**
   * Object metadata. `name` must be an RFC 1123 subdomain and `namespace` an
   * RFC 1123 label; other values throw at construction.
   *
   * @default - a name generated by cdk8s from the construct path, the chart's namespace
   */
  readonly metadata?: ApiObjectMetadata;

  /**
   * The AgentType spec, rendered as the CRD's JSON (the properties named
   * otherwise than their CRD fields under the fields' names, e.g.
   * `agent.sourceType` as `spec.agent.type`). Validated against the CRD schema.
   */
  readonly spec: AgentTypeSpec;

  /**
   * API group, giving `apiVersion: <group>/v1`. Must agree with `crd.group`
   * when both are given.
   *
   * @default - `crd.group` when `crd` is given, else 'agents.example.com'
   */
  readonly group?: string;

  /**
   * The CRD this resource is an instance of. Its group is used, and the
   * AgentType is ordered after the CRD in the synthesized output.
   *
   * @default - no CRD in this app; the group is `group` or 'agents.example.com'
   */
  readonly crd?: AgentTypeCrd;
}

/**
 * An AgentType custom resource, typed.
 *
 * The manifest is validated when the AgentType is created against the same
 * `openAPIV3Schema` that `AgentTypeCrd` renders (enums, patterns, required
 * fields, unknown fields, CEL rules evaluated with @bufbuild/cel, list
 * uniqueness); a problem throws at once, with messages such as
 * `AgentType 'chart/web': spec.memory.size '2Gx' must match pattern "..."`.
 * A JSON patch added later is validated at the next synth, which then fails
 * before a file is written.
 *
 * @example
 * new AgentType(chart, 'basic', {
 *   metadata: { name: 'basic-agent' },
 *   spec: { agent: { image: 'nginx:latest', name: 'web-agent' } },
 * });
 */
export class AgentType extends ApiObject {
  /**
   * Validates a plain AgentType manifest (e.g. parsed from YAML) against the
   * AgentType schema.
   *
   * `apiVersion` and `kind` are accepted as they are; `metadata` may only
   * hold ObjectMeta's fields; `spec` (and `status`, when present) are checked.
   * Unknown fields are reported, as `kubectl apply` with strict field
   * validation would. The manifest is judged as the API server judges it: a
   * `null` under a declared field counts as absent (the server prunes it, or
   * puts the field's default there), defaults apply before the CEL rules, and
   * `format: date-time` is the server's check. The library also refuses
   * image fields that are not image references and values that look like
   * credentials, which the server would take.
   *
   * @param manifest any JSON object: the whole AgentType as its YAML spells it
   *   (`{ apiVersion, kind, metadata, spec }`, the CRD's field names such as
   *   `spec.agent.type`, not the struct names of `AgentTypeSpec`)
   * @returns one message per problem, each naming the field path (like
   *   `spec.llm.providers[0].name`) and the offending value; empty when valid
   */
  public static validateManifest(manifest: any): string[] {
    return validateAgentTypeManifest(manifest);
  }

  /**
   * Checks the props before the object is created, so a bad prop leaves
   * nothing in the construct tree.
   * @returns the API group and the spec as the CRD's JSON
   */
  private static checkProps(scope: Construct, id: string, props: AgentTypeProps): { group: string; spec: any } {
    const path = scope.node.path ? `${scope.node.path}/${id}` : id;
    if (props.group !== undefined && props.crd && props.group !== props.crd.group) {
      fail(AGENT_TYPE_KIND, path, 'group', props.group, `differs from the group of crd '${props.crd.node.path}' ('${props.crd.group}')`);
    }
    const group = checkGroup(AGENT_TYPE_KIND, path, props.group ?? props.crd?.group ?? DEFAULT_GROUP);
    // Without a name, cdk8s generates a valid one from the construct path.
    const name = props.metadata?.name;
    if (name !== undefined) {
      if (typeof name !== 'string') fail(AGENT_TYPE_KIND, path, 'metadata.name', name, 'is not a string');
      checkDns1123Subdomain(AGENT_TYPE_KIND, path, 'metadata.name', name);
    }
    if (props.metadata?.labels !== undefined) checkLabels(AGENT_TYPE_KIND, path, 'metadata.labels', props.metadata.labels);
    if (props.metadata?.annotations !== undefined) checkAnnotations(AGENT_TYPE_KIND, path, 'metadata.annotations', props.metadata.annotations);
    // The object gets the chart's namespace when it has none of its own.
    const namespace = props.metadata?.namespace ?? Chart.of(scope).namespace;
    if (typeof namespace === 'string') {
      checkDns1123Label(AGENT_TYPE_KIND, path, 'metadata.namespace', namespace);
    }
    const spec = agentTypeSpecToJson(props.spec, subject(AGENT_TYPE_KIND, path));
    // The manifest as it will be rendered (keys sorted, as cdk8s writes them).
    const problems = AgentType.validateManifest(sortedKeys({
      apiVersion: `${group}/${AGENT_TYPE_VERSION}`, kind: AGENT_TYPE_KIND, metadata: props.metadata ?? {}, spec,
    }));
    if (problems.length > 0) {
      throw new Error(problems.map(message => `${subject(AGENT_TYPE_KIND, path)}: ${message}`).join('\n'));
    }
    return { group, spec };
  }

  /**
   * Orders the AgentType after its CRD: in the same chart, after the CRD's
   * object; in another chart, the whole chart after the CRD's chart (what
   * cdk8s derives from a construct dependency across charts anyway, without
   * one dependency per AgentType for every synth pass to walk).
   */
  private static dependOn(agentType: AgentType, crd: AgentTypeCrd): void {
    const chart = Chart.of(agentType);
    const crdChart = Chart.of(crd);
    if (chart === crdChart) agentType.node.addDependency(crd.apiObject);
    else chart.addDependency(crdChart);
  }

  /** API group of this resource. */
  public readonly group: string;

  /** The spec as the CRD's JSON, as rendered. */
  private readonly specJson: any;
  /** The problems of the manifest, once validated; cleared when a JSON patch is added. */
  private validated?: string[];

  /**
   * @throws Error if `group` is invalid or differs from `crd.group`, if
   *   `metadata.name` / `metadata.namespace` are not valid Kubernetes names,
   *   if `metadata.labels` / `metadata.annotations` break the label and
   *   annotation rules, if the spec holds a field by its CRD name where the
   *   struct names it otherwise (e.g. `agent.type` for `agent.sourceType`),
   *   or if the manifest breaks the AgentType schema or holds what looks like
   *   a credential (one line per problem, values redacted); nothing is added
   *   to the construct tree then
   */
  constructor(scope: Construct, id: string, props: AgentTypeProps) {
    const { group, spec } = AgentType.checkProps(scope, id, props);
    super(scope, id, {
      apiVersion: `${group}/${AGENT_TYPE_VERSION}`,
      kind: AGENT_TYPE_KIND,
      metadata: withoutUndefinedName(props.metadata),
      spec,
    });
    this.group = group;
    this.specJson = spec;
    this.validated = []; // checked by checkProps

    if (props.crd) AgentType.dependOn(this, props.crd);

    this.node.addValidation({ validate: () => this.problems() });
    checkOutputOnSynth(this);
  }

  /**
   * Adds a JSON patch to the rendered manifest (see `ApiObject.addJsonPatch`);
   * the manifest is validated again at the next synth.
   */
  public addJsonPatch(...ops: JsonPatch[]): void {
    super.addJsonPatch(...ops);
    this.validated = undefined;
  }

  /**
   * The problems of the rendered manifest. cdk8s validates the whole app
   * once per synth and again for each chart it renders; the spec is a private
   * copy and only a JSON patch can change what is validated (the schema does
   * not look into `metadata`), so the result is kept until a patch is added.
   */
  private problems(): string[] {
    if (!this.validated) {
      this.validated = AgentType.validateManifest(this.toJson())
        .map(message => `${subject(AGENT_TYPE_KIND, this.node.path)}: ${message}`);
    }
    return [...this.validated];
  }

  /** A copy of the spec as given (read back from its JSON: the same structs, without `undefined` fields). */
  public get spec(): AgentTypeSpec {
    return agentTypeSpecFromJson<AgentTypeSpec>(this.specJson, subject(AGENT_TYPE_KIND, this.node.path));
  }
}

/**
 * `metadata` without a `name: undefined` entry: cdk8s spreads the metadata
 * over the name it generates, so such an entry would render no name at all.
 */
function withoutUndefinedName(metadata: ApiObjectMetadata | undefined): ApiObjectMetadata | undefined {
  if (metadata === undefined || !('name' in metadata) || metadata.name !== undefined) return metadata;
  const { name: _, ...rest } = metadata;
  return rest;
}

