/**
 * The LLM gateway of an agent: the configuration (`config.yaml`) of
 * LiteLLM's proxy, the open-source gateway the tool sidecar runs, rendered
 * from the agent's LLM providers and the sidecar's MCP servers. Internal
 * module; `LlmProvider` and `McpServer` hold the per-entry rule (a LiteLLM
 * model string and parameters, an `mcp_servers` entry), this module the
 * whole file: one model entry per provider, the router's fallbacks in the
 * declared order, the timeout and retries, the MCP servers and who may use them.
 *
 * Keys are never in it: each provider's `api_key` (and each MCP header or
 * secret variable) is an `os.environ/<VAR>` reference to the sidecar's
 * `secretKeyRef` variable, which LiteLLM reads at start-up.
 */
import type { LlmProvider } from './llm-provider';
import type { McpServer } from './mcp-server';
import { fail } from '../core/validation';
import { stringifyYaml } from '../core/yaml';

const KIND = 'AgentPod';
/** The variables through which the AWS SDK finds a static access key before it tries the pod's identity. */
const AWS_SDK_KEY_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];

/** Timeout and retries of the gateway's calls to the providers. */
export interface LlmGatewaySettings {
  /** Seconds one provider call may take before it fails (and the next provider is tried). */
  readonly requestTimeoutSeconds: number;
  /** Retries of a failed call on the same provider before its fallback is tried. */
  readonly maxRetries: number;
}

/** Defaults of {@link LlmGatewaySettings}: LiteLLM's retry default, and a minute per call. */
export const LLM_GATEWAY_DEFAULTS: LlmGatewaySettings = { requestTimeoutSeconds: 60, maxRetries: 2 };

/** The gateway's main configuration file, in the sidecar's ConfigMap. */
export const GATEWAY_CONFIG_KEY = 'config.yaml';
/**
 * The file of the gateway's timeout and retries, included by the main one:
 * a key of its own, so an overlay (the `apisDevelopment`/`apisProduction`
 * presets) replaces it whole without touching the providers.
 */
export const GATEWAY_SETTINGS_KEY = 'gateway-settings.yaml';

/**
 * Checks that the gateway can route to `provider`: it needs the model it
 * calls (an Azure OpenAI provider's is its deployment). `AgentPod` runs it,
 * with {@link checkLlmProviders}, as each provider is added: the
 * configuration rendered at synth only meets checked providers.
 * @throws `AgentPod '<where>': llmProviders '<name>' has no model ...`
 */
export function checkGatewayProvider(where: string, provider: LlmProvider): void {
  if (provider._liteLlmParams().model === undefined) {
    fail(KIND, where, 'llmProviders', provider.name, 'has no model: the LLM gateway needs the model it calls (give `model` to the LlmProvider factory)');
  }
}

/**
 * LiteLLM's proxy configuration for `providers` (in fallback order) and `mcpServers`:
 * - `include` of {@link GATEWAY_SETTINGS_KEY} (see {@link liteLlmSettings});
 * - `model_list`: one entry per provider, `model_name` the provider's name
 *   (what the agent asks for), `litellm_params` from the provider;
 * - `router_settings.fallbacks`: each provider falls back to the ones
 *   declared after it, in order (`[{ main: [backup, last] }, { backup: [last] }]`);
 * - `mcp_servers`: one entry per MCP server, keyed by its name, each with
 *   `allow_all_keys: true` (see below);
 * - `general_settings.dangerously_permit_weak_or_unset_master_key`: the
 *   proxy starts without a master key (LiteLLM refuses to otherwise), as it
 *   listens on the pod's loopback address only.
 *
 * Without a master key LiteLLM lets every caller in, but shows an MCP server
 * only to callers its key (or team, ...) is granted, which no caller has
 * without a database: its `/mcp` endpoint lists no tool and refuses a
 * caller with a key. `allow_all_keys: true` opens each server to every
 * caller of the proxy, i.e. to the pod's own containers only (loopback), as
 * the LLM routes are: the agent needs no key for either.
 *
 * The providers are the ones `AgentPod` checked as they were added
 * ({@link checkGatewayProvider}, {@link checkLlmProviders}).
 */
export function liteLlmConfig(providers: readonly LlmProvider[], mcpServers: readonly McpServer[] = []): any {
  const modelList = providers.map(provider => ({ model_name: provider.name, litellm_params: provider._liteLlmParams() }));
  const fallbacks = providers.slice(0, -1).map((p, i) => ({ [p.name]: providers.slice(i + 1).map(f => f.name) }));
  return {
    include: [GATEWAY_SETTINGS_KEY],
    model_list: modelList,
    ...(fallbacks.length > 0 ? { router_settings: { fallbacks } } : {}),
    ...(mcpServers.length > 0 ? { mcp_servers: liteLlmMcpServers(mcpServers) } : {}),
    // The proxy listens on 127.0.0.1 in the pod: only the pod's own containers
    // reach it, and the agent calls it (LLM and MCP routes) without a key (it never holds one).
    general_settings: { dangerously_permit_weak_or_unset_master_key: true },
  };
}

/** `mcp_servers`: each server's entry by its name, open to every caller of the proxy (`allow_all_keys`). */
function liteLlmMcpServers(mcpServers: readonly McpServer[]): { [name: string]: any } {
  return Object.fromEntries(mcpServers.map(server => [server.name, { ...server._liteLlmEntry(), allow_all_keys: true }]));
}

/**
 * The included settings: `litellm_settings` with `num_retries` and
 * `request_timeout` (the router takes both as its defaults), `drop_params`
 * (the agent's SDK may send parameters a fallback provider does not take)
 * and `use_chat_completions_url_for_anthropic_messages` (an Anthropic-style
 * `/v1/messages` call to an OpenAI-style provider goes to its chat
 * completions, which every OpenAI-compatible server has, not to its
 * Responses API).
 */
export function liteLlmSettings(settings: LlmGatewaySettings = LLM_GATEWAY_DEFAULTS): any {
  return {
    litellm_settings: {
      num_retries: settings.maxRetries,
      request_timeout: settings.requestTimeoutSeconds,
      drop_params: true,
      use_chat_completions_url_for_anthropic_messages: true,
    },
  };
}

/**
 * The two files of the gateway, as the YAML texts of their ConfigMap keys.
 * @param render writes one document as YAML (default: the library's YAML
 *   writer); `AgentPod` passes one that renders a document many agents share once per synth
 */
export function liteLlmFiles(
  providers: readonly LlmProvider[], settings?: LlmGatewaySettings, mcpServers: readonly McpServer[] = [],
  render: (doc: any) => string = stringifyYaml,
): { [key: string]: string } {
  return {
    [GATEWAY_CONFIG_KEY]: render(liteLlmConfig(providers, mcpServers)),
    [GATEWAY_SETTINGS_KEY]: render(liteLlmSettings(settings)),
  };
}

/**
 * Checks the providers of one agent as a whole (their order is the fallback
 * order; each is checked against the ones before it):
 * - two providers may set the same sidecar variable only from the same key
 *   of the same Secret (then they share it, e.g. two Anthropic models with
 *   one key); from another key it would be overwritten;
 * - a Bedrock provider using the pod's AWS identity cannot sit beside a
 *   provider that sets `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` or
 *   `AWS_SESSION_TOKEN`: the AWS SDK would take those keys for it too;
 * - the agent's ServiceAccount has one IAM role: every Bedrock `roleArn` must
 *   be the same.
 * @throws `AgentPod '<where>': llmProviders '<name>' <problem>`, naming the
 *   variable and Secret references (never a value)
 */
export function checkLlmProviders(where: string, providers: readonly LlmProvider[]): void {
  const sources = new Map<string, { provider: string; secretName: string; secretKey: string }>();
  providers.forEach((provider, i) => {
    for (const env of provider._secretEnv()) {
      const before = sources.get(env.envVar);
      if (before && (before.secretName !== env.secretName || before.secretKey !== env.secretKey)) {
        fail(KIND, where, 'llmProviders', provider.name,
          `sets the sidecar variable ${env.envVar} from Secret ${env.secretName} key ${env.secretKey}, which provider '${before.provider}' sets from Secret ${before.secretName} key ${before.secretKey}; give one of them another variable (apiKeyEnvVar)`);
      }
      if (!before) sources.set(env.envVar, { provider: provider.name, ...env });
    }
    const ambient = [provider, ...providers.slice(0, i)].find(p => p._workloadIdentity() !== undefined);
    const keyed = [provider, ...providers.slice(0, i)].find(p => p._secretEnv().some(e => AWS_SDK_KEY_VARIABLES.includes(e.envVar)));
    if (ambient && keyed) {
      fail(KIND, where, 'llmProviders', provider.name,
        `mixes '${ambient.name}', which uses the pod's AWS identity, with '${keyed.name}', which sets ${AWS_SDK_KEY_VARIABLES.join('/')} in the sidecar: the AWS SDK would use those keys for '${ambient.name}' too; give '${keyed.name}' other variables (credentials.accessKeyIdEnvVar, credentials.secretAccessKeyEnvVar)`);
    }
  });
  llmServiceAccountAnnotations(where, providers);
}

/**
 * The annotations the agent's ServiceAccount needs for its LLM providers:
 * `eks.amazonaws.com/role-arn` when a Bedrock provider uses IAM Roles for
 * Service Accounts. The AgentPod renders them on its ServiceAccount; the EKS
 * webhook then gives the role to every container of the pod unless the pod
 * annotation `eks.amazonaws.com/skip-containers` names the others.
 * @throws `AgentPod '<where>': llmProviders '<name>' roleArn ...` when two providers ask for different roles
 */
export function llmServiceAccountAnnotations(where: string, providers: readonly LlmProvider[]): { [key: string]: string } {
  const annotations: { [key: string]: string } = {};
  const from: { [key: string]: string } = {};
  for (const provider of providers) {
    for (const [key, value] of Object.entries(provider._serviceAccountAnnotations())) {
      if (annotations[key] !== undefined && annotations[key] !== value) {
        fail(KIND, where, `llmProviders['${provider.name}'].roleArn`, value,
          `differs from the role of '${from[key]}' (${annotations[key]}): the agent's ServiceAccount has one ${key} annotation`);
      }
      annotations[key] = value;
      from[key] = from[key] ?? provider.name;
    }
  }
  return annotations;
}
