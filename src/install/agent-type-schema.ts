/**
 * The `openAPIV3Schema` of the AgentType custom resource (agent, environment,
 * tools, memory, LLM providers, production settings and status), written
 * once, and the checks that evaluate a manifest against it. Name and quantity
 * patterns come from the core rules the constructs check with.
 *
 * Internal module: not exported from the package index. `AgentTypeCrd` renders
 * this schema into the CustomResourceDefinition and `AgentType` validates its
 * synthesized manifest against the very same object, so the two cannot drift.
 */
import { celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { credentialProblems, redactSecrets, secretProblem } from '../core/credential-screen';
import { ImageReference } from '../core/image-reference';
import { QUANTITY_PATTERN } from '../core/quantity';
import {
  checkDns1123Subdomain, DNS1123_LABEL_PATTERN, DNS1123_SUBDOMAIN_PATTERN, ENV_VAR_NAME_PATTERN, fail, MAX_INT32,
} from '../core/validation';

/** API group used when none is given. */
export const DEFAULT_GROUP = 'agents.example.com';
/** The only served and stored version. */
export const AGENT_TYPE_VERSION = 'v1';
export const AGENT_TYPE_KIND = 'AgentType';
export const AGENT_TYPE_PLURAL = 'agenttypes';
export const AGENT_TYPE_SINGULAR = 'agenttype';

/** Human hints appended to "must match pattern" errors. */
const PATTERN_HINTS: Record<string, string> = {
  [QUANTITY_PATTERN]: 'a Kubernetes quantity, for example \'512Mi\', \'2Gi\', \'500m\'',
  [DNS1123_SUBDOMAIN_PATTERN]: 'an RFC 1123 subdomain: lowercase letters, digits, \'-\' and \'.\'',
  [DNS1123_LABEL_PATTERN]: 'an RFC 1123 label: lowercase letters, digits and \'-\', starting and ending with a letter or digit',
  [ENV_VAR_NAME_PATTERN]: 'an environment variable name',
};

/** The time part of a date-time, as kube-openapi's `strfmt.DateTimePattern` (Go's `.` is any character but a newline). */
const TIME_OF_DATE_TIME = /^([0-9]{2}):([0-9]{2}):([0-9]{2})([^\n][0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/u;

/** A calendar date as Go's `time.Parse("2006-01-02", s)` takes it: a real day of a real month. */
function isFullDate(s: string): boolean {
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(s);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/**
 * `format: date-time` as the API server checks it (kube-openapi
 * `strfmt.IsDateTime`), which is looser than RFC 3339 in places and stricter
 * in others: the text is lower-cased and split at every 't'; the first part
 * must be a real date, the second `hh:mm:ss`, an optional fraction after any
 * one character, then `z` or `±hh:mm` (any two digits each); hours up to 23,
 * minutes and seconds up to 59; anything after a further 't' is ignored.
 */
export function isKubernetesDateTime(s: string): boolean {
  const parts = s.toLowerCase().split('t');
  if (parts.length < 2 || !isFullDate(parts[0])) return false;
  const m = TIME_OF_DATE_TIME.exec(parts[1]);
  return m !== null && m[1] <= '23' && m[2] <= '59' && m[3] <= '59';
}

/**
 * A CEL rule (`x-kubernetes-validations`). The API server evaluates it on
 * create/update; `validateAgentTypeManifest` evaluates the same text at synth
 * with the @bufbuild/cel interpreter.
 */
interface CelRule {
  readonly rule: string;
  readonly message: string;
}

const AGENT_RULES: CelRule[] = [
  {
    rule: '!has(self.type) || self.type != \'code\' || has(self.code)',
    message: 'agent.type \'code\' requires agent.code',
  },
  {
    rule: '!has(self.type) || self.type != \'container\' || has(self.container) || has(self.image)',
    message: 'agent.type \'container\' requires agent.container or agent.image',
  },
];

const SPEC_RULES: CelRule[] = [
  {
    rule: '!has(self.agent.port) || !has(self.monitoring) || !has(self.monitoring.metricsPort) || self.agent.port != self.monitoring.metricsPort',
    message: 'monitoring.metricsPort must differ from agent.port',
  },
];

const SCALING_RULES: CelRule[] = [
  {
    rule: '!has(self.minReplicas) || !has(self.maxReplicas) || self.minReplicas <= self.maxReplicas',
    message: 'scaling.minReplicas must not be greater than scaling.maxReplicas',
  },
];

/** Compiled CEL programs, by rule text (compiled once per process). */
const CEL_PROGRAMS = new Map<string, (self: any) => unknown>();

/** Evaluates a CEL rule with `self` bound to `data`: true, false, or an evaluation error message. */
function evaluateCel(rule: string, data: any): boolean | string {
  let program = CEL_PROGRAMS.get(rule);
  if (!program) {
    const planned = plan(celEnv(), parse(rule));
    program = (self: any) => planned({ self });
    CEL_PROGRAMS.set(rule, program);
  }
  const result = program(data);
  if (isCelError(result)) return result.message;
  return result === true;
}

const celRules = (rules: CelRule[]) => rules.map(r => ({ rule: r.rule, message: r.message }));

/** Message for the `anyOf` on `spec.agent` (an agent needs something to run). */
export const AGENT_SOURCE_PROBLEM = 'needs something to run: set spec.agent.image, spec.agent.container.image or spec.agent.code';

/** A free-form object whose unknown fields the API server keeps. */
function freeForm(description: string): any {
  return { 'type': 'object', description, 'x-kubernetes-preserve-unknown-fields': true };
}

function str(description: string, extra: Record<string, unknown> = {}): any {
  return { type: 'string', description, ...extra };
}

/** An ordered list of strings, replaced as a whole (`x-kubernetes-list-type: atomic`). */
function stringList(description: string): any {
  return { 'type': 'array', description, 'x-kubernetes-list-type': 'atomic', 'items': { type: 'string' } };
}

function stringSet(description: string): any {
  return { 'type': 'array', description, 'x-kubernetes-list-type': 'set', 'items': { type: 'string' } };
}

/** A list of objects keyed by a required `name` (`x-kubernetes-list-type: map`): entries merge by name. */
function namedList(description: string, properties: Record<string, unknown>): any {
  return {
    'type': 'array',
    description,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['name'],
    'items': { type: 'object', required: ['name'], properties },
  };
}

/** `spec.agent.container`: the user container. */
function containerSchema(): any {
  return {
    type: 'object',
    description: 'User container of the agent.',
    properties: {
      image: str('Container image.'),
      pullPolicy: str('Image pull policy.', { enum: ['Always', 'IfNotPresent', 'Never'] }),
      command: stringList('Command of the agent, run through the wrapper entrypoint on the shared volume (default: the image entrypoint, unwrapped).'),
      args: stringList('Arguments of the command.'),
      securityContext: freeForm('Container securityContext (core/v1 SecurityContext), passed through unchanged.'),
    },
  };
}

/** `spec.agent.code`: source code run by a language runtime. */
function codeSchema(): any {
  return {
    type: 'object',
    description: 'Agent delivered as source code run by a language runtime.',
    properties: {
      source: {
        type: 'object',
        description: 'Where the code comes from.',
        properties: {
          type: str('Source kind: git or local.', { enum: ['git', 'local'] }),
          repository: str('Repository URL (for git sources).'),
          path: str('Path of the code inside the repository or the local volume.'),
          ref: str('Branch or tag to check out (for git sources); the default branch when absent.'),
        },
      },
      runtime: str('Language runtime: python or nodejs.', { enum: ['python', 'nodejs'] }),
      version: str('Runtime version, for example "3.9".'),
      entrypoint: str('File started by the runtime, relative to the source path (default main.py / index.js).'),
      image: str('Image of the agent container (default python:<version>-slim / node:<version>-slim).'),
    },
  };
}

/** `valueFrom` of a variable or header: a key of a Secret (never the value). */
function secretSourceSchema(description: string): any {
  return {
    type: 'object',
    description,
    properties: {
      secretKeyRef: {
        type: 'object',
        description: 'A key of a Secret.',
        required: ['name', 'key'],
        properties: {
          name: str('Name of the Secret.', { maxLength: 253, pattern: DNS1123_SUBDOMAIN_PATTERN }),
          key: str('Key inside the Secret.'),
        },
      },
    },
  };
}

/** The fields of an environment variable entry: `name`, and `value` or `valueFrom`. */
function variableProperties(): Record<string, unknown> {
  return {
    name: str('Variable name.', { pattern: ENV_VAR_NAME_PATTERN }),
    value: str('Variable value.'),
    valueFrom: secretSourceSchema('Source of the value instead of value: a key of a Secret in the agent\'s namespace (never the value itself).'),
  };
}

/** `spec.agent.environment`: what the init container prepares. */
function environmentSchema(): any {
  return {
    type: 'object',
    description: 'Environment injected by the init container: variables, SDK packages, glue code.',
    properties: {
      variables: namedList('Environment variables. Never put secret values here; reference Secrets from the pod instead.', variableProperties()),
      sdk: {
        type: 'object',
        description: 'Agent SDK installed into the shared volume.',
        properties: {
          runtime: str('SDK runtime: python or nodejs.', { enum: ['python', 'nodejs'] }),
          version: str('SDK runtime version.'),
          packages: stringSet('Packages to install.'),
        },
      },
      glueCode: {
        type: 'object',
        description: 'Glue code placed beside the agent.',
        properties: {
          source: str('Path or URL of the glue code.'),
          content: str('The glue code itself, placed at source by the init container.'),
        },
      },
    },
  };
}

/** `spec.agent`: what runs; needs an image, a container image or code. */
function agentSchema(): any {
  return {
    'type': 'object',
    'description': 'The agent itself: a plain image, a container spec, or code with a runtime, plus the environment the init container prepares.',
    'properties': {
      image: str('Container image of the agent. Shorthand for container.image.'),
      name: str('Name of the agent container. An RFC 1123 label.', {
        default: 'agent', maxLength: 63, pattern: DNS1123_LABEL_PATTERN,
      }),
      type: str('How the agent is delivered: container or code.', { enum: ['container', 'code'] }),
      container: containerSchema(),
      code: codeSchema(),
      environment: environmentSchema(),
      port: portSchema('HTTP port the agent container serves on (container port http); the probes then use GET /healthz and /readyz on it.'),
    },
    'anyOf': [
      { required: ['image'] },
      { required: ['container'], properties: { container: { required: ['image'] } } },
      { required: ['code'] },
    ],
    'x-kubernetes-validations': celRules(AGENT_RULES),
  };
}

/** `spec.tools`: tools of the tool sidecar. */
function toolsSchema(): any {
  return {
    type: 'object',
    description: 'Tools the tool-manager sidecar discovers and installs.',
    properties: {
      required: stringSet('Tools that must be available before the agent starts.'),
      optional: stringSet('Tools installed when available.'),
      custom: namedList('Custom tools with a version and a source.', {
        name: str('Tool name.'),
        version: str('Tool version.'),
        source: str('Where the init container downloads the tool from (an http(s) URL of one executable file).'),
        sha256: {
          type: 'string',
          pattern: '^[a-f0-9]{64}$',
          description: 'SHA-256 of the file at source (64 lowercase hex digits): the init container refuses a download whose digest differs.',
        },
      }),
      mcpServers: mcpServersSchema(),
    },
  };
}

/**
 * An MCP server name: LiteLLM names each tool `<server>-<tool>`, and its
 * proxy does not start with a `-` in a server name; LLM APIs take tool names
 * of at most 64 characters, so the name stays short.
 */
export const MCP_SERVER_NAME_PATTERN = '^[a-z][a-z0-9_]{0,31}$';
/** An HTTP header name as the library takes it: letters, digits and '-'. */
export const MCP_HEADER_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9-]*$';

/** The most MCP servers an AgentType lists (and a ToolSidecar takes). */
export const MAX_MCP_SERVERS = 64;

const MCP_SERVER_RULES: CelRule[] = [
  {
    rule: 'has(self.url) != has(self.command)',
    message: 'an MCP server has url (a remote server) or command (a stdio server), not both',
  },
  {
    rule: '!has(self.command) || !has(self.transport) || self.transport == \'stdio\'',
    message: 'an MCP server with command runs on transport stdio',
  },
  {
    rule: '!has(self.url) || !has(self.transport) || self.transport != \'stdio\'',
    message: 'an MCP server with url runs on transport streamable-http or sse',
  },
  {
    rule: 'has(self.command) || (!has(self.args) && !has(self.env))',
    message: 'args and env are for a stdio MCP server (command)',
  },
  {
    rule: 'has(self.url) || !has(self.headers)',
    message: 'headers are for a remote MCP server (url)',
  },
];

/** `spec.tools.mcpServers[].headers`: each header's value is a key of a Secret. */
function mcpHeadersSchema(): any {
  const list = namedList('Headers sent to a remote server, each from a key of a Secret (never the value itself).', {
    name: str('Header name.', { pattern: MCP_HEADER_NAME_PATTERN }),
    valueFrom: {
      ...secretSourceSchema('The key of a Secret in the agent\'s namespace holding the header\'s whole value, e.g. Bearer <token> (never the value itself).'),
      required: ['secretKeyRef'],
    },
  });
  list.items.required = ['name', 'valueFrom'];
  return list;
}

/** `spec.tools.mcpServers`: MCP servers whose tools the sidecar's gateway serves to the agent. */
function mcpServersSchema(): any {
  const list = namedList('MCP servers (at most 64) whose tools the sidecar\'s LLM gateway serves to the agent at one MCP endpoint (MCP_SERVER_URL), named <server>-<tool>.', {
    name: str('Server name: a lowercase letter, then at most 31 lowercase letters, digits and _.', { pattern: MCP_SERVER_NAME_PATTERN }),
    transport: str('How the gateway reaches the server: streamable-http or sse (with url), stdio (with command). Default: streamable-http with url, stdio with command.', {
      enum: ['streamable-http', 'sse', 'stdio'],
    }),
    url: str('URL of a remote server\'s MCP endpoint (http or https), without credentials.', { pattern: HTTP_URL_PATTERN }),
    headers: mcpHeadersSchema(),
    command: str('Program the gateway starts in the sidecar for a stdio server (a name on its PATH or a path).'),
    args: stringList('Arguments of the command.'),
    env: namedList('Variables of a stdio server\'s process: a value, or a key of a Secret (valueFrom).', variableProperties()),
  });
  list.items['x-kubernetes-validations'] = celRules(MCP_SERVER_RULES);
  // Bounds what the API server estimates the entries' CEL rules cost (an unbounded list counts as a million entries).
  list.maxItems = MAX_MCP_SERVERS;
  return list;
}

/** `spec.memory`: size and backend. */
function memorySchema(): any {
  return {
    type: 'object',
    description: 'Agent memory: size and backend.',
    properties: {
      profile: str('Named memory profile of every container (small, medium, large); size is then its agent memory limit.', {
        enum: ['small', 'medium', 'large'],
      }),
      size: str('Memory size, a Kubernetes quantity such as 1Gi.', { pattern: QUANTITY_PATTERN }),
      type: str('Memory backend: redis or inmemory.', { enum: ['redis', 'inmemory'] }),
      config: freeForm('Backend specific configuration, kept as given.'),
    },
  };
}

/** `spec.llm`: LLM providers in fallback order. */
function llmSchema(): any {
  return {
    type: 'object',
    description: 'LLM API access through the sidecar.',
    properties: {
      providers: namedList('LLM providers, in order of preference.', {
        name: str('Provider entry name.'),
        type: str('Provider kind: anthropic, openai, azure-openai, bedrock, gemini, vertex-ai, openai-compatible, or another (a generic OpenAI-compatible provider).'),
        credentialsSecret: str('Name of the Secret holding the credentials (never the credentials themselves); optional for bedrock (the pod\'s AWS identity) and openai-compatible.', {
          maxLength: 253, pattern: DNS1123_SUBDOMAIN_PATTERN,
        }),
        credentialsKeyName: str('Key inside credentialsSecret that holds the API key (default api-key; credentials.json for vertex-ai; bedrock names its two keys in config).'),
        apiKeyEnvVar: str('Environment variable of the tool sidecar that receives the API key.', { pattern: ENV_VAR_NAME_PATTERN }),
        config: freeForm('Provider specific configuration as strings (model, endpoint, deployment, apiVersion, region, project, location, ...), kept as given.'),
      }),
    },
  };
}

/** A TCP port number, 1 to 65535. */
function portSchema(description: string): any {
  return { type: 'integer', minimum: 1, maximum: 65535, description };
}

/** A Prometheus metric name. */
export const METRIC_NAME_PATTERN = '^[a-zA-Z_:][a-zA-Z0-9_:]*$';
/** A Prometheus duration of one unit, as `AgentPod` takes a scrape interval. */
export const SCRAPE_INTERVAL_PATTERN = '^[0-9]+(ms|s|m|h)$';
/** An absolute HTTP path without blanks. */
export const HTTP_PATH_PATTERN = '^/[^\\s]*$';
/** An http(s) URL without blanks. */
export const HTTP_URL_PATTERN = '^https?://[^\\s]+$';

/** The fields of `spec.monitoring` that configure scraping: each needs `enabled: true`. */
const SCRAPE_FIELDS = ['metricsPort', 'metricsPath', 'serviceMonitor', 'scrapeInterval', 'scrapeNamespaces', 'metrics'];

const MONITORING_RULES: CelRule[] = [
  {
    rule: `(has(self.enabled) && self.enabled) || !(${SCRAPE_FIELDS.map(f => `has(self.${f})`).join(' || ')})`,
    message: `monitoring.${SCRAPE_FIELDS.join(', ')} need monitoring.enabled: true (metrics exported on a port)`,
  },
];

/** `spec.monitoring`: metrics scraped from a port, OpenTelemetry export. */
function monitoringSchema(): any {
  return {
    'type': 'object',
    'description': 'Monitoring: metrics the agent exports on a port for Prometheus, and the OpenTelemetry endpoint.',
    'properties': {
      enabled: { type: 'boolean', description: 'Whether the agent exports metrics on a port (metricsPort, default 9464) for Prometheus to scrape.' },
      metrics: {
        ...stringSet('Names of the metrics to export (Prometheus metric names), given to the agent as AGENT_METRICS.'),
        items: { type: 'string', pattern: METRIC_NAME_PATTERN },
      },
      metricsPort: portSchema('Port the agent serves metrics on (container port metrics); default 9464 with enabled.'),
      metricsPath: str('HTTP path of the metrics (default /metrics).', { pattern: HTTP_PATH_PATTERN }),
      serviceMonitor: { type: 'boolean', description: 'Scrape through a Prometheus Operator ServiceMonitor instead of prometheus.io pod annotations.' },
      scrapeInterval: str('Scrape interval of the ServiceMonitor, e.g. 30s (default 30s).', { pattern: SCRAPE_INTERVAL_PATTERN }),
      scrapeNamespaces: {
        ...stringList('Namespaces the scraper runs in, let in on the metrics port (default monitoring).'),
        items: { type: 'string', maxLength: 63, pattern: DNS1123_LABEL_PATTERN },
      },
      otlpEndpoint: str('OTLP endpoint for traces and metrics (OTEL_EXPORTER_OTLP_ENDPOINT), an http(s) URL without credentials.', {
        pattern: HTTP_URL_PATTERN,
      }),
    },
    'x-kubernetes-validations': celRules(MONITORING_RULES),
  };
}

const NETWORK_POLICY_RULES: CelRule[] = [
  {
    rule: '!has(self.enabled) || self.enabled || !has(self.allowedNamespaces)',
    message: 'security.networkPolicy.allowedNamespaces needs the NetworkPolicy: drop enabled: false',
  },
];

const POD_SECURITY_CONTEXT_RULES: CelRule[] = [
  {
    rule: '!has(self.runAsNonRoot) || self.runAsNonRoot',
    message: 'security.podSecurityContext.runAsNonRoot must be true: an agent pod runs as a non-root user (Pod Security Standards restricted)',
  },
  {
    rule: '(!has(self.runAsGroup) || has(self.runAsUser) && self.runAsGroup == self.runAsUser)'
      + ' && (!has(self.fsGroup) || has(self.runAsUser) && self.fsGroup == self.runAsUser)',
    message: 'security.podSecurityContext.runAsGroup and fsGroup must equal runAsUser: every container of an agent pod runs as one user and group id',
  },
];

/** A user or group id of a non-root user, 1 to 2147483647. */
function idSchema(description: string): any {
  return { type: 'integer', minimum: 1, maximum: MAX_INT32, description };
}

/** `spec.security`: NetworkPolicy, pod user, runtime class. Only what an agent pod can honour; the API server refuses other fields. */
function securitySchema(): any {
  return {
    type: 'object',
    description: 'Security settings of the agent pod.',
    properties: {
      networkPolicy: {
        'type': 'object',
        'description': 'The agent\'s NetworkPolicy: default deny, with the egress its declarations need.',
        'properties': {
          enabled: { type: 'boolean', description: 'false: no NetworkPolicy for the agent (default true).' },
          allowedNamespaces: {
            ...stringSet('Namespaces whose pods may reach the agent: its HTTP port (agent.port), or every port of the pod without one.'),
            items: { type: 'string', maxLength: 63, pattern: DNS1123_LABEL_PATTERN },
          },
        },
        'x-kubernetes-validations': celRules(NETWORK_POLICY_RULES),
      },
      podSecurityContext: {
        'type': 'object',
        'description': 'The user every container of the agent pod runs as (runAsUser, runAsGroup and fsGroup are one id).',
        'properties': {
          runAsNonRoot: { type: 'boolean', description: 'Always true for an agent pod.' },
          runAsUser: idSchema('User id of every container (default 1000).'),
          runAsGroup: idSchema('Group id: the same as runAsUser.'),
          fsGroup: idSchema('Group of the pod\'s volumes: the same as runAsUser.'),
        },
        'x-kubernetes-validations': celRules(POD_SECURITY_CONTEXT_RULES),
      },
      runtimeClassName: str('RuntimeClass of the pod, to run the agent in a sandbox such as gvisor or kata.', {
        maxLength: 253, pattern: DNS1123_SUBDOMAIN_PATTERN,
      }),
    },
  };
}

/** `spec.scaling`: horizontal scaling, checked by CEL. */
function scalingSchema(): any {
  return {
    'type': 'object',
    'description': 'Horizontal scaling.',
    'properties': {
      minReplicas: { type: 'integer', minimum: 1, maximum: MAX_INT32, description: 'Lowest number of replicas.' },
      maxReplicas: { type: 'integer', minimum: 1, maximum: MAX_INT32, description: 'Highest number of replicas.' },
      metrics: {
        type: 'array',
        description: 'Scaling metrics (autoscaling/v2 MetricSpec), kept as given.',
        items: { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
    'x-kubernetes-validations': celRules(SCALING_RULES),
  };
}

/** `status`: written by the operator through the status subresource. */
function statusSchema(): any {
  const generation = (description: string) => ({ type: 'integer', format: 'int64', minimum: 0, description });
  return {
    type: 'object',
    description: 'Observed state, written by the operator through the status subresource.',
    properties: {
      phase: str('Lifecycle phase.', { enum: ['Pending', 'Running', 'Failed', 'Succeeded'] }),
      message: str('Human readable message about the phase.'),
      observedGeneration: generation('The metadata.generation of the spec the operator last reconciled.'),
      conditions: {
        'type': 'array',
        'description': 'Latest observations of the agent state (metav1.Condition): Reconciled and Ready.',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['type'],
        'items': {
          type: 'object',
          required: ['type', 'status'],
          properties: {
            type: str('Condition type.'),
            status: str('Condition status.', { enum: ['True', 'False', 'Unknown'] }),
            observedGeneration: generation('The metadata.generation the condition was set for.'),
            lastTransitionTime: str('Last time the condition changed.', { format: 'date-time' }),
            reason: str('Machine readable reason of the last transition.'),
            message: str('Human readable details of the last transition.'),
          },
        },
      },
      toolStatus: freeForm('Status of the tools, reported by the sidecar.'),
      memoryStatus: freeForm('Status of the memory backend.'),
      llmStatus: freeForm('Status of the LLM providers.'),
    },
  };
}

/**
 * The AgentType `openAPIV3Schema`. A fresh deep object on every call, so the
 * caller may mutate it.
 *
 * Structural (https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema):
 * every property and array item has a `type`; the `anyOf` on `agent` only
 * holds `required`/`properties` of fields that are declared outside it.
 */
export function agentTypeOpenApiSchema(): any {
  return {
    type: 'object',
    description: 'AgentType declares an AI agent: what runs (image or code), its environment, tools, memory, LLM providers and production settings.',
    required: ['spec'],
    properties: {
      apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
      kind: str('Kind is a string value representing the REST resource this object represents.'),
      metadata: { type: 'object' },
      spec: {
        'type': 'object',
        'description': 'Desired state of the agent type. Only spec.agent is required; every other section is optional (backward compatibility).',
        'required': ['agent'],
        'properties': {
          agent: agentSchema(),
          tools: toolsSchema(),
          memory: memorySchema(),
          llm: llmSchema(),
          monitoring: monitoringSchema(),
          security: securitySchema(),
          scaling: scalingSchema(),
        },
        'x-kubernetes-validations': celRules(SPEC_RULES),
      },
      status: statusSchema(),
    },
  };
}

/**
 * Checks an API group: an RFC 1123 subdomain with at least one dot, as the
 * API server requires of CRD groups. Throws naming the construct and value.
 */
export function checkGroup(kind: string, path: string, group: string): string {
  checkDns1123Subdomain(kind, path, 'group', group);
  if (!group.includes('.')) {
    fail(kind, path, 'group', group, 'must contain at least one dot (a CRD group is a DNS subdomain like \'agents.example.com\')');
  }
  return group;
}

// ---------------------------------------------------------------------------
// Validation of a manifest against the schema
// ---------------------------------------------------------------------------

/**
 * The schema as the validator sees it: identical, except that objects with
 * declared `properties` (and no preserve-unknown-fields) reject unknown fields,
 * as `kubectl apply` does by default (server-side field validation "Strict").
 */
function strictCopy(node: any): any {
  if (Array.isArray(node)) return node.map(strictCopy);
  if (node === null || typeof node !== 'object') return node;
  const out: any = {};
  for (const [k, v] of Object.entries(node)) {
    // `default` and `enum` hold data, not schemas
    out[k] = (k === 'default' || k === 'enum') ? v : strictCopy(v);
  }
  if (out.type === 'object' && out.properties && !out['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

/**
 * `metadata` as the API server decodes it (ObjectMeta): its fields and their
 * JSON types. The CRD schema may not describe metadata, but the server's
 * strict field validation refuses a field ObjectMeta does not have.
 */
function objectMetaSchema(): any {
  const string = { type: 'string' };
  const stringMap = { type: 'object', additionalProperties: string };
  const objects = { type: 'array', items: { type: 'object' } };
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      name: string,
      generateName: string,
      namespace: string,
      selfLink: string,
      uid: string,
      resourceVersion: string,
      creationTimestamp: string,
      deletionTimestamp: string,
      generation: { type: 'integer' },
      deletionGracePeriodSeconds: { type: 'integer' },
      labels: stringMap,
      annotations: stringMap,
      finalizers: { type: 'array', items: string },
      ownerReferences: objects,
      managedFields: objects,
    },
  };
}

let compiled: ValidateFunction | undefined;
let walkSchema: any;
let serverSchema: any;

/** The compiled validator; compiled once per process. */
function validator(): ValidateFunction {
  if (!compiled) {
    walkSchema = agentTypeOpenApiSchema();
    serverSchema = strictCopy(agentTypeOpenApiSchema());
    serverSchema.properties.metadata = objectMetaSchema();
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addFormat('date-time', { type: 'string', validate: isKubernetesDateTime });
    // kube-openapi's integer formats: the type check does the work.
    ajv.addFormat('int64', { type: 'number', validate: () => true });
    compiled = ajv.compile(serverSchema);
  }
  return compiled;
}

/** A copy made of plain objects and arrays (objects without a prototype, as some parsers make them, become plain ones). */
function plainCopy(value: any): any {
  if (Array.isArray(value)) return value.map(plainCopy);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainCopy(v)]));
}

/**
 * Before it validates, the API server drops a `null` under a declared field
 * that is not `nullable` (or puts the field's `default` there), and gives an
 * absent field with a `default` its default (apiextensions
 * `PruneNonNullableNullsWithoutDefaults`, then `Default`). In place.
 */
function pruneNullsAndDefault(schema: any, data: any): void {
  if (schema === undefined || data === null || typeof data !== 'object') return;
  if (Array.isArray(data)) {
    data.forEach(item => pruneNullsAndDefault(schema.items, item));
    return;
  }
  for (const key of Object.keys(data)) {
    const child = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
    if (data[key] === null && child !== undefined && !child.nullable) {
      if (child.default === undefined) delete data[key];
      else data[key] = structuredClone(child.default);
    } else {
      pruneNullsAndDefault(child, data[key]);
    }
  }
  for (const [key, child] of Object.entries<any>(schema.properties ?? {})) {
    if (data[key] === undefined && child.default !== undefined) data[key] = structuredClone(child.default);
  }
}

/** The manifest as the API server validates it: plain objects, nulls pruned, defaults applied. */
function asServerSees(manifest: any): any {
  const view = plainCopy(manifest);
  pruneNullsAndDefault(serverSchema, view);
  return view;
}

/** `/spec/llm/providers/0/name` -> `spec.llm.providers[0].name`. */
function pointerToPath(pointer: string): string {
  if (!pointer) return '';
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

function valueAt(data: any, pointer: string): any {
  let cur = data;
  for (const raw of pointer.split('/').slice(1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = cur[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return cur;
}

/** A value in a message: verbatim (cut at 120 characters), or `<redacted>` when it holds what looks like a credential. */
function show(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  if (s !== undefined && secretProblem(s)) return `<redacted: ${secretProblem(s)}>`;
  return s === undefined ? 'undefined' : (s.length > 120 ? `${s.slice(0, 117)}...` : s);
}

function join(path: string, child: string): string {
  return path ? `${path}.${child}` : child;
}

function formatAjvError(e: ErrorObject, data: any): string {
  const path = pointerToPath(e.instancePath);
  const shown = path || '<root>';
  const value = valueAt(data, e.instancePath);
  const p: any = e.params;
  switch (e.keyword) {
    case 'required':
      return `${join(path, p.missingProperty)} is required but missing`;
    case 'additionalProperties':
      return `${join(path, p.additionalProperty)} '${show(value?.[p.additionalProperty])}' is not a field of the AgentType schema`;
    case 'enum':
      return `${shown} '${show(value)}' must be one of: ${(p.allowedValues as unknown[]).map(show).join(', ')}`;
    case 'pattern': {
      const hint = PATTERN_HINTS[p.pattern];
      return `${shown} '${show(value)}' must match pattern "${p.pattern}"${hint ? ` (${hint})` : ''}`;
    }
    case 'format':
      return `${shown} '${show(value)}' must be ${p.format === 'date-time' ? 'an RFC 3339 date-time, e.g. \'2024-01-02T03:04:05Z\'' : `in format ${p.format}`}`;
    case 'anyOf':
      if (e.instancePath === '/spec/agent') return `${shown} '${show(value)}' ${AGENT_SOURCE_PROBLEM}`;
      return `${shown} '${show(value)}' must match one of the allowed shapes`;
    default:
      return `${shown} '${show(value)}' ${e.message ?? 'is invalid'}`;
  }
}

/**
 * Checks what ajv cannot: the CEL rules (evaluated with @bufbuild/cel) and
 * `x-kubernetes-list-type` set/map uniqueness, on `data` (the manifest as the
 * server sees it); messages quote `written`, the same node as the user wrote it.
 */
function kubernetesExtensionErrors(schema: any, data: any, path: string, out: string[], written: any = data): void {
  if (data === undefined || data === null || schema === undefined) return;
  const shown = path || '<root>';
  if (Array.isArray(data) && schema.type === 'array') {
    const listType = schema['x-kubernetes-list-type'];
    if (listType === 'set' || listType === 'map') {
      const keys: string[] = schema['x-kubernetes-list-map-keys'] ?? [];
      const seen = new Map<string, number>();
      data.forEach((item, i) => {
        const key = listType === 'set' ? JSON.stringify(item) : JSON.stringify(keys.map(k => item?.[k]));
        const first = seen.get(key);
        if (first !== undefined) {
          const what = listType === 'set' ? `'${show(item)}'` : keys.map(k => `${k} '${show(item?.[k])}'`).join(', ');
          out.push(`${path}[${i}] duplicates ${path}[${first}] (${what}); x-kubernetes-list-type '${listType}' requires unique entries`);
        } else {
          seen.set(key, i);
        }
      });
    }
    data.forEach((item, i) => kubernetesExtensionErrors(schema.items, item, `${path}[${i}]`, out, written?.[i]));
    return;
  }
  if (typeof data !== 'object' || Array.isArray(data)) return;
  for (const v of schema['x-kubernetes-validations'] ?? []) {
    const result = evaluateCel(v.rule, data);
    if (typeof result === 'string') {
      out.push(`${shown} '${show(written)}' could not be checked against rule "${v.rule}": ${result}`);
    } else if (!result) {
      out.push(`${shown} '${show(written)}' fails rule "${v.rule}": ${v.message}`);
    }
  }
  for (const [k, child] of Object.entries<any>(schema.properties ?? {})) {
    kubernetesExtensionErrors(child, data[k], path ? `${path}.${k}` : k, out, written?.[k]);
  }
}

/**
 * Validates a whole AgentType manifest (apiVersion, kind, metadata, spec and
 * optional status) against the schema. Returns one message per problem, each
 * naming the field path (`spec.memory.size`) and the offending value; an empty
 * array when the manifest is valid.
 *
 * The manifest is judged as the API server judges it on create (dry-run,
 * strict field validation): a `null` under a declared field is dropped (or
 * replaced by the field's default) and absent fields get their defaults
 * before the schema and the CEL rules see it; `format: date-time` is
 * kube-openapi's check (`isKubernetesDateTime`); `metadata` may only hold
 * ObjectMeta's fields. The one place it is stricter than the schema: the
 * server takes a list where a `format`ted string is declared
 * (`status.conditions[].lastTransitionTime`), the library refuses it.
 *
 * Credentials are problems too (`credentialProblems`): a string anywhere in
 * `metadata`, `spec` or `status` that looks like a key or holds a credential
 * URL, a credential-named key holding a literal in the free-form parts
 * (`llm.providers[].config`, `memory.config`, preserved-unknown fields), and
 * an `environment.variables[]` entry named like a credential with a literal
 * value. Those messages never repeat the value.
 */
export function validateAgentTypeManifest(manifest: any): string[] {
  const validate = validator();
  const view = asServerSees(manifest);
  const errors: string[] = [];
  if (!validate(view)) {
    const all = validate.errors ?? [];
    // drop the per-branch errors of a failed anyOf: the anyOf message says it all
    const anyOfPaths = all.filter(e => e.keyword === 'anyOf').map(e => `${e.schemaPath}/`);
    for (const e of all) {
      if (anyOfPaths.some(prefix => e.schemaPath.startsWith(prefix))) continue;
      const msg = formatAjvError(e, manifest);
      if (!errors.includes(msg)) errors.push(msg);
    }
  }
  kubernetesExtensionErrors(walkSchema, view, '', errors, manifest);
  imageErrors(manifest, errors);
  for (const part of ['metadata', 'spec', 'status']) {
    if (manifest !== null && typeof manifest === 'object' && manifest[part] !== undefined) credentialProblems(manifest[part], part, errors);
  }
  // Schema and image messages quote values: none may repeat a credential.
  return errors.map(redactSecrets);
}

/** The image fields of an AgentType (`spec.agent.image`, `.container.image`, `.code.image`). */
const IMAGE_FIELDS = [['agent', 'image'], ['agent', 'container', 'image'], ['agent', 'code', 'image']];

/**
 * The CRD types the images as strings; the workloads made from them need
 * image references, so the library holds them to its one image rule
 * (`ImageReference.problemOf`), as it does the images of its constructs.
 */
function imageErrors(manifest: any, errors: string[]): void {
  for (const path of IMAGE_FIELDS) {
    const value = path.reduce((node: any, key) => (node !== null && typeof node === 'object' ? node[key] : undefined), manifest?.spec);
    if (typeof value !== 'string') continue;
    const problem = ImageReference.problemOf(value);
    if (problem !== undefined) errors.push(`spec.${path.join('.')} '${value}' is not an image reference ([registry/]name[:tag][@digest]): ${problem}`);
  }
}
