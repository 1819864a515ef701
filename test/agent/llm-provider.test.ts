/**
 * The typed LLM provider factories (Azure OpenAI, Bedrock, Gemini, Vertex AI,
 * OpenAI-compatible) beside Anthropic and OpenAI: each one's LiteLLM
 * parameters, sidecar variables, egress and AgentType spec entry, the
 * gateway configuration of a mix, and the inputs each refuses.
 */
import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { AgentPod, AgentSource, LlmProvider, ToolSidecar } from '../../src';
import { GATEWAY_CONFIG_KEY, checkLlmProviders, liteLlmConfig, liteLlmFiles, llmServiceAccountAnnotations } from '../../src/agent/llm-gateway';
import { AgentNetworkPolicyOptions, PolicyInput, PolicyRule, deriveEgress } from '../../src/agent/network-policy';
import { PUBLIC_IP_BLOCKS, formatCidr } from '../../src/core/cidr';
import { secretProblem } from '../../src/core/credential-screen';
import { container, envOf, errorOf, findObject } from '../support/util';

const TOOL_IMAGE = 'registry.example.com/agents/tool-manager:0.1.0';

const anthropic = () => LlmProvider.anthropic({ name: 'main-llm', model: 'claude-sonnet-4-5', credentials: { secretName: 'anthropic' } });
const openai = () => LlmProvider.openai({ name: 'openai-llm', model: 'gpt-4o', credentials: { secretName: 'openai' } });
const azure = () => LlmProvider.azureOpenAi({
  name: 'azure-llm',
  endpoint: 'https://contoso.openai.azure.com',
  deployment: 'gpt-4o-prod',
  apiVersion: '2024-10-21',
  model: 'gpt-4o',
  credentials: { secretName: 'azure-openai' },
});
const bedrockKeys = () => LlmProvider.bedrock({
  name: 'bedrock-llm',
  region: 'us-east-1',
  model: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
  credentials: { secretName: 'aws-bedrock' },
});
const bedrockIrsa = (roleArn = 'arn:aws:iam::123456789012:role/bedrock-caller', name = 'bedrock-irsa') => LlmProvider.bedrock({
  name, region: 'eu-west-3', model: 'mistral.mistral-large-2402-v1:0', roleArn,
});
const bedrockPodIdentity = () => LlmProvider.bedrock({ name: 'bedrock-pod', region: 'us-west-2', model: 'amazon.nova-pro-v1:0' });
const gemini = () => LlmProvider.gemini({ name: 'gemini-llm', model: 'gemini-2.5-flash', credentials: { secretName: 'gemini' } });
const vertex = () => LlmProvider.vertexAi({
  name: 'vertex-llm', project: 'my-project-123', location: 'europe-west4', model: 'gemini-2.5-pro', credentials: { secretName: 'vertex-sa' },
});
const vllmService = () => LlmProvider.openAiCompatible({
  name: 'local-vllm', model: 'meta-llama/Llama-3.1-8B-Instruct', service: { name: 'vllm', namespaceName: 'models', port: 80, targetPort: 8000 },
});
const ollamaUrl = () => LlmProvider.openAiCompatible({
  name: 'ollama', model: 'llama3.2', endpoint: 'http://10.1.2.3:11434/v1', credentials: { secretName: 'ollama', secretKey: 'token' },
});

/** Every provider kind, in one fallback order without a conflict. */
const mix = () => [anthropic(), openai(), azure(), bedrockKeys(), gemini(), vertex(), vllmService(), ollamaUrl()];

const NO_DNS: AgentNetworkPolicyOptions = { allowDns: false };
const tcp = (...ports: number[]) => ports.map(port => ({ protocol: 'TCP', port }));
const pods = (namespace: string, ports: any[]): PolicyRule => ({ peer: { type: 'pods', namespaces: [namespace], labels: {} }, ports });
const ip = (cidr: string, ports: any[], except: string[] = []): PolicyRule => ({ peer: { type: 'ipBlock', cidr, except }, ports });
const anyPublic = (ports: any[]): PolicyRule[] => PUBLIC_IP_BLOCKS.map(b => ip(formatCidr(b.cidr), ports, b.except.map(formatCidr)));
const egressOf = (providers: LlmProvider[], options: AgentNetworkPolicyOptions = NO_DNS) =>
  deriveEgress({ llmProviders: providers }, options, PolicyInput.of('web'));

describe('LiteLLM parameters of each factory', () => {
  test('anthropic and openai keep their route, endpoint and key reference', () => {
    expect(anthropic()._liteLlmParams())
      .toEqual({ model: 'anthropic/claude-sonnet-4-5', api_base: 'https://api.anthropic.com', api_key: 'os.environ/ANTHROPIC_API_KEY' });
    expect(openai()._liteLlmParams()).toEqual({ model: 'openai/gpt-4o', api_base: 'https://api.openai.com/v1', api_key: 'os.environ/OPENAI_API_KEY' });
    // without a model there is no model to call: the gateway refuses it (llm-gateway.test.ts)
    expect(LlmProvider.openai({ credentials: { secretName: 'openai' } })._liteLlmParams()).not.toHaveProperty('model');
  });

  test('azureOpenAi calls the deployment with the API version; the key in AZURE_API_KEY', () => {
    const p = azure();
    expect(p._liteLlmParams()).toEqual({
      model: 'azure/gpt-4o-prod',
      api_base: 'https://contoso.openai.azure.com',
      api_version: '2024-10-21',
      api_key: 'os.environ/AZURE_API_KEY',
    });
    expect(p._secretEnv()).toEqual([{ envVar: 'AZURE_API_KEY', secretName: 'azure-openai', secretKey: 'api-key' }]);
    expect([p.providerType, p.endpoint, p.deployment, p.apiVersion, p.model, p.apiKeyEnvVar, p.secretName, p.secretKey])
      .toEqual(['azure-openai', 'https://contoso.openai.azure.com', 'gpt-4o-prod', '2024-10-21', 'gpt-4o', 'AZURE_API_KEY', 'azure-openai', 'api-key']);
    // the model is optional: the deployment is what is called
    const noModel = LlmProvider.azureOpenAi({
      endpoint: 'https://contoso.openai.azure.com', deployment: 'd', apiVersion: '2025-01-01-preview', credentials: { secretName: 's' }, apiKeyEnvVar: 'AZURE_OPENAI_KEY',
    });
    expect(noModel._liteLlmParams()).toEqual({
      model: 'azure/d', api_base: 'https://contoso.openai.azure.com', api_version: '2025-01-01-preview', api_key: 'os.environ/AZURE_OPENAI_KEY',
    });
    expect([noModel.name, noModel.model]).toEqual(['azure-openai', undefined]);
  });

  test('bedrock with a Secret: the region and two keys of one Secret in the AWS SDK variables', () => {
    const p = bedrockKeys();
    expect(p._liteLlmParams()).toEqual({
      model: 'bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0',
      aws_region_name: 'us-east-1',
      aws_access_key_id: 'os.environ/AWS_ACCESS_KEY_ID',
      aws_secret_access_key: 'os.environ/AWS_SECRET_ACCESS_KEY',
    });
    expect(p._secretEnv()).toEqual([
      { envVar: 'AWS_ACCESS_KEY_ID', secretName: 'aws-bedrock', secretKey: 'aws-access-key-id' },
      { envVar: 'AWS_SECRET_ACCESS_KEY', secretName: 'aws-bedrock', secretKey: 'aws-secret-access-key' },
    ]);
    expect([p.endpoint, p.region, p.secretName, p.secretKey, p.apiKeyEnvVar, p._workloadIdentity()])
      .toEqual(['https://bedrock-runtime.us-east-1.amazonaws.com', 'us-east-1', 'aws-bedrock', undefined, undefined, undefined]);
    expect(p._serviceAccountAnnotations()).toEqual({});

    const custom = LlmProvider.bedrock({
      region: 'cn-north-1',
      model: 'm',
      credentials: { secretName: 'aws', accessKeyIdKey: 'id', secretAccessKeyKey: 'secret', accessKeyIdEnvVar: 'BEDROCK_ID', secretAccessKeyEnvVar: 'BEDROCK_SECRET' },
    });
    expect(custom._liteLlmParams()).toEqual({
      model: 'bedrock/m', aws_region_name: 'cn-north-1', aws_access_key_id: 'os.environ/BEDROCK_ID', aws_secret_access_key: 'os.environ/BEDROCK_SECRET',
    });
    expect(custom._secretEnv().map(e => [e.envVar, e.secretKey])).toEqual([['BEDROCK_ID', 'id'], ['BEDROCK_SECRET', 'secret']]);
    expect(custom.endpoint).toBe('https://bedrock-runtime.cn-north-1.amazonaws.com.cn');
  });

  test('bedrock without a Secret: no credential parameter; IRSA annotates the ServiceAccount, else EKS Pod Identity', () => {
    const irsa = bedrockIrsa();
    expect(irsa._liteLlmParams()).toEqual({ model: 'bedrock/mistral.mistral-large-2402-v1:0', aws_region_name: 'eu-west-3' });
    expect(irsa._secretEnv()).toEqual([]);
    expect([irsa.secretName, irsa.roleArn, irsa._workloadIdentity()]).toEqual([undefined, 'arn:aws:iam::123456789012:role/bedrock-caller', 'irsa']);
    expect(irsa._serviceAccountAnnotations()).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/bedrock-caller' });

    const pod = bedrockPodIdentity();
    expect(pod._liteLlmParams()).toEqual({ model: 'bedrock/amazon.nova-pro-v1:0', aws_region_name: 'us-west-2' });
    expect([pod._workloadIdentity(), pod._serviceAccountAnnotations()]).toEqual(['eks-pod-identity', {}]);
  });

  test('gemini: the route and the key; LiteLLM knows the endpoint, so no api_base', () => {
    const p = gemini();
    expect(p._liteLlmParams()).toEqual({ model: 'gemini/gemini-2.5-flash', api_key: 'os.environ/GEMINI_API_KEY' });
    expect(p._secretEnv()).toEqual([{ envVar: 'GEMINI_API_KEY', secretName: 'gemini', secretKey: 'api-key' }]);
    expect(p.endpoint).toBe('https://generativelanguage.googleapis.com');
  });

  test('vertexAi: project, location and the service-account JSON from VERTEXAI_CREDENTIALS', () => {
    const p = vertex();
    expect(p._liteLlmParams()).toEqual({
      model: 'vertex_ai/gemini-2.5-pro',
      vertex_project: 'my-project-123',
      vertex_location: 'europe-west4',
      vertex_credentials: 'os.environ/VERTEXAI_CREDENTIALS',
    });
    expect(p._secretEnv()).toEqual([{ envVar: 'VERTEXAI_CREDENTIALS', secretName: 'vertex-sa', secretKey: 'credentials.json' }]);
    expect([p.endpoint, p.project, p.location]).toEqual(['https://europe-west4-aiplatform.googleapis.com', 'my-project-123', 'europe-west4']);
    const global = LlmProvider.vertexAi({ project: 'example.com:legacy-project', location: 'global', model: 'gemini-2.5-pro', credentials: { secretName: 'sa' } });
    expect(global.endpoint).toBe('https://aiplatform.googleapis.com');
  });

  test('openAiCompatible: an in-cluster Service gives the endpoint; without credentials the key is the placeholder none', () => {
    const service = vllmService();
    expect(service._liteLlmParams()).toEqual({
      model: 'openai/meta-llama/Llama-3.1-8B-Instruct', api_base: 'http://vllm.models.svc.cluster.local:80/v1', api_key: 'none',
    });
    expect([service.endpoint, service._secretEnv(), service.secretName, service.apiKeyEnvVar])
      .toEqual(['http://vllm.models.svc.cluster.local:80/v1', [], undefined, undefined]);
    expect(service._egressService()).toEqual({ namespace: 'models', port: 8000 });

    const url = ollamaUrl();
    expect(url._liteLlmParams()).toEqual({ model: 'openai/llama3.2', api_base: 'http://10.1.2.3:11434/v1', api_key: 'os.environ/LLM_OLLAMA_API_KEY' });
    expect(url._secretEnv()).toEqual([{ envVar: 'LLM_OLLAMA_API_KEY', secretName: 'ollama', secretKey: 'token' }]);
    expect(url._egressService()).toBeUndefined();
  });

  test('params are copies', () => {
    const p = azure();
    p._liteLlmParams().api_key = 'changed';
    p._secretEnv().pop();
    expect(p._liteLlmParams().api_key).toBe('os.environ/AZURE_API_KEY');
    expect(p._secretEnv()).toHaveLength(1);
  });
});

describe('the gateway configuration of a mix', () => {
  test('one entry per provider with its own parameters, in the declared order, falling back in that order', () => {
    const providers = mix();
    const config = liteLlmConfig(providers);
    expect(config.model_list).toEqual(providers.map(p => ({ model_name: p.name, litellm_params: p._liteLlmParams() })));
    expect(config.model_list.map((m: any) => m.litellm_params.model)).toEqual([
      'anthropic/claude-sonnet-4-5',
      'openai/gpt-4o',
      'azure/gpt-4o-prod',
      'bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0',
      'gemini/gemini-2.5-flash',
      'vertex_ai/gemini-2.5-pro',
      'openai/meta-llama/Llama-3.1-8B-Instruct',
      'openai/llama3.2',
    ]);
    expect(config.router_settings.fallbacks[0]).toEqual({ 'main-llm': providers.slice(1).map(p => p.name) });
  });

  test('no credential value anywhere: every credential parameter is an os.environ reference (or the placeholder none)', () => {
    const text = liteLlmFiles([...mix(), bedrockIrsa()].filter(p => p.name !== 'bedrock-llm'))[GATEWAY_CONFIG_KEY];
    const config = parse(text, { version: '1.1' });
    const credentialParams = ['api_key', 'aws_access_key_id', 'aws_secret_access_key', 'aws_session_token', 'vertex_credentials'];
    const seen: string[] = [];
    for (const entry of config.model_list) {
      for (const [key, value] of Object.entries<string>(entry.litellm_params)) {
        if (credentialParams.includes(key)) {
          seen.push(key);
          expect(value).toMatch(entry.model_name === 'local-vllm' ? /^none$/ : /^os\.environ\/[A-Z_][A-Z0-9_]*$/);
        }
      }
    }
    expect(new Set(seen)).toEqual(new Set(['api_key', 'vertex_credentials']));
    // and no string of the file has the shape of a key, a private key or a credential URL
    const strings = (v: any): string[] => typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(strings) : [];
    expect(strings(config).filter(v => secretProblem(v) !== undefined)).toEqual([]);
    // YAML 1.1 (PyYAML, as LiteLLM) reads the API version as the string it is, not a date
    expect(config.model_list.find((m: any) => m.model_name === 'azure-llm').litellm_params.api_version).toBe('2024-10-21');
    expect(text).toContain('api_version: "2024-10-21"');
  });

  test('Bedrock keys in the mix render as os.environ references too', () => {
    const config = parse(liteLlmFiles([bedrockKeys()])[GATEWAY_CONFIG_KEY], { version: '1.1' });
    expect(config.model_list[0].litellm_params).toMatchObject({
      aws_access_key_id: 'os.environ/AWS_ACCESS_KEY_ID', aws_secret_access_key: 'os.environ/AWS_SECRET_ACCESS_KEY',
    });
  });

  test('an Azure provider needs no model: its deployment is called', () => {
    const noModel = LlmProvider.azureOpenAi({
      name: 'azure', endpoint: 'https://contoso.openai.azure.com', deployment: 'gpt4', apiVersion: '2024-10-21', credentials: { secretName: 's' },
    });
    expect(liteLlmConfig([noModel]).model_list[0].litellm_params.model).toBe('azure/gpt4');
  });
});

describe('providers of one agent, checked together', () => {
  const anthropicNamed = (name: string, secretName = 'anthropic', model = 'claude-haiku-4-5') =>
    LlmProvider.anthropic({ name, model, credentials: { secretName } });

  test('a variable may be shared from the same Secret key, not from another', () => {
    expect(() => checkLlmProviders('agents/a', [anthropic(), anthropicNamed('fallback')])).not.toThrow();
    const message = errorOf(() => checkLlmProviders('agents/a', [anthropic(), anthropicNamed('other', 'anthropic-2')]));
    expect(message).toBe("AgentPod 'agents/a': llmProviders 'other' sets the sidecar variable ANTHROPIC_API_KEY from Secret anthropic-2 key api-key, "
      + "which provider 'main-llm' sets from Secret anthropic key api-key; give one of them another variable (apiKeyEnvVar)");
    // Bedrock's second variable collides with a generic provider's key variable
    const generic = LlmProvider.generic({
      name: 'proxy', providerType: 'vllm', model: 'm', endpoint: 'http://proxy:8000', credentials: { secretName: 'proxy' }, apiKeyEnvVar: 'AWS_SECRET_ACCESS_KEY',
    });
    expect(errorOf(() => checkLlmProviders('agents/a', [generic, bedrockKeys()]))).toContain('sets the sidecar variable AWS_SECRET_ACCESS_KEY');
  });

  test('the pod\'s AWS identity cannot sit beside AWS SDK key variables; other variable names can', () => {
    const message = errorOf(() => checkLlmProviders('agents/a', [bedrockKeys(), bedrockIrsa()]));
    expect(message).toContain("llmProviders 'bedrock-irsa' mixes 'bedrock-irsa', which uses the pod's AWS identity, with 'bedrock-llm'");
    expect(errorOf(() => checkLlmProviders('agents/a', [bedrockPodIdentity(), bedrockKeys()]))).toContain("mixes 'bedrock-pod'");
    const ownVariables = LlmProvider.bedrock({
      name: 'other-account',
      region: 'us-east-1',
      model: 'm',
      credentials: { secretName: 'other-aws', accessKeyIdEnvVar: 'OTHER_AWS_ID', secretAccessKeyEnvVar: 'OTHER_AWS_SECRET' },
    });
    expect(() => checkLlmProviders('agents/a', [bedrockIrsa(), ownVariables])).not.toThrow();
  });

  test('one IAM role per ServiceAccount', () => {
    expect(llmServiceAccountAnnotations('agents/a', [anthropic(), bedrockIrsa(), bedrockIrsa(undefined, 'same-role')]))
      .toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/bedrock-caller' });
    expect(llmServiceAccountAnnotations('agents/a', [anthropic(), bedrockPodIdentity()])).toEqual({});
    const message = errorOf(() => checkLlmProviders('agents/a', [bedrockIrsa(), bedrockIrsa('arn:aws:iam::123456789012:role/other', 'other')]));
    expect(message).toBe("AgentPod 'agents/a': llmProviders['other'].roleArn 'arn:aws:iam::123456789012:role/other' differs from the role of "
      + "'bedrock-irsa' (arn:aws:iam::123456789012:role/bedrock-caller): the agent's ServiceAccount has one eks.amazonaws.com/role-arn annotation");
  });
});

describe('the AgentPod sidecar gets one secretKeyRef per credential variable', () => {
  const synth = (providers: LlmProvider[]) => {
    const chart = Testing.chart();
    new AgentPod(chart, 'web', { source: AgentSource.image('nginx:1.27'), toolSidecar: new ToolSidecar({ image: TOOL_IMAGE }), llmProviders: providers });
    return envOf(container(findObject(Testing.synth(chart), 'Deployment', 'web'), 'tool-manager'));
  };

  test('Bedrock\'s two keys, Vertex\'s JSON key, none for a keyless server; a shared key once', () => {
    const env = synth([bedrockKeys(), vertex(), vllmService(), anthropic(), LlmProvider.anthropic({ name: 'haiku', model: 'h', credentials: { secretName: 'anthropic' } })]);
    expect(env.AWS_ACCESS_KEY_ID).toEqual({ valueFrom: { secretKeyRef: { name: 'aws-bedrock', key: 'aws-access-key-id' } } });
    expect(env.AWS_SECRET_ACCESS_KEY).toEqual({ valueFrom: { secretKeyRef: { name: 'aws-bedrock', key: 'aws-secret-access-key' } } });
    expect(env.VERTEXAI_CREDENTIALS).toEqual({ valueFrom: { secretKeyRef: { name: 'vertex-sa', key: 'credentials.json' } } });
    expect(env.ANTHROPIC_API_KEY).toEqual({ valueFrom: { secretKeyRef: { name: 'anthropic', key: 'api-key' } } });
    const secretRefs = Object.values(env).filter((v: any) => v?.valueFrom?.secretKeyRef);
    expect(secretRefs).toHaveLength(4);
  });

  test('a conflicting variable is refused when the provider is added', () => {
    expect(errorOf(() => synth([anthropic(), LlmProvider.anthropic({ name: 'b', model: 'h', credentials: { secretName: 'other' } })])))
      .toContain("AgentPod 'test/web': llmProviders 'b' sets the sidecar variable ANTHROPIC_API_KEY from Secret other key api-key");
  });
});

describe('egress of each provider', () => {
  test('cloud providers: their public endpoint on 443', () => {
    for (const p of [azure(), bedrockKeys(), bedrockIrsa(), gemini(), vertex()]) expect(egressOf([p])).toEqual(anyPublic(tcp(443)));
  });

  test('Bedrock through EKS Pod Identity also reaches the node\'s Pod Identity Agent on 80', () => {
    expect(egressOf([bedrockPodIdentity()])).toEqual([ip('169.254.170.23/32', tcp(80)), ip('fd00:ec2::23/128', tcp(80)), ...anyPublic(tcp(443))]);
  });

  test('an in-cluster Service: the pods of its namespace on the target port, whatever the cluster domain; no public rule', () => {
    expect(egressOf([vllmService()])).toEqual([pods('models', tcp(8000))]);
    const otherDomain = LlmProvider.openAiCompatible({ model: 'm', service: { name: 'ollama', namespaceName: 'llm', port: 11434, clusterDomain: 'corp.internal' } });
    expect(otherDomain.endpoint).toBe('http://ollama.llm.svc.corp.internal:11434/v1');
    expect(egressOf([otherDomain])).toEqual([pods('llm', tcp(11434))]);
  });

  test('an OpenAI-compatible URL: its host and port as for any endpoint', () => {
    expect(egressOf([ollamaUrl()])).toEqual([ip('10.1.2.3/32', tcp(11434))]);
  });
});

describe('the AgentType spec entry of each provider', () => {
  test('settings are strings in config; defaults are left out', () => {
    expect(azure().toSpec()).toEqual({
      name: 'azure-llm',
      providerType: 'azure-openai',
      credentialsSecret: 'azure-openai',
      config: { deployment: 'gpt-4o-prod', apiVersion: '2024-10-21', endpoint: 'https://contoso.openai.azure.com', model: 'gpt-4o' },
    });
    expect(bedrockKeys().toSpec()).toEqual({
      name: 'bedrock-llm',
      providerType: 'bedrock',
      credentialsSecret: 'aws-bedrock',
      config: { region: 'us-east-1', endpoint: 'https://bedrock-runtime.us-east-1.amazonaws.com', model: 'anthropic.claude-3-5-sonnet-20240620-v1:0' },
    });
    expect(bedrockIrsa().toSpec()).toEqual({
      name: 'bedrock-irsa',
      providerType: 'bedrock',
      config: {
        region: 'eu-west-3',
        roleArn: 'arn:aws:iam::123456789012:role/bedrock-caller',
        endpoint: 'https://bedrock-runtime.eu-west-3.amazonaws.com',
        model: 'mistral.mistral-large-2402-v1:0',
      },
    });
    expect(vertex().toSpec()).toEqual({
      name: 'vertex-llm',
      providerType: 'vertex-ai',
      credentialsSecret: 'vertex-sa',
      config: { project: 'my-project-123', location: 'europe-west4', endpoint: 'https://europe-west4-aiplatform.googleapis.com', model: 'gemini-2.5-pro' },
    });
    expect(vllmService().toSpec()).toEqual({
      name: 'local-vllm',
      providerType: 'openai-compatible',
      config: {
        serviceName: 'vllm',
        serviceNamespace: 'models',
        servicePort: '80',
        serviceTargetPort: '8000',
        endpoint: 'http://vllm.models.svc.cluster.local:80/v1',
        model: 'meta-llama/Llama-3.1-8B-Instruct',
      },
    });
    expect(ollamaUrl().toSpec()).toEqual({
      name: 'ollama',
      providerType: 'openai-compatible',
      credentialsSecret: 'ollama',
      credentialsKeyName: 'token',
      config: { endpoint: 'http://10.1.2.3:11434/v1', model: 'llama3.2' },
    });
  });

  const variants = (): LlmProvider[] => [
    ...mix(),
    bedrockIrsa(),
    bedrockPodIdentity(),
    LlmProvider.bedrock({
      name: 'bedrock-custom',
      region: 'us-gov-west-1',
      model: 'm',
      credentials: { secretName: 'aws', accessKeyIdKey: 'id', secretAccessKeyKey: 'secret', accessKeyIdEnvVar: 'B_ID', secretAccessKeyEnvVar: 'B_SECRET' },
      config: { note: 'gov' },
    }),
    LlmProvider.vertexAi({
      name: 'vertex-custom', project: 'p-123456', location: 'global', model: 'claude-sonnet-4@20250514', credentials: { secretName: 'sa', secretKey: 'key.json' }, apiKeyEnvVar: 'GCP_SA_JSON',
    }),
    LlmProvider.gemini({ name: 'gemini-custom', model: 'gemini-2.5-pro', credentials: { secretName: 'g', secretKey: 'k' }, apiKeyEnvVar: 'GOOGLE_AI_KEY' }),
    LlmProvider.openAiCompatible({ name: 'svc-domain', model: 'm', service: { name: 'tgi', namespaceName: 'ml', port: 8080, clusterDomain: 'corp.internal' } }),
    LlmProvider.openAiCompatible({ name: 'keyless-url', model: 'm', endpoint: 'https://llm.example.com/v1' }),
    // written before the typed factories: a generic azure-openai without its settings stays generic
    LlmProvider.generic({ name: 'legacy-azure', providerType: 'azure-openai', endpoint: 'https://x.openai.azure.com', credentials: { secretName: 'x' } }),
  ];

  test.each(variants().map(p => [p.name, p]))('%s: fromSpec(toSpec()) is the same provider', (_, provider) => {
    const p = provider as LlmProvider;
    const back = LlmProvider.fromSpec(JSON.parse(JSON.stringify(p.toSpec())));
    expect(back.toSpec()).toEqual(p.toSpec());
    expect([back.providerType, back.endpoint, back.model, back.config]).toEqual([p.providerType, p.endpoint, p.model, p.config]);
    expect(back._liteLlmParams()).toEqual(p._liteLlmParams());
    expect(back._secretEnv()).toEqual(p._secretEnv());
    expect([back._workloadIdentity(), back._serviceAccountAnnotations(), back._egressService()])
      .toEqual([p._workloadIdentity(), p._serviceAccountAnnotations(), p._egressService()]);
  });

  test('the legacy generic azure-openai reads back as generic, with the openai route', () => {
    const legacy = LlmProvider.fromSpec({ name: 'legacy', providerType: 'azure-openai', credentialsSecret: 'x', config: { endpoint: 'https://x.openai.azure.com', model: 'gpt' } });
    expect([legacy.providerType, legacy.apiKeyEnvVar, legacy.deployment, legacy._liteLlmParams().model]).toEqual(['azure-openai', 'LLM_LEGACY_API_KEY', undefined, 'openai/gpt']);
  });

  test('an AgentPod with every kind of provider round-trips through a schema-checked AgentType spec', () => {
    const providers = [...mix(), LlmProvider.bedrock({ name: 'bedrock-2', region: 'eu-central-1', model: 'm', credentials: { secretName: 'aws-bedrock' } })];
    const pod = new AgentPod(Testing.chart(), 'web', {
      source: AgentSource.image('nginx:1.27'), toolSidecar: new ToolSidecar({ image: TOOL_IMAGE }), llmProviders: providers,
    });
    const spec = JSON.parse(JSON.stringify(pod.toAgentTypeSpec()));
    const back = AgentPod.fromAgentTypeSpec(Testing.chart(), 'web', spec, { toolSidecar: { image: TOOL_IMAGE } });
    expect(back.llmProviders.map(p => p.toSpec())).toEqual(providers.map(p => p.toSpec()));
    expect(back.toAgentTypeSpec().llm).toEqual(spec.llm);
  });
});

describe('fromSpec refuses what does not describe a provider', () => {
  test.each([
    [{ name: 'g', providerType: 'gemini', config: { model: 'm' } }, "LlmProvider 'g': credentialsSecret '' is required"],
    [{ name: 'b', providerType: 'bedrock', credentialsSecret: 'aws', credentialsKeyName: 'k', config: { region: 'us-east-1', model: 'm' } },
      "LlmProvider 'b': credentialsKeyName 'k' does not apply to a bedrock provider"],
    [{ name: 'b', providerType: 'bedrock', config: { region: 'us-east-1', model: 'm', accessKeyIdKeyName: 'id' } },
      "LlmProvider 'b': config.accessKeyIdKeyName 'id' needs credentialsSecret"],
    [{ name: 'b', providerType: 'bedrock', config: { region: 'us-east-1', model: 'm', endpoint: 'https://bedrock-runtime.us-west-2.amazonaws.com' } },
      "LlmProvider 'b': config.endpoint 'https://bedrock-runtime.us-west-2.amazonaws.com' differs from the endpoint of this bedrock provider (https://bedrock-runtime.us-east-1.amazonaws.com)"],
    [{ name: 'v', providerType: 'vertex-ai', credentialsSecret: 's', config: { project: 'my-project', model: 'm' } }, "LlmProvider 'v': location '' is not a Google Cloud location"],
    [{ name: 'o', providerType: 'openai-compatible', config: { model: 'm', serviceName: 'vllm', serviceNamespace: 'ml', servicePort: 'http' } },
      "LlmProvider 'o': config.servicePort 'http' is not a port number"],
    [{ name: 'o', providerType: 'openai-compatible', credentialsKeyName: 'k', config: { model: 'm', endpoint: 'http://vllm:8000/v1' } },
      "LlmProvider 'o': credentialsKeyName 'k' needs credentialsSecret"],
    [{ name: 'a', providerType: 'azure-openai', credentialsSecret: 's', config: { endpoint: 'https://x.openai.azure.com', deployment: 'd' } },
      "LlmProvider 'a': apiVersion '' is not an Azure OpenAI API version"],
    [{ name: 'a', providerType: 'azure-openai', credentialsSecret: 's', config: { endpoint: 'https://x.openai.azure.com', deployment: 'd', apiVersion: 20241021 } },
      "LlmProvider 'a': config.apiVersion 'number' is not a string"],
  ])('%j', (spec, message) => {
    expect(errorOf(() => LlmProvider.fromSpec(spec as any))).toContain(message);
  });
});

describe('each factory refuses bad input, naming LlmProvider, the provider, the field and the value', () => {
  const azureWith = (o: object) => () => LlmProvider.azureOpenAi({
    name: 'az', endpoint: 'https://contoso.openai.azure.com', deployment: 'd', apiVersion: '2024-10-21', credentials: { secretName: 's' }, ...o,
  });
  const bedrockWith = (o: object) => () => LlmProvider.bedrock({ name: 'br', region: 'us-east-1', model: 'm', ...o });
  const vertexWith = (o: object) => () => LlmProvider.vertexAi({ name: 'vx', project: 'my-project', location: 'us-central1', model: 'm', credentials: { secretName: 's' }, ...o });
  const geminiWith = (o: object) => () => LlmProvider.gemini({ name: 'gm', model: 'm', credentials: { secretName: 's' }, ...o });
  const compatibleWith = (o: object) => () => LlmProvider.openAiCompatible({ name: 'oc', model: 'm', endpoint: 'http://vllm:8000/v1', ...o });

  test.each([
    [azureWith({ endpoint: 'http://contoso.openai.azure.com' }), "LlmProvider 'az': endpoint 'http://contoso.openai.azure.com' is not an https URL"],
    [azureWith({ endpoint: 'https://contoso.openai.azure.com/?x=1' }), "LlmProvider 'az': endpoint 'https://contoso.openai.azure.com/?x=1' has a query or fragment"],
    [azureWith({ endpoint: undefined }), "LlmProvider 'az': endpoint '' is required"],
    [azureWith({ deployment: 'gpt 4o' }), "LlmProvider 'az': deployment 'gpt 4o' is not an Azure OpenAI deployment name"],
    [azureWith({ apiVersion: '2024-13-01' }), "LlmProvider 'az': apiVersion '2024-13-01' is not an Azure OpenAI API version"],
    [azureWith({ apiVersion: 'latest' }), "LlmProvider 'az': apiVersion 'latest' is not an Azure OpenAI API version"],
    [azureWith({ apiKeyEnvVar: 'TOOL_MANAGER_KEY' }), "LlmProvider 'az': apiKeyEnvVar 'TOOL_MANAGER_KEY' is reserved"],
    [azureWith({ credentials: undefined }), "LlmProvider 'az': credentials '' is required"],
    [azureWith({ config: { deployment: 'other' } }), "LlmProvider 'az': config['deployment'] 'other' is a setting of LlmProvider.azureOpenAi(): give it there"],
    [bedrockWith({ region: 'us-east' }), "LlmProvider 'br': region 'us-east' is not an AWS region"],
    [bedrockWith({ region: 'US-EAST-1' }), "LlmProvider 'br': region 'US-EAST-1' is not an AWS region"],
    [bedrockWith({ model: 'bedrock/anthropic.claude' }), "LlmProvider 'br': model 'bedrock/anthropic.claude' starts with the LiteLLM route 'bedrock/'"],
    [bedrockWith({ model: '' }), "LlmProvider 'br': model '' is required"],
    [bedrockWith({ roleArn: 'arn:aws:iam::123:role/x' }), "LlmProvider 'br': roleArn 'arn:aws:iam::123:role/x' is not an IAM role ARN"],
    [bedrockWith({ roleArn: 'arn:aws:iam::123456789012:role/x', credentials: { secretName: 'aws' } }),
      "LlmProvider 'br': roleArn 'arn:aws:iam::123456789012:role/x' is for the pod's identity (IAM Roles for Service Accounts): give it or credentials, not both"],
    [bedrockWith({ credentials: { secretName: 'aws', accessKeyIdKey: 'a/b' } }), "LlmProvider 'br': credentials.accessKeyIdKey 'a/b' is not a valid Secret key"],
    [bedrockWith({ credentials: { secretName: 'aws', accessKeyIdEnvVar: 'X', secretAccessKeyEnvVar: 'X' } }),
      "LlmProvider 'br': credentials.secretAccessKeyEnvVar 'X' is also the variable of the access key ID"],
    [bedrockWith({ config: { roleArn: 'arn:aws:iam::123456789012:role/x' } }), "LlmProvider 'br': config['roleArn'] 'arn:aws:iam::123456789012:role/x' is a setting of LlmProvider.bedrock()"],
    [vertexWith({ project: 'My_Project' }), "LlmProvider 'vx': project 'My_Project' is not a Google Cloud project ID"],
    [vertexWith({ project: 'abc' }), "LlmProvider 'vx': project 'abc' is not a Google Cloud project ID"],
    [vertexWith({ location: 'us central1' }), "LlmProvider 'vx': location 'us central1' is not a Google Cloud location"],
    [vertexWith({ model: 'vertex_ai/gemini' }), "LlmProvider 'vx': model 'vertex_ai/gemini' starts with the LiteLLM route 'vertex_ai/'"],
    [geminiWith({ model: 'gemini 2.5' }), "LlmProvider 'gm': model 'gemini 2.5' is required: the model identifier the provider serves (no blanks)"],
    [geminiWith({ name: 'Gemini_Main' }), "LlmProvider 'Gemini_Main': name 'Gemini_Main' is not a valid RFC 1123 label"],
    [geminiWith({ credentials: { secretName: 's', secretKey: 'a b' } }), "LlmProvider 'gm': credentials.secretKey 'a b' is not a valid Secret key"],
    [compatibleWith({ service: { name: 'vllm', namespaceName: 'ml', port: 8000 } }), "LlmProvider 'oc': endpoint 'http://vllm:8000/v1' or service is required, and not both"],
    [compatibleWith({ endpoint: undefined }), "LlmProvider 'oc': endpoint '' or service is required, and not both"],
    [compatibleWith({ endpoint: 'ftp://vllm/v1' }), "LlmProvider 'oc': endpoint 'ftp://vllm/v1' is not an http(s) URL"],
    [compatibleWith({ endpoint: undefined, service: { name: 'vllm', namespaceName: 'ml', port: 0 } }), "LlmProvider 'oc': service.port '0' is not a port number"],
    [compatibleWith({ endpoint: undefined, service: { name: '1vllm', namespaceName: 'ml', port: 80 } }), "LlmProvider 'oc': service.name '1vllm' is not a valid Service name"],
    [compatibleWith({ endpoint: undefined, service: { name: 'vllm', namespaceName: 'ml', port: 80, targetPort: 70000 } }),
      "LlmProvider 'oc': service.targetPort '70000' is not a port number"],
    [compatibleWith({ apiKeyEnvVar: 'VLLM_KEY' }), "LlmProvider 'oc': apiKeyEnvVar 'VLLM_KEY' is given without credentials"],
    [() => LlmProvider.generic({ name: 'g', providerType: 'gemini', endpoint: 'https://x', credentials: { secretName: 's' } }),
      "LlmProvider 'g': providerType 'gemini' has a factory of its own: use LlmProvider.gemini()"],
    [() => LlmProvider.generic({ name: 'g', providerType: 'bedrock', endpoint: 'https://x', credentials: { secretName: 's' }, config: { region: 'us-east-1' } }),
      "LlmProvider 'g': config['region'] 'us-east-1' is a setting of LlmProvider.bedrock(): give it there"],
  ])('%#: %s', (fn, message) => {
    expect(errorOf(fn)).toContain(message);
  });

  test.each(['sk-ant-api03-abcdefghijklmnop', 'AKIAIOSFODNN7EXAMPLE'])('a key pasted in place of a Secret name (%s) is refused, never repeated', key => {
    for (const fn of [
      azureWith({ credentials: { secretName: key } }),
      bedrockWith({ credentials: { secretName: key } }),
      vertexWith({ credentials: { secretName: key } }),
      geminiWith({ credentials: { secretName: key } }),
      compatibleWith({ credentials: { secretName: key } }),
    ]) {
      const message = errorOf(fn);
      expect(message).toContain('credentials.secretName looks like an API key');
      expect(message).not.toContain(key);
    }
  });

  test('a key pasted as a model, deployment or config value is refused, never repeated', () => {
    const key = 'sk-proj-abcdefghijklmnopqrstuvwxyz012345';
    for (const fn of [geminiWith({ model: key }), azureWith({ deployment: key }), bedrockWith({ config: { note: key } })]) {
      const message = errorOf(fn);
      expect(message).toMatch(/^LlmProvider '(gm|az|br)': /);
      expect(message).not.toContain(key);
    }
  });
});
