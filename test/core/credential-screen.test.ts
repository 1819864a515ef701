/**
 * The one credential screen: key shapes anywhere in a string, URLs with
 * user-info or key query parameters, credential-named keys holding literals,
 * and the ordinary values that must pass.
 */
import {
  isCredentialName, redactError, redactSecrets, screenArgs, screenDeep, screenFile, screenMap, screenText, secretProblem, textSecretProblem,
} from '../../src/core/credential-screen';
import { fail } from '../../src/core/validation';
import { errorOf } from '../support/util';

const KEYS: Array<[string, string]> = [
  ['sk-0123456789abcdefghijklmnopqrstuvwxyzABCD', 'an OpenAI key'],
  ['sk-proj-AbCdEf0123456789_xyz-QRSTuvw', 'an OpenAI key'],
  ['sk-ant-api03-AbCdEf0123456789', 'an Anthropic key'],
  ['sk_live_51HxAbCdEf0123456789', 'a Stripe key'],
  ['ghp_0123456789abcdefABCDEF0123456789abcd', 'a GitHub token'],
  ['gho_0123456789abcdefABCDEF0123456789abcd', 'a GitHub token'],
  ['ghu_0123456789abcdefABCDEF0123456789abcd', 'a GitHub token'],
  ['ghs_0123456789abcdefABCDEF0123456789abcd', 'a GitHub token'],
  ['ghr_0123456789abcdefABCDEF0123456789abcd', 'a GitHub token'],
  ['github_pat_11ABCDEFG0123456789_abcdefghijklmnop', 'a GitHub token'],
  ['glpat-AbCdEf0123456789xyzQ', 'a GitLab token'],
  ['AKIAIOSFODNN7EXAMPLE', 'an AWS access key id'],
  ['ASIAIOSFODNN7EXAMPLE', 'an AWS access key id'],
  ['xoxb-123456789012-1234567890123-AbCdEfGhIjKl', 'a Slack token'],
  ['xoxp-123456789012-abc', 'a Slack token'],
  ['xapp-1-A0123456789-0123456789-abcdef', 'a Slack token'],
  ['AIzaSyA-0123456789abcdefghijklmnopqrstu', 'a Google API key'],
  ['hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789', 'a Hugging Face token'],
  ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'a JSON Web Token'],
  ['-----BEGIN RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----', 'a PEM private key'],
  ['-----BEGIN OPENSSH PRIVATE KEY-----', 'a PEM private key'],
  ['-----BEGIN PRIVATE KEY-----', 'a PEM private key'],
];

describe('secretProblem: key shapes', () => {
  test.each(KEYS)('%s alone is %s', (key, what) => {
    expect(secretProblem(key)).toBe(what);
  });

  test.each(KEYS)('%s is found inside a string', (key, what) => {
    for (const text of [`Bearer ${key}`, `--token=${key}`, `token: "${key}"`, `prefix/${key}/suffix`, `x ${key}\n`]) {
      expect(secretProblem(text)).toBe(what);
    }
  });

  test('the short keys older checks refused stay refused', () => {
    for (const key of ['sk-123', 'sk-ant-abc', 'sk-proj-abc123', 'ghp_abcdef', 'AIzaSyA-example', 'sk_live_abcdef']) {
      expect(secretProblem(key)).toBeDefined();
    }
  });

  test('a key shape inside a word is not a key', () => {
    for (const text of ['task-1234567', 'disk-0123456789', 'mask_live_abc', 'xghp_abcdef', 'MAKIAIOSFODNN7EXAMPLE']) {
      expect(secretProblem(text)).toBeUndefined();
    }
  });
});

describe('secretProblem: URLs', () => {
  test.each([
    ['https://x-access-token:ghp_0123456789abcdef0123@github.com/org/agent', 'a GitHub token'],
    ['https://user:hunter2@github.com/org/agent.git', 'a password in the user-info of a URL'],
    ['https://u:p%40ss@host', 'a password in the user-info of a URL'],
    ['clone it from https://oauth2:abc@gitlab.example.com/a/b.git please', 'a password in the user-info of a URL'],
    ['https://a1b2c3d4e5f6a7b8c9d0e1f2@github.com/org/repo', 'a token as the user of a URL'],
    ['http://collector:4318/v1/traces?api_key=abc', 'a credential in the URL query parameter api_key'],
    ['https://host/x?a=1&apikey=abc', 'a credential in the URL query parameter apikey'],
    ['https://host/x?access_token=abc', 'a credential in the URL query parameter access_token'],
    ['https://host/x?token=abc', 'a credential in the URL query parameter token'],
    ['https://host/x?key=abc', 'a credential in the URL query parameter key'],
    ['https://host/x?secret=abc', 'a credential in the URL query parameter secret'],
    ['https://host/x?password=abc', 'a credential in the URL query parameter password'],
    ['https://acct.blob.core.windows.net/c/b?sv=2021&sig=abc%2Bdef', 'a credential in the URL query parameter sig'],
    ['https://bucket.s3.amazonaws.com/o?X-Amz-Signature=abcdef', 'a credential in the URL query parameter X-Amz-Signature'],
    ['https://host/x?signature=abc#frag', 'a credential in the URL query parameter signature'],
    ['https://host/x?client_secret=abc', 'a credential in the URL query parameter client_secret'],
  ])('%s: %s', (url, what) => {
    expect(secretProblem(url)).toBe(what);
  });

  test.each([
    'https://api.openai.com/v1',
    'http://otel-collector.monitoring:4317',
    'https://github.com/org/agent.git',
    'ssh://git@github.com/org/agent.git',
    'git@github.com:org/agent.git',
    'https://git@github.com/org/agent.git',
    'https://host/search?q=tokens&max_tokens=100&page=2',
    'https://host/x?key=',
    'https://user:$(GIT_PASSWORD)@host/repo',
    'https://host/x?token=${TOKEN}',
  ])('%s passes', (url) => {
    expect(secretProblem(url)).toBeUndefined();
  });
});

describe('secretProblem: ordinary values pass', () => {
  test.each([
    'gpt-4o', 'claude-3-5-sonnet-latest', 'sk-learn', 'scikit-learn', 'hf_transfer', 'hf-xet', 'hf_hub', 'huggingface_hub==0.24.0',
    'python:3.12-slim', 'registry.example.com/agents/web:1.0', 'ghcr.io/org/agent@sha256:' + 'a'.repeat(64),
    'ASIAN_FOOD', 'AKIA', 'tool-manager', 'max_tokens', 'temperature', '0.7', 'anthropic-credentials', '--enable-source-maps',
    'a'.repeat(64), 'eyJhbGciOiJIUzI1NiJ9', '-----BEGIN CERTIFICATE-----', 'Bearer', '',
  ])('%s', (value) => {
    expect(secretProblem(value)).toBeUndefined();
  });

  test('non-strings pass', () => {
    expect(secretProblem(undefined)).toBeUndefined();
    expect(secretProblem(42)).toBeUndefined();
  });
});

describe('isCredentialName', () => {
  test.each(['OPENAI_API_KEY', 'api-key', 'apiKey', 'apikey', 'GITHUB_TOKEN', 'githubToken', 'access_token', 'DB_PASSWORD', 'db-passwd',
    'client_secret', 'clientSecret', 'AWS_SECRET_ACCESS_KEY', 'private_key', 'ssh-privatekey', 'credentials.json', 'MY-API-KEY', 'passphrase',
    'token', 'secret'])('%s is a credential name', (name) => {
    expect(isCredentialName(name)).toBe(true);
  });

  test.each(['max_tokens', 'MAX_TOKENS', 'tokenizer', 'TOKENIZER_PATH', 'secret_name', 'passwordSecret', 'password_file', 'token_path', 'API_KEY_ENV',
    'temperature', 'model', 'endpoint', 'keys', 'key', 'monkey', 'AWS_ACCESS_KEY_ID', 'credentialsSecret', 'agents.cdk8s.io/secret-checksum',
    'token_limit', 'secret_store', ''])('%s is not', (name) => {
    expect(isCredentialName(name)).toBe(false);
  });
});

describe('textSecretProblem: file contents', () => {
  test.each([
    ['.env', 'API_KEY="sk-0123456789abcdefghij"'],
    ['.env', 'API_KEY="not-key-shaped-but-literal"'],
    ['.env', 'export DB_PASSWORD=hunter2hunter2'],
    ['config.yaml', 'llm:\n  api_key: abcdef123456\n'],
    ['config.json', '{\n  "client_secret": "abc123xyz"\n}'],
    ['main.py', 'import os\nOPENAI_API_KEY = "literal-value-here"\n'],
    ['index.js', 'const apiKey = \'literal-value-here\';'],
    ['notes.md', 'curl -H "Authorization: Bearer ghp_0123456789abcdef0123"'],
  ])('%s: a literal credential is found', (file, text) => {
    expect(textSecretProblem(text, file)).toBeDefined();
  });

  test.each([
    ['main.py', 'import os\napi_key = os.environ["OPENAI_API_KEY"]\ntoken = get_token()\nmax_tokens = 1000\n'],
    ['main.py', 'API_KEY = API_KEY_FROM_ENV\npassword = ""\n'],
    ['index.js', 'const apiKey = process.env.OPENAI_API_KEY;\nconst token = await login();'],
    ['config.yaml', 'max_tokens: 1000\ntemperature: 0.7\napi_key: ${OPENAI_API_KEY}\ntoken_ttl: 3600\n'],
    ['.env', 'MODEL=gpt-4o\nAPI_KEY=\nSECRET_NAME=openai-credentials\n'],
    ['requirements.txt', 'scikit-learn==1.5\nhf_transfer\n'],
  ])('%s: ordinary content passes', (file, text) => {
    expect(textSecretProblem(text, file)).toBeUndefined();
  });

  test('the problem names the line, never the value', () => {
    const problem = textSecretProblem('MODEL=x\nAPI_KEY="hunter2hunter2"\n', '.env')!;
    expect(problem).toContain('line 2');
    expect(problem).not.toContain('hunter2');
  });
});

describe('screen functions throw in the house format without the value', () => {
  const secret = 'sk-proj-AbCdEf0123456789_xyz';

  test('screenText', () => {
    const message = errorOf(() => screenText('AgentPod', 'app/web', 'llmProviders[0].endpoint', `https://u:${secret}@host`));
    expect(message).toMatch(/^AgentPod 'app\/web': llmProviders\[0\]\.endpoint holds what looks like a credential \(an OpenAI key\)/);
    expect(message).not.toContain(secret);
    expect(() => screenText('AgentPod', 'app/web', 'x', 'https://api.openai.com/v1')).not.toThrow();
  });

  test('screenMap: credential-named keys with literals, key-shaped values and keys', () => {
    const byName = errorOf(() => screenMap('AgentTypePreset', 'custom', 'env', { OPENAI_API_KEY: 'hunter2' }));
    expect(byName).toBe("AgentTypePreset 'custom': env['OPENAI_API_KEY'] is named like a credential and holds a literal value: "
      + 'a literal credential would land in the manifest; keep it in a Secret created out of band and reference it (secretKeyRef)');
    expect(errorOf(() => screenMap('K', 'p', 'env', { MODEL: secret }))).toContain("env['MODEL'] holds what looks like a credential (an OpenAI key)");
    const byKey = errorOf(() => screenMap('K', 'p', 'annotations', { [secret]: 'x' }));
    expect(byKey).toContain('annotations has a key that holds what looks like a credential');
    expect(byKey).not.toContain(secret);
    expect(() => screenMap('K', 'p', 'env', { MAX_TOKENS: '100', API_KEY: '$(OTHER)', TOKENIZER_PATH: '/x', SECRET_NAME: 'db' })).not.toThrow();
  });

  test('screenDeep names the path of the entry', () => {
    const message = errorOf(() => screenDeep('AgentType', 'app/web', 'llm.providers[0].config', { nested: { api_key: 'abc', ok: 1 } }));
    expect(message).toContain("AgentType 'app/web': llm.providers[0].config.nested.api_key is named like a credential");
    expect(errorOf(() => screenDeep('K', 'p', 'config', { list: ['x', `Bearer ${secret}`] }))).toContain('config.list[1] holds what looks like a credential');
    expect(() => screenDeep('K', 'p', 'config', { max_tokens: 100, temperature: 0.7, model: 'gpt-4o', api_key: '' })).not.toThrow();
  });

  test('screenArgs: shapes, --name=value and --name value', () => {
    expect(errorOf(() => screenArgs('AgentSource', 'image', 'args', ['--port', '8080', 'glpat-AbCdEf0123456789xyzQ'])))
      .toContain("AgentSource 'image': args[2] holds what looks like a credential (a GitLab token)");
    expect(errorOf(() => screenArgs('K', 'p', 'args', ['--api-key=hunter2hunter2']))).toContain('args[0] holds what looks like a credential');
    const pair = errorOf(() => screenArgs('K', 'p', 'args', ['--password', 'hunter2hunter2']));
    expect(pair).toContain("args[1] holds what looks like a credential (the value of the flag '--password'");
    expect(pair).not.toContain('hunter2');
    expect(() => screenArgs('K', 'p', 'args', ['--max-tokens', '100', '--token-file', '/run/token', '--password', '$(DB_PASSWORD)', 'serve'])).not.toThrow();
  });

  test('screenFile names the file and the line', () => {
    const message = errorOf(() => screenFile('AgentSource', 'local', 'code.source.directory', 'app/.env', 'API_KEY="hunter2hunter2"'));
    expect(message).toContain("AgentSource 'local': code.source.directory file 'app/.env' holds what looks like a credential");
    expect(message).toContain('line 1');
    expect(message).not.toContain('hunter2');
  });
});

describe('fail() never echoes a secret', () => {
  const secret = 'ghp_0123456789abcdefABCDEF0123456789abcd';

  test.each([
    ['the value', () => fail('Overlay', 'prod', 'name', secret, 'is not valid')],
    ['a value inside an object', () => fail('Overlay', 'prod', 'patch', { a: [{ b: `token ${secret}` }] }, 'is not valid')],
    ['the path', () => fail('AgentPod', secret, 'name', 'x', 'is not valid')],
    ['the field', () => fail('AgentTypePreset', 'custom', `env['${secret}']`, 'x', 'is not valid')],
  ])('%s is redacted', (_, thrower) => {
    const message = errorOf(thrower);
    expect(message).toContain('<redacted: a GitHub token>');
    expect(message).not.toContain(secret);
  });

  test('ordinary values are shown as before', () => {
    expect(errorOf(() => fail('AgentPod', 'app/web', 'memory limit', '2Gx', 'is not a Kubernetes quantity')))
      .toBe("AgentPod 'app/web': memory limit '2Gx' is not a Kubernetes quantity");
    expect(errorOf(() => fail('K', '', 'replicas', -1, 'must be >= 0'))).toBe("K '<root>': replicas '-1' must be >= 0");
  });
});

describe('redactSecrets', () => {
  test('replaces each key shape and each credential URL, keeping the rest of the message', () => {
    const gh = 'ghp_0123456789abcdefABCDEF0123456789abcd';
    const text = `Overlay 'prod': patch target 'Bearer ${gh}' and https://u:hunter2@host/x and AKIAIOSFODNN7EXAMPLE do not match`;
    expect(redactSecrets(text)).toBe("Overlay 'prod': patch target 'Bearer <redacted: a GitHub token>' and <redacted: a password in the user-info of a URL> "
      + 'and <redacted: an AWS access key id> do not match');
    expect(redactSecrets('nothing secret here: https://api.openai.com/v1')).toBe('nothing secret here: https://api.openai.com/v1');
  });

  test('redactError changes the message of an Error', () => {
    const error = redactError(new Error('no Secret sk-0123456789abcdefghij')) as Error;
    expect(error.message).toBe('no Secret <redacted: an OpenAI key>');
  });
});
