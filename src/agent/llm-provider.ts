import {
  CheckedService, GEMINI_ENDPOINT, KIND, SecretEnv, bedrockEndpoint, checkAwsRegion, checkAzureApiVersion, checkAzureDeployment,
  checkEndpoint, checkGcpLocation, checkGcpProject, checkKeyEnvVar, checkModel, checkRoleArn, checkSecretKey, checkSecretName,
  checkService, genericApiKeyEnvVar, portFromSpec, serviceEndpoint, vertexEndpoint,
} from './llm-provider-settings';
import { safeText, screenDeep, screenText } from '../core/credential-screen';
import { checkDns1123Label, checkNonEmpty, fail } from '../core/validation';
import type { LlmProviderSpec } from '../install/agent-type';

/** Key of the Secret holding the API key when `credentials.secretKey` is not given. */
const DEFAULT_SECRET_KEY = 'api-key';

/** The providers of `anthropic()` / `openai()`: their public endpoint and the sidecar variable of their key. */
const KNOWN_PROVIDERS: { [type: string]: { readonly endpoint: string; readonly apiKeyEnvVar: string } } = {
  anthropic: { endpoint: 'https://api.anthropic.com', apiKeyEnvVar: 'ANTHROPIC_API_KEY' },
  openai: { endpoint: 'https://api.openai.com/v1', apiKeyEnvVar: 'OPENAI_API_KEY' },
};

/** The known provider of `type` (own properties only: `constructor` is a generic type like any other). */
function knownProvider(type: string): { readonly endpoint: string; readonly apiKeyEnvVar: string } | undefined {
  return Object.prototype.hasOwnProperty.call(KNOWN_PROVIDERS, type) ? KNOWN_PROVIDERS[type] : undefined;
}

/** Sidecar variables of the typed providers' keys when `apiKeyEnvVar` is not given. */
const AZURE_API_KEY = 'AZURE_API_KEY';
const GEMINI_API_KEY = 'GEMINI_API_KEY';
const VERTEX_CREDENTIALS = 'VERTEXAI_CREDENTIALS';
/** Key of the Secret holding a Vertex AI service-account key when `credentials.secretKey` is not given. */
const VERTEX_SECRET_KEY = 'credentials.json';
/** Bedrock's Secret keys and sidecar variables when not given: the AWS SDK's standard variable names. */
const BEDROCK_KEYS = {
  accessKeyId: { key: 'aws-access-key-id', envVar: 'AWS_ACCESS_KEY_ID' },
  secretAccessKey: { key: 'aws-secret-access-key', envVar: 'AWS_SECRET_ACCESS_KEY' },
};
/** What LiteLLM sends as the key of an OpenAI-compatible server without one: not a credential, and not `OPENAI_API_KEY`, which LiteLLM's `openai/` route would read from the environment otherwise. */
const NO_API_KEY = 'none';
/** The ServiceAccount annotation of EKS IAM Roles for Service Accounts. */
const IRSA_ANNOTATION = 'eks.amazonaws.com/role-arn';

/**
 * The `config` keys of each typed provider's settings in an AgentType spec,
 * besides `endpoint` and `model`. Given as free-form `config` they would be
 * read back as the setting, so every provider of that type refuses them.
 */
const SETTING_KEYS: { [type: string]: readonly string[] } = {
  'azure-openai': ['deployment', 'apiVersion'],
  'bedrock': ['region', 'roleArn', 'accessKeyIdKeyName', 'secretAccessKeyKeyName', 'accessKeyIdEnvVar', 'secretAccessKeyEnvVar'],
  'gemini': [],
  'vertex-ai': ['project', 'location'],
  'openai-compatible': ['serviceName', 'serviceNamespace', 'servicePort', 'serviceTargetPort', 'serviceClusterDomain'],
};
/** The typed provider types a generic provider may still take (AgentTypes written before their factories): only without their settings. */
const LEGACY_GENERIC_TYPES = ['azure-openai', 'bedrock'];
/** The factory of each typed provider type, as errors name it. */
const FACTORY: { [type: string]: string } = {
  'azure-openai': 'azureOpenAi', 'bedrock': 'bedrock', 'gemini': 'gemini', 'vertex-ai': 'vertexAi', 'openai-compatible': 'openAiCompatible',
};

function settingKeys(type: string): readonly string[] {
  return Object.prototype.hasOwnProperty.call(SETTING_KEYS, type) ? SETTING_KEYS[type] : [];
}

/**
 * Where the API key of an LLM provider comes from: one key of a Kubernetes
 * Secret, rendered as `env[].valueFrom.secretKeyRef` in the tool sidecar only.
 *
 * The library never reads or writes the value: the Secret is created out of
 * band (kubectl, External Secrets, Sealed Secrets, ...).
 */
export interface LlmCredentials {
  /**
   * Name of the Secret in the agent's namespace (`secretKeyRef.name`).
   * Must be an RFC 1123 subdomain.
   */
  readonly secretName: string;

  /**
   * Key inside the Secret that holds the API key (`secretKeyRef.key`).
   * @default 'api-key' ('credentials.json' for `LlmProvider.vertexAi`)
   */
  readonly secretKey?: string;
}

/** Options every LLM provider factory takes. */
export interface LlmProviderBaseOptions {
  /**
   * Name of this provider entry, unique within an agent (AgentType
   * `llm.providers[].name`, e.g. `main-llm`; the LLM gateway's
   * `model_list[].model_name`). RFC 1123 label.
   * @default - the provider type (`anthropic`, `openai`, `azure-openai`, `bedrock`, ...)
   */
  readonly name?: string;

  /**
   * Extra free-form provider settings (AgentType `llm.providers[].config`,
   * kept with `x-kubernetes-preserve-unknown-fields`; not given to the LLM
   * gateway). Values must not be secrets: a value that looks like a key, or a
   * literal under a credential-named key (`api_key`, `token`, `password`,
   * ...), throws. The keys `endpoint` and `model`, and those of the
   * provider's own settings (`deployment`, `region`, `project`, ...), are
   * written by their options and throw here.
   * @default - none
   */
  readonly config?: { [key: string]: string };
}

/** Options of {@link LlmProvider.anthropic} and {@link LlmProvider.openai}. */
export interface LlmProviderOptions extends LlmProviderBaseOptions {
  /**
   * The Secret key reference holding the API key. Never a literal key.
   */
  readonly credentials: LlmCredentials;

  /**
   * Model identifier sent to the provider (e.g. `claude-3-5-sonnet-latest`,
   * `gpt-4o`). Rendered into `llm.providers[].config.model` and, with the
   * provider's route, into the LLM gateway's `litellm_params.model`
   * (`anthropic/<model>`, `openai/<model>`). The gateway cannot run without it.
   * @default - no model: refused when the LLM gateway's configuration is rendered
   */
  readonly model?: string;

  /**
   * Base URL of the provider's API (`https://...`), without credentials (no
   * user-info password, no `?api_key=` query: such a URL throws). LiteLLM
   * `api_base`.
   * @default - the provider's public endpoint (anthropic: `https://api.anthropic.com`, openai: `https://api.openai.com/v1`)
   */
  readonly endpoint?: string;
}

/** Options of {@link LlmProvider.generic}. */
export interface GenericLlmProviderOptions extends LlmProviderOptions {
  /**
   * Provider type written to AgentType `llm.providers[].type` (e.g. `vllm`,
   * `ollama`). RFC 1123 label. The types with a factory of their own
   * (`gemini`, `vertex-ai`, `openai-compatible`; `azure-openai` and `bedrock`
   * with their settings in `config`) are refused: use the factory.
   */
  readonly providerType: string;

  /**
   * Environment variable name under which the sidecar receives the key.
   * @default - `LLM_<NAME>_API_KEY`, NAME upper-cased with '-' turned to '_'
   */
  readonly apiKeyEnvVar?: string;
}

/** Options of {@link LlmProvider.azureOpenAi}. */
export interface AzureOpenAiProviderOptions extends LlmProviderBaseOptions {
  /**
   * The Azure OpenAI resource's endpoint, `https://<resource>.openai.azure.com`
   * (or a custom domain / API Management front end), https only, no query.
   * LiteLLM `api_base`; its host and port make the egress rule.
   */
  readonly endpoint: string;

  /**
   * The deployment to call (Azure OpenAI calls models by deployment name):
   * at most 64 letters, digits, '-', '_' and '.'. LiteLLM `model: azure/<deployment>`.
   */
  readonly deployment: string;

  /**
   * The data-plane API version, `YYYY-MM-DD` or `YYYY-MM-DD-preview`
   * (e.g. `2024-10-21`). LiteLLM `api_version`.
   */
  readonly apiVersion: string;

  /** The Secret key reference holding the resource's API key. Never a literal key. */
  readonly credentials: LlmCredentials;

  /**
   * The model behind the deployment (e.g. `gpt-4o`), for the AgentType spec
   * and telemetry (`gen_ai.request.model`); the gateway calls the deployment.
   * @default - not recorded
   */
  readonly model?: string;

  /**
   * Environment variable of the sidecar that receives the key (LiteLLM
   * `api_key: os.environ/<VAR>`).
   * @default 'AZURE_API_KEY'
   */
  readonly apiKeyEnvVar?: string;
}

/**
 * The AWS access key of a Bedrock provider: two keys of one Secret, rendered
 * as two `secretKeyRef` variables of the tool sidecar.
 */
export interface BedrockCredentials {
  /** Name of the Secret in the agent's namespace (RFC 1123 subdomain). */
  readonly secretName: string;

  /**
   * Key of the Secret holding the access key ID.
   * @default 'aws-access-key-id'
   */
  readonly accessKeyIdKey?: string;

  /**
   * Key of the Secret holding the secret access key.
   * @default 'aws-secret-access-key'
   */
  readonly secretAccessKeyKey?: string;

  /**
   * Sidecar variable of the access key ID (LiteLLM `aws_access_key_id:
   * os.environ/<VAR>`). Give another name to a second Bedrock provider with
   * another Secret.
   * @default 'AWS_ACCESS_KEY_ID'
   */
  readonly accessKeyIdEnvVar?: string;

  /**
   * Sidecar variable of the secret access key (LiteLLM
   * `aws_secret_access_key: os.environ/<VAR>`).
   * @default 'AWS_SECRET_ACCESS_KEY'
   */
  readonly secretAccessKeyEnvVar?: string;
}

/** Options of {@link LlmProvider.bedrock}. */
export interface BedrockProviderOptions extends LlmProviderBaseOptions {
  /**
   * AWS region of the Bedrock runtime (`us-east-1`, `eu-west-3`,
   * `us-gov-west-1`, `cn-north-1`). LiteLLM `aws_region_name`; the endpoint
   * is `https://bedrock-runtime.<region>.amazonaws.com`.
   */
  readonly region: string;

  /**
   * Bedrock model or inference profile ID (e.g.
   * `anthropic.claude-3-5-sonnet-20240620-v1:0`,
   * `us.anthropic.claude-3-7-sonnet-20250219-v1:0`), without the `bedrock/`
   * route. LiteLLM `model: bedrock/<model>`.
   */
  readonly model: string;

  /**
   * A static access key in a Secret. Without it the sidecar uses the pod's
   * AWS identity: IAM Roles for Service Accounts with `roleArn`, else EKS Pod
   * Identity (an association made in AWS for the agent's ServiceAccount).
   * @default - the pod's identity
   */
  readonly credentials?: BedrockCredentials;

  /**
   * IAM role the agent's ServiceAccount assumes through IAM Roles for Service
   * Accounts (annotation `eks.amazonaws.com/role-arn`), e.g.
   * `arn:aws:iam::123456789012:role/bedrock-caller`. Not with `credentials`.
   * @default - no annotation: EKS Pod Identity (or an annotation made out of band)
   */
  readonly roleArn?: string;
}

/** Options of {@link LlmProvider.gemini}. */
export interface GeminiProviderOptions extends LlmProviderBaseOptions {
  /** Gemini model (e.g. `gemini-2.5-flash`), without the `gemini/` route. LiteLLM `model: gemini/<model>`. */
  readonly model: string;

  /** The Secret key reference holding the Gemini API key. Never a literal key. */
  readonly credentials: LlmCredentials;

  /**
   * Environment variable of the sidecar that receives the key (LiteLLM
   * `api_key: os.environ/<VAR>`).
   * @default 'GEMINI_API_KEY'
   */
  readonly apiKeyEnvVar?: string;
}

/** Options of {@link LlmProvider.vertexAi}. */
export interface VertexAiProviderOptions extends LlmProviderBaseOptions {
  /** Google Cloud project ID (`my-project-123`). LiteLLM `vertex_project`. */
  readonly project: string;

  /**
   * Vertex AI location: a region (`us-central1`, `europe-west4`) or `global`.
   * LiteLLM `vertex_location`; the endpoint is
   * `https://<location>-aiplatform.googleapis.com` (`https://aiplatform.googleapis.com` for `global`).
   */
  readonly location: string;

  /** Model on Vertex AI (e.g. `gemini-2.5-pro`, `claude-sonnet-4@20250514`). LiteLLM `model: vertex_ai/<model>`. */
  readonly model: string;

  /**
   * The Secret key holding the service account's JSON key. The sidecar gets
   * the JSON in a variable, which LiteLLM reads (`vertex_credentials:
   * os.environ/<VAR>`). Never a literal key.
   */
  readonly credentials: LlmCredentials;

  /**
   * Environment variable of the sidecar that receives the JSON key.
   * @default 'VERTEXAI_CREDENTIALS'
   */
  readonly apiKeyEnvVar?: string;
}

/** An in-cluster Service serving an OpenAI-compatible API (vLLM, Ollama, a LiteLLM proxy, ...). */
export interface LlmServiceTarget {
  /** Service name (RFC 1035 label). */
  readonly name: string;

  /** Namespace of the Service (RFC 1123 label); the `<namespace>` of its DNS name. */
  readonly namespaceName: string;

  /** Service port the API listens on (1 to 65535). */
  readonly port: number;

  /**
   * The port of the Service's pods (its `targetPort`), which the agent's
   * NetworkPolicy allows: NetworkPolicies see the pods' port, not the Service's.
   * @default - `port`
   */
  readonly targetPort?: number;

  /**
   * The cluster's DNS domain, in the derived endpoint
   * `http://<name>.<namespace>.svc.<clusterDomain>:<port>/v1`.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
}

/** Options of {@link LlmProvider.openAiCompatible}. */
export interface OpenAiCompatibleProviderOptions extends LlmProviderBaseOptions {
  /**
   * Model the server serves (e.g. `meta-llama/Llama-3.1-8B-Instruct`,
   * `llama3.2`). LiteLLM `model: openai/<model>`.
   */
  readonly model: string;

  /**
   * Base URL of the OpenAI-compatible API (`http(s)://.../v1`), no query.
   * LiteLLM `api_base`. Exactly one of `endpoint` and `service`.
   * @default - derived from `service`
   */
  readonly endpoint?: string;

  /**
   * An in-cluster Service as the server: the endpoint is
   * `http://<name>.<namespace>.svc.<clusterDomain>:<port>/v1` and the egress
   * rule allows the pods of that namespace on `targetPort`. Exactly one of
   * `endpoint` and `service`.
   * @default - `endpoint`
   */
  readonly service?: LlmServiceTarget;

  /**
   * The Secret key reference holding the server's API key.
   * @default - no key: LiteLLM sends the placeholder `none` (never another provider's key)
   */
  readonly credentials?: LlmCredentials;

  /**
   * Environment variable of the sidecar that receives the key. Only with `credentials`.
   * @default - `LLM_<NAME>_API_KEY`, NAME upper-cased with '-' turned to '_'
   */
  readonly apiKeyEnvVar?: string;
}

/** Everything a factory resolved, checked: what the provider renders. */
interface Parts {
  readonly type: string;
  readonly name: string;
  readonly model?: string;
  readonly endpoint: string;
  readonly secretName?: string;
  readonly secretKey?: string;
  readonly apiKeyEnvVar?: string;
  readonly secretEnv: readonly SecretEnv[];
  /** LiteLLM `litellm_params`, `model` included when known. */
  readonly liteLlm: { readonly [key: string]: string };
  /** The typed settings, as the spec's `config` writes them. */
  readonly settings: { readonly [key: string]: string };
  readonly config?: { [key: string]: string };
  /** What `fromSpec` takes when the spec leaves `apiKeyEnvVar` / `credentialsKeyName` out. */
  readonly specDefaults: { readonly apiKeyEnvVar?: string; readonly secretKey: string };
  readonly service?: CheckedService;
  readonly roleArn?: string;
  readonly workloadIdentity?: 'irsa' | 'eks-pod-identity';
  readonly region?: string;
  readonly project?: string;
  readonly location?: string;
  readonly deployment?: string;
  readonly apiVersion?: string;
}

/** A single API key: its Secret reference and sidecar variable, checked. */
interface SingleKey {
  readonly secretName: string;
  readonly secretKey: string;
  readonly apiKeyEnvVar: string;
  readonly secretEnv: readonly SecretEnv[];
}

/** Checks the Secret reference of a single key and the variable that receives it. */
function singleKey(name: string, credentials: LlmCredentials | undefined, defaultKey: string, apiKeyEnvVar: string): SingleKey {
  if (!credentials) {
    fail(KIND, name, 'credentials', '', 'is required: give { secretName, secretKey } of a Secret holding the API key');
  }
  const secretName = checkSecretName(name, 'credentials.secretName', credentials.secretName ?? '');
  const secretKey = checkSecretKey(name, 'credentials.secretKey', credentials.secretKey ?? defaultKey);
  return { secretName, secretKey, apiKeyEnvVar, secretEnv: [{ envVar: apiKeyEnvVar, secretName, secretKey }] };
}

/** The sidecar variable given as `field`, checked, or the default. */
function keyEnvVar(name: string, field: string, given: string | undefined, fallback: string): string {
  return given === undefined ? fallback : checkKeyEnvVar(name, field, given);
}

/** The checked name of a provider: the option, else the type. */
function providerName(name: string | undefined, type: string): string {
  const checked = name ?? type;
  checkDns1123Label(KIND, checked, 'name', checked);
  screenText(KIND, checked, 'name', checked);
  return checked;
}

/**
 * The settings of an AgentType `config` as strings; `fromSpec` reads them.
 * @throws when a value is not a string
 */
function stringConfig(name: string, config: { [key: string]: any } | undefined): { [key: string]: string } {
  const out: { [key: string]: string } = {};
  for (const [key, value] of Object.entries(config ?? {})) {
    if (typeof value !== 'string') fail(KIND, name, `config.${safeText(key)}`, typeof value, 'is not a string: provider settings are strings');
    out[key] = value;
  }
  return out;
}

/**
 * An LLM provider an agent may call, with its credentials as Secret
 * references (`llm.providers[]`), and its entry in the LLM gateway (LiteLLM's
 * `model_list[].litellm_params`).
 *
 * Providers are given to an `AgentPod` as an ordered list: the first is the
 * main provider, the next ones are fallbacks in order (e.g. `main-llm`
 * anthropic, then `backup-llm` bedrock).
 *
 * @example
 * LlmProvider.anthropic({
 *   name: 'main-llm',
 *   model: 'claude-3-5-sonnet-latest',
 *   credentials: { secretName: 'anthropic-credentials' },
 * });
 */
export class LlmProvider {
  /**
   * Anthropic (Claude). Key in env `ANTHROPIC_API_KEY` of the sidecar;
   * LiteLLM `model: anthropic/<model>`, `api_base`, `api_key: os.environ/ANTHROPIC_API_KEY`.
   * @throws if a name, Secret name or endpoint is invalid, or if the model,
   * endpoint or config holds what looks like a credential
   */
  public static anthropic(options: LlmProviderOptions): LlmProvider {
    return LlmProvider.keyed('anthropic', options, KNOWN_PROVIDERS.anthropic.endpoint, KNOWN_PROVIDERS.anthropic.apiKeyEnvVar);
  }

  /**
   * OpenAI. Key in env `OPENAI_API_KEY` of the sidecar; LiteLLM
   * `model: openai/<model>`, `api_base`, `api_key: os.environ/OPENAI_API_KEY`.
   * @throws if a name, Secret name or endpoint is invalid, or if the model,
   * endpoint or config holds what looks like a credential
   */
  public static openai(options: LlmProviderOptions): LlmProvider {
    return LlmProvider.keyed('openai', options, KNOWN_PROVIDERS.openai.endpoint, KNOWN_PROVIDERS.openai.apiKeyEnvVar);
  }

  /**
   * Any other provider with an OpenAI-compatible API and an API key (LiteLLM
   * `model: openai/<model>`, `api_base`, `api_key: os.environ/<apiKeyEnvVar>`).
   * `endpoint` is required because there is no public default. Prefer
   * {@link LlmProvider.openAiCompatible}, which also takes an in-cluster
   * Service and no key.
   * @throws if `providerType` or `endpoint` is missing or invalid, or `providerType` has a
   * factory of its own (`gemini`, `vertex-ai`, `openai-compatible`; `azure-openai`
   * and `bedrock` with their settings in `config`)
   */
  public static generic(options: GenericLlmProviderOptions): LlmProvider {
    const type = checkDns1123Label(KIND, options.name ?? options.providerType ?? '', 'providerType', options.providerType ?? '');
    const name = options.name ?? type;
    if (Object.prototype.hasOwnProperty.call(FACTORY, type) && !LEGACY_GENERIC_TYPES.includes(type)) {
      fail(KIND, name, 'providerType', type, `has a factory of its own: use LlmProvider.${FACTORY[type]}()`);
    }
    if (!options.endpoint) {
      fail(KIND, name, 'endpoint', '', 'is required for a generic provider');
    }
    const envVar = options.apiKeyEnvVar === undefined ? genericApiKeyEnvVar(name) : checkKeyEnvVar(name, 'apiKeyEnvVar', options.apiKeyEnvVar);
    return LlmProvider.keyed(type, options, options.endpoint, envVar, knownProvider(type)?.apiKeyEnvVar ?? genericApiKeyEnvVar(name));
  }

  /**
   * Azure OpenAI: a deployment of an Azure OpenAI resource. LiteLLM
   * `model: azure/<deployment>`, `api_base: <endpoint>`, `api_version`,
   * `api_key: os.environ/<apiKeyEnvVar>` (default `AZURE_API_KEY`).
   * @throws `LlmProvider '<name>': <field> '<value>' <problem>` if the endpoint
   * is not an https URL, the deployment, API version, name, Secret reference or
   * variable is invalid, or a value looks like a credential
   */
  public static azureOpenAi(options: AzureOpenAiProviderOptions): LlmProvider {
    const type = 'azure-openai';
    const name = providerName(options.name, type);
    const endpoint = checkEndpoint(name, options.endpoint ?? '', false);
    const deployment = checkAzureDeployment(name, options.deployment);
    const apiVersion = checkAzureApiVersion(name, options.apiVersion);
    const model = options.model === undefined ? undefined : checkModel(name, options.model, undefined);
    const key = singleKey(name, options.credentials, DEFAULT_SECRET_KEY, keyEnvVar(name, 'apiKeyEnvVar', options.apiKeyEnvVar, AZURE_API_KEY));
    return new LlmProvider({
      type,
      name,
      model,
      endpoint,
      ...key,
      deployment,
      apiVersion,
      liteLlm: { model: `azure/${deployment}`, api_base: endpoint, api_version: apiVersion, api_key: `os.environ/${key.apiKeyEnvVar}` },
      settings: { deployment, apiVersion },
      config: options.config,
      specDefaults: { apiKeyEnvVar: AZURE_API_KEY, secretKey: DEFAULT_SECRET_KEY },
    });
  }

  /**
   * Amazon Bedrock. LiteLLM `model: bedrock/<model>`, `aws_region_name`; with
   * `credentials`, `aws_access_key_id: os.environ/AWS_ACCESS_KEY_ID` and
   * `aws_secret_access_key: os.environ/AWS_SECRET_ACCESS_KEY` from two keys
   * of one Secret. Without them the AWS SDK in the sidecar uses the pod's
   * identity: IAM Roles for Service Accounts when `roleArn` is given (the
   * AgentPod annotates its ServiceAccount), else EKS Pod Identity (the
   * agent's egress then includes the Pod Identity Agent, 169.254.170.23 and
   * fd00:ec2::23, port 80).
   * @throws `LlmProvider '<name>': <field> '<value>' <problem>` if the region,
   * model, role ARN, Secret reference or a variable is invalid, or both
   * `credentials` and `roleArn` are given
   */
  public static bedrock(options: BedrockProviderOptions): LlmProvider {
    const type = 'bedrock';
    const name = providerName(options.name, type);
    const region = checkAwsRegion(name, options.region);
    const model = checkModel(name, options.model, 'bedrock');
    const roleArn = options.roleArn === undefined ? undefined : checkRoleArn(name, options.roleArn);
    if (roleArn !== undefined && options.credentials !== undefined) {
      fail(KIND, name, 'roleArn', roleArn, 'is for the pod\'s identity (IAM Roles for Service Accounts): give it or credentials, not both');
    }
    const keys = options.credentials === undefined ? undefined : bedrockKeys(name, options.credentials);
    return new LlmProvider({
      type,
      name,
      model,
      endpoint: bedrockEndpoint(region),
      region,
      roleArn,
      secretName: keys?.secretName,
      secretEnv: keys?.secretEnv ?? [],
      liteLlm: {
        model: `bedrock/${model}`,
        aws_region_name: region,
        ...(keys ? { aws_access_key_id: `os.environ/${keys.secretEnv[0].envVar}`, aws_secret_access_key: `os.environ/${keys.secretEnv[1].envVar}` } : {}),
      },
      settings: { region, ...(roleArn ? { roleArn } : {}), ...keys?.settings },
      config: options.config,
      specDefaults: { secretKey: DEFAULT_SECRET_KEY },
      workloadIdentity: keys ? undefined : roleArn ? 'irsa' : 'eks-pod-identity',
    });
  }

  /**
   * Google Gemini (the Gemini API of Google AI Studio,
   * `https://generativelanguage.googleapis.com`). LiteLLM
   * `model: gemini/<model>`, `api_key: os.environ/<apiKeyEnvVar>` (default
   * `GEMINI_API_KEY`); LiteLLM knows the endpoint.
   * @throws `LlmProvider '<name>': <field> '<value>' <problem>` if the model,
   * name, Secret reference or variable is invalid
   */
  public static gemini(options: GeminiProviderOptions): LlmProvider {
    const type = 'gemini';
    const name = providerName(options.name, type);
    const model = checkModel(name, options.model, 'gemini');
    const key = singleKey(name, options.credentials, DEFAULT_SECRET_KEY, keyEnvVar(name, 'apiKeyEnvVar', options.apiKeyEnvVar, GEMINI_API_KEY));
    return new LlmProvider({
      type,
      name,
      model,
      endpoint: GEMINI_ENDPOINT,
      ...key,
      liteLlm: { model: `gemini/${model}`, api_key: `os.environ/${key.apiKeyEnvVar}` },
      settings: {},
      config: options.config,
      specDefaults: { apiKeyEnvVar: GEMINI_API_KEY, secretKey: DEFAULT_SECRET_KEY },
    });
  }

  /**
   * Google Vertex AI, with a service account's JSON key from a Secret.
   * LiteLLM `model: vertex_ai/<model>`, `vertex_project`, `vertex_location`,
   * `vertex_credentials: os.environ/<apiKeyEnvVar>` (default
   * `VERTEXAI_CREDENTIALS`; LiteLLM takes the JSON text itself). The endpoint
   * is `https://<location>-aiplatform.googleapis.com`.
   * @throws `LlmProvider '<name>': <field> '<value>' <problem>` if the project,
   * location, model, name, Secret reference or variable is invalid
   */
  public static vertexAi(options: VertexAiProviderOptions): LlmProvider {
    const type = 'vertex-ai';
    const name = providerName(options.name, type);
    const project = checkGcpProject(name, options.project);
    const location = checkGcpLocation(name, options.location);
    const model = checkModel(name, options.model, 'vertex_ai');
    const key = singleKey(name, options.credentials, VERTEX_SECRET_KEY, keyEnvVar(name, 'apiKeyEnvVar', options.apiKeyEnvVar, VERTEX_CREDENTIALS));
    return new LlmProvider({
      type,
      name,
      model,
      endpoint: vertexEndpoint(location),
      ...key,
      project,
      location,
      liteLlm: { model: `vertex_ai/${model}`, vertex_project: project, vertex_location: location, vertex_credentials: `os.environ/${key.apiKeyEnvVar}` },
      settings: { project, location },
      config: options.config,
      specDefaults: { apiKeyEnvVar: VERTEX_CREDENTIALS, secretKey: VERTEX_SECRET_KEY },
    });
  }

  /**
   * A server with an OpenAI-compatible API (vLLM, Ollama, TGI, a LiteLLM
   * proxy elsewhere), at a URL or an in-cluster Service, with or without an
   * API key. LiteLLM `model: openai/<model>`, `api_base`, `api_key:
   * os.environ/<apiKeyEnvVar>` (`none` without credentials). An in-cluster
   * Service becomes an egress rule to the pods of its namespace on its
   * target port, not to public addresses.
   * @throws `LlmProvider '<name>': <field> '<value>' <problem>` if neither or
   * both of `endpoint` and `service` are given, the endpoint is not an http(s)
   * URL, the Service, model, Secret reference or variable is invalid, or
   * `apiKeyEnvVar` is given without `credentials`
   */
  public static openAiCompatible(options: OpenAiCompatibleProviderOptions): LlmProvider {
    const type = 'openai-compatible';
    const name = providerName(options.name, type);
    if ((options.endpoint === undefined) === (options.service === undefined)) {
      fail(KIND, name, 'endpoint', options.endpoint ?? '', 'or service is required, and not both: the URL of the server, or its in-cluster Service');
    }
    const service = options.service === undefined ? undefined : checkService(name, options.service);
    const endpoint = service ? serviceEndpoint(service) : checkEndpoint(name, options.endpoint!, true);
    const model = checkModel(name, options.model, undefined);
    if (options.credentials === undefined && options.apiKeyEnvVar !== undefined) {
      fail(KIND, name, 'apiKeyEnvVar', options.apiKeyEnvVar, 'is given without credentials: the variable would have no value');
    }
    const defaultEnvVar = genericApiKeyEnvVar(name);
    const key = options.credentials === undefined ? undefined
      : singleKey(name, options.credentials, DEFAULT_SECRET_KEY, keyEnvVar(name, 'apiKeyEnvVar', options.apiKeyEnvVar, defaultEnvVar));
    return new LlmProvider({
      type,
      name,
      model,
      endpoint,
      service,
      secretName: key?.secretName,
      secretKey: key?.secretKey,
      apiKeyEnvVar: key?.apiKeyEnvVar,
      secretEnv: key?.secretEnv ?? [],
      liteLlm: { model: `openai/${model}`, api_base: endpoint, api_key: key ? `os.environ/${key.apiKeyEnvVar}` : NO_API_KEY },
      settings: service ? serviceSettings(service) : {},
      config: options.config,
      specDefaults: { apiKeyEnvVar: defaultEnvVar, secretKey: DEFAULT_SECRET_KEY },
    });
  }

  /**
   * The provider an AgentType `spec.llm.providers[]` entry describes: the
   * inverse of {@link LlmProvider.toSpec}. By `providerType` (the CRD's `type`): `anthropic` and
   * `openai` (with their own key variable, or none) give
   * {@link LlmProvider.anthropic} / {@link LlmProvider.openai};
   * `azure-openai` (`config.deployment`, `config.apiVersion`), `bedrock`
   * (`config.region`, `config.roleArn`, `config.accessKeyIdKeyName`,
   * `config.secretAccessKeyKeyName`, `config.accessKeyIdEnvVar`,
   * `config.secretAccessKeyEnvVar`), `gemini`, `vertex-ai`
   * (`config.project`, `config.location`) and `openai-compatible`
   * (`config.serviceName`, `config.serviceNamespace`, `config.servicePort`,
   * `config.serviceTargetPort`, `config.serviceClusterDomain`) give their
   * factories; an `azure-openai` or `bedrock` entry without its settings,
   * and any other type, {@link LlmProvider.generic}. `credentialsSecret` and
   * `credentialsKeyName` are the Secret reference (optional for `bedrock` and
   * `openai-compatible`); `config.endpoint` and `config.model` the endpoint and
   * model (a derived endpoint must match), the other `config` entries the
   * provider's extra settings.
   * @throws `LlmProvider '<name>': <field> '<value>' <problem>` if `providerType` (`type`) or a
   * required `credentialsSecret` is missing, a `config` value is not a string,
   * a derived endpoint differs from `config.endpoint`, and for whatever the
   * factories refuse (a generic provider without endpoint, an endpoint that
   * is not an http(s) URL, a bad region, a config entry that looks like a
   * credential: such values are never repeated)
   */
  public static fromSpec(spec: LlmProviderSpec): LlmProvider {
    const name = spec?.name ?? '';
    const type = spec?.providerType;
    if (!type) fail(KIND, name, 'type', '', 'is required: the provider kind, e.g. anthropic or openai');
    const config = stringConfig(name, spec.config);
    const typed = Object.prototype.hasOwnProperty.call(FACTORY, type)
      && !(LEGACY_GENERIC_TYPES.includes(type) && !settingKeys(type).some(k => k in config));
    if (typed) {
      const provider = typedFromSpec(spec, type, config);
      if (config.endpoint !== undefined && config.endpoint !== provider.endpoint) {
        fail(KIND, provider.name, 'config.endpoint', config.endpoint, `differs from the endpoint of this ${type} provider (${provider.endpoint})`);
      }
      return provider;
    }
    if (!spec.credentialsSecret) fail(KIND, name, 'credentialsSecret', '', 'is required: the name of the Secret holding the API key');
    const { endpoint, model, ...extra } = config;
    const options: LlmProviderOptions = {
      name: spec.name,
      credentials: { secretName: spec.credentialsSecret, secretKey: spec.credentialsKeyName },
      model,
      endpoint,
      config: extra,
    };
    const known = knownProvider(type);
    if (known && (spec.apiKeyEnvVar === undefined || spec.apiKeyEnvVar === known.apiKeyEnvVar)) {
      return LlmProvider.keyed(type, options, known.endpoint, known.apiKeyEnvVar);
    }
    return LlmProvider.generic({ ...options, providerType: type, endpoint: endpoint ?? known?.endpoint, apiKeyEnvVar: spec.apiKeyEnvVar });
  }

  /**
   * A provider with one API key and an endpoint given or defaulted:
   * `anthropic`, `openai` and the generic ones. LiteLLM route `anthropic/`
   * for type anthropic, else `openai/`.
   */
  private static keyed(
    type: string, options: LlmProviderOptions, defaultEndpoint: string, apiKeyEnvVar: string, specEnvVar = apiKeyEnvVar,
  ): LlmProvider {
    const name = providerName(options.name, type);
    // model, endpoint and config are rendered into the AgentType, the tools
    // ConfigMap and OTEL_RESOURCE_ATTRIBUTES: no credential may hide in them.
    screenText(KIND, name, 'model', options.model);
    screenText(KIND, name, 'endpoint', options.endpoint);
    const key = singleKey(name, options.credentials, DEFAULT_SECRET_KEY, apiKeyEnvVar);
    const model = options.model === undefined ? undefined : checkNonEmpty(KIND, name, 'model', options.model);
    const endpoint = options.endpoint ?? defaultEndpoint;
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      fail(KIND, name, 'endpoint', endpoint, 'is not an http(s) URL');
    }
    const route = type === 'anthropic' ? 'anthropic' : 'openai';
    return new LlmProvider({
      type,
      name,
      model,
      endpoint,
      ...key,
      liteLlm: { ...(model !== undefined ? { model: `${route}/${model}` } : {}), api_base: endpoint, api_key: `os.environ/${key.apiKeyEnvVar}` },
      settings: {},
      config: options.config,
      specDefaults: { apiKeyEnvVar: specEnvVar, secretKey: DEFAULT_SECRET_KEY },
    });
  }

  /** Provider entry name, unique within an agent. */
  public readonly name: string;
  /**
   * Provider type (`anthropic`, `openai`, `azure-openai`, `bedrock`, `gemini`,
   * `vertex-ai`, `openai-compatible`, or the generic type): AgentType
   * `llm.providers[].type`.
   */
  public readonly providerType: string;
  /** Model identifier, if set. */
  public readonly model?: string;
  /** Base URL of the provider API: given, or derived (region, location, Service). */
  public readonly endpoint: string;
  /**
   * Name of the Secret holding the credentials.
   * @default - none: a Bedrock provider using the pod's identity, an OpenAI-compatible one without key
   */
  public readonly secretName?: string;
  /**
   * Key in the Secret of the single API key.
   * @default - none: no credentials, or two keys (Bedrock, see its `config`)
   */
  public readonly secretKey?: string;
  /**
   * Environment variable of the sidecar that receives the single API key through `secretKeyRef`.
   * @default - none: no credentials, or two keys (Bedrock)
   */
  public readonly apiKeyEnvVar?: string;
  /**
   * AWS region (Bedrock).
   * @default - not a Bedrock provider
   */
  public readonly region?: string;
  /**
   * IAM role of the agent's ServiceAccount (Bedrock with IAM Roles for Service Accounts).
   * @default - none
   */
  public readonly roleArn?: string;
  /**
   * Google Cloud project (Vertex AI).
   * @default - not a Vertex AI provider
   */
  public readonly project?: string;
  /**
   * Google Cloud location (Vertex AI).
   * @default - not a Vertex AI provider
   */
  public readonly location?: string;
  /**
   * Deployment name (Azure OpenAI).
   * @default - not an Azure OpenAI provider
   */
  public readonly deployment?: string;
  /**
   * API version (Azure OpenAI).
   * @default - not an Azure OpenAI provider
   */
  public readonly apiVersion?: string;
  private readonly _config: { [key: string]: string };
  private readonly _parts: Parts;

  private constructor(parts: Parts) {
    const name = parts.name;
    screenDeep(KIND, name, 'config', parts.config ?? {});
    for (const own of ['endpoint', 'model', ...settingKeys(parts.type)]) {
      // toSpec() writes these into config: a config entry of that name would be silently replaced, or read back as the setting.
      if (parts.config && Object.prototype.hasOwnProperty.call(parts.config, own)) {
        const problem = own === 'endpoint' || own === 'model'
          ? `is written by the ${own} option: give it as ${own}`
          : `is a setting of LlmProvider.${FACTORY[parts.type]}(): give it there`;
        fail(KIND, name, `config['${own}']`, parts.config[own], problem);
      }
    }
    this.name = name;
    this.providerType = parts.type;
    this.model = parts.model;
    this.endpoint = parts.endpoint;
    this.secretName = parts.secretName;
    this.secretKey = parts.secretKey;
    this.apiKeyEnvVar = parts.apiKeyEnvVar;
    this.region = parts.region;
    this.roleArn = parts.roleArn;
    this.project = parts.project;
    this.location = parts.location;
    this.deployment = parts.deployment;
    this.apiVersion = parts.apiVersion;
    this._config = { ...(parts.config ?? {}) };
    this._parts = parts;
  }

  /** Extra provider settings (a copy), without the typed settings (`deployment`, `region`, ...). */
  public get config(): { [key: string]: string } {
    return { ...this._config };
  }

  /**
   * This provider's entry of the LLM gateway (LiteLLM's `litellm_params`):
   * `model` as `<route>/<model>` (absent when an anthropic, openai or
   * generic provider has no model), the route's parameters, and every
   * credential as an `os.environ/<VAR>` reference to a sidecar variable
   * (never the key). A copy.
   * @internal
   */
  public _liteLlmParams(): { [key: string]: string } {
    return { ...this._parts.liteLlm };
  }

  /**
   * The sidecar variables this provider's credentials need, each from one
   * key of a Secret (`env[].valueFrom.secretKeyRef`): none, one (an API key)
   * or two (Bedrock's access key). A copy.
   * @internal
   */
  public _secretEnv(): Array<{ readonly envVar: string; readonly secretName: string; readonly secretKey: string }> {
    return this._parts.secretEnv.map(e => ({ ...e }));
  }

  /**
   * The annotations the agent's ServiceAccount needs for this provider:
   * `eks.amazonaws.com/role-arn: <roleArn>` for Bedrock with IAM Roles for
   * Service Accounts, else none. The pod's identity reaches every container
   * the EKS webhook injects into: the AgentPod should keep it to the sidecar
   * (pod annotation `eks.amazonaws.com/skip-containers`).
   * @internal
   */
  public _serviceAccountAnnotations(): { [key: string]: string } {
    return this._parts.roleArn ? { [IRSA_ANNOTATION]: this._parts.roleArn } : {};
  }

  /**
   * How the sidecar gets AWS credentials without a Secret: `irsa` (IAM Roles
   * for Service Accounts, `roleArn`), `eks-pod-identity`, or undefined (a
   * Secret, or not Bedrock).
   * @internal
   */
  public _workloadIdentity(): 'irsa' | 'eks-pod-identity' | undefined {
    return this._parts.workloadIdentity;
  }

  /**
   * The in-cluster destination of an OpenAI-compatible provider given as a
   * Service: its namespace and the pods' port (`targetPort`), for the egress
   * rule; undefined for a provider reached at its endpoint's host.
   * @internal
   */
  public _egressService(): { readonly namespace: string; readonly port: number } | undefined {
    const service = this._parts.service;
    return service && { namespace: service.namespace, port: service.targetPort };
  }

  /**
   * The provider as an AgentType `spec.llm.providers[]` entry: `name`,
   * `providerType` (rendered as the CRD's `type`),
   * `credentialsSecret` (when there are credentials), `credentialsKeyName`
   * when the key is not the type's default, `apiKeyEnvVar` when it is not the
   * type's default (see {@link LlmProviderSpec.apiKeyEnvVar}), and `config`
   * (the extra settings, the typed ones such as `deployment` or `region`,
   * `endpoint` and `model`). Secret names only, never a key.
   * {@link LlmProvider.fromSpec} is the inverse.
   */
  public toSpec(): LlmProviderSpec {
    const config: { [key: string]: string } = { ...this._config, ...this._parts.settings, endpoint: this.endpoint };
    if (this.model) config.model = this.model;
    const spec: { -readonly [K in keyof LlmProviderSpec]: LlmProviderSpec[K] } = { name: this.name, providerType: this.providerType };
    if (this.secretName !== undefined) spec.credentialsSecret = this.secretName;
    const defaults = this._parts.specDefaults;
    if (this.secretKey !== undefined && this.secretKey !== defaults.secretKey) spec.credentialsKeyName = this.secretKey;
    if (this.apiKeyEnvVar !== undefined && this.apiKeyEnvVar !== defaults.apiKeyEnvVar) spec.apiKeyEnvVar = this.apiKeyEnvVar;
    spec.config = config;
    return spec;
  }
}

/** Checks Bedrock's Secret and its two keys and variables; their spec settings when not the defaults. */
function bedrockKeys(
  name: string, credentials: BedrockCredentials,
): { secretName: string; secretEnv: SecretEnv[]; settings: { [key: string]: string } } {
  const secretName = checkSecretName(name, 'credentials.secretName', credentials.secretName ?? '');
  const idKey = checkSecretKey(name, 'credentials.accessKeyIdKey', credentials.accessKeyIdKey ?? BEDROCK_KEYS.accessKeyId.key);
  const secretKey = checkSecretKey(name, 'credentials.secretAccessKeyKey', credentials.secretAccessKeyKey ?? BEDROCK_KEYS.secretAccessKey.key);
  const idVar = keyEnvVar(name, 'credentials.accessKeyIdEnvVar', credentials.accessKeyIdEnvVar, BEDROCK_KEYS.accessKeyId.envVar);
  const secretVar = keyEnvVar(name, 'credentials.secretAccessKeyEnvVar', credentials.secretAccessKeyEnvVar, BEDROCK_KEYS.secretAccessKey.envVar);
  if (idVar === secretVar) fail(KIND, name, 'credentials.secretAccessKeyEnvVar', secretVar, 'is also the variable of the access key ID');
  const settings: { [key: string]: string } = {};
  if (idKey !== BEDROCK_KEYS.accessKeyId.key) settings.accessKeyIdKeyName = idKey;
  if (secretKey !== BEDROCK_KEYS.secretAccessKey.key) settings.secretAccessKeyKeyName = secretKey;
  if (idVar !== BEDROCK_KEYS.accessKeyId.envVar) settings.accessKeyIdEnvVar = idVar;
  if (secretVar !== BEDROCK_KEYS.secretAccessKey.envVar) settings.secretAccessKeyEnvVar = secretVar;
  return {
    secretName,
    secretEnv: [{ envVar: idVar, secretName, secretKey: idKey }, { envVar: secretVar, secretName, secretKey }],
    settings,
  };
}

/** The spec settings of an in-cluster Service (ports as decimal strings; target port and domain when not the defaults). */
function serviceSettings(service: CheckedService): { [key: string]: string } {
  return {
    serviceName: service.name,
    serviceNamespace: service.namespace,
    servicePort: String(service.port),
    ...(service.targetPort !== service.port ? { serviceTargetPort: String(service.targetPort) } : {}),
    ...(service.clusterDomain !== 'cluster.local' ? { serviceClusterDomain: service.clusterDomain } : {}),
  };
}

/**
 * The provider of a spec entry whose type has a factory of its own, the
 * settings read from `config` (the rest kept as extra settings).
 */
function typedFromSpec(spec: LlmProviderSpec, type: string, config: { [key: string]: string }): LlmProvider {
  const name = spec.name;
  const keys = settingKeys(type);
  const extra = Object.fromEntries(Object.entries(config).filter(([k]) => k !== 'endpoint' && k !== 'model' && !keys.includes(k)));
  const credentials = spec.credentialsSecret === undefined ? undefined : { secretName: spec.credentialsSecret, secretKey: spec.credentialsKeyName };
  if (credentials === undefined && type !== 'bedrock') {
    if (type !== 'openai-compatible') fail(KIND, name ?? '', 'credentialsSecret', '', 'is required: the name of the Secret holding the API key');
    if (spec.credentialsKeyName !== undefined) fail(KIND, name ?? '', 'credentialsKeyName', spec.credentialsKeyName, 'needs credentialsSecret: it names a key of that Secret');
  }
  const base = { name, config: extra, model: config.model };
  switch (type) {
    case 'azure-openai':
      return LlmProvider.azureOpenAi({
        ...base,
        endpoint: config.endpoint,
        deployment: config.deployment,
        apiVersion: config.apiVersion,
        credentials: credentials!,
        apiKeyEnvVar: spec.apiKeyEnvVar,
      });
    case 'bedrock':
      return LlmProvider.bedrock({
        ...base,
        model: config.model,
        region: config.region,
        roleArn: config.roleArn,
        credentials: bedrockCredentialsFromSpec(spec, config),
      });
    case 'gemini':
      return LlmProvider.gemini({ ...base, model: config.model, credentials: credentials!, apiKeyEnvVar: spec.apiKeyEnvVar });
    case 'vertex-ai':
      return LlmProvider.vertexAi({
        ...base, model: config.model, project: config.project, location: config.location, credentials: credentials!, apiKeyEnvVar: spec.apiKeyEnvVar,
      });
    default:
      return LlmProvider.openAiCompatible({
        ...base, model: config.model, credentials, apiKeyEnvVar: spec.apiKeyEnvVar, ...openAiTargetFromSpec(name, config),
      });
  }
}

/** Bedrock's credentials in a spec: `credentialsSecret`, the keys and variables in `config`; `credentialsKeyName` and `apiKeyEnvVar` do not apply. */
function bedrockCredentialsFromSpec(spec: LlmProviderSpec, config: { [key: string]: string }): BedrockCredentials | undefined {
  for (const field of ['credentialsKeyName', 'apiKeyEnvVar'] as const) {
    if (spec[field] !== undefined) {
      fail(KIND, spec.name, field, spec[field], 'does not apply to a bedrock provider: its two keys are config.accessKeyIdKeyName and config.secretAccessKeyKeyName, their variables config.accessKeyIdEnvVar and config.secretAccessKeyEnvVar');
    }
  }
  const given = ['accessKeyIdKeyName', 'secretAccessKeyKeyName', 'accessKeyIdEnvVar', 'secretAccessKeyEnvVar'].filter(k => k in config);
  if (spec.credentialsSecret === undefined) {
    if (given.length > 0) fail(KIND, spec.name, `config.${given[0]}`, config[given[0]], 'needs credentialsSecret: it names a key of that Secret, or its variable');
    return undefined;
  }
  return {
    secretName: spec.credentialsSecret,
    accessKeyIdKey: config.accessKeyIdKeyName,
    secretAccessKeyKey: config.secretAccessKeyKeyName,
    accessKeyIdEnvVar: config.accessKeyIdEnvVar,
    secretAccessKeyEnvVar: config.secretAccessKeyEnvVar,
  };
}

/** The endpoint, or the in-cluster Service, of an OpenAI-compatible spec entry. */
function openAiTargetFromSpec(name: string, config: { [key: string]: string }): { endpoint?: string; service?: LlmServiceTarget } {
  const service = ['serviceName', 'serviceNamespace', 'servicePort', 'serviceTargetPort', 'serviceClusterDomain'].some(k => k in config);
  if (!service) return { endpoint: config.endpoint };
  return {
    service: {
      name: config.serviceName,
      namespaceName: config.serviceNamespace,
      port: portFromSpec(name ?? '', 'config.servicePort', config.servicePort ?? '')!,
      targetPort: portFromSpec(name ?? '', 'config.serviceTargetPort', config.serviceTargetPort),
      clusterDomain: config.serviceClusterDomain,
    },
  };
}
