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

/** RFC 3339 date-time, as `format: date-time` means in Kubernetes. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

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
  // The interpreter reads objects through their constructor: one without a
  // prototype (`Object.create(null)`, what some parsers and generators make)
  // fails to evaluate. The server sees JSON, so the rule sees plain JSON too.
  const result = program(JSON.parse(JSON.stringify(data)));
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

/** `spec.agent.environment`: what the init container prepares. */
function environmentSchema(): any {
  return {
    type: 'object',
    description: 'Environment injected by the init container: variables, SDK packages, glue code.',
    properties: {
      variables: namedList('Environment variables. Never put secret values here; reference Secrets from the pod instead.', {
        name: str('Variable name.', { pattern: ENV_VAR_NAME_PATTERN }),
        value: str('Variable value.'),
      }),
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
        source: str('Where to fetch the tool from (URL).'),
      }),
    },
  };
}

/** `spec.memory`: size and backend. */
function memorySchema(): any {
  return {
    type: 'object',
    description: 'Agent memory: size and backend.',
    properties: {
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
        type: str('Provider kind, for example anthropic or openai.'),
        credentialsSecret: str('Name of the Secret holding the credentials (never the credentials themselves).', {
          maxLength: 253, pattern: DNS1123_SUBDOMAIN_PATTERN,
        }),
        config: freeForm('Provider specific configuration (model, endpoint, ...), kept as given.'),
      }),
    },
  };
}

/** `spec.monitoring`. */
function monitoringSchema(): any {
  return {
    type: 'object',
    description: 'Monitoring.',
    properties: {
      enabled: { type: 'boolean', description: 'Whether metrics are exported.' },
      metrics: stringSet('Names of the metrics to export.'),
    },
  };
}

/** `spec.security`. */
function securitySchema(): any {
  return {
    type: 'object',
    description: 'Security settings.',
    properties: {
      networkPolicy: freeForm('Network policy settings, kept as given.'),
      podSecurityContext: freeForm('Pod securityContext (core/v1 PodSecurityContext), passed through unchanged.'),
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
  return {
    type: 'object',
    description: 'Observed state, written by the operator through the status subresource.',
    properties: {
      phase: str('Lifecycle phase.', { enum: ['Pending', 'Running', 'Failed', 'Succeeded'] }),
      message: str('Human readable message about the phase.'),
      conditions: {
        'type': 'array',
        'description': 'Latest observations of the agent state.',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['type'],
        'items': {
          type: 'object',
          required: ['type', 'status'],
          properties: {
            type: str('Condition type.'),
            status: str('Condition status.', { enum: ['True', 'False', 'Unknown'] }),
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
        type: 'object',
        description: 'Desired state of the agent type. Only spec.agent is required; every other section is optional (backward compatibility).',
        required: ['agent'],
        properties: {
          agent: agentSchema(),
          tools: toolsSchema(),
          memory: memorySchema(),
          llm: llmSchema(),
          monitoring: monitoringSchema(),
          security: securitySchema(),
          scaling: scalingSchema(),
        },
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

let compiled: ValidateFunction | undefined;
let walkSchema: any;

/** The compiled validator; compiled once per process. */
function validator(): ValidateFunction {
  if (!compiled) {
    walkSchema = agentTypeOpenApiSchema();
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addFormat('date-time', { type: 'string', validate: (s: string) => DATE_TIME.test(s) && !Number.isNaN(Date.parse(s)) });
    compiled = ajv.compile(strictCopy(agentTypeOpenApiSchema()));
  }
  return compiled;
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
 * `x-kubernetes-list-type` set/map uniqueness.
 */
function kubernetesExtensionErrors(schema: any, data: any, path: string, out: string[]): void {
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
    data.forEach((item, i) => kubernetesExtensionErrors(schema.items, item, `${path}[${i}]`, out));
    return;
  }
  if (typeof data !== 'object' || Array.isArray(data)) return;
  for (const v of schema['x-kubernetes-validations'] ?? []) {
    const result = evaluateCel(v.rule, data);
    if (typeof result === 'string') {
      out.push(`${shown} '${show(data)}' could not be checked against rule "${v.rule}": ${result}`);
    } else if (!result) {
      out.push(`${shown} '${show(data)}' fails rule "${v.rule}": ${v.message}`);
    }
  }
  for (const [k, child] of Object.entries<any>(schema.properties ?? {})) {
    kubernetesExtensionErrors(child, data[k], path ? `${path}.${k}` : k, out);
  }
}

/**
 * Validates a whole AgentType manifest (apiVersion, kind, metadata, spec and
 * optional status) against the schema. Returns one message per problem, each
 * naming the field path (`spec.memory.size`) and the offending value; an empty
 * array when the manifest is valid.
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
  const errors: string[] = [];
  if (!validate(manifest)) {
    const all = validate.errors ?? [];
    // drop the per-branch errors of a failed anyOf: the anyOf message says it all
    const anyOfPaths = all.filter(e => e.keyword === 'anyOf').map(e => `${e.schemaPath}/`);
    for (const e of all) {
      if (anyOfPaths.some(prefix => e.schemaPath.startsWith(prefix))) continue;
      const msg = formatAjvError(e, manifest);
      if (!errors.includes(msg)) errors.push(msg);
    }
  }
  kubernetesExtensionErrors(walkSchema, manifest, '', errors);
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
