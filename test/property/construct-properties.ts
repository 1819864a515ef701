/**
 * Property 1 for every construct family: building the case in a fresh App and
 * synthesizing it either throws a clean error (`Kind 'path': field ...`,
 * without the case's secrets) or gives objects that pass the final output
 * check and hold none of the case's secrets. Shared by the jest tests and
 * bench/property.ts.
 */
import { App } from 'cdk8s';
import fc from 'fast-check';
import {
  agentTypeCase, buildAgentType, buildInstall, buildPodApp, buildRedis, installCase, podCase, redisCase,
} from './construct-cases';
import { overlayCase, buildOverlayCase } from './overlay-cases';
import { checkCase, Tally } from './support';

export interface Family {
  readonly name: string;
  readonly arbitrary: fc.Arbitrary<any>;
  readonly build: (app: App, c: any) => any[] | void;
  /** The seed of the test command. */
  readonly seed: number;
}

export const FAMILIES: Family[] = [
  { name: 'AgentPod', arbitrary: podCase, build: buildPodApp, seed: 9001 },
  { name: 'RedisMemory', arbitrary: redisCase, build: buildRedis, seed: 9002 },
  { name: 'install', arbitrary: installCase, build: buildInstall, seed: 9003 },
  { name: 'AgentType', arbitrary: agentTypeCase, build: buildAgentType, seed: 9004 },
  { name: 'Overlay', arbitrary: overlayCase, build: buildOverlayCase, seed: 9005 },
];

/** Runs property 1 for one family; throws fast-check's report (seed, shrunk counterexample) on failure. */
export function runFamily(family: Family, seed: number, numRuns: number): Tally {
  const tally = new Tally();
  fc.assert(fc.property(family.arbitrary, c => checkCase(family.name, c, family.build, tally)), { seed, numRuns });
  return tally;
}
