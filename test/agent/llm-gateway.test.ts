import { parse } from 'yaml';
import { LlmProvider } from '../../src';
import { GATEWAY_SETTINGS_KEY, checkGatewayProvider, liteLlmConfig, liteLlmFiles, liteLlmSettings, LLM_GATEWAY_DEFAULTS } from '../../src/agent/llm-gateway';

const anthropic = LlmProvider.anthropic({ name: 'main-llm', model: 'claude-sonnet-4-5', credentials: { secretName: 'anthropic' } });
const openai = LlmProvider.openai({ name: 'backup-llm', model: 'gpt-4o', credentials: { secretName: 'openai', secretKey: 'key' } });
const vllm = LlmProvider.generic({
  name: 'local', providerType: 'vllm', model: 'meta-llama/Llama-3.1-8B-Instruct', endpoint: 'http://vllm.models.svc:8000/v1', credentials: { secretName: 'vllm' },
});

describe('LiteLLM configuration of the LLM gateway', () => {
  test('one model entry per provider, named as the provider, keys as os.environ references', () => {
    const config = liteLlmConfig([anthropic, openai, vllm]);
    expect(config.model_list).toEqual([
      { model_name: 'main-llm', litellm_params: { model: 'anthropic/claude-sonnet-4-5', api_base: 'https://api.anthropic.com', api_key: 'os.environ/ANTHROPIC_API_KEY' } },
      { model_name: 'backup-llm', litellm_params: { model: 'openai/gpt-4o', api_base: 'https://api.openai.com/v1', api_key: 'os.environ/OPENAI_API_KEY' } },
      {
        model_name: 'local',
        litellm_params: { model: 'openai/meta-llama/Llama-3.1-8B-Instruct', api_base: 'http://vllm.models.svc:8000/v1', api_key: 'os.environ/LLM_LOCAL_API_KEY' },
      },
    ]);
  });

  test('each provider falls back to the ones declared after it, in order', () => {
    expect(liteLlmConfig([anthropic, openai, vllm]).router_settings.fallbacks).toEqual([
      { 'main-llm': ['backup-llm', 'local'] },
      { 'backup-llm': ['local'] },
    ]);
    expect(liteLlmConfig([anthropic])).not.toHaveProperty('router_settings');
  });

  test('timeout and retries live in the included settings file, which an overlay replaces whole', () => {
    const config = liteLlmConfig([anthropic, openai]);
    expect(config.include).toEqual([GATEWAY_SETTINGS_KEY]);
    // LiteLLM's include replaces a top-level key of the main file: the main file holds none of the settings'.
    expect(Object.keys(config)).toEqual(['include', 'model_list', 'router_settings', 'general_settings']);
    // No master key: the proxy is on the pod's loopback address, and the agent holds no key.
    expect(config.general_settings).toEqual({ dangerously_permit_weak_or_unset_master_key: true });
    expect(Object.keys(config.router_settings)).toEqual(['fallbacks']);
    expect(liteLlmSettings({ requestTimeoutSeconds: 120, maxRetries: 0 })).toEqual({
      litellm_settings: { request_timeout: 120, num_retries: 0, drop_params: true, use_chat_completions_url_for_anthropic_messages: true },
    });
    expect(liteLlmSettings().litellm_settings).toMatchObject({
      request_timeout: LLM_GATEWAY_DEFAULTS.requestTimeoutSeconds, num_retries: LLM_GATEWAY_DEFAULTS.maxRetries,
    });
  });

  test('the YAML texts read back as the configuration (PyYAML, as LiteLLM, reads YAML 1.1)', () => {
    const files = liteLlmFiles([anthropic, openai], { requestTimeoutSeconds: 30, maxRetries: 1 });
    expect(Object.keys(files)).toEqual(['config.yaml', GATEWAY_SETTINGS_KEY]);
    expect(parse(files['config.yaml'], { version: '1.1' })).toEqual(liteLlmConfig([anthropic, openai]));
    expect(parse(files[GATEWAY_SETTINGS_KEY], { version: '1.1' })).toEqual(liteLlmSettings({ requestTimeoutSeconds: 30, maxRetries: 1 }));
    expect(files['config.yaml']).not.toMatch(/sk-|api_key: (?!os\.environ\/)/);
  });

  test('a provider without a model is refused, naming the agent and the provider', () => {
    const noModel = LlmProvider.openai({ name: 'nomodel', credentials: { secretName: 'openai' } });
    expect(() => checkGatewayProvider('agents/a', noModel))
      .toThrow("AgentPod 'agents/a': llmProviders 'nomodel' has no model: the LLM gateway needs the model it calls");
    expect(() => checkGatewayProvider('agents/a', anthropic)).not.toThrow();
  });
});
