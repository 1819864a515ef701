/**
 * An MCP server over Streamable HTTP on 127.0.0.1 (stateless: a fresh SDK
 * server and transport per request), offering the `echo` tool
 * (mcp-tools.ts). It records the headers of every request, so a test sees
 * what the gateway sends upstream.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import { StreamableHTTPServerTransport } from './mcp-sdk';
import { createToolServer, echoTool } from './mcp-tools';

export interface HttpMcpServer {
  /** `http://127.0.0.1:<port>/mcp`. */
  readonly url: string;
  /** The JSON-RPC methods received (`initialize`, `tools/list`, `tools/call`, ...), oldest first. */
  readonly methods: string[];
  /** The headers of every POST, oldest first (names in lowercase). */
  readonly headers: http.IncomingHttpHeaders[];
  close(): Promise<void>;
}

const methodsOf = (body: unknown): string[] =>
  (Array.isArray(body) ? body : [body]).map((m: any) => m?.method).filter((m): m is string => typeof m === 'string');

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** Starts the server named `name` on a free port of 127.0.0.1. */
export async function startHttpMcpServer(name: string): Promise<HttpMcpServer> {
  const methods: string[] = [];
  const headers: http.IncomingHttpHeaders[] = [];
  const httpServer = http.createServer(async (req, res) => {
    if (req.url?.split('?')[0] !== '/mcp') {
      res.writeHead(404).end();
      return;
    }
    if (req.method !== 'POST') {
      // Stateless: no server-initiated stream (GET) and no session to end (DELETE).
      res.writeHead(405, { 'allow': 'POST', 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed' }, id: null }));
      return;
    }
    try {
      const body = await readJson(req);
      headers.push(req.headers);
      methods.push(...methodsOf(body));
      const server = createToolServer(name, [echoTool(name)]);
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
    } catch (err) {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32700, message: String(err) }, id: null }));
    }
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}/mcp`,
    methods,
    headers,
    close: () => new Promise<void>((resolve) => {
      httpServer.close(() => resolve());
      httpServer.closeAllConnections();
    }),
  };
}
