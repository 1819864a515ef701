/**
 * MCP servers as the library renders them, on LiteLLM's real proxy: an
 * AgentPod whose ToolSidecar has a remote MCP server (Streamable HTTP, an
 * `Authorization` header from a Secret) and stdio ones (the MCP SDK's stdio
 * transport, one from a Secret variable, one started under a command name
 * outside LiteLLM's default list), its `<name>-tools` ConfigMap and sidecar
 * variables (the secretKeyRef ones given the test's Secret values), the proxy
 * started with the sidecar's own command line, as rendered.test.ts does. The
 * agent reaches every tool at its one MCP_SERVER_URL with the MCP SDK's
 * client, holding no key.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { RenderedGateway, Secrets, resolvedEnv, startRenderedGateway } from './rendered-gateway';
import { AgentPod, AgentSource, LlmProvider, McpServer, ToolSidecar } from '../../../src';
import { HttpMcpServer, startHttpMcpServer } from '../../gateway/http-mcp-server';
import { freePort } from '../../gateway/litellm-process';
import { Client, StreamableHTTPClientTransport } from '../../gateway/mcp-sdk';
import { stdioMcpCommand } from '../../gateway/stdio-mcp-server';
import { liteLlmVenv } from '../../gateway/venv';

const START_MS = 150_000;

interface Rendered {
  readonly objects: any[];
  readonly files: { [name: string]: string };
  readonly sidecar: any;
  readonly agent: any;
}

/** One AgentPod with the docs (remote), files (stdio) and linked (stdio, another command name) MCP servers, synthesized. */
function render(port: number, docsUrl: string, linkedCommand: string): Rendered {
  const stdio = stdioMcpCommand('not-the-marker');
  const { MCP_STDIO_MARKER: _plain, ...env } = stdio.env;
  const chart = Testing.chart();
  new AgentPod(chart, 'agent', {
    source: AgentSource.image('registry.example.com/agent:1.0'),
    toolSidecar: new ToolSidecar({
      port,
      mcpServers: [
        McpServer.remote({ name: 'docs', url: docsUrl, headers: { Authorization: { name: 'docs-mcp', key: 'authorization' } } }),
        McpServer.stdio({ name: 'files', command: stdio.command, args: stdio.args, env, secretEnv: { MCP_STDIO_MARKER: { name: 'stdio-marker', key: 'marker' } } }),
        McpServer.stdio({ name: 'linked', command: linkedCommand, args: stdio.args, env: stdio.env }),
      ],
    }),
    // A provider whose key the sidecar holds: no stdio server may see it. It is never called.
    llmProviders: [LlmProvider.openai({ name: 'main-llm', model: 'gpt-stub', endpoint: 'http://127.0.0.1:9/v1', credentials: { secretName: 'openai' } })],
  });
  const objects = Testing.synth(chart);
  const containers = objects.find(o => o.kind === 'Deployment').spec.template.spec.containers;
  return {
    objects,
    files: objects.find(o => o.kind === 'ConfigMap' && o.metadata.name === 'agent-tools').data,
    sidecar: containers.find((c: any) => c.name === 'tool-manager'),
    agent: containers.find((c: any) => c.name === 'agent'),
  };
}

const textOf = (result: any): string => (result.content ?? []).map((c: any) => c.text).join('');

describe('the rendered MCP servers on the real proxy', () => {
  const secrets: Secrets = {
    'docs-mcp': { authorization: `Bearer docs-${randomUUID()}` },
    'stdio-marker': { marker: `marker-${randomUUID()}` },
    'openai': { 'api-key': `sk-main-${randomUUID()}` },
  };
  let docs: HttpMcpServer;
  let rendered: Rendered;
  let url: string;
  let workDir: string;
  let proxy: RenderedGateway | undefined;
  const clients: Client[] = [];

  beforeAll(async () => {
    const venvBin = path.join(liteLlmVenv(), 'venv', 'bin');
    docs = await startHttpMcpServer('docs');
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rendered-mcp-'));
    // node under a name LiteLLM does not start unless told (LITELLM_MCP_STDIO_EXTRA_COMMANDS).
    const linked = path.join(workDir, 'bin', 'mcp-node');
    fs.mkdirSync(path.dirname(linked));
    fs.symlinkSync(process.execPath, linked);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    rendered = render(port, docs.url, linked);
    proxy = await startRenderedGateway({
      sidecar: rendered.sidecar,
      files: rendered.files,
      configDir: path.join(workDir, 'config'),
      env: { PATH: `${venvBin}:/usr/bin:/bin`, HOME: workDir, ...resolvedEnv(rendered.sidecar, secrets) },
      url,
      timeoutMs: START_MS - 10_000,
    });
  }, START_MS);

  afterAll(async () => {
    await Promise.all(clients.map(c => c.close().catch(() => undefined)));
    proxy?.stop(); // the proxy and the stdio servers it started
    await docs?.close();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  }, 30_000);

  /** The agent's MCP client: at its MCP_SERVER_URL, with `headers` (none: the agent holds no key). */
  async function agentClient(headers: { [name: string]: string } = {}): Promise<Client> {
    const agentEnv = resolvedEnv(rendered.agent, {});
    const client = new Client({ name: 'agent', version: '1.0.0' });
    clients.push(client);
    await client.connect(new StreamableHTTPClientTransport(new URL(agentEnv.MCP_SERVER_URL), { requestInit: { headers } }));
    return client;
  }

  test('the agent has one MCP endpoint, the proxy\'s /mcp on loopback, and no key; no manifest holds a Secret value', () => {
    const agentEnv = rendered.agent.env;
    expect(agentEnv.find((e: any) => e.name === 'MCP_SERVER_URL').value).toBe(`${url}/mcp`);
    expect(agentEnv.filter((e: any) => e.valueFrom !== undefined)).toEqual([]);
    const manifests = JSON.stringify(rendered.objects);
    for (const values of Object.values(secrets)) for (const value of Object.values(values)) expect(manifests).not.toContain(value);
  });

  test('the agent lists the tools of every server, each named <server>-<tool>', async () => {
    const { tools } = await (await agentClient()).listTools();
    expect(tools.map(t => t.name).sort()).toEqual(['docs-echo', 'files-add', 'linked-add']);
    expect(tools.find(t => t.name === 'docs-echo')?.inputSchema).toMatchObject({ type: 'object', required: ['text'] });
  });

  test('it calls the remote server\'s tool; the gateway sends the header from its Secret, not the agent\'s', async () => {
    const client = await agentClient({ authorization: 'Bearer whatever-the-agent-sdk-sends' });
    const result = await client.callTool({ name: 'docs-echo', arguments: { text: 'through the rendered gateway' } });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe('docs: through the rendered gateway');
    expect(docs.methods).toContain('tools/call');
    // Every request upstream carried the Secret's value, none the agent's header.
    expect([...new Set(docs.headers.map(h => h.authorization))]).toEqual([secrets['docs-mcp'].authorization]);
  });

  test('it calls the stdio servers\' tools: started by the proxy, with the Secret variable and no other of the sidecar\'s', async () => {
    const client = await agentClient();
    const answers: any[] = [];
    for (const name of ['files-add', 'linked-add']) {
      const result = await client.callTool({ name, arguments: { a: 40, b: 2 } });
      expect(result.isError).toBeFalsy();
      answers.push(JSON.parse(textOf(result)));
    }
    const [files, linked] = answers;
    expect([files.sum, files.ppid, files.marker]).toEqual([42, proxy!.pid, secrets['stdio-marker'].marker]);
    expect([linked.sum, linked.ppid, linked.marker]).toEqual([42, proxy!.pid, 'not-the-marker']);
    // The sidecar holds the provider's key and the MCP Secrets: a stdio server gets none of its variables but its own.
    const sidecarOnly = (rendered.sidecar.env as any[]).map(e => e.name).filter(n => n !== 'PATH' && n !== 'HOME');
    for (const answer of answers) expect(answer.env.filter((n: string) => sidecarOnly.includes(n))).toEqual([]);
    expect(files.env).toContain('MCP_STDIO_MARKER');
  });
});
