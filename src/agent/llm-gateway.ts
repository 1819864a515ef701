/**
 * The LLM gateway of an agent: the configuration (`config.yaml`) of
 * LiteLLM's proxy, the open-source gateway the tool sidecar runs, rendered
 * from the agent's LLM providers. Internal module; `LlmProvider` holds the
 * per-provider rule (its LiteLLM model string and parameters), this module
 * the whole file: one model entry per provider, the router's fallbacks in
 * the declared order, the timeout and retries.
 *
 * Keys are never in it: each provider's `api_key` is an `os.environ/<VAR>`
 * reference to the sidecar's `secretKeyRef` variable, which LiteLLM reads
 * at start-up.
 */
import type { LlmProvider } from './llm-provider';
import { fail } from '../core/validation';
import { stringifyYaml } from '../core/yaml';

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
 * Checks that the gateway can route to `provider`: it needs the model it calls.
 * @throws `AgentPod '<where>': llmProviders '<name>' has no model ...`
 */
export function checkGatewayProvider(where: string, provider: LlmProvider): void {
  if (provider.model === undefined) {
    fail('AgentPod', where, 'llmProviders', provider.name, 'has no model: the LLM gateway needs the model it calls (give `model` to the LlmProvider factory)');
  }
}

/**
 * LiteLLM's proxy configuration for `providers` (in fallback order):
 * - `include` of {@link GATEWAY_SETTINGS_KEY} (see {@link liteLlmSettings});
 * - `model_list`: one entry per provider, `model_name` the provider's name
 *   (what the agent asks for), `litellm_params` from the provider;
 * - `router_settings.fallbacks`: each provider falls back to the ones
 *   declared after it, in order (`[{ main: [backup, last] }, { backup: [last] }]`).
 * @throws `AgentPod '<where>': llmProviders '<name>' has no model ...` when a
 *   provider has no model: the gateway must know which model to call
 */
export function liteLlmConfig(where: string, providers: readonly LlmProvider[]): any {
  const modelList = providers.map(provider => {
    checkGatewayProvider(where, provider);
    return { model_name: provider.name, litellm_params: provider._liteLlmParams() };
  });
  const fallbacks = providers.slice(0, -1).map((p, i) => ({ [p.name]: providers.slice(i + 1).map(f => f.name) }));
  return {
    include: [GATEWAY_SETTINGS_KEY],
    model_list: modelList,
    ...(fallbacks.length > 0 ? { router_settings: { fallbacks } } : {}),
  };
}

/**
 * The included settings: `litellm_settings` with `num_retries` and
 * `request_timeout` (the router takes both as its defaults) and
 * `drop_params` (the agent's SDK may send parameters a fallback provider
 * does not take).
 */
export function liteLlmSettings(settings: LlmGatewaySettings = LLM_GATEWAY_DEFAULTS): any {
  return {
    litellm_settings: {
      num_retries: settings.maxRetries,
      request_timeout: settings.requestTimeoutSeconds,
      drop_params: true,
    },
  };
}

/** The two files of the gateway, as the YAML texts of their ConfigMap keys. */
export function liteLlmFiles(where: string, providers: readonly LlmProvider[], settings?: LlmGatewaySettings): { [key: string]: string } {
  return {
    [GATEWAY_CONFIG_KEY]: stringifyYaml(liteLlmConfig(where, providers)),
    [GATEWAY_SETTINGS_KEY]: stringifyYaml(liteLlmSettings(settings)),
  };
}
