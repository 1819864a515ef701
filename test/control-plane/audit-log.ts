/**
 * Reading the audit log of a plane started with `auditUsers`: one request per
 * audit ID (a request has an entry at ResponseStarted if it is a watch, and
 * at ResponseComplete when it ends), with its verb, its resource and when the
 * API server received it. Counting what a client did, server-side.
 */
import * as fs from 'fs';
import { StringDecoder } from 'string_decoder';

/** One request the API server received, from its audit log. */
export interface AuditedRequest {
  readonly auditId: string;
  /** The user name, e.g. `system:serviceaccount:<namespace>:<name>`. */
  readonly user: string;
  /** The API verb: get, list, watch, create, update, patch, delete, deletecollection (or the HTTP method's for a non-resource URL). */
  readonly verb: string;
  /**
   * The resource with its API group and subresource: `pods`,
   * `deployments.apps`, `agenttypes.agents.example.com/status`; for a
   * request that is not about a resource, its URL path (`/version`).
   */
  readonly resource: string;
  readonly namespace?: string;
  readonly name?: string;
  /** The HTTP status the API server answered; undefined while a watch is still open. */
  readonly code?: number;
  /** When the API server received it, milliseconds since the epoch. */
  readonly receivedAt: number;
}

/** `resource.group/subresource` of an audit entry's objectRef, or the URL path without its query. */
function resourceOf(entry: any): string {
  const ref = entry.objectRef;
  if (!ref?.resource) return String(entry.requestURI ?? '').split('?')[0];
  return `${ref.resource}${ref.apiGroup ? `.${ref.apiGroup}` : ''}${ref.subresource ? `/${ref.subresource}` : ''}`;
}

/** Collects audit entries (one JSON line at a time) into one request per audit ID. */
class AuditRequests {
  private readonly requests = new Map<string, AuditedRequest>();

  /** Adds one line; `last` says it may be cut (the log is still written). */
  public add(line: string, lineNumber: number, last: boolean): void {
    if (line.trim() === '') return;
    let entry: any;
    try {
      entry = JSON.parse(line);
    } catch (error) {
      if (last) return;
      throw new Error(`audit log line ${lineNumber} is not JSON: ${(error as Error).message}`);
    }
    if (entry.stage !== 'ResponseStarted' && entry.stage !== 'ResponseComplete') return;
    if (this.requests.has(entry.auditID) && entry.stage !== 'ResponseComplete') return;
    this.requests.set(entry.auditID, {
      auditId: entry.auditID,
      user: entry.user?.username ?? '',
      verb: entry.verb,
      resource: resourceOf(entry),
      namespace: entry.objectRef?.namespace,
      name: entry.objectRef?.name,
      code: entry.stage === 'ResponseComplete' ? entry.responseStatus?.code : undefined,
      receivedAt: Date.parse(entry.requestReceivedTimestamp),
    });
  }

  /** The requests, in the order they were received. */
  public get all(): AuditedRequest[] {
    return [...this.requests.values()].sort((a, b) => a.receivedAt - b.receivedAt);
  }
}

/**
 * The requests in audit log text (JSON lines of `audit.k8s.io/v1` Events),
 * one per audit ID, in the order they were received. A request logged at
 * ResponseStarted and at ResponseComplete counts once (with the final status).
 * @throws naming the line number when a line is not JSON (a last line cut mid-write is ignored)
 */
export function parseAuditLog(text: string): AuditedRequest[] {
  const requests = new AuditRequests();
  const lines = text.split('\n');
  lines.forEach((line, index) => requests.add(line, index + 1, index === lines.length - 1));
  return requests.all;
}

/**
 * The requests in the audit log file (see `parseAuditLog`), read
 * `chunkBytes` at a time (the log may be larger than a string can be); none
 * if the file does not exist yet.
 */
export function readAuditLog(file: string, chunkBytes = 16 * 2 ** 20): AuditedRequest[] {
  if (!fs.existsSync(file)) return [];
  const requests = new AuditRequests();
  const fd = fs.openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(chunkBytes);
    const decoder = new StringDecoder('utf8'); // a character cut between two chunks
    let rest = '';
    let lineNumber = 0;
    for (let read = fs.readSync(fd, chunk); read > 0; read = fs.readSync(fd, chunk)) {
      const lines = (rest + decoder.write(chunk.subarray(0, read))).split('\n');
      rest = lines.pop()!;
      for (const line of lines) requests.add(line, ++lineNumber, false);
    }
    requests.add(rest, ++lineNumber, true);
  } finally {
    fs.closeSync(fd);
  }
  return requests.all;
}

/** How many requests there are per value of `key` (e.g. per verb), keys sorted. */
export function countBy(requests: readonly AuditedRequest[], key: (request: AuditedRequest) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const request of requests) counts[key(request)] = (counts[key(request)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** The verbs that change something. */
export const WRITE_VERBS: ReadonlySet<string> = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);
