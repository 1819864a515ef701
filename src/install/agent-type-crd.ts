import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  AGENT_TYPE_KIND, AGENT_TYPE_PLURAL, AGENT_TYPE_SINGULAR, AGENT_TYPE_VERSION, DEFAULT_GROUP,
  agentTypeOpenApiSchema, checkGroup,
} from './agent-type-schema';
import { clusterScoped } from '../core/cluster-scoped';
import { recommendedLabels } from '../core/labels';
import { checkOutputOnSynth } from '../core/synth-check';
import { checkLabels } from '../core/validation';

const KIND = 'AgentTypeCrd';

/**
 * Properties of an `AgentTypeCrd`.
 */
export interface AgentTypeCrdProps {
  /**
   * API group of the AgentType resource. The CRD is named `agenttypes.<group>`
   * and AgentType objects use `apiVersion: <group>/v1`.
   *
   * Must be an RFC 1123 subdomain with at least one dot, as the API server
   * requires for CRD groups; anything else throws at construction.
   *
   * @default 'agents.example.com'
   */
  readonly group?: string;

  /**
   * Extra labels for the CustomResourceDefinition's metadata. They are merged
   * over the recommended `app.kubernetes.io/*` labels, so they can override them.
   * Keys are `[prefix/]name`, values at most 63 alphanumerics, '-', '_', '.'.
   *
   * @default - only the recommended labels (or none, see `recommendedLabels`)
   */
  readonly labels?: { [key: string]: string };

  /**
   * Whether to put the Kubernetes recommended labels (`app.kubernetes.io/name`,
   * `instance`, `component: crd`, `part-of: cdk8s-agents`, `managed-by: cdk8s`)
   * on the CustomResourceDefinition.
   *
   * @default true
   */
  readonly recommendedLabels?: boolean;
}

/**
 * The AgentType CustomResourceDefinition (agent, environment, tools,
 * memory, LLM providers, production settings and the status subresource), rendered as an `apiextensions.k8s.io/v1`
 * CustomResourceDefinition.
 *
 * - kind `AgentType`, plural `agenttypes`, singular `agenttype`, short name `at`,
 *   category `agents`, namespaced;
 * - one version `v1`, served and stored, with the `status` subresource;
 * - printer columns Type, Status and Age;
 * - a structural `openAPIV3Schema` with strict enums, quantity and name
 *   patterns, CEL rules, and preserve-unknown-fields on the free-form configs.
 *
 * The CRD is cluster-scoped: it never carries a namespace, whatever the chart's.
 *
 * @example
 * const crd = new AgentTypeCrd(chart, 'crd');
 * new AgentType(chart, 'web', { crd, metadata: { name: 'basic-agent' }, spec: { agent: { image: 'nginx:latest' } } });
 */
export class AgentTypeCrd extends Construct {
  /**
   * The `openAPIV3Schema` of AgentType, as a fresh deep copy on every call.
   *
   * It is the exact object rendered into the CRD and the one `AgentType`
   * objects are validated against at synth time, so users can validate YAML
   * of their own with any JSON-schema validator.
   *
   * @returns any JSON object: the OpenAPI v3 schema (a JSON schema, with
   *   `x-kubernetes-*` extensions), which the caller may mutate
   */
  public static openApiSchema(): any {
    return agentTypeOpenApiSchema();
  }

  /** API group of the resource (e.g. `agents.example.com`). */
  public readonly group: string;
  /** Resource kind: `AgentType`. */
  public readonly kind: string;
  /** Plural resource name: `agenttypes`. */
  public readonly plural: string;
  /** The served and stored version: `v1`. */
  public readonly version: string;
  /** `apiVersion` of AgentType objects: `<group>/v1`. */
  public readonly apiVersion: string;
  /** `metadata.name` of the CRD: `agenttypes.<group>`. */
  public readonly crdName: string;
  /** The rendered CustomResourceDefinition. */
  public readonly apiObject: k8s.KubeCustomResourceDefinition;

  /**
   * @throws Error if `group` is not an RFC 1123 subdomain with at least one dot,
   *   or if a key or value of `labels` is not a valid label key or value;
   *   at synth, if another AgentTypeCrd of the app has the same group
   */
  constructor(scope: Construct, id: string, props: AgentTypeCrdProps = {}) {
    super(scope, id);
    checkOutputOnSynth(this);
    this.group = checkGroup(KIND, this.node.path, props.group ?? DEFAULT_GROUP);
    this.kind = AGENT_TYPE_KIND;
    this.plural = AGENT_TYPE_PLURAL;
    this.version = AGENT_TYPE_VERSION;
    this.apiVersion = `${this.group}/${this.version}`;
    this.crdName = `${this.plural}.${this.group}`;

    const labels = {
      ...((props.recommendedLabels ?? true) ? recommendedLabels({
        name: AGENT_TYPE_PLURAL,
        instance: labelValue(this.crdName),
        component: 'crd',
      }) : {}),
      ...checkLabels(KIND, this.node.path, 'labels', props.labels ?? {}),
    };
    this.apiObject = new k8s.KubeCustomResourceDefinition(this, 'Resource', {
      metadata: {
        name: this.crdName,
        labels: Object.keys(labels).length > 0 ? labels : undefined,
      },
      spec: Lazy.any({ produce: () => this.renderSpec() }),
    });
    clusterScoped(this.apiObject);
    this.node.addValidation({ validate: () => this.duplicateProblems() });
  }

  /**
   * One CustomResourceDefinition per name in an app: a second AgentTypeCrd
   * of the same group (e.g. one an AgentOperator installs beside one passed
   * nowhere) would replace the first when applied.
   */
  private duplicateProblems(): string[] {
    const first = this.node.root.node.findAll().find(c => c instanceof AgentTypeCrd && c.crdName === this.crdName);
    if (first === this) return [];
    return [`${KIND} '${this.node.path}': group '${this.group}' is installed by ${KIND} '${first!.node.path}' too (two CustomResourceDefinitions `
      + `'${this.crdName}'): keep one and pass it as crd to AgentOperator (installCrd: false for the operator's own)`];
  }

  /** The CRD `spec`, produced at synth: names, scope, the one version with its schema, status subresource and columns. */
  private renderSpec(): k8s.CustomResourceDefinitionSpec {
    return {
      group: this.group,
      names: {
        kind: this.kind,
        listKind: `${this.kind}List`,
        plural: this.plural,
        singular: AGENT_TYPE_SINGULAR,
        shortNames: ['at'],
        categories: ['agents'],
      },
      scope: 'Namespaced',
      versions: [{
        name: this.version,
        served: true,
        storage: true,
        schema: { openApiv3Schema: toJsonSchemaProps(agentTypeOpenApiSchema()) },
        subresources: { status: {} },
        additionalPrinterColumns: [
          { name: 'Type', type: 'string', jsonPath: '.spec.agent.type', description: 'How the agent is delivered: container or code.' },
          { name: 'Status', type: 'string', jsonPath: '.status.phase', description: 'Lifecycle phase.' },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
      }],
    };
  }
}

/** Label values are at most 63 characters and start/end alphanumeric. */
function labelValue(value: string): string {
  return value.slice(0, 63).replace(/[^A-Za-z0-9]+$/, '');
}

/**
 * Converts a raw JSON schema to the camelCase `k8s.JsonSchemaProps` that the
 * generated `toJson_JsonSchemaProps` turns back into the raw form. `items`,
 * `additionalProperties`, `default`, `enum`, `example` and `dependencies` are
 * passed through untouched by that function, so they stay raw here too.
 */
function toJsonSchemaProps(raw: any): k8s.JsonSchemaProps {
  const out: Record<string, any> = {};
  for (const [key, value] of Object.entries<any>(raw)) {
    switch (key) {
      case 'properties':
      case 'patternProperties':
      case 'definitions':
        out[key] = Object.fromEntries(Object.entries<any>(value).map(([k, v]) => [k, toJsonSchemaProps(v)]));
        break;
      case 'allOf':
      case 'anyOf':
      case 'oneOf':
        out[key] = (value as any[]).map(toJsonSchemaProps);
        break;
      case 'not':
        out[key] = toJsonSchemaProps(value);
        break;
      case '$ref':
        out.ref = value;
        break;
      case '$schema':
        out.schema = value;
        break;
      default:
        if (key.startsWith('x-kubernetes-')) {
          out[key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = value;
        } else {
          out[key] = value;
        }
    }
  }
  return out as k8s.JsonSchemaProps;
}
