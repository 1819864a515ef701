/**
 * Property 1 of every construct family, with fixed seeds, in the test
 * command (see construct-properties.ts; bench/property.ts runs more cases).
 */
import { FAMILIES, runFamily } from './construct-properties';
import { runConfig } from './support';

const CASES = 1000;

describe.each(FAMILIES)('$name', (family) => {
  test(`${CASES} generated cases: a clean error, or objects that pass the final check and leak no secret`, () => {
    const { seed, numRuns } = runConfig(family.seed, CASES);
    const tally = runFamily(family, seed, numRuns);
    process.stdout.write(`${tally.summary(family.name)}\n`);
    // The generators must get a good share of cases through to synth, or the property checks only errors.
    expect(tally.synthesized).toBeGreaterThan(numRuns * 0.2);
  }, 300_000);
});
