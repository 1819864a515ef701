/**
 * Overlay speed and memory: N full agents (the shape of bench/synth.bench.ts)
 * through three overlays, dev, staging and prod built from the presets (a
 * ConfigMap generator in staging; images pinned to digests, replicas and a
 * namePrefix in prod), written as <outdir>/<env>/ plus the kustomize tree.
 *
 * Each N runs in a child process of its own, so the peak RSS reported is that
 * of one N (build of the app included), not of the largest N before it; and
 * each N runs twice, with Node's default heap and with
 * `--max-old-space-size=1536` ("capped", run first). With the
 * default heap on a machine with much memory (4 GiB or more of heap limit),
 * V8 lets the heap grow to about 4x the live objects before a full
 * collection; a limit under 2 GiB makes it grow by about 1.3-2x, so the peak
 * RSS then shows what the app and the overlays need (see docs/design.md,
 * "Peak memory is mostly V8's choice"; the README says when an app should
 * set it).
 *
 * Run: npx projen bench:overlay
 * (numbers, not a test; BENCH_SIZES=100,1000 to choose the sizes; results
 * also in bench/results/overlay.json)
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { build } from './app';
import { AgentTypePreset, EnvironmentPreset, FeaturePreset, Overlay } from '../src';

/** dev, staging and prod from the presets. */
function overlays(): Overlay[] {
  return [
    new Overlay({ name: 'dev', components: [EnvironmentPreset.dev(), FeaturePreset.toolsComplete(), FeaturePreset.apisDevelopment()] }),
    new Overlay({
      name: 'staging',
      components: [
        // testData is a configMapGenerator (with kustomize's content hash) mounted in every agent.
        EnvironmentPreset.staging({ testData: { 'scenarios.json': '[]' }, testDataNamespace: 'agents' }),
        AgentTypePreset.pythonDataScience(), FeaturePreset.memoryMedium(),
      ],
    }),
    new Overlay({
      name: 'prod',
      namePrefix: 'prod-',
      components: [EnvironmentPreset.prod(), AgentTypePreset.pythonWebService(), FeaturePreset.memoryLarge(), FeaturePreset.apisProduction()],
      // prod requires digests (EnvironmentPreset.prod): pin every image of the app.
      images: [
        { name: 'registry.example.com/tool-manager', newTag: '0.2.0', digest: `sha256:${'a'.repeat(64)}` },
        ...['registry.example.com/agent', 'registry.example.com/agent-operator', 'python', 'busybox']
          .map((name, i) => ({ name, digest: `sha256:${String(i).repeat(64)}` })),
      ],
      replicas: [{ name: 'agent-0', count: 3 }],
    }),
  ];
}

interface Result {
  readonly agents: number;
  readonly objectsPerEnv: number;
  readonly buildMs: number;
  readonly overlayMs: number;
  /** CPU time (user + system) of Overlay.synth: less disturbed than wall time by other work on the machine. */
  readonly overlayCpuMs: number;
  readonly peakRssMiB: number;
}

/** One N, in this (child) process. */
function measure(agents: number): Result {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-agents-overlay-bench-'));
  try {
    const buildStart = process.hrtime.bigint();
    const app = build(agents, outdir);
    const buildMs = Number(process.hrtime.bigint() - buildStart) / 1e6;
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    Overlay.synth(app, overlays(), { kustomizeOutdir: path.join(outdir, 'kustomize') });
    const overlayMs = Number(process.hrtime.bigint() - start) / 1e6;
    const cpu = process.cpuUsage(cpuStart);
    const objectsPerEnv = fs.readdirSync(path.join(outdir, 'prod'))
      .reduce((n, f) => n + fs.readFileSync(path.join(outdir, 'prod', f), 'utf-8').split(/^---$/m).length, 0);
    return {
      agents,
      objectsPerEnv,
      buildMs: Math.round(buildMs),
      overlayMs: Math.round(overlayMs),
      overlayCpuMs: Math.round((cpu.user + cpu.system) / 1000),
      // maxRSS is in KiB: the peak of this process, app construction included.
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** The heap limit of the second run of each N, MiB. */
const CAPPED_OLD_SPACE_MB = 1536;

/** Runs one N in a fresh Node process, with `--max-old-space-size=<oldSpaceMb>` when given. */
function measureInChild(agents: number, oldSpaceMb?: number): Result {
  const flags = oldSpaceMb === undefined ? [] : [`--max-old-space-size=${oldSpaceMb}`];
  const child = spawnSync(process.execPath, [...process.execArgv, ...flags, __filename, '--child', String(agents)], {
    encoding: 'utf-8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 * 2 ** 20,
  });
  if (child.status !== 0) throw new Error(`the bench of ${agents} agents failed (exit ${child.status ?? child.signal})`);
  const last = child.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last);
}

function main(): void {
  const childAt = process.argv.indexOf('--child');
  if (childAt >= 0) {
    const agents = Number(process.argv[childAt + 1]);
    measure(5); // warm-up: module loading, ajv and CEL compilation
    process.stdout.write(`${JSON.stringify(measure(agents))}\n`);
    return;
  }
  const sizes = (process.env.BENCH_SIZES ?? '100,1000,5000').split(',').map(Number);
  const results = sizes.map(n => {
    const capped = measureInChild(n, CAPPED_OLD_SPACE_MB);
    return { ...measureInChild(n), cappedOverlayMs: capped.overlayMs, cappedPeakRssMiB: capped.peakRssMiB };
  });
  const first = results[0];
  console.log(`Overlay.synth() of dev, staging and prod plus the kustomize tree (Node ${process.version}, one process per N and heap setting; capped: --max-old-space-size=${CAPPED_OLD_SPACE_MB}):`);
  console.table(results.map(r => ({
    'N': r.agents,
    'objects/env': r.objectsPerEnv,
    'build s': r.buildMs / 1000,
    'Overlay.synth s': r.overlayMs / 1000,
    [`time/time(${first.agents})`]: Math.round((r.overlayMs / first.overlayMs) * 10) / 10,
    'CPU s': r.overlayCpuMs / 1000,
    [`CPU/CPU(${first.agents})`]: Math.round((r.overlayCpuMs / first.overlayCpuMs) * 10) / 10,
    'peak RSS MiB': r.peakRssMiB,
    'capped: Overlay.synth s': r.cappedOverlayMs / 1000,
    'capped: peak RSS MiB': r.cappedPeakRssMiB,
  })));
  const resultsDir = path.resolve('bench', 'results'); // run from the project's root (npx projen bench:overlay)
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(path.join(resultsDir, 'overlay.json'), JSON.stringify({ node: process.version, cappedOldSpaceMb: CAPPED_OLD_SPACE_MB, results }, null, 2));
}

main();
