/**
 * The LiteLLM configs the gateway tests run: written by hand for now, in the
 * shape the library will render from its LlmProviders and ToolSidecar (the
 * rendered config replaces these functions). Keys only as `os.environ/NAME`
 * references: the values are in the proxy's environment (KEY_ENV).
 */
import type { StubProvider } from '../../gateway/stub-providers';

/** The proxy's variables holding the secrets the configs name. */
export const KEY_ENV = {
  main: 'MAIN_LLM_API_KEY',
  fallback: 'FALLBACK_LLM_API_KEY',
  master: 'LITELLM_MASTER_KEY',
} as const;

/** The model groups the agent asks for. */
export const MODELS = { main: 'main', fallback: 'fallback' } as const;
/** The models the providers are asked for (what the stubs see as `model`). */
export const PROVIDER_MODELS = { main: 'gpt-stub', fallback: 'claude-stub' } as const;

/** The main provider's timeout, seconds (`litellm_params.timeout`). */
export const MAIN_TIMEOUT_SECONDS = 2;
/** Retries of a failed call before the fallback (`router_settings.num_retries`). */
export const NUM_RETRIES = 1;

export interface Backends {
  /** OpenAI-shaped: the main provider. */
  readonly main: StubProvider;
  /** Anthropic-shaped: the fallback provider. */
  readonly fallback: StubProvider;
}

/** `model_list`: main (OpenAI API) and fallback (Anthropic API), each with its key from the environment. */
function modelList(backends: Backends): object[] {
  return [
    {
      model_name: MODELS.main,
      litellm_params: {
        model: `openai/${PROVIDER_MODELS.main}`,
        api_base: `${backends.main.url}/v1`,
        api_key: `os.environ/${KEY_ENV.main}`,
        timeout: MAIN_TIMEOUT_SECONDS,
      },
    },
    {
      model_name: MODELS.fallback,
      litellm_params: {
        model: `anthropic/${PROVIDER_MODELS.fallback}`,
        api_base: backends.fallback.url,
        api_key: `os.environ/${KEY_ENV.fallback}`,
        timeout: 30,
      },
    },
  ];
}

/** Main, falling back to fallback after NUM_RETRIES retries; callers need the master key. */
export function routingConfig(backends: Backends): object {
  return {
    model_list: modelList(backends),
    router_settings: { fallbacks: [{ [MODELS.main]: [MODELS.fallback] }], num_retries: NUM_RETRIES },
    general_settings: { master_key: `os.environ/${KEY_ENV.master}` },
  };
}

/**
 * The same providers with two process-wide settings instead (`litellm_settings`):
 * `/v1/messages` calls to an OpenAI provider go to its chat completions
 * (not its Responses API), and no retries.
 */
export function chatCompletionsBridgeConfig(backends: Backends): object {
  return {
    model_list: modelList(backends),
    router_settings: { fallbacks: [{ [MODELS.main]: [MODELS.fallback] }] },
    litellm_settings: { use_chat_completions_url_for_anthropic_messages: true, num_retries: 0 },
    general_settings: { master_key: `os.environ/${KEY_ENV.master}` },
  };
}

/** An `mcp_servers` entry of a stdio server: what LiteLLM runs, with which variables. */
export interface StdioServer {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: { readonly [name: string]: string };
}

/** MCP servers behind the gateway: one over Streamable HTTP, one LiteLLM starts on stdio. */
export function mcpConfig(httpServerUrl: string, stdio: StdioServer): object {
  return {
    mcp_servers: {
      http_tools: { url: httpServerUrl, transport: 'http' },
      stdio_tools: { transport: 'stdio', command: stdio.command, args: [...stdio.args], env: { ...stdio.env } },
    },
    general_settings: { master_key: `os.environ/${KEY_ENV.master}` },
  };
}
