/**
 * Reading test/gateway/requirements.txt, the lock of the gateway tests'
 * Python packages (written by lock.sh, installed by build-venv.sh).
 */
import * as fs from 'fs';
import * as path from 'path';

/** The lock file. */
export const REQUIREMENTS_FILE = path.join(__dirname, 'requirements.txt');
/** The lock of the pip that installs it (build-venv.sh installs it first). */
export const PIP_REQUIREMENTS_FILE = path.join(__dirname, 'pip-requirements.txt');

/** One locked package: `name[extras]==version` and the sha256 of its files. */
export interface LockedPackage {
  /** The name as written, lowercase, without extras (`litellm`). */
  readonly name: string;
  /** The extras, e.g. `['proxy']`; empty when none. */
  readonly extras: readonly string[];
  /** The exact version (`==`). */
  readonly version: string;
  /** The `--hash=sha256:` values (64 hex characters each). */
  readonly hashes: readonly string[];
}

const REQUIREMENT = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[([A-Za-z0-9._,-]+)\])?==([^\s;]+)$/;
const HASH = /^--hash=sha256:([0-9a-f]{64})$/;

/**
 * Parses a lock: one requirement per logical line (continued with `\`),
 * comments and blank lines skipped.
 * @throws Error naming the line when a requirement is not pinned with `==` or a hash is not sha256
 */
export function parseRequirements(text: string): LockedPackage[] {
  const logical = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/).map(l => l.replace(/(^|\s)#.*$/, '').trim()).filter(l => l);
  return logical.map(line => {
    const [spec, ...options] = line.split(/\s+/);
    const m = REQUIREMENT.exec(spec);
    if (!m) throw new Error(`requirements: '${spec}' is not pinned as name==version`);
    const hashes = options.map(o => {
      const h = HASH.exec(o);
      if (!h) throw new Error(`requirements: ${spec}: '${o}' is not --hash=sha256:<64 hex>`);
      return h[1];
    });
    return { name: m[1].toLowerCase(), extras: m[2] ? m[2].split(',') : [], version: m[3], hashes };
  });
}

/** The packages of a committed lock (by default the gateway's, `requirements.txt`). */
export function lockedPackages(file: string = REQUIREMENTS_FILE): LockedPackage[] {
  return parseRequirements(fs.readFileSync(file, 'utf8'));
}
