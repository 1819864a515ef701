/**
 * The operator at scale, on a real control plane (kube-apiserver, etcd,
 * controller manager, scheduler, kwok fake nodes, as processes): N AgentTypes
 * (BENCH_AGENT_TYPES, default 1000) created at once, BENCH_CONCURRENCY (20)
 * requests in flight, by the admin. Measured:
 *
 * - the time from the first create until every AgentType's status says
 *   Running (polled every 2 s), and until every agent's pod runs;
 * - the API requests the operator made, counted by the API server itself (its
 *   audit log, which logs the operator's user only), per AgentType, by verb
 *   and by resource (its Lease, for leader election, apart);
 * - the operator's peak RSS (VmHWM) and CPU time;
 * - a full resync with nothing changed: the operator restarted (its informers
 *   list everything, every AgentType is reconciled): its writes (create,
 *   update, patch, delete; Events counted apart), which should be 0;
 * - when the program has a `--sync-period` flag, the writes of one periodic
 *   resync too (BENCH_SYNC_PERIOD, default 60s).
 *
 * The operator runs as `AgentOperator` renders it (`--leader-elect`, its
 * ServiceAccount's token, so its RBAC applies), compiled with tsc
 * (BENCH_OPERATOR_FROM_SOURCE=true: ts-node instead).
 *
 * Run: npx projen bench:operator   (numbers, not a test; results in bench/results/operator-<date>-<N>.json)
 * Needs Go 1.26+ (the plane is built from source once, then cached).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Admin, install, operatorKubeconfig, OperatorProcess, operatorProgram, OperatorProgram, ROOT, sleep, waitFor } from './operator-harness';
import { DEFAULT_GROUP } from '../src/install/agent-type-schema';
import { AuditedRequest, countBy, readAuditLog, WRITE_VERBS } from '../test/control-plane/audit-log';
import { ControlPlaneState } from '../test/control-plane/control-plane';
import { buildControlPlane, missingToolchain, startControlPlane, stopControlPlane } from '../test/control-plane/supervisor-client';

const N = Number(process.env.BENCH_AGENT_TYPES ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const NS = 'bench-agents';
const OPERATOR_NS = 'bench-operator-system';
const SERVICE_ACCOUNT = 'agent-operator';
const OPERATOR_USER = `system:serviceaccount:${OPERATOR_NS}:${SERVICE_ACCOUNT}`;
const AGENT_TYPES = `/apis/${DEFAULT_GROUP}/v1/namespaces/${NS}/agenttypes`;
/** How long the operator must make no reconcile for it to count as settled. */
const QUIET_SECONDS = 15;
const BOUND_SECONDS = 30 * 60;
/** Pods per fake node: kwok's nodes take 110; leave room. */
const PODS_PER_NODE = 100;
const RESULTS = path.join(__dirname, 'results');

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
const seconds = (ms: number) => round(ms / 1000, 1);

/** A small AgentType: one container, in-memory memory (4 objects: ServiceAccount, ConfigMap, Deployment, NetworkPolicy). */
function agentType(i: number): unknown {
  return {
    apiVersion: `${DEFAULT_GROUP}/v1`,
    kind: 'AgentType',
    metadata: { name: `agent-${String(i).padStart(4, '0')}` },
    spec: {
      agent: { name: 'agent', type: 'container', container: { image: 'registry.example.com/bench-agent:1.0' } },
      memory: { type: 'inmemory', size: '512Mi' },
    },
  };
}

/** Creates the N AgentTypes, `CONCURRENCY` requests in flight. @throws on a create that is not 201 */
async function createAgentTypes(admin: Admin): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < N; i = next++) {
      const response = await admin.request('POST', AGENT_TYPES, agentType(i));
      if (response.status !== 201) throw new Error(`create AgentType ${i}: HTTP ${response.status} ${response.body.slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, N) }, worker));
}

interface Progress {
  /** ms after the first create when each AgentType was first seen Running for its generation. */
  readonly runningAt: Map<string, number>;
  allRunningMs?: number;
  podsRunningMs?: number;
  failed: number;
  podsRunning: number;
}

/** One poll: the AgentTypes' phases and the Running pods (metadata only). */
async function poll(admin: Admin, progress: Progress, t0: number): Promise<void> {
  const now = Date.now() - t0;
  const list = await admin.json(AGENT_TYPES);
  progress.failed = 0;
  for (const item of list.items ?? []) {
    const status = item.status ?? {};
    if (status.phase === 'Failed') progress.failed++;
    if (status.phase === 'Running' && status.observedGeneration === item.metadata.generation && !progress.runningAt.has(item.metadata.name)) {
      progress.runningAt.set(item.metadata.name, now);
    }
  }
  if (progress.runningAt.size >= N) progress.allRunningMs ??= now;
  const pods = await admin.json(`/api/v1/namespaces/${NS}/pods?fieldSelector=${encodeURIComponent('status.phase=Running')}`,
    { accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1' });
  progress.podsRunning = (pods.items ?? []).filter((p: any) => !p.metadata.deletionTimestamp).length;
  if (progress.podsRunning >= N) progress.podsRunningMs ??= now;
}

/** Polls every 2 s until every AgentType is Running and every pod runs (bounded, 30 min). */
async function waitAllRunning(admin: Admin, operator: OperatorProcess, t0: number): Promise<Progress> {
  const progress: Progress = { runningAt: new Map(), failed: 0, podsRunning: 0 };
  let lastReport = Date.now();
  await waitFor('every AgentType Running and every pod running', BOUND_SECONDS, 2000, async () => {
    if (operator.exited) throw new Error(`the operator exited (${operator.exited}): ${operator.tail()}`);
    await poll(admin, progress, t0);
    if (Date.now() - lastReport > 30_000) {
      lastReport = Date.now();
      console.log(`  ${seconds(Date.now() - t0)} s: ${progress.runningAt.size}/${N} AgentTypes Running, ${progress.podsRunning}/${N} pods running, ${progress.failed} Failed, ${operator.reconciles} reconciles`);
    }
    return progress.allRunningMs !== undefined && progress.podsRunningMs !== undefined ? true : undefined;
  }, () => `${progress.runningAt.size}/${N} Running, ${progress.podsRunning} pods, ${progress.failed} Failed; operator:\n${operator.tail()}`);
  return progress;
}

/**
 * Waits until the operator has reconciled `keys` AgentTypes since it started
 * and then begun no reconcile for QUIET_SECONDS (bounded, 30 min).
 */
async function settle(operator: OperatorProcess, keys: number, since = 0): Promise<void> {
  const quiet = (count: number) => new Promise<boolean>(resolve => setTimeout(() => resolve(operator.reconciles === count), QUIET_SECONDS * 1000));
  await waitFor(`the operator to reconcile ${keys} AgentTypes and then rest ${QUIET_SECONDS} s`, BOUND_SECONDS, 1000, async () => {
    if (operator.exited) throw new Error(`the operator exited (${operator.exited}): ${operator.tail()}`);
    if (operator.reconciles - since < keys) return undefined;
    return (await quiet(operator.reconciles)) ? true : undefined;
  }, () => `${operator.reconciles - since} reconciles; ${operator.tail(5)}`);
}

const isLease = (r: AuditedRequest) => r.resource === 'leases.coordination.k8s.io';
const isEvent = (r: AuditedRequest) => r.resource === 'events' || r.resource === 'events.events.k8s.io';
const perAgentType = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, round(v / N, 3)]));

/** The operator's requests between two times: totals, per AgentType, by verb and by resource, errors by status. */
function requestSummary(requests: readonly AuditedRequest[]) {
  const work = requests.filter(r => !isLease(r));
  const writes = work.filter(r => WRITE_VERBS.has(r.verb));
  return {
    requests: work.length,
    perAgentType: round(work.length / N, 2),
    perAgentTypeByVerb: perAgentType(countBy(work, r => r.verb)),
    perAgentTypeByResource: perAgentType(countBy(work, r => r.resource)),
    byVerbAndResource: countBy(work, r => `${r.verb} ${r.resource}`),
    writes: writes.filter(r => !isEvent(r)).length,
    events: writes.filter(isEvent).length,
    errorsByStatus: countBy(work.filter(r => (r.code ?? 0) >= 400), r => `${r.code} ${r.verb} ${r.resource}`),
    leaseRequests: requests.filter(isLease).length,
  };
}

/** The percentile `p` (0..100) of sorted values. */
const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

const kib = (usage: { peakRssKiB: number; rssKiB: number; cpuSeconds: number }) =>
  ({ peakRssMiB: round(usage.peakRssKiB / 1024, 1), rssMiB: round(usage.rssKiB / 1024, 1), cpuSeconds: round(usage.cpuSeconds, 1) });

interface Run {
  readonly plane: ControlPlaneState;
  readonly admin: Admin;
  readonly program: OperatorProgram;
  readonly kubeconfig: string;
  readonly logFile: string;
  readonly operators: OperatorProcess[];
}

const OPERATOR_ARGS = ['--leader-elect', `--leader-election-namespace=${OPERATOR_NS}`];

/** Whether the program has a `--sync-period` flag (its source mentions it). */
const hasSyncPeriod = () => fs.readFileSync(path.join(ROOT, 'src', 'operator', 'main.ts'), 'utf8').includes('sync-period');

/** Phase 1: create N AgentTypes with the operator running, until all run and the operator rests. */
async function createPhase(run: Run) {
  const operator = await OperatorProcess.start(run.program, run.kubeconfig, NS, OPERATOR_ARGS, run.logFile);
  run.operators.push(operator);
  const t0 = Date.now();
  await createAgentTypes(run.admin);
  const createdMs = Date.now() - t0;
  console.log(`  ${N} AgentTypes created in ${seconds(createdMs)} s`);
  const progress = await waitAllRunning(run.admin, operator, t0);
  await settle(operator, N);
  const times = [...progress.runningAt.values()].sort((a, b) => a - b);
  return {
    operator,
    t0,
    operatorStartedAt: operator.startedAt,
    timing: {
      createAllSeconds: seconds(createdMs),
      allAgentTypesRunningSeconds: seconds(progress.allRunningMs!),
      allPodsRunningSeconds: seconds(progress.podsRunningMs!),
      agentTypeRunningSecondsP50: seconds(percentile(times, 50)),
      agentTypeRunningSecondsP90: seconds(percentile(times, 90)),
      settledSeconds: seconds(Date.now() - t0),
      reconciles: operator.reconciles,
      failedReconciles: operator.failures,
    },
    usage: kib(operator.usage()),
  };
}

/** Phase 2: restart the operator with nothing changed; it lists everything and reconciles every AgentType. */
async function resyncPhase(run: Run, first: OperatorProcess) {
  await first.stop();
  const restartedAt = Date.now();
  const syncPeriod = hasSyncPeriod() ? process.env.BENCH_SYNC_PERIOD ?? '60s' : undefined;
  const operator = await OperatorProcess.start(run.program, run.kubeconfig, NS,
    [...OPERATOR_ARGS, ...(syncPeriod ? [`--sync-period=${syncPeriod}`] : [])], run.logFile);
  run.operators.push(operator);
  await settle(operator, N);
  const settledAt = Date.now();
  const resync = {
    restartedAt,
    settledAt,
    seconds: seconds(settledAt - restartedAt),
    reconciles: operator.reconciles,
    keysReconciled: operator.reconciled.size,
    failedReconciles: operator.failures,
  };
  let periodic: { from: number; to: number; reconciles: number } | undefined;
  if (syncPeriod) {
    // One periodic resync: wait for N more reconciles, then rest.
    const before = operator.reconciles;
    await settle(operator, N, before);
    periodic = { from: settledAt, to: Date.now(), reconciles: operator.reconciles - before };
  }
  return { operator, resync, periodic, syncPeriod, usage: kib(operator.usage()) };
}

/** Starts the plane (its own, stopped at the end; audit log of the operator's user; enough fake nodes). */
async function startPlane(root: string): Promise<ControlPlaneState> {
  const missing = missingToolchain();
  if (missing) throw new Error(`the operator benchmark needs the control plane: ${missing}`);
  const binDir = buildControlPlane();
  const nodes = Math.max(2, Math.ceil(N / PODS_PER_NODE));
  const started = Date.now();
  const plane = await startControlPlane({
    root,
    binDir,
    owner: process.pid,
    ttlSeconds: 3 * 3600,
    nodes,
    auditUsers: [OPERATOR_USER],
    componentApiRate: { qps: 200, burst: 400 },
  });
  console.log(`control plane ready in ${seconds(Date.now() - started)} s (${nodes} fake nodes): ${plane.server}`);
  return plane;
}

async function benchmark(run: Run): Promise<unknown> {
  console.log(`operator benchmark: ${N} AgentTypes, ${CONCURRENCY} creates in flight, operator ${run.program.mode}`);
  const create = await createPhase(run);
  console.log(`  all Running at ${create.timing.allAgentTypesRunningSeconds} s, pods at ${create.timing.allPodsRunningSeconds} s; restarting the operator`);
  const resync = await resyncPhase(run, create.operator);
  await sleep(2000); // the last requests' audit entries
  const requests = readAuditLog(run.plane.auditLog!);
  const others = requests.filter(r => r.user !== OPERATOR_USER);
  if (requests.length === 0 || others.length > 0) throw new Error(`the audit log has ${requests.length} requests, ${others.length} of other users: it should hold the operator's only`);
  const between = (from: number, to: number) => requests.filter(r => r.receivedAt >= from && r.receivedAt < to);
  const end = Date.now() + 1;
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    agentTypes: N,
    concurrency: CONCURRENCY,
    operator: run.program.mode,
    fakeNodes: run.plane.nodeNames.length,
    timing: create.timing,
    operatorUsage: { create: create.usage, afterResync: resync.usage },
    requests: {
      startup: requestSummary(between(create.operatorStartedAt, create.t0)),
      create: requestSummary(between(create.t0, resync.resync.restartedAt)),
      restartResync: requestSummary(between(resync.resync.restartedAt, resync.periodic?.from ?? end)),
      ...(resync.periodic ? { periodicResync: requestSummary(between(resync.periodic.from, end)) } : {}),
    },
    restartResync: resync.resync,
    periodicResync: resync.periodic ? { syncPeriod: resync.syncPeriod, ...resync.periodic } : 'not measured: the program has no --sync-period flag',
  };
}

/** The numbers that matter, as one table. */
function printSummary(result: any): void {
  const { timing, operatorUsage, requests } = result;
  const rows: Record<string, unknown> = {
    'AgentTypes': result.agentTypes,
    'create all (s)': timing.createAllSeconds,
    'all AgentTypes Running (s)': timing.allAgentTypesRunningSeconds,
    'AgentType Running p50 / p90 (s)': `${timing.agentTypeRunningSecondsP50} / ${timing.agentTypeRunningSecondsP90}`,
    'all pods Running (s)': timing.allPodsRunningSeconds,
    'reconciles (create phase)': timing.reconciles,
    'requests per AgentType (create)': requests.create.perAgentType,
    'by verb per AgentType (create)': JSON.stringify(requests.create.perAgentTypeByVerb),
    'operator peak RSS, create (MiB)': operatorUsage.create.peakRssMiB,
    'operator CPU, create (s)': operatorUsage.create.cpuSeconds,
    'restart resync: requests per AgentType': requests.restartResync.perAgentType,
    'restart resync: writes (must be 0)': requests.restartResync.writes,
    'restart resync: Events (should be 0)': requests.restartResync.events,
    'operator peak RSS, restart (MiB)': operatorUsage.afterResync.peakRssMiB,
  };
  if (requests.periodicResync) rows['periodic resync: writes (must be 0)'] = requests.periodicResync.writes;
  console.table(rows);
}

async function main(): Promise<void> {
  if (!Number.isInteger(N) || N < 1) throw new Error(`BENCH_AGENT_TYPES '${process.env.BENCH_AGENT_TYPES}' is not a positive whole number`);
  if (!Number.isInteger(CONCURRENCY) || CONCURRENCY < 1) throw new Error(`BENCH_CONCURRENCY '${process.env.BENCH_CONCURRENCY}' is not a positive whole number`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-agents-bench-operator-'));
  const stamp = new Date().toISOString().replace(/:/g, '-').replace(/\..*/, '');
  fs.mkdirSync(RESULTS, { recursive: true });
  const logFile = path.join(RESULTS, `operator-${stamp}-${N}.log`);
  const operators: OperatorProcess[] = [];
  let admin: Admin | undefined;
  const cleanUp = async () => {
    await Promise.all(operators.map(o => o.stop()));
    admin?.close();
    await stopControlPlane(root);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanUp().then(() => process.exit(130)));
  try {
    const program = operatorProgram(process.env.BENCH_OPERATOR_FROM_SOURCE === 'true');
    const plane = await startPlane(root);
    admin = new Admin(plane);
    await install(admin, NS, OPERATOR_NS);
    const kubeconfig = await operatorKubeconfig(admin, plane, OPERATOR_NS, SERVICE_ACCOUNT);
    const result = await benchmark({ plane, admin, program, kubeconfig, logFile, operators });
    const file = path.join(RESULTS, `operator-${stamp}-${N}.json`);
    fs.writeFileSync(file, JSON.stringify(result, undefined, 2));
    printSummary(result);
    console.log(`results: ${path.relative(ROOT, file)}; the operator's output: ${path.relative(ROOT, logFile)}`);
  } finally {
    await cleanUp();
  }
}

main().catch((error) => {
  console.error(`operator benchmark failed: ${(error as Error).stack ?? error}`);
  process.exit(1);
});
