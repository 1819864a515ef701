/**
 * Container image references and the image policy (digest pinning).
 *
 * The grammar is the one of https://github.com/distribution/reference
 * (`reference.go`, `regexp.go`, `normalize.go`), which kubelet and containerd
 * use to read the `image` of a container:
 *
 * ```
 * reference        := name [ ":" tag ] [ "@" digest ]
 * name             := [registry "/"] path
 * registry         := host [":" port]          ; host: DNS name, IPv4, or [IPv6]
 * path             := path-component ["/" path-component]*
 * path-component   := [a-z0-9]+ (separator [a-z0-9]+)*
 * separator        := "." | "_" | "__" | "-"+
 * tag              := [\w][\w.-]{0,127}
 * digest           := algorithm ":" hex      ; sha256 (64 hex), sha384 (96), sha512 (128)
 * ```
 *
 * The first `/`-separated component is the registry when it contains `.` or
 * `:` or is `localhost`; otherwise the image is on Docker Hub (`docker.io`).
 */

/** Hex lengths of the digest algorithms go-digest registers. */
const DIGEST_HEX_LENGTHS: { readonly [algorithm: string]: number } = { sha256: 64, sha384: 96, sha512: 128 };

/** `domain-component` of regexp.go: alphanumerics and '-', not starting or ending with '-'. */
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
/** `domainAndPort` of regexp.go: a DNS name or IPv4 address, or an IPv6 address in brackets, then an optional port. */
const REGISTRY = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
/** `pathComponent` of regexp.go. */
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
/** `tag` of regexp.go. */
const TAG = /^\w[\w.-]{0,127}$/;
/** `digest-algorithm` of reference.go. */
const DIGEST_ALGORITHM = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*$/;
/** `identifier` of regexp.go: a bare image ID, refused as a name by `ParseNormalizedNamed`. */
const IDENTIFIER = /^[a-f0-9]{64}$/;
/** `RepositoryNameTotalLengthMax` of reference.go. */
const REPOSITORY_MAX_LENGTH = 255;

/** The parts of a valid reference, or the reason it is not one. */
type Parsed =
  | { readonly registry?: string; readonly repository: string; readonly tag?: string; readonly digest?: string }
  | { readonly problem: string };

/** Parses `image` following distribution/reference; never throws. */
function parseParts(image: string): Parsed {
  if (typeof image !== 'string' || image === '') {
    return { problem: 'is empty (give a reference such as \'registry.example.com/agent:1.0\')' };
  }
  if (/\s/.test(image)) return { problem: 'contains whitespace' };
  if (IDENTIFIER.test(image)) {
    return { problem: 'is a 64-character hexadecimal image ID, not a repository name' };
  }

  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (digest.includes('@')) return { problem: 'contains more than one \'@\'' };
    const problem = digestProblem(digest);
    if (problem) return { problem };
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (tag === '') return { problem: 'has an empty tag after \':\'' };
    if (tag.length > 128) return { problem: `tag '${tag}' is longer than 128 characters` };
    if (!TAG.test(tag)) {
      return { problem: `tag '${tag}' is not valid (letters, digits, '_', '.' and '-', not starting with '.' or '-')` };
    }
  }

  let registry: string | undefined;
  let repository = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first === 'localhost' || first.includes('.') || first.includes(':')) {
      registry = first;
      repository = rest.slice(slash + 1);
      if (!REGISTRY.test(registry)) {
        return { problem: `registry '${registry}' is not a valid host[:port] (DNS name, IPv4 or [IPv6] address, optional numeric port)` };
      }
    }
  }

  if (repository === '') return { problem: 'has no repository name' };
  if (repository.length > REPOSITORY_MAX_LENGTH) {
    return { problem: `repository is ${repository.length} characters long (at most ${REPOSITORY_MAX_LENGTH})` };
  }
  if (repository !== repository.toLowerCase()) {
    return { problem: `repository '${repository}' must be lowercase` };
  }
  for (const component of repository.split('/')) {
    if (component === '') return { problem: `repository '${repository}' has an empty path component` };
    if (!PATH_COMPONENT.test(component)) {
      return {
        problem: `path component '${component}' is not valid (lowercase letters and digits, separated by '.', '_', '__' or '-', `
          + 'not at the start or end)',
      };
    }
  }

  return {
    ...(registry !== undefined ? { registry } : {}),
    repository,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/** Why `digest` is not `<algorithm>:<hex>` of a supported algorithm, or undefined when it is. */
function digestProblem(digest: string): string | undefined {
  const colon = digest.indexOf(':');
  if (digest === '') return 'has an empty digest after \'@\'';
  if (colon <= 0) return `digest '${digest}' is not <algorithm>:<hex> (e.g. sha256:<64 hex characters>)`;
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  if (!DIGEST_ALGORITHM.test(algorithm)) return `digest '${digest}' is not <algorithm>:<hex> (e.g. sha256:<64 hex characters>)`;
  const expected = DIGEST_HEX_LENGTHS[algorithm];
  if (expected === undefined) return `digest algorithm '${algorithm}' is not supported (sha256, sha384 or sha512)`;
  if (!/^[a-f0-9]*$/.test(hex)) return `digest '${digest}' is not lowercase hexadecimal after '${algorithm}:'`;
  if (hex.length !== expected) {
    return `digest '${digest}' has ${hex.length} hex characters; ${algorithm} needs ${expected}`;
  }
  return undefined;
}

/**
 * A parsed container image reference, `[registry[:port]/]repository[:tag][@digest]`,
 * following the grammar of https://github.com/distribution/reference.
 *
 * Nothing is normalized: `toString()` gives back the input, and `nginx` keeps
 * `repository` `nginx` (not `library/nginx`) and no `registry`.
 */
export class ImageReference {
  /** The registry of images that name none: Docker Hub. */
  public static readonly DEFAULT_REGISTRY = 'docker.io';

  /**
   * Parses an image reference.
   *
   * @param image the reference, e.g. `nginx`, `nginx:1.27`,
   *   `registry.example.com:5000/team/agent:1.0@sha256:<64 hex>`
   * @throws `ImageReference '<image>': <reason>` when the reference is empty,
   *   contains whitespace, has a registry that is not `host[:port]`, a
   *   repository with uppercase letters or an invalid path component, a tag
   *   that is not `[\w][\w.-]{0,127}`, or a digest that is not sha256 (64 hex
   *   characters), sha384 (96) or sha512 (128) in lowercase hexadecimal
   */
  public static parse(image: string): ImageReference {
    const parsed = parseParts(image);
    if ('problem' in parsed) {
      throw new Error(`ImageReference '${image ?? ''}': ${parsed.problem}`);
    }
    return new ImageReference(parsed.repository, parsed.registry, parsed.tag, parsed.digest);
  }

  /**
   * Why `image` is not a valid reference (the message `parse` would throw,
   * without the `ImageReference '<image>': ` prefix), or undefined when it is.
   */
  public static problemOf(image: string): string | undefined {
    const parsed = parseParts(image);
    return 'problem' in parsed ? parsed.problem : undefined;
  }

  /**
   * The registry as written, with its port (`registry.example.com:5000`).
   * @default - undefined when the reference names no registry (Docker Hub)
   */
  public readonly registry?: string;

  /** The repository path without registry, tag or digest (`nginx`, `library/nginx`, `team/agent`). */
  public readonly repository: string;

  /**
   * The tag (`1.27`).
   * @default - undefined when the reference has no tag (the runtime pulls `latest` unless a digest is given)
   */
  public readonly tag?: string;

  /**
   * The digest, `<algorithm>:<hex>` (`sha256:...`).
   * @default - undefined when the reference is not pinned
   */
  public readonly digest?: string;

  private constructor(repository: string, registry?: string, tag?: string, digest?: string) {
    this.repository = repository;
    this.registry = registry;
    this.tag = tag;
    this.digest = digest;
  }

  /** The registry images are pulled from: `registry`, or `docker.io` when none is named. */
  public get effectiveRegistry(): string {
    return this.registry ?? ImageReference.DEFAULT_REGISTRY;
  }

  /** `[registry/]repository`, the reference without tag or digest. */
  public get name(): string {
    return this.registry === undefined ? this.repository : `${this.registry}/${this.repository}`;
  }

  /** True when the reference has a digest, so it always pulls the same content. */
  public get isPinned(): boolean {
    return this.digest !== undefined;
  }

  /** The reference as parsed: `[registry/]repository[:tag][@digest]`. */
  public toString(): string {
    return this.name + (this.tag !== undefined ? `:${this.tag}` : '') + (this.digest !== undefined ? `@${this.digest}` : '');
  }
}

/** One image used by a rendered object, as {@link ImagePolicy} reports it. */
export interface ImageUse {
  /** The object that uses the image, e.g. `AgentPod 'agents/web'` or `Deployment 'agents/web'`. */
  readonly where: string;
  /** The place within that object, e.g. `container 'agent'` or `initContainer 'prepare'`. */
  readonly field: string;
  /** The image reference as written. */
  readonly image: string;
}

/** Options of {@link ImagePolicy}. */
export interface ImagePolicyProps {
  /**
   * Require every image to be pinned to a digest (`...@sha256:<64 hex>`), so a
   * moved tag cannot change what runs.
   * @default false
   */
  readonly requireDigest?: boolean;
}

/**
 * What container images may be used. Every image must be a valid reference
 * (https://github.com/distribution/reference); with `requireDigest`, it must
 * also be pinned to a digest.
 *
 * Run it over a chart at synth time with
 * `chart.node.addValidation({ validate: () => policy.violations(ImagePolicy.imagesOf(chart.toJson())) })`.
 */
export class ImagePolicy {
  /**
   * Every image used by the given manifests: `containers` and `initContainers`
   * of Pods and of the pod templates of Deployments, StatefulSets, DaemonSets,
   * ReplicaSets, Jobs and CronJobs (`spec.jobTemplate.spec.template`). Other
   * kinds, and containers without a string `image`, are skipped.
   *
   * @param manifests any JSON objects: synthesized Kubernetes manifests (e.g. `chart.toJson()`)
   * @returns one entry per container, `where` as `<Kind> '<namespace>/<name>'`
   *   (`<Kind> '<name>'` without a namespace), `field` as `container '<name>'` or
   *   `initContainer '<name>'`
   */
  public static imagesOf(manifests: any[]): ImageUse[] {
    const uses: ImageUse[] = [];
    for (const manifest of manifests ?? []) {
      const spec = podSpecOf(manifest);
      if (!spec) continue;
      const meta = manifest.metadata ?? {};
      const where = `${manifest.kind} '${meta.namespace ? `${meta.namespace}/` : ''}${meta.name ?? ''}'`;
      for (const [list, label] of [['initContainers', 'initContainer'], ['containers', 'container']] as const) {
        for (const c of Array.isArray(spec[list]) ? spec[list] : []) {
          if (typeof c?.image === 'string') uses.push({ where, field: `${label} '${c.name ?? ''}'`, image: c.image });
        }
      }
    }
    return uses;
  }

  /** Whether images must be pinned to a digest. */
  public readonly requireDigest: boolean;

  public constructor(props: ImagePolicyProps = {}) {
    this.requireDigest = props.requireDigest ?? false;
  }

  /**
   * One message per image that breaks the policy, in the order given:
   * `<where>: <field> image '<image>' is not a valid image reference: <reason>`, or
   * `<where>: <field> image '<image>' is not pinned to a digest (add @sha256:...)`.
   * Suits `node.addValidation`.
   */
  public violations(images: ImageUse[]): string[] {
    const problems: string[] = [];
    for (const use of images) {
      const prefix = `${use.where}: ${use.field} image '${use.image}'`;
      const parsed = parseParts(use.image);
      if ('problem' in parsed) {
        problems.push(`${prefix} is not a valid image reference: ${parsed.problem}`);
      } else if (this.requireDigest && parsed.digest === undefined) {
        problems.push(`${prefix} is not pinned to a digest (add @sha256:...)`);
      }
    }
    return problems;
  }

  /**
   * Throws one error listing every image that breaks the policy (the
   * `violations`, one per line).
   * @throws when at least one image breaks the policy
   */
  public check(images: ImageUse[]): void {
    const problems = this.violations(images);
    if (problems.length > 0) throw new Error(problems.join('\n'));
  }
}

/** The pod spec of a Pod or of a workload's pod template; undefined for other kinds. */
function podSpecOf(manifest: any): any {
  switch (manifest?.kind) {
    case 'Pod':
      return manifest.spec;
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return manifest.spec?.template?.spec;
    case 'CronJob':
      return manifest.spec?.jobTemplate?.spec?.template?.spec;
    default:
      return undefined;
  }
}
