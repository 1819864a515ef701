/**
 * Proof that the gateway under test reaches nothing but loopback: an HTTP
 * proxy on 127.0.0.1 that refuses and records every request sent to it. The
 * proxy process gets it as `HTTP_PROXY` / `HTTPS_PROXY` (and lowercase), with
 * `NO_PROXY` for 127.0.0.1 and localhost, so any client that honours the
 * standard variables (httpx, aiohttp, requests) and tries to reach another
 * host lands here instead of on the network.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';

export interface EgressSentinel {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The targets tried so far: `CONNECT host:port` or `GET http://host/path`. */
  readonly attempts: string[];
  /** The proxy variables for the gateway process. */
  env(): { [name: string]: string };
  close(): Promise<void>;
}

/** Starts a sentinel on a free port of 127.0.0.1. */
export async function startEgressSentinel(): Promise<EgressSentinel> {
  const attempts: string[] = [];
  const server = http.createServer((req, res) => {
    attempts.push(`${req.method} ${req.url}`);
    res.writeHead(403, { 'content-type': 'text/plain' });
    res.end('egress refused by the gateway tests\n');
  });
  server.on('connect', (req, socket) => {
    attempts.push(`CONNECT ${req.url}`);
    socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const noProxy = '127.0.0.1,localhost,::1';
  return {
    url,
    attempts,
    env: () => ({
      HTTP_PROXY: url,
      HTTPS_PROXY: url,
      ALL_PROXY: url,
      http_proxy: url,
      https_proxy: url,
      all_proxy: url,
      NO_PROXY: noProxy,
      no_proxy: noProxy,
    }),
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
