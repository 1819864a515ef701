import { safeText, screenDeep, screenText } from '../core/credential-screen';
import { checkSecretReferencePart } from '../core/secret-key-reference';
import {
  RESERVED_ENV_PREFIX, checkDns1123Label, checkEnvVarName, checkNonEmpty, fail, isDns1123Subdomain, looksLikeSecretValue,
} from '../core/validation';
import type { LlmProviderSpec } from '../install/agent-type';

const KIND = 'LlmProvider';
/** Key of the Secret holding the API key when `credentials.secretKey` is not given. */
const DEFAULT_SECRET_KEY = 'api-key';

/** The providers with a factory of their own: their public endpoint and the sidecar variable of their key. */
const KNOWN_PROVIDERS: { [type: string]: { readonly endpoint: string; readonly apiKeyEnvVar: string } } = {
  anthropic: { endpoint: 'https://api.anthropic.com', apiKeyEnvVar: 'ANTHROPIC_API_KEY' },
  openai: { endpoint: 'https://api.openai.com/v1', apiKeyEnvVar: 'OPENAI_API_KEY' },
};

/** The known provider of `type` (own properties only: `constructor` is a generic type like any other). */
function knownProvider(type: string): { readonly endpoint: string; readonly apiKeyEnvVar: string } | undefined {
  return Object.prototype.hasOwnProperty.call(KNOWN_PROVIDERS, type) ? KNOWN_PROVIDERS[type] : undefined;
}

/** The sidecar variable of a generic provider's key when `apiKeyEnvVar` is not given: `LLM_<NAME>_API_KEY`. */
function genericApiKeyEnvVar(name: string): string {
  return `LLM_${name.toUpperCase().replace(/-/g, '_')}_API_KEY`;
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
   * @default 'api-key'
   */
  readonly secretKey?: string;
}

/** Options shared by every LLM provider factory. */
export interface LlmProviderOptions {
  /**
   * Name of this provider entry, unique within an agent (AgentType
   * `llm.providers[].name`, e.g. `main-llm`). RFC 1123 label.
   * @default - the provider type (`anthropic`, `openai`, ...)
   */
  readonly name?: string;

  /**
   * The Secret key reference holding the API key. Never a literal key.
   */
  readonly credentials: LlmCredentials;

  /**
   * Model identifier sent to the provider (e.g. `claude-3-5-sonnet-latest`,
   * `gpt-4o`). Rendered into `llm.providers[].config.model`.
   * @default - no model: the agent or sidecar chooses
   */
  readonly model?: string;

  /**
   * Base URL of the provider's API (`https://...`), without credentials (no
   * user-info password, no `?api_key=` query: such a URL throws).
   * @default - the provider's public endpoint (anthropic: `https://api.anthropic.com`, openai: `https://api.openai.com/v1`)
   */
  readonly endpoint?: string;

  /**
   * Extra free-form provider settings (AgentType `llm.providers[].config`,
   * kept with `x-kubernetes-preserve-unknown-fields`). Values must not be
   * secrets: a value that looks like a key, or a literal under a
   * credential-named key (`api_key`, `token`, `password`, ...), throws. The
   * keys `endpoint` and `model` are the options of those names, and throw here.
   * @default - none
   */
  readonly config?: { [key: string]: string };
}

/** Options of {@link LlmProvider.generic}. */
export interface GenericLlmProviderOptions extends LlmProviderOptions {
  /**
   * Provider type written to `llm.providers[].type` (e.g. `azure-openai`,
   * `bedrock`, `vllm`, `ollama`). RFC 1123 label.
   */
  readonly type: string;

  /**
   * Environment variable name under which the sidecar receives the key.
   * @default - `LLM_<NAME>_API_KEY`, NAME upper-cased with '-' turned to '_'
   */
  readonly apiKeyEnvVar?: string;
}

/**
 * An LLM provider an agent may call, with its credentials as a Secret
 * reference (`llm.providers[]`).
 *
 * Providers are given to an `AgentPod` as an ordered list: the first is the
 * main provider, the next ones are fallbacks in order (e.g. `main-llm`
 * anthropic, then `backup-llm` openai).
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
   * Anthropic (Claude). Key in env `ANTHROPIC_API_KEY` of the sidecar.
   * @throws if a name, Secret name or endpoint is invalid, or if the model,
   * endpoint or config holds what looks like a credential
   */
  public static anthropic(options: LlmProviderOptions): LlmProvider {
    return new LlmProvider('anthropic', options, KNOWN_PROVIDERS.anthropic.endpoint, KNOWN_PROVIDERS.anthropic.apiKeyEnvVar);
  }

  /**
   * OpenAI. Key in env `OPENAI_API_KEY` of the sidecar.
   * @throws if a name, Secret name or endpoint is invalid, or if the model,
   * endpoint or config holds what looks like a credential
   */
  public static openai(options: LlmProviderOptions): LlmProvider {
    return new LlmProvider('openai', options, KNOWN_PROVIDERS.openai.endpoint, KNOWN_PROVIDERS.openai.apiKeyEnvVar);
  }

  /**
   * Any other provider (Azure OpenAI, Bedrock gateway, vLLM, Ollama, ...).
   * `endpoint` is required because there is no public default.
   * @throws if `type` or `endpoint` is missing or invalid
   */
  public static generic(options: GenericLlmProviderOptions): LlmProvider {
    const type = checkDns1123Label(KIND, options.name ?? options.type ?? '', 'type', options.type ?? '');
    if (!options.endpoint) {
      fail(KIND, options.name ?? type, 'endpoint', '', 'is required for a generic provider');
    }
    const name = options.name ?? type;
    const envVar = options.apiKeyEnvVar ?? genericApiKeyEnvVar(name);
    if (options.apiKeyEnvVar !== undefined) {
      checkEnvVarName(KIND, name, 'apiKeyEnvVar', envVar);
      if (RESERVED_ENV_PREFIX.test(envVar) && !/^LLM_[A-Z0-9_]+_API_KEY$/.test(envVar)) {
        fail(KIND, name, 'apiKeyEnvVar', envVar, 'is reserved: the sidecar\'s TOOL_MANAGER_*, AGENT_* and LLM_* variables are set by cdk8s-agents (LLM_<NAME>_API_KEY is allowed)');
      }
    }
    return new LlmProvider(type, options, options.endpoint, envVar);
  }

  /**
   * The provider an AgentType `spec.llm.providers[]` entry describes: the
   * inverse of {@link LlmProvider.toSpec}. `type` `anthropic` or `openai`
   * (with their own key variable, or none) gives {@link LlmProvider.anthropic}
   * / {@link LlmProvider.openai}, any other type {@link LlmProvider.generic}.
   * `credentialsSecret` and `credentialsKeyName` (default `api-key`) are the
   * Secret reference; `config.endpoint` and `config.model` are the endpoint
   * and model, the other `config` entries the provider's extra settings.
   * @throws `LlmProvider '<name>': <field> '<value>' <problem>` if `type` or
   * `credentialsSecret` is missing, a `config` value is not a string, and for
   * whatever the factories refuse (a generic provider without endpoint, an
   * endpoint that is not an http(s) URL, a config entry that looks like a
   * credential: such values are never repeated)
   */
  public static fromSpec(spec: LlmProviderSpec): LlmProvider {
    const name = spec?.name ?? '';
    if (!spec?.type) fail(KIND, name, 'type', '', 'is required: the provider kind, e.g. anthropic or openai');
    if (!spec.credentialsSecret) fail(KIND, name, 'credentialsSecret', '', 'is required: the name of the Secret holding the API key');
    const config: { [key: string]: string } = {};
    for (const [key, value] of Object.entries(spec.config ?? {})) {
      if (typeof value !== 'string') fail(KIND, name, `config.${safeText(key)}`, typeof value, 'is not a string: provider settings are strings');
      config[key] = value;
    }
    const { endpoint, model, ...extra } = config;
    const options: LlmProviderOptions = {
      name: spec.name,
      credentials: { secretName: spec.credentialsSecret, secretKey: spec.credentialsKeyName },
      model,
      endpoint,
      config: extra,
    };
    const known = knownProvider(spec.type);
    if (known && (spec.apiKeyEnvVar === undefined || spec.apiKeyEnvVar === known.apiKeyEnvVar)) {
      return new LlmProvider(spec.type, options, known.endpoint, known.apiKeyEnvVar);
    }
    return LlmProvider.generic({ ...options, type: spec.type, endpoint: endpoint ?? known?.endpoint, apiKeyEnvVar: spec.apiKeyEnvVar });
  }

  /** Provider entry name, unique within an agent. */
  public readonly name: string;
  /** Provider type (`anthropic`, `openai`, or the generic type). */
  public readonly type: string;
  /** Model identifier, if set. */
  public readonly model?: string;
  /** Base URL of the provider API. */
  public readonly endpoint: string;
  /** Name of the Secret holding the API key. */
  public readonly secretName: string;
  /** Key in the Secret. */
  public readonly secretKey: string;
  /** Environment variable of the sidecar that receives the key through `secretKeyRef`. */
  public readonly apiKeyEnvVar: string;
  private readonly _config: { [key: string]: string };

  private constructor(type: string, options: LlmProviderOptions, defaultEndpoint: string, apiKeyEnvVar: string) {
    const name = options.name ?? type;
    checkDns1123Label(KIND, name, 'name', name);
    screenText(KIND, name, 'name', name);
    // model, endpoint and config are rendered into the AgentType, the tools
    // ConfigMap and OTEL_RESOURCE_ATTRIBUTES: no credential may hide in them.
    screenText(KIND, name, 'model', options.model);
    screenText(KIND, name, 'endpoint', options.endpoint);
    screenDeep(KIND, name, 'config', options.config ?? {});
    this.name = name;
    this.type = type;
    if (!options.credentials) {
      fail(KIND, name, 'credentials', '', 'is required: give { secretName, secretKey } of a Secret holding the API key');
    }
    const secretName = options.credentials.secretName ?? '';
    // A literal key pasted in place of a Secret name is refused, and no message
    // repeats the value: whatever was pasted there may be a credential.
    if (looksLikeSecretValue(secretName)) {
      throw new Error(`${KIND} '${name}': credentials.secretName looks like an API key, not a Secret name; put the key in a Secret and reference it by name`);
    }
    if (!isDns1123Subdomain(secretName)) {
      throw new Error(`${KIND} '${name}': credentials.secretName is not a valid Secret name (an RFC 1123 subdomain: lowercase letters, digits, '-' and '.'); the value is not shown in case it is a credential`);
    }
    this.secretName = secretName;
    this.secretKey = checkSecretReferencePart(KIND, name, 'credentials.secretKey', 'key', options.credentials.secretKey ?? DEFAULT_SECRET_KEY);
    this.model = options.model === undefined ? undefined : checkNonEmpty(KIND, name, 'model', options.model);
    this.endpoint = options.endpoint ?? defaultEndpoint;
    let url: URL | undefined;
    try {
      url = new URL(this.endpoint);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      fail(KIND, name, 'endpoint', this.endpoint, 'is not an http(s) URL');
    }
    this.apiKeyEnvVar = apiKeyEnvVar;
    for (const own of ['endpoint', 'model'] as const) {
      // toSpec() writes these two into config: a config entry of that name would be silently replaced.
      if (options.config && Object.prototype.hasOwnProperty.call(options.config, own)) {
        fail(KIND, name, `config['${own}']`, options.config[own], `is written by the ${own} option: give it as ${own}`);
      }
    }
    this._config = { ...(options.config ?? {}) };
  }

  /** Extra provider settings (a copy). */
  public get config(): { [key: string]: string } {
    return { ...this._config };
  }

  /**
   * This provider's entry of the LLM gateway (LiteLLM's `litellm_params`):
   * `model` as `<route>/<model>` (`anthropic/...` for Anthropic, `openai/...`
   * for OpenAI and any OpenAI-compatible endpoint), `api_base` the endpoint,
   * `api_key` an `os.environ/<apiKeyEnvVar>` reference (never the key).
   * @internal
   */
  public _liteLlmParams(): { [key: string]: string } {
    const route = this.type === 'anthropic' ? 'anthropic' : 'openai';
    return { model: `${route}/${this.model ?? ''}`, api_base: this.endpoint, api_key: `os.environ/${this.apiKeyEnvVar}` };
  }

  /**
   * The provider as an AgentType `spec.llm.providers[]` entry (and an entry
   * of the sidecar's `llm-providers.json`): `name`, `type`,
   * `credentialsSecret`, `credentialsKeyName` when the key is not `api-key`,
   * `apiKeyEnvVar` when it is not the type's default (see
   * {@link LlmProviderSpec.apiKeyEnvVar}), and `config` (with `model` and
   * `endpoint`). Secret names only, never a key. {@link LlmProvider.fromSpec}
   * is the inverse.
   */
  public toSpec(): { [key: string]: any } {
    const config: { [key: string]: string } = { ...this._config, endpoint: this.endpoint };
    if (this.model) config.model = this.model;
    const spec: { [key: string]: any } = { name: this.name, type: this.type, credentialsSecret: this.secretName };
    if (this.secretKey !== DEFAULT_SECRET_KEY) spec.credentialsKeyName = this.secretKey;
    const defaultEnvVar = knownProvider(this.type)?.apiKeyEnvVar ?? genericApiKeyEnvVar(this.name);
    if (this.apiKeyEnvVar !== defaultEnvVar) spec.apiKeyEnvVar = this.apiKeyEnvVar;
    spec.config = config;
    return spec;
  }
}
