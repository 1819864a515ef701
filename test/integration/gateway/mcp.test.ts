/**
 * LiteLLM's MCP gateway, proven on the real proxy: one MCP server over
 * Streamable HTTP and one the proxy starts on stdio, both reached by the MCP
 * SDK's client through the proxy's `/mcp` endpoint with the master key and
 * no database.
 */
import { randomUUID } from 'crypto';
import { mcpConfig } from './config';
import { Gateway, START_TIMEOUT_MS, startGateway, stopGateway } from './support';
import { HttpMcpServer, startHttpMcpServer } from '../../gateway/http-mcp-server';
import { Client, StreamableHTTPClientTransport } from '../../gateway/mcp-sdk';
import { stdioMcpCommand } from '../../gateway/stdio-mcp-server';

/** LiteLLM names a tool `<server name>-<tool name>` (MCP_TOOL_PREFIX_SEPARATOR). */
const HTTP_TOOL = 'http_tools-echo';
const STDIO_TOOL = 'stdio_tools-add';

const textOf = (result: any): string => (result.content ?? []).map((c: any) => c.text).join('');

describe('gateway MCP (mcp_servers: http and stdio transports; general_settings.master_key)', () => {
  const marker = `marker-${randomUUID()}`;
  let upstream: HttpMcpServer;
  let gw: Gateway;
  const clients: Client[] = [];
  beforeAll(async () => {
    upstream = await startHttpMcpServer('http_tools');
    gw = await startGateway({
      config: () => mcpConfig(upstream.url, stdioMcpCommand(marker)),
      // stdio MCP servers run commands: LiteLLM refuses them unless told.
      env: { LITELLM_ENABLE_MCP_STDIO: 'true' },
    });
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await Promise.all(clients.map(c => c.close().catch(() => undefined)));
    await stopGateway(gw, 'mcp');
    await upstream?.close();
  }, 30_000);

  /** An MCP client of the proxy's `/mcp`, sending `headers` with every request. */
  async function connect(headers: { readonly [name: string]: string }): Promise<Client> {
    const client = new Client({ name: 'gateway-test', version: '1.0.0' });
    clients.push(client);
    await client.connect(new StreamableHTTPClientTransport(new URL(`${gw.proxy.url}/mcp`), { requestInit: { headers: { ...headers } } }));
    return client;
  }

  test('(f) the client lists the tools of both servers, named after their server', async () => {
    const client = await connect({ 'x-litellm-api-key': `Bearer ${gw.masterKey}` });
    const { tools } = await client.listTools();
    expect(tools.map(t => t.name).sort()).toEqual([HTTP_TOOL, STDIO_TOOL]);
    expect(tools.find(t => t.name === HTTP_TOOL)?.inputSchema).toMatchObject({ type: 'object', required: ['text'] });
  });

  test('(f) it calls the HTTP server\'s tool with its arguments; the caller\'s key does not go upstream', async () => {
    const client = await connect({ 'x-litellm-api-key': `Bearer ${gw.masterKey}` });
    const result = await client.callTool({ name: HTTP_TOOL, arguments: { text: 'through the gateway' } });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe('http_tools: through the gateway');
    expect(upstream.methods).toContain('tools/call');
    expect(JSON.stringify(upstream.headers)).not.toContain(gw.masterKey);
  });

  test('(f) it calls the stdio server\'s tool: the proxy starts that server anew for each call, with the env of its entry', async () => {
    const client = await connect({ 'x-litellm-api-key': `Bearer ${gw.masterKey}` });
    const answers = [];
    for (const b of [40, 1]) {
      const result = await client.callTool({ name: STDIO_TOOL, arguments: { a: 2, b } });
      expect(result.isError).toBeFalsy();
      answers.push(JSON.parse(textOf(result)));
    }
    expect(answers).toEqual([
      expect.objectContaining({ sum: 42, ppid: gw.proxy.pid, marker }),
      expect.objectContaining({ sum: 3, ppid: gw.proxy.pid, marker }),
    ]);
    // A process per call: a stdio server's start-up time is paid on every tool call.
    expect(answers[0].pid).not.toBe(answers[1].pid);
  });

  test('(f) the master key also works as Authorization: Bearer', async () => {
    const client = await connect({ authorization: `Bearer ${gw.masterKey}` });
    expect(textOf(await client.callTool({ name: HTTP_TOOL, arguments: { text: 'x' } }))).toBe('http_tools: x');
  });

  /** An MCP `initialize` POSTed to the proxy with `headers`: its status. */
  async function initializeStatus(headers: { readonly [name: string]: string }): Promise<number> {
    const res = await fetch(`${gw.proxy.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream', ...headers },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'gateway-test', version: '1.0.0' } },
      }),
      signal: AbortSignal.timeout(30_000),
    });
    await res.arrayBuffer();
    return res.status;
  }

  test('(f) a client with another key or none is refused, and no upstream server is called', async () => {
    const calls = upstream.methods.length;
    // Another key would be a virtual key, which lives in the database this proxy has not.
    expect(await initializeStatus({ 'x-litellm-api-key': 'Bearer sk-not-the-master-key' })).toBe(400);
    // No key: refused, though with a 500 (LiteLLM's auth error path imports
    // `prisma`, which litellm[proxy] does not install; its image has it).
    expect(await initializeStatus({})).toBeGreaterThanOrEqual(400);
    await expect(connect({})).rejects.toThrow();
    expect(upstream.methods.length).toBe(calls);
  });

  test('nothing tried to leave loopback', () => {
    expect(gw.sentinel.attempts).toEqual([]);
  });
});
