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

/**
 * LiteLLM's proxy configuration for `providers` (in fallback order):
 * - `model_list`: one entry per provider, `model_name` the provider's name
 *   (what the agent asks for), `litellm_params` from the provider;
 * - `router_settings.fallbacks`: each provider falls back to the ones
 *   declared after it, in order (`[{ main: [backup, last] }, { backup: [last] }]`);
 * - `router_settings.num_retries` and `timeout`, and the same in
 *   `litellm_settings` (`num_retries`, `request_timeout`) for calls that
 *   bypass the router.
 * @throws `<where>: llmProviders '<name>' ...` when a provider has no model:
 *   the gateway must know which model to call
 */
export function liteLlmConfig(where: string, providers: readonly LlmProvider[], settings: LlmGatewaySettings = LLM_GATEWAY_DEFAULTS): any {
  const modelList = providers.map(provider => {
    if (provider.model === undefined) {
      fail('AgentPod', where, 'llmProviders', provider.name, 'has no model: the LLM gateway needs the model it calls (give `model` to the LlmProvider factory)');
    }
    return { model_name: provider.name, litellm_params: provider._liteLlmParams() };
  });
  const fallbacks = providers.slice(0, -1).map((p, i) => ({ [p.name]: providers.slice(i + 1).map(f => f.name) }));
  return {
    model_list: modelList,
    router_settings: {
      ...(fallbacks.length > 0 ? { fallbacks } : {}),
      num_retries: settings.maxRetries,
      timeout: settings.requestTimeoutSeconds,
    },
    litellm_settings: {
      num_retries: settings.maxRetries,
      request_timeout: settings.requestTimeoutSeconds,
      // The agent's SDK may send parameters a fallback provider does not take.
      drop_params: true,
    },
  };
}

/** {@link liteLlmConfig} as the YAML text of the ConfigMap key the sidecar mounts. */
export function liteLlmConfigYaml(where: string, providers: readonly LlmProvider[], settings?: LlmGatewaySettings): string {
  return stringifyYaml(liteLlmConfig(where, providers, settings));
}
