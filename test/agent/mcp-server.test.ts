/**
 * MCP servers of the tool sidecar: the factories and their checks, the
 * AgentType spec round trip, and what an AgentPod renders for them (the
 * gateway's mcp_servers, the sidecar's variables, the agent's one endpoint,
 * the egress). test/integration/gateway/rendered-mcp.test.ts runs the
 * rendered result on LiteLLM's real proxy.
 */
import { Testing } from 'cdk8s';
import { parse as parseYaml } from 'yaml';
import {
  AgentEnvironment, AgentPod, AgentPodProps, AgentSource, LlmProvider, McpServer, McpTransport, ToolSidecar,
} from '../../src';
import { AGENT_TYPE_KIND, AGENT_TYPE_VERSION, DEFAULT_GROUP, validateAgentTypeManifest } from '../../src/install/agent-type-schema';
import { container, envOf, errorOf, findObject } from '../support/util';

const TOKEN = 'ghp_0123456789abcdefABCDEF0123456789abcd';
const github = () => McpServer.remote({
  name: 'github', url: 'https://mcp.example.com/mcp', headers: { Authorization: { name: 'github-mcp', key: 'authorization' } },
});
const files = () => McpServer.stdio({
  name: 'files',
  command: '/usr/local/bin/mcp-files',
  args: ['--root', '/shared'],
  env: { LOG_LEVEL: 'debug' },
  secretEnv: { GITHUB_TOKEN: { name: 'gh', key: 'token' } },
});

/** Synthesizes an AgentPod `web` with these MCP servers (and the given props). */
function synth(servers: McpServer[], props: Partial<AgentPodProps> = {}): any[] {
  const chart = Testing.chart();
  new AgentPod(chart, 'web', { source: AgentSource.image('nginx:1.27'), toolSidecar: new ToolSidecar({ mcpServers: servers }), ...props });
  return Testing.synth(chart);
}
const gatewayConfig = (manifests: any[]) => parseYaml(findObject(manifests, 'ConfigMap', 'web-tools').data['config.yaml'], { version: '1.1' });
const deployment = (manifests: any[]) => findObject(manifests, 'Deployment', 'web');
const checksum = (manifests: any[]) => deployment(manifests).spec.template.metadata.annotations['agents.cdk8s.io/config-checksum'];

describe('McpServer factories', () => {
  test('a remote server: Streamable HTTP by default, or SSE; its headers are Secret references', () => {
    const server = github();
    expect([server.name, server.transport, server.url, server.command]).toEqual(['github', McpTransport.STREAMABLE_HTTP, 'https://mcp.example.com/mcp', undefined]);
    expect(server.headers).toEqual({ Authorization: { name: 'github-mcp', key: 'authorization' } });
    expect([server.args, server.env, server.secretEnv]).toEqual([[], {}, {}]);
    const sse = McpServer.remote({ name: 'legacy', url: 'http://tools.mcp.svc:8080/sse', transport: McpTransport.SSE });
    expect([sse.transport, sse.headers]).toEqual([McpTransport.SSE, {}]);
  });

  test('a stdio server: command, args, plain and Secret variables; getters return copies', () => {
    const server = files();
    expect([server.transport, server.command, server.url]).toEqual([McpTransport.STDIO, '/usr/local/bin/mcp-files', undefined]);
    expect([server.args, server.env, server.secretEnv]).toEqual([['--root', '/shared'], { LOG_LEVEL: 'debug' }, { GITHUB_TOKEN: { name: 'gh', key: 'token' } }]);
    server.args.push('--x');
    server.env.X = 'y';
    (server.secretEnv.GITHUB_TOKEN as { name: string }).name = 'other';
    expect([server.args, server.env, server.secretEnv.GITHUB_TOKEN.name]).toEqual([['--root', '/shared'], { LOG_LEVEL: 'debug' }, 'gh']);
    expect(McpServer.stdio({ name: 'bare', command: 'uvx' }).args).toEqual([]);
  });

  test.each([
    ['Files', /name 'Files' is not an MCP server name/],
    ['my-tools', /no '-': the gateway names each tool '<name>-<tool>'/],
    ['1tools', /is not an MCP server name/],
    ['a'.repeat(33), /is not an MCP server name/],
  ])('name %s is refused', (name, message) => {
    expect(errorOf(() => McpServer.stdio({ name, command: 'uvx' }))).toMatch(message);
    expect(errorOf(() => McpServer.stdio({ name, command: 'uvx' }))).toMatch(/^McpServer '/);
  });

  test('bad URLs are refused, naming the server and the field; a credential in one is never shown', () => {
    const remote = (url: string) => errorOf(() => McpServer.remote({ name: 'svc', url }));
    expect(remote('ftp://mcp.example.com/mcp')).toBe('McpServer \'svc\': url \'ftp://mcp.example.com/mcp\' is not an http:// or https:// URL');
    expect(remote('mcp.example.com')).toBe('McpServer \'svc\': url \'mcp.example.com\' is not an http:// or https:// URL');
    expect(remote('')).toBe('McpServer \'svc\': url \'\' must not be empty');
    expect(remote('https://bot@mcp.example.com/mcp')).toBe('McpServer \'svc\': url \'https://bot@mcp.example.com/mcp\' has user-info: give credentials as headers from a Secret');
    expect(remote('https://mcp.example.com/mcp#x')).toMatch(/url 'https:\/\/mcp.example.com\/mcp#x' has a fragment/);
    for (const url of ['https://bot:hunter2-pass@mcp.example.com/mcp', 'https://mcp.example.com/mcp?api_key=abc123def456', `https://mcp.example.com/${TOKEN}`]) {
      const message = remote(url);
      expect(message).toMatch(/^McpServer 'svc': url holds what looks like a credential/);
      expect(message).not.toContain('hunter2');
      expect(message).not.toContain('abc123def456');
      expect(message).not.toContain(TOKEN);
    }
  });

  test('a remote server takes Streamable HTTP or SSE only', () => {
    expect(errorOf(() => McpServer.remote({ name: 'svc', url: 'https://x.example.com/mcp', transport: McpTransport.STDIO })))
      .toBe('McpServer \'svc\': transport \'stdio\' is not a remote transport (streamable-http, sse); a stdio server is McpServer.stdio()');
    expect(errorOf(() => McpServer.remote({ name: 'svc', url: 'https://x.example.com/mcp', transport: 'websocket' as McpTransport })))
      .toMatch(/transport 'websocket' is not a remote transport/);
  });

  test('header values come only from Secrets: a literal is refused and not shown; names are checked', () => {
    const withHeaders = (headers: any) => errorOf(() => McpServer.remote({ name: 'svc', url: 'https://x.example.com/mcp', headers }));
    const literal = withHeaders({ Authorization: `Bearer ${TOKEN}` });
    expect(literal).toBe('McpServer \'svc\': headers[\'Authorization\'] \'<not shown>\' must be { name, key } of a Secret holding the value: a literal value would land in the manifest');
    expect(withHeaders({ 'X Api': { name: 's', key: 'k' } })).toBe('McpServer \'svc\': headers \'X Api\' is not a header name (letters, digits and \'-\')');
    expect(withHeaders({ 'Mcp-Session-Id': { name: 's', key: 'k' } })).toBe('McpServer \'svc\': headers \'Mcp-Session-Id\' is set by the MCP transport itself');
    expect(withHeaders({ 'content-type': { name: 's', key: 'k' } })).toMatch(/headers 'content-type' is set by the MCP transport itself/);
    expect(withHeaders({ 'X-Api-Key': { name: 's', key: 'k' }, 'x-api-key': { name: 's', key: 'j' } }))
      .toBe('McpServer \'svc\': headers \'x-api-key\' is given twice (as \'X-Api-Key\' too; header names are case-insensitive)');
    expect(withHeaders({ Authorization: { name: 'Not_A_Secret', key: 'k' } })).toMatch(/^McpServer 'svc': headers\['Authorization'\].name 'Not_A_Secret' is not a valid RFC 1123 subdomain/);
    const pasted = withHeaders({ Authorization: { name: TOKEN, key: 'k' } });
    expect(pasted).toMatch(/headers\['Authorization'\].name holds what looks like a credential/);
    expect(pasted).not.toContain(TOKEN);
  });

  test('a stdio command is a program name or path', () => {
    const stdio = (command: string) => errorOf(() => McpServer.stdio({ name: 'svc', command }));
    expect(stdio('')).toBe('McpServer \'svc\': command \'\' must not be empty');
    expect(stdio('npx -y server')).toBe('McpServer \'svc\': command \'npx -y server\' is not a program name or path (no spaces or commas)');
    expect(stdio('a,b')).toMatch(/command 'a,b' is not a program name or path/);
    expect(stdio('/usr/bin/')).toMatch(/command '\/usr\/bin\/' is not a program name or path/);
    expect(stdio('os.environ/ANTHROPIC_API_KEY')).toMatch(/command 'os.environ\/ANTHROPIC_API_KEY' is not a program name or path/);
  });

  test('no credential in args or env: refused without being shown, pointing to secretEnv', () => {
    const stdio = (options: any) => errorOf(() => McpServer.stdio({ name: 'svc', command: 'uvx', ...options }));
    for (const message of [stdio({ args: ['server', `--token=${TOKEN}`] }), stdio({ args: ['--token', 'plain-secret-value'] })]) {
      expect(message).toMatch(/^McpServer 'svc': args\[\d\] holds what looks like a credential/);
      expect(message).not.toContain(TOKEN);
      expect(message).not.toContain('plain-secret-value');
    }
    const named = stdio({ env: { GITHUB_TOKEN: 'plain-secret-value' } });
    expect(named).toBe('McpServer \'svc\': env[\'GITHUB_TOKEN\'] \'<not shown>\' is named like a credential: a literal value would land in the manifest; give it as secretEnv from a Secret');
    const shaped = stdio({ env: { HEADER: `Bearer ${TOKEN}` } });
    expect(shaped).toBe('McpServer \'svc\': env[\'HEADER\'] \'<not shown>\' looks like a credential (a GitHub token): give it as secretEnv from a Secret');
    expect(stdio({ env: { KEY_OF_IT: 'os.environ/ANTHROPIC_API_KEY' } }))
      .toBe('McpServer \'svc\': env[\'KEY_OF_IT\'] \'os.environ/ANTHROPIC_API_KEY\' is read by the gateway as one of its own variables; give a Secret as secretEnv');
    expect(stdio({ env: { '1X': 'a' } })).toBe('McpServer \'svc\': env \'1X\' is not a valid environment variable name');
    expect(stdio({ env: { X: 'a' }, secretEnv: { X: { name: 's', key: 'k' } } })).toBe('McpServer \'svc\': secretEnv \'X\' is in env too: give each variable once');
    expect(stdio({ secretEnv: { X: 'literal' } })).toBe('McpServer \'svc\': secretEnv[\'X\'] \'<not shown>\' must be { name, key } of a Secret');
    expect(stdio({ secretEnv: { 'a.b': { name: 's', key: 'k' }, 'A_B': { name: 's', key: 'j' } } }))
      .toBe('McpServer \'svc\': secretEnv \'A_B\' and \'a.b\' would share the sidecar variable of the server (upper-cased, other characters as \'_\'); rename one');
  });
});

describe('the AgentType spec of an MCP server', () => {
  test('toSpec: Secrets by name and key; fromSpec is its inverse', () => {
    expect(github().toSpec()).toEqual({
      name: 'github',
      transport: 'streamable-http',
      url: 'https://mcp.example.com/mcp',
      headers: [{ name: 'Authorization', valueFrom: { secretKeyRef: { name: 'github-mcp', key: 'authorization' } } }],
    });
    expect(files().toSpec()).toEqual({
      name: 'files',
      transport: 'stdio',
      command: '/usr/local/bin/mcp-files',
      args: ['--root', '/shared'],
      env: [{ name: 'LOG_LEVEL', value: 'debug' }, { name: 'GITHUB_TOKEN', valueFrom: { secretKeyRef: { name: 'gh', key: 'token' } } }],
    });
    expect(McpServer.stdio({ name: 'bare', command: 'uvx' }).toSpec()).toEqual({ name: 'bare', transport: 'stdio', command: 'uvx' });
    for (const server of [github(), files(), McpServer.remote({ name: 'legacy', url: 'http://x.example.com/sse', transport: McpTransport.SSE })]) {
      expect(McpServer.fromSpec(server.toSpec() as any).toSpec()).toEqual(server.toSpec());
    }
  });

  test('fromSpec: the transport follows url or command when absent', () => {
    expect(McpServer.fromSpec({ name: 'a', url: 'https://x.example.com/mcp' }).transport).toBe(McpTransport.STREAMABLE_HTTP);
    expect(McpServer.fromSpec({ name: 'a', command: 'uvx', args: ['mcp-server-fetch'] }).transport).toBe(McpTransport.STDIO);
  });

  test('fromSpec refuses entries that mix a remote and a stdio server, naming the field', () => {
    const from = (spec: any) => errorOf(() => McpServer.fromSpec(spec));
    expect(from({ name: 'a' })).toBe('McpServer \'a\': url \'\' or command is required, and not both: the URL of a remote server, or the command of a stdio one');
    expect(from({ name: 'a', url: 'https://x.example.com', command: 'uvx' })).toMatch(/url 'https:\/\/x.example.com' or command is required, and not both/);
    expect(from({ name: 'a', command: 'uvx', transport: 'sse' })).toBe('McpServer \'a\': transport \'sse\' does not run a command: a server with command is stdio');
    expect(from({ name: 'a', url: 'https://x.example.com', transport: 'stdio' })).toMatch(/transport 'stdio' is not a remote transport/);
    expect(from({ name: 'a', url: 'https://x.example.com', env: [{ name: 'X', value: 'y' }] })).toBe('McpServer \'a\': env \'["X"]\' are for a stdio server (command)');
    expect(from({ name: 'a', url: 'https://x.example.com', args: ['--x'] })).toBe('McpServer \'a\': args \'["--x"]\' are for a stdio server (command)');
    expect(from({ name: 'a', command: 'uvx', headers: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }))
      .toBe('McpServer \'a\': headers \'["X"]\' are for a remote server (url)');
    expect(from({ name: 'a', url: 'https://x.example.com', headers: [{ name: 'X' }] })).toBe('McpServer \'a\': headers[\'X\'].valueFrom \'\' needs secretKeyRef: { name, key } of a Secret');
    expect(from({ name: 'a', command: 'uvx', env: [{ name: 'X', value: 'v', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }))
      .toBe('McpServer \'a\': env[\'X\'].value \'<not shown>\' is set together with valueFrom: give one of them');
    expect(from({ name: 'a', command: 'uvx', env: [{ name: 'X', value: 'v' }, { name: 'X', value: 'w' }] })).toBe('McpServer \'a\': env \'X\' is given twice');
  });

  test('the AgentType schema takes the entries toSpec writes and refuses mixed ones (CEL rules)', () => {
    const manifest = (mcpServers: any[]) => ({
      apiVersion: `${DEFAULT_GROUP}/${AGENT_TYPE_VERSION}`,
      kind: AGENT_TYPE_KIND,
      metadata: { name: 'a' },
      spec: { agent: { image: 'nginx:1.27' }, tools: { mcpServers } },
    });
    expect(validateAgentTypeManifest(manifest([github().toSpec(), files().toSpec()]))).toEqual([]);
    expect(validateAgentTypeManifest(manifest([{ name: 'a', url: 'https://x.example.com', command: 'uvx' }])))
      .toEqual([expect.stringContaining('an MCP server has url (a remote server) or command (a stdio server), not both')]);
    expect(validateAgentTypeManifest(manifest([{ name: 'a', command: 'uvx', transport: 'sse' }])))
      .toEqual([expect.stringContaining('an MCP server with command runs on transport stdio')]);
    expect(validateAgentTypeManifest(manifest([{ name: 'a', url: 'https://x.example.com', transport: 'stdio' }])))
      .toEqual([expect.stringContaining('an MCP server with url runs on transport streamable-http or sse')]);
    expect(validateAgentTypeManifest(manifest([{ name: 'a', url: 'https://x.example.com', args: ['x'] }])))
      .toEqual([expect.stringContaining('args and env are for a stdio MCP server (command)')]);
    expect(validateAgentTypeManifest(manifest([{ name: 'a', command: 'uvx', headers: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }])))
      .toEqual([expect.stringContaining('headers are for a remote MCP server (url)')]);
    expect(validateAgentTypeManifest(manifest([{ name: 'my-tools', command: 'uvx' }])))
      .toEqual([expect.stringMatching(/^spec.tools.mcpServers\[0\].name 'my-tools' must match pattern/)]);
    expect(validateAgentTypeManifest(manifest([{ name: 'a', url: 'https://x.example.com', headers: [{ name: 'X' }] }])))
      .toEqual(['spec.tools.mcpServers[0].headers[0].valueFrom is required but missing']);
    expect(validateAgentTypeManifest(manifest([{ name: 'a', command: 'uvx' }, { name: 'a', url: 'https://x.example.com' }])))
      .toEqual([expect.stringContaining('spec.tools.mcpServers[1] duplicates spec.tools.mcpServers[0]')]);
    // A literal credential in an env entry is a problem of the manifest too, never repeated.
    const literal = validateAgentTypeManifest(manifest([{ name: 'a', command: 'uvx', env: [{ name: 'GITHUB_TOKEN', value: 'plain-secret-value' }] }]));
    expect(literal).toEqual([expect.stringContaining('spec.tools.mcpServers[0].env[0].value (of \'GITHUB_TOKEN\') is named like a credential')]);
    expect(literal.join()).not.toContain('plain-secret-value');
  });

  test('an AgentPod round-trips its MCP servers through its AgentType spec', () => {
    const chart = Testing.chart();
    const pod = new AgentPod(chart, 'web', { source: AgentSource.image('nginx:1.27'), toolSidecar: new ToolSidecar({ mcpServers: [github(), files()] }) });
    const spec = pod.toAgentTypeSpec();
    expect(spec.tools).toEqual({ mcpServers: [github().toSpec(), files().toSpec()] });
    const again = AgentPod.fromAgentTypeSpec(Testing.chart(), 'web', spec);
    expect(again.toAgentTypeSpec()).toEqual(spec);
    expect(again.toolSidecar!.mcpServers.map(s => s.name)).toEqual(['github', 'files']);
    const bad = { ...spec, tools: { mcpServers: [{ name: 'a', command: 'uvx', transport: 'sse' }] } };
    expect(errorOf(() => AgentPod.fromAgentTypeSpec(Testing.chart(), 'web', bad)))
      .toMatch(/^AgentPod 'test\/web': spec.tools.mcpServers\[0\] .* an MCP server with command runs on transport stdio/);
  });
});

describe('ToolSidecar.addMcpServer', () => {
  test('servers from the prop and addMcpServer, in order; the spec lists them; the endpoint is /mcp on loopback', () => {
    const sidecar = new ToolSidecar({ port: 4100, mcpServers: [github()] });
    sidecar.addMcpServer(files());
    expect(sidecar.mcpServers.map(s => s.name)).toEqual(['github', 'files']);
    expect(sidecar.mcpEndpoint).toBe('http://127.0.0.1:4100/mcp');
    expect(ToolSidecar.fromSpec(sidecar.toSpec(), {}).toSpec()).toEqual(sidecar.toSpec());
    sidecar.mcpServers.pop();
    expect(sidecar.mcpServers).toHaveLength(2);
  });

  test('a name twice, or two servers setting one sidecar variable, are refused', () => {
    const sidecar = new ToolSidecar({ mcpServers: [github()] });
    expect(errorOf(() => sidecar.addMcpServer(McpServer.stdio({ name: 'github', command: 'uvx' }))))
      .toBe('ToolSidecar \'tool-manager\': mcpServers \'github\' is declared twice');
    const a = McpServer.remote({ name: 'a_header', url: 'https://x.example.com', headers: { X: { name: 's', key: 'k' } } });
    const b = McpServer.stdio({ name: 'a_b', command: 'uvx', secretEnv: { X: { name: 's', key: 'k' } } });
    const c = McpServer.remote({ name: 'a', url: 'https://x.example.com', headers: { 'Header-X': { name: 's', key: 'k' } } });
    sidecar.addMcpServer(a); // MCP_A_HEADER_HEADER_X
    sidecar.addMcpServer(b); // MCP_A_B_ENV_X
    expect(errorOf(() => sidecar.addMcpServer(c)))
      .toBe('ToolSidecar \'tool-manager\': mcpServers \'a\' sets the sidecar variable MCP_A_HEADER_HEADER_X, as \'a_header\' does; rename one of them');
    expect(errorOf(() => sidecar.addMcpServer({ name: 'x' } as any))).toMatch(/mcpServers 'x' is not an McpServer/);
    const full = new ToolSidecar({ mcpServers: Array.from({ length: 64 }, (_, i) => McpServer.stdio({ name: `s${i}`, command: 'uvx' })) });
    expect(errorOf(() => full.addMcpServer(McpServer.stdio({ name: 'one_more', command: 'uvx' }))))
      .toBe('ToolSidecar \'tool-manager\': mcpServers \'one_more\' is one too many: a sidecar takes at most 64 MCP servers (AgentType tools.mcpServers)');
  });

  test('once an AgentPod rendered the sidecar, adding a server throws instead of being left out', () => {
    const sidecar = new ToolSidecar({});
    new AgentPod(Testing.chart(), 'web', { source: AgentSource.image('nginx:1.27'), toolSidecar: sidecar });
    expect(errorOf(() => sidecar.addMcpServer(github())))
      .toBe('ToolSidecar \'tool-manager\': mcpServers \'github\' cannot be added: this sidecar is already rendered by AgentPod \'test/web\'; add MCP servers before creating the AgentPod');
  });
});

describe('what an AgentPod renders for its MCP servers', () => {
  test('config.yaml: mcp_servers by name, open to every caller of the loopback proxy, Secrets as os.environ references', () => {
    const config = gatewayConfig(synth([github(), files(), McpServer.remote({ name: 'legacy', url: 'http://x.example.com/sse', transport: McpTransport.SSE })]));
    expect(config.mcp_servers).toEqual({
      github: {
        url: 'https://mcp.example.com/mcp', transport: 'http', static_headers: { Authorization: 'os.environ/MCP_GITHUB_HEADER_AUTHORIZATION' }, allow_all_keys: true,
      },
      files: {
        transport: 'stdio',
        command: '/usr/local/bin/mcp-files',
        args: ['--root', '/shared'],
        env: { LOG_LEVEL: 'debug', GITHUB_TOKEN: 'os.environ/MCP_FILES_ENV_GITHUB_TOKEN' },
        allow_all_keys: true,
      },
      legacy: { url: 'http://x.example.com/sse', transport: 'sse', allow_all_keys: true },
    });
    // Still no master key: the agent holds none.
    expect(config.general_settings).toEqual({ dangerously_permit_weak_or_unset_master_key: true });
    expect(gatewayConfig(synth([]))).not.toHaveProperty('mcp_servers');
  });

  test('the sidecar gets the Secret keys as secretKeyRef variables and the stdio switches; the agent gets MCP_SERVER_URL only', () => {
    const manifests = synth([github(), files(), McpServer.stdio({ name: 'more', command: '/opt/bin/mcp-files' }), McpServer.stdio({ name: 'fetch', command: 'uvx' })]);
    const sidecar = envOf(container(deployment(manifests), 'tool-manager'));
    expect(sidecar).toMatchObject({
      LITELLM_ENABLE_MCP_STDIO: 'true',
      LITELLM_MCP_STDIO_EXTRA_COMMANDS: 'mcp-files,uvx',
      MCP_GITHUB_HEADER_AUTHORIZATION: { valueFrom: { secretKeyRef: { name: 'github-mcp', key: 'authorization' } } },
      MCP_FILES_ENV_GITHUB_TOKEN: { valueFrom: { secretKeyRef: { name: 'gh', key: 'token' } } },
    });
    const agent = envOf(container(deployment(manifests), 'agent'));
    expect(agent.MCP_SERVER_URL).toBe('http://127.0.0.1:4000/mcp');
    for (const other of ['agent', 'agent-init']) {
      const env = envOf(container(deployment(manifests), other));
      expect(Object.keys(env).filter(name => name.startsWith('MCP_') && name !== 'MCP_SERVER_URL')).toEqual([]);
      expect(Object.values(env).filter(v => typeof v !== 'string')).toEqual([]);
    }
  });

  test('remote servers only: no stdio switch; no MCP server: no MCP_SERVER_URL', () => {
    const remote = envOf(container(deployment(synth([github()])), 'tool-manager'));
    expect(Object.keys(remote).filter(name => name.startsWith('LITELLM_') && name.includes('MCP'))).toEqual([]);
    const none = synth([]);
    expect(envOf(container(deployment(none), 'agent'))).not.toHaveProperty('MCP_SERVER_URL');
    expect(Object.keys(envOf(container(deployment(none), 'tool-manager'))).filter(name => name.includes('MCP'))).toEqual([]);
  });

  test('no Secret value in any manifest: only names and keys of Secrets', () => {
    const manifests = synth([github(), files()]);
    const text = JSON.stringify(manifests);
    expect(text).not.toMatch(/Bearer|ghp_|sk-/);
    expect(text).toContain('"secretKeyRef":{"key":"authorization","name":"github-mcp"}');
    const toolsJson = JSON.parse(findObject(manifests, 'ConfigMap', 'web-tools').data['tools.json']);
    expect(toolsJson.mcpServers).toEqual([github().toSpec(), files().toSpec()]);
  });

  test('the config checksum covers the MCP servers: another URL rolls the pods', () => {
    const other = McpServer.remote({ name: 'github', url: 'https://mcp2.example.com/mcp', headers: { Authorization: { name: 'github-mcp', key: 'authorization' } } });
    expect(checksum(synth([github()]))).toBe(checksum(synth([github()])));
    expect(checksum(synth([github()]))).not.toBe(checksum(synth([other])));
    expect(checksum(synth([github()]))).not.toBe(checksum(synth([])));
  });

  test('remote servers join the egress like providers; a metadata address is refused', () => {
    const manifests = synth([
      McpServer.remote({ name: 'svc', url: 'http://tools.mcp.svc.cluster.local:8080/mcp' }),
      McpServer.remote({ name: 'ip', url: 'http://10.1.2.3:9000/mcp' }),
      McpServer.remote({ name: 'local', url: 'http://127.0.0.1:7000/mcp' }),
      files(),
    ], { networkPolicy: { allowDns: false } });
    expect(findObject(manifests, 'NetworkPolicy', 'web').spec.egress).toEqual([
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'mcp' } }, podSelector: {} }], ports: [{ protocol: 'TCP', port: 8080 }] },
      { to: [{ ipBlock: { cidr: '10.1.2.3/32' } }], ports: [{ protocol: 'TCP', port: 9000 }] },
    ]);
    expect(errorOf(() => synth([McpServer.remote({ name: 'meta', url: 'http://169.254.169.254/mcp' })])))
      .toBe('AgentPod \'test/web\': toolSidecar.mcpServers[\'meta\'].url \'169.254.169.254\' is a cloud metadata address; an agent must not reach it');
  });

  test('the agent\'s own MCP_SERVER_URL, or a provider on an MCP server\'s variable, is refused', () => {
    const environment = new AgentEnvironment({ variables: { MCP_SERVER_URL: 'http://elsewhere:1/mcp' } });
    expect(errorOf(() => synth([github()], { environment })))
      .toBe('AgentPod \'test/web\': environment.variables \'MCP_SERVER_URL\' is set by the AgentPod to the tool sidecar\'s MCP endpoint, as the sidecar has MCP servers');
    expect(() => synth([], { environment: new AgentEnvironment({ variables: { MCP_SERVER_URL: 'http://elsewhere:1/mcp' } }) })).not.toThrow();
    const provider = LlmProvider.generic({
      name: 'p', providerType: 'vllm', model: 'm', endpoint: 'https://llm.example.com', credentials: { secretName: 's' }, apiKeyEnvVar: 'MCP_GITHUB_HEADER_AUTHORIZATION',
    });
    expect(errorOf(() => synth([github()], { llmProviders: [provider] })))
      .toBe('AgentPod \'test/web\': llmProviders \'p\' sets the sidecar variable MCP_GITHUB_HEADER_AUTHORIZATION, which MCP server \'github\' sets; give the provider another variable (apiKeyEnvVar)');
  });
});
