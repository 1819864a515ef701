/**
 * The property tests of test/property/ with more cases than the test command,
 * outside jest (numbers and findings, not a test).
 *
 * Run: TS_NODE_PROJECT=test/tsconfig.json TS_NODE_TRANSPILE_ONLY=true node -r ts-node/register bench/property.ts
 *
 * Environment:
 * - PROPERTY_RUNS: cases per construct family (default 10000) and per kustomize comparison run (default 1000 / 10);
 * - PROPERTY_SEED: the seed (default: a fresh one, printed, so a failure can be replayed);
 * - PROPERTY_FAMILIES: comma-separated families to run (AgentPod, RedisMemory, install, AgentType, Overlay, kustomize);
 * - PROPERTY_SURVEY=1: instead of stopping at the first failing case (fast-check's shrunk counterexample),
 *   run every case and print one example of each distinct problem (values blanked out in the signature);
 * - PROPERTY_IGNORE_KNOWN=1: as if test/property/known-findings.ts were empty.
 */
import { App } from 'cdk8s';
import fc from 'fast-check';
import { FAMILIES, Family, runFamily } from '../test/property/construct-properties';
import { checkKustomizeCase, runKustomizeProperty } from '../test/property/kustomize-property';
import { kustomizeCase } from '../test/property/overlay-cases';
import { outcomeProblems, redactAll, secretsOfCase, Tally } from '../test/property/support';
import { Overlay } from '../src';

function signature(problem: string): string {
  return problem.replace(/secret(\(s\))? \S+…\(\d+\)/g, 'secret').replace(/'[^'\n]*'/g, "'…'").replace(/\d+/g, 'N').slice(0, 200);
}

/** Every case of one family; one example per distinct problem signature. */
function survey(family: Family, seed: number, numRuns: number): void {
  const seen = new Map<string, { count: number; example: unknown; problem: string }>();
  for (const c of fc.sample(family.arbitrary, { seed, numRuns })) {
    const secrets = secretsOfCase(c);
    let outcome: { error: unknown } | { objects: any[] };
    try {
      const app = new App({ outdir: '/nonexistent-property-outdir' });
      const built = family.build(app, c);
      outcome = { objects: built ?? Overlay.baseFiles(app).flatMap(f => f.objects) };
    } catch (error) {
      outcome = { error };
    }
    for (const problem of outcomeProblems(outcome, secrets)) {
      const sig = signature(redactAll(problem, secrets));
      const entry = seen.get(sig) ?? { count: 0, example: c, problem };
      entry.count++;
      seen.set(sig, entry);
    }
  }
  for (const [sig, { count, example, problem }] of [...seen].sort((a, b) => b[1].count - a[1].count)) {
    process.stdout.write(`\n[${family.name}] ${count}x ${sig}\n  problem: ${problem.slice(0, 600)}\n  case: ${JSON.stringify(example).slice(0, 1500)}\n`);
  }
}

/** Every kustomize case; one example per distinct problem signature. */
async function surveyKustomize(seed: number, numRuns: number): Promise<void> {
  const seen = new Map<string, { count: number; example: unknown; problem: string }>();
  for (const c of fc.sample(kustomizeCase, { seed, numRuns })) {
    try {
      await checkKustomizeCase(c, new Tally());
    } catch (e) {
      for (const problem of (e as Error).message.split('\n  ')) {
        const sig = signature(problem.replace(/^kustomize: /, ''));
        const entry = seen.get(sig) ?? { count: 0, example: c, problem };
        entry.count++;
        seen.set(sig, entry);
      }
    }
  }
  for (const [sig, { count, example, problem }] of [...seen].sort((a, b) => b[1].count - a[1].count)) {
    process.stdout.write(`\n[kustomize] ${count}x ${sig}\n  problem: ${problem.slice(0, 800)}\n  case: ${JSON.stringify(example).slice(0, 2500)}\n`);
  }
}

async function main(): Promise<void> {
  const seed = process.env.PROPERTY_SEED ? Number(process.env.PROPERTY_SEED) : Date.now() % 2 ** 31;
  const runs = Number(process.env.PROPERTY_RUNS ?? 10000);
  const only = process.env.PROPERTY_FAMILIES?.split(',');
  process.stdout.write(`seed ${seed}, ${runs} cases per family\n`);
  let failed = false;
  for (const family of FAMILIES.filter(f => !only || only.includes(f.name))) {
    const start = Date.now();
    if (process.env.PROPERTY_SURVEY) {
      survey(family, seed, runs);
      continue;
    }
    try {
      const tally = runFamily(family, seed, runs);
      process.stdout.write(`${tally.summary(family.name)} (${Date.now() - start} ms)\n`);
    } catch (e) {
      failed = true;
      process.stdout.write(`${family.name} FAILED (${Date.now() - start} ms):\n${(e as Error).message}\n`);
    }
  }
  if (!only || only.includes('kustomize')) {
    const start = Date.now();
    if (process.env.PROPERTY_SURVEY) {
      await surveyKustomize(seed, Math.max(1, Math.round(runs / 10)));
      return;
    }
    try {
      const tally = await runKustomizeProperty(seed, Math.max(1, Math.round(runs / 10)));
      process.stdout.write(`${tally.summary('kustomize')} (${Date.now() - start} ms)\n`);
    } catch (e) {
      failed = true;
      process.stdout.write(`kustomize FAILED (${Date.now() - start} ms):\n${(e as Error).message}\n`);
    }
  }
  process.exitCode = failed ? 1 : 0;
}

void main();
