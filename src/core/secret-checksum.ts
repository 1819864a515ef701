/**
 * The checksum of Secrets' contents that an agent's pod template carries
 * (`agents.cdk8s.io/secret-checksum`), so a changed key rolls the pods: the
 * same rule for Secrets handed to an `AgentPod` at synth time and for the
 * Secrets the operator reads from the cluster. Only the hash is written,
 * never a value.
 */
import { createHash } from 'crypto';

/** What of a Secret the checksum covers. */
export interface SecretContent {
  readonly namespace?: string;
  readonly name: string;
  /** `data`: base64 values by key. */
  readonly data?: { readonly [key: string]: string };
  /** `stringData`: plain values by key (a manifest's; the API server folds them into `data`). */
  readonly stringData?: { readonly [key: string]: string };
}

/**
 * sha256 (hex) over the Secrets ordered by `namespace/name`, each as its
 * `namespace/name` and its `data` and `stringData`. The order of `secrets`
 * does not matter; a changed, added or removed key changes the checksum.
 */
export function secretChecksum(secrets: readonly SecretContent[]): string {
  const ordered = secrets.map(s => ({ key: `${s.namespace ?? ''}/${s.name}`, s }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const hash = createHash('sha256');
  for (const { key, s } of ordered) {
    hash.update(key).update('\0').update(JSON.stringify({ data: s.data ?? {}, stringData: s.stringData ?? {} })).update('\0');
  }
  return hash.digest('hex');
}
