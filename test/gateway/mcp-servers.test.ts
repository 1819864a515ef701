import { HttpMcpServer, startHttpMcpServer } from './http-mcp-server';
import { Client, StdioClientTransport, StreamableHTTPClientTransport } from './mcp-sdk';
import { stdioMcpCommand } from './stdio-mcp-server';

const textOf = (result: any): string => result.content.map((c: any) => c.text).join('');

describe('the MCP tool servers of the gateway tests, called directly', () => {
  let httpServer: HttpMcpServer;
  beforeAll(async () => {
    httpServer = await startHttpMcpServer('http-tools');
  });
  afterAll(async () => {
    await httpServer.close();
  });

  test('the Streamable HTTP server lists and runs echo, and records the methods', async () => {
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(httpServer.url), { requestInit: { headers: { authorization: 'Bearer upstream' } } }));
    try {
      const { tools } = await client.listTools();
      expect(tools.map(t => t.name)).toEqual(['echo']);
      expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'hi' } }))).toBe('http-tools: hi');
    } finally {
      await client.close();
    }
    expect(httpServer.methods).toEqual(expect.arrayContaining(['initialize', 'tools/list', 'tools/call']));
    expect(httpServer.headers[0].authorization).toBe('Bearer upstream');
  });

  test('the stdio server lists and runs add, and tells its parent and marker', async () => {
    const { command, args, env } = stdioMcpCommand('m-1');
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command, args, env: { PATH: process.env.PATH ?? '', ...env } }));
    try {
      const { tools } = await client.listTools();
      expect(tools.map(t => t.name)).toEqual(['add']);
      const answer = JSON.parse(textOf(await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })));
      expect(answer).toMatchObject({ sum: 5, ppid: process.pid, marker: 'm-1' });
    } finally {
      await client.close();
    }
  }, 30_000);
});
