/**
 * The survey mode of bench/property.ts (`PROPERTY_SURVEY=1`): every case of a
 * family is run (no stop at the first failure, no shrinking) and one example
 * of each distinct problem is printed, values blanked out in the signature.
 */
import { App } from 'cdk8s';
import fc from 'fast-check';
import { Family } from './construct-properties';
import { checkKustomizeCase } from './kustomize-property';
import { kustomizeCase } from './overlay-cases';
import { outcomeProblems, redactAll, secretsOfCase, Tally } from './support';
import { Overlay } from '../../src';

function signature(problem: string): string {
  return problem.replace(/secret(\(s\))? \S+…\(\d+\)/g, 'secret').replace(/'[^'\n]*'/g, "'…'").replace(/\d+/g, 'N').slice(0, 200);
}

/** Every case of one family; one example per distinct problem signature. */
export function survey(family: Family, seed: number, numRuns: number): void {
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
export async function surveyKustomize(seed: number, numRuns: number): Promise<void> {
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

