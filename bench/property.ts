/**
 * The property tests of test/property/ with more cases than the test command,
 * outside jest (numbers and findings, not a test).
 *
 * Run: TS_NODE_PROJECT=test/tsconfig.json TS_NODE_TRANSPILE_ONLY=true node -r ts-node/register bench/property.ts
 *
 * Environment:
 * - PROPERTY_RUNS: cases per construct family (default 10000); the kustomize comparison runs a tenth of that
 *   (each case is 1 to 4 overlays, each built by kubectl, 3 at a time; about 0.3 s a case on 2 cores);
 * - PROPERTY_SEED: the seed (default: a fresh one, printed, so a failure can be replayed);
 * - PROPERTY_FAMILIES: comma-separated families to run (AgentPod, RedisMemory, install, AgentType, Overlay, kustomize);
 * - PROPERTY_SURVEY=1: instead of stopping at the first failing case (fast-check's shrunk counterexample),
 *   run every case and print one example of each distinct problem (values blanked out in the signature);
 */
import { FAMILIES, runFamily } from '../test/property/construct-properties';
import { runKustomizeProperty } from '../test/property/kustomize-property';
import { survey, surveyKustomize } from '../test/property/survey';

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
      process.stdout.write(`${family.name} FAILED (${Date.now() - start} ms):\n${(e as Error).message}\n${String((e as Error).cause ?? '')}\n`);
    }
  }
  if (!only || only.includes('kustomize')) {
    const start = Date.now();
    if (process.env.PROPERTY_SURVEY) {
      await surveyKustomize(seed, Math.max(1, Math.round(runs / 10)));
      return;
    }
    try {
      const tally = await runKustomizeProperty(seed, Math.max(1, Math.round(runs / 10)), runs * 1000);
      process.stdout.write(`${tally.summary('kustomize')} (${Date.now() - start} ms)\n`);
    } catch (e) {
      failed = true;
      process.stdout.write(`kustomize FAILED (${Date.now() - start} ms):\n${(e as Error).message}\n${String((e as Error).cause ?? '')}\n`);
    }
  }
  process.exitCode = failed ? 1 : 0;
}

void main();
