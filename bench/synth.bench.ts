/**
 * Synthesis speed and memory: N full agents (sidecar, SDK, glue code, two LLM
 * providers, Redis) each as an AgentPod and as an AgentType validated against
 * the CRD schema, synthesized to YAML files in a temp folder. Overlays have
 * their own benchmark, bench/overlay.bench.ts.
 *
 * The app.synth() part also has a baseline: the very objects the library
 * renders, given to plain cdk8s `ApiObject`s in a fresh App and synthesized
 * to the same YAML files (checked byte for byte). Each side runs in its own
 * process, so each peak RSS is its own.
 *
 * Run: npx projen bench:synth   (numbers, not a test; results also in bench/results/;
 * the task runs this file compiled, as an app runs the package)
 * BENCH_SIZES=1,10,100,500 (library only), BENCH_RAW_N=1000 and BENCH_RAW_ROUNDS=3 (library vs raw).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import { build } from './app';

/** A full garbage collection (node --expose-gc), else nothing. */
const fullGc: () => void = (global as any).gc ?? (() => undefined);
const elapsedMs = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
/** Peak resident set size of this process so far, MiB. */
const peakRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);
/** Synthesizes the app; wall-clock and CPU milliseconds. */
function timedSynth(app: App): { synthMs: number; synthCpuMs: number } {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  app.synth();
  const synthMs = elapsedMs(start);
  const used = process.cpuUsage(cpu);
  return { synthMs: Math.round(synthMs), synthCpuMs: Math.round((used.user + used.system) / 1000) };
}

interface SynthRun {
  readonly agents: number;
  readonly objects: number;
  /** Constructing the tree (AgentPods and AgentTypes, or the raw ApiObjects). */
  readonly buildMs: number;
  /** `app.synth()`: validation, rendering and writing the YAML files (wall clock). */
  readonly synthMs: number;
  /** CPU time of `app.synth()` (user + system, all threads of the process): steadier than wall clock on a shared machine. */
  readonly synthCpuMs?: number;
  readonly peakRssMiB: number;
}

function measure(agents: number): SynthRun & { msPerAgent: number; heapMiB: number } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-agents-bench-'));
  fullGc();
  const heapBefore = process.memoryUsage().heapUsed;
  const start = process.hrtime.bigint();
  const app = build(agents, outdir);
  const buildMs = elapsedMs(start);
  const synthStart = process.hrtime.bigint();
  app.synth();
  const synthMs = elapsedMs(synthStart);
  // Heap still held by the synthesized app (the construct tree), after a full GC.
  fullGc();
  const heapMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  const objects = app.charts.reduce((n, c) => n + c.toJson().length, 0);
  fs.rmSync(outdir, { recursive: true, force: true });
  return {
    agents,
    objects,
    buildMs: Math.round(buildMs),
    synthMs: Math.round(synthMs),
    msPerAgent: Math.round(((buildMs + synthMs) / agents) * 100) / 100,
    heapMiB: Math.round(heapMiB),
    peakRssMiB: peakRssMiB(),
  };
}

/** What the library rendered, chart by chart, for the raw baseline to emit again. */
interface RenderedChart {
  readonly id: string;
  readonly dependsOn: string[];
  readonly objects: any[];
}

/** Library side of the baseline (own process): build and synth N agents into outdir, save the rendered objects. */
function libraryRun(agents: number, outdir: string, objectsFile: string): SynthRun {
  build(5, fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-agents-warmup-'))).synth(); // module loading, ajv and CEL compilation
  fullGc();
  const start = process.hrtime.bigint();
  const app = build(agents, outdir);
  const buildMs = elapsedMs(start);
  const synth = timedSynth(app);
  const peak = peakRssMiB();
  const charts: RenderedChart[] = app.charts.map(c => ({
    id: c.node.id,
    dependsOn: c.node.dependencies.filter((d): d is Chart => d instanceof Chart).map(d => d.node.id),
    objects: c.toJson(),
  }));
  fs.writeFileSync(objectsFile, JSON.stringify(charts));
  const objects = charts.reduce((n, c) => n + c.objects.length, 0);
  return { agents, objects, buildMs: Math.round(buildMs), ...synth, peakRssMiB: peak };
}

/** Raw side of the baseline (own process): the same objects as plain ApiObjects in a fresh App, synthesized into outdir. */
function rawRun(agents: number, outdir: string, objectsFile: string): SynthRun {
  const emit = (charts: RenderedChart[], dir: string) => {
    const app = new App({ outdir: dir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
    const byId = new Map(charts.map(c => [c.id, new Chart(app, c.id)]));
    for (const c of charts) {
      for (const dep of c.dependsOn) byId.get(c.id)!.addDependency(byId.get(dep)!);
      c.objects.forEach((obj, i) => new ApiObject(byId.get(c.id)!, `o${i}`, obj));
    }
    return app;
  };
  const charts: RenderedChart[] = JSON.parse(fs.readFileSync(objectsFile, 'utf-8'));
  emit(charts.map(c => ({ ...c, objects: c.objects.slice(0, 20) })), fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-agents-warmup-'))).synth();
  fullGc();
  const start = process.hrtime.bigint();
  const app = emit(charts, outdir);
  const buildMs = elapsedMs(start);
  const synth = timedSynth(app);
  const objects = charts.reduce((n, c) => n + c.objects.length, 0);
  return { agents, objects, buildMs: Math.round(buildMs), ...synth, peakRssMiB: peakRssMiB() };
}

/** Runs one side of the baseline in a child process (same node flags) and returns its numbers. */
function inChild(side: 'library' | 'raw', agents: number, outdir: string, objectsFile: string): SynthRun {
  const child = spawnSync(process.execPath, [...process.execArgv, __filename, `--${side}`, String(agents), outdir, objectsFile], {
    encoding: 'utf-8', maxBuffer: 2 ** 26,
  });
  if (child.status !== 0) throw new Error(`${side} run failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!);
}

/** Throws unless both folders hold the same files, byte for byte. */
function checkSameFiles(a: string, b: string): void {
  const files = fs.readdirSync(a).sort();
  const differs = (f: string) => !fs.readFileSync(path.join(a, f)).equals(fs.readFileSync(path.join(b, f)));
  if (files.join() !== fs.readdirSync(b).sort().join() || files.some(differs)) {
    throw new Error(`the raw baseline did not write the same files as the library (${a}, ${b})`);
  }
}

/**
 * Library vs raw ApiObjects for N agents: same objects, same files (checked),
 * each side in its own process, `rounds` alternating rounds (the machine may
 * be shared); the medians are compared.
 */
function compareWithRaw(agents: number, rounds: number): void {
  const library: SynthRun[] = [];
  const raw: SynthRun[] = [];
  for (let round = 0; round < rounds; round++) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-agents-bench-raw-'));
    const [libDir, rawDir, objectsFile] = ['library', 'raw', 'objects.json'].map(f => path.join(tmp, f));
    library.push(inChild('library', agents, libDir, objectsFile));
    raw.push(inChild('raw', agents, rawDir, objectsFile));
    checkSameFiles(libDir, rawDir);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const median = (runs: SynthRun[], key: 'buildMs' | 'synthMs' | 'synthCpuMs') => runs.map(r => r[key]!).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
  const summary = (runs: SynthRun[]) => ({
    agents,
    objects: runs[0].objects,
    buildMs: median(runs, 'buildMs'),
    synthMs: median(runs, 'synthMs'),
    synthCpuMs: median(runs, 'synthCpuMs'),
    synthRuns: runs.map(r => r.synthMs).join(' '),
    peakRssMiB: Math.max(...runs.map(r => r.peakRssMiB)),
  });
  const [lib, base] = [summary(library), summary(raw)];
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  console.log(`app.synth() of ${agents} agents, library vs the same objects as raw cdk8s ApiObjects (identical YAML files), median of ${rounds}:`);
  console.table({ library: lib, raw: base });
  const synthRatio = ratio(lib.synthMs, base.synthMs);
  const synthCpuRatio = ratio(lib.synthCpuMs, base.synthCpuMs);
  console.log(`ratio library/raw: synth ${synthRatio}x (CPU ${synthCpuRatio}x), build+synth ${ratio(lib.buildMs + lib.synthMs, base.buildMs + base.synthMs)}x`);
  comparison = { library: lib, raw: base, synthRatio, synthCpuRatio };
}

let comparison: unknown;

const [side, sideAgents, sideOutdir, sideObjects] = process.argv.slice(2);
if (side === '--library' || side === '--raw') {
  const run = side === '--library' ? libraryRun : rawRun;
  console.log(JSON.stringify(run(Number(sideAgents), sideOutdir, sideObjects)));
  process.exit(0);
}

const sizes = (process.env.BENCH_SIZES ?? '1,10,100,500').split(',').map(Number);
measure(5); // warm-up: module loading, ajv and CEL compilation
const results = sizes.map(measure);
console.log('app.synth():');
console.table(results);
compareWithRaw(Number(process.env.BENCH_RAW_N ?? 1000), Number(process.env.BENCH_RAW_ROUNDS ?? 3));
const resultsDir = path.resolve('bench', 'results'); // run from the project's root (npx projen bench:synth)
fs.mkdirSync(resultsDir, { recursive: true });
fs.writeFileSync(path.join(resultsDir, 'synth.json'), JSON.stringify({ node: process.version, results, comparison }, null, 2));
