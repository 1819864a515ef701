/**
 * `Overlay`: an environment overlay applied to a cdk8s app, and
 * `Overlay.synth`, which writes every overlay of the app (and the kustomize
 * tree) once all of them are computed and checked.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { agentTypeApiVersions } from './agent-type-check';
import { DisruptionBudget, disruptionBudgetCandidates, keepNeededBudgets, missingDisruptionBudgets } from './disruption-budgets';
import { Kustomization, KustomizationProps, withContext } from './kustomization';
import { writeKustomizeBase, writeKustomizeTree } from './kustomize-tree';
import { checkOutput } from './output-check';
import { GENERATED_FILE, OverlayFile, StoredFiles, synthesizeBase } from './overlay-file';
import { StagedFiles } from './staged-files';
import { redactError } from '../core/credential-screen';
import { checkManifests } from '../core/manifest-check';
import { fail } from '../core/validation';
import { addHashSuffixes, dropEmptyAnnotations, fixNameReferences, type KustomizeResource, ownResources, toResources } from '../kustomize';

/** Props of an `Overlay`. */
export interface OverlayProps extends KustomizationProps {
  /** The environment name (`dev`, `staging`, `prod`, ...): the output folder. An RFC 1123 label. */
  readonly name: string;
}

/** Where `Overlay.synth` writes. */
export interface OverlaySynthOptions {
  /**
   * Root folder: each overlay writes `<outdir>/<overlay name>/` with one
   * `.k8s.yaml` file per chart of the app (plus `generated.k8s.yaml` for
   * generator output).
   * @default - the app's `outdir` (`dist`, or `$CDK8S_OUTDIR` under `cdk8s synth`)
   */
  readonly outdir?: string;
  /**
   * Also write a kustomize tree here: `base/` (the app's manifests and a
   * kustomization.yaml), `components/<name>/` and `overlays/<env>/`, so that
   * `kubectl kustomize <dir>/overlays/<env>` gives the same objects as
   * `<outdir>/<env>/`.
   * @default - no kustomize tree
   */
  readonly kustomizeOutdir?: string;
}

/**
 * An environment overlay: kustomize's overlay kustomization
 * (`resources: [../../base]` plus transformations and components), applied to
 * the manifests a cdk8s app synthesizes, with kustomize's semantics
 * (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/).
 *
 * @example
 * const prod = new Overlay({
 *   name: 'prod',
 *   components: [EnvironmentPreset.prod(), AgentTypePreset.pythonWebService(), FeaturePreset.memoryLarge()],
 *   images: [{ name: 'registry.example.com/agents/web', newTag: '1.4.2' }],
 * });
 * Overlay.synth(app, [dev, staging, prod], { kustomizeOutdir: 'dist/kustomize' });
 */
export class Overlay extends Kustomization {
  /**
   * Writes every overlay of one app: `<outdir>/<overlay>/` for each, and the
   * kustomize tree when `kustomizeOutdir` is set. Everything is computed and
   * checked before the first output file is written, so a failing overlay
   * writes nothing (the files are staged in the system's temp folder
   * meanwhile, and so is the base, so that only one overlay's objects are in
   * memory at a time).
   * Previous `.k8s.yaml` files in the overlay folders, and the previous
   * `base/`, `components/` and `overlays/` of the tree, are removed.
   *
   * @throws when the app fails validation, overlays share a name, a
   *   transformation fails (e.g. a patch names no object), or an output object
   *   is invalid (the final check of every overlay's output, and of the base
   *   when the kustomize tree is written: names, labels, containers,
   *   selectors, resources, credentials; an AgentType that breaks the CRD schema)
   */
  public static synth(app: App, overlays: Overlay[], options: OverlaySynthOptions = {}): void {
    const names = new Set<string>();
    for (const overlay of overlays) {
      if (names.has(overlay.name)) fail('Overlay', overlay.name, 'name', overlay.name, 'is used by two overlays of the same synth');
      names.add(overlay.name);
    }
    const outdir = options.outdir ?? app.outdir;
    const staged = new StagedFiles();
    try {
      const base = storedBase(app, staged, options.kustomizeOutdir !== undefined);
      const budgets = new Map<string, any[]>();
      for (const overlay of overlays) budgets.set(overlay.name, stageOverlay(overlay, base, staged));
      if (options.kustomizeOutdir !== undefined) writeKustomizeTree(overlays, staged.under('tree'), budgets);

      // Everything is computed and checked: replace the previous output.
      for (const overlay of overlays) {
        const dir = path.join(outdir, overlay.name);
        removeFiles(dir, f => f.endsWith('.k8s.yaml'));
        staged.moveInto(path.join('overlays', overlay.name), dir);
      }
      if (options.kustomizeOutdir !== undefined) {
        for (const sub of ['base', 'components', 'overlays']) fs.rmSync(path.join(options.kustomizeOutdir, sub), { recursive: true, force: true });
        staged.moveInto('tree', options.kustomizeOutdir);
      }
    } finally {
      staged.discard();
    }
  }

  /**
   * The app's manifests, one file per chart as `cdk8s synth` names them
   * (`0000-<chart>.k8s.yaml`, in dependency order), after the app's validations.
   * @throws when a construct's validation fails
   */
  public static baseFiles(app: App): OverlayFile[] {
    return synthesizeBase(app);
  }

  public constructor(props: OverlayProps) {
    super('Overlay', props.name, props);
  }

  /**
   * Applies this overlay to manifests (plain objects, e.g. `Testing.synth(chart)`)
   * and returns the result; the input is not changed.
   * @param manifests any JSON objects: Kubernetes manifests of any kind
   * @returns the transformed manifests, as JSON objects, in kustomize's output order
   * @throws when a transformation fails or an output object is invalid
   */
  public apply(manifests: any[]): any[] {
    return this.applyToFiles([{ fileName: 'manifests.k8s.yaml', objects: manifests }]).flatMap(f => f.objects);
  }

  /**
   * Applies this overlay to files of manifests (see `Overlay.baseFiles`) and
   * returns the files of the result; generator output goes to `generated.k8s.yaml`.
   * @throws when a transformation fails or an output object is invalid
   */
  public applyToFiles(files: OverlayFile[]): OverlayFile[] {
    return this._build(files).files;
  }

  /**
   * `applyToFiles`, and the PodDisruptionBudgets added to the input (in the
   * base's terms) for workloads the overlay scales to more than one replica
   * (see disruption-budgets.ts); the kustomize tree lists them as a resource
   * of the overlay. The overlay runs a second time when there are any, as
   * kustomize runs over them. Errors never repeat a credential.
   * @internal
   */
  public _build(files: OverlayFile[] | StoredFiles): { files: OverlayFile[]; disruptionBudgets: any[] } {
    try {
      return this.buildUnredacted(files);
    } catch (e) {
      // Engine messages quote names and values of the input: none may repeat a credential.
      throw redactError(e);
    }
  }

  private buildUnredacted(files: OverlayFile[] | StoredFiles): { files: OverlayFile[]; disruptionBudgets: any[] } {
    // Stored files give new objects at every load: the overlay changes them in place instead of copying them.
    const input = files instanceof StoredFiles
      ? () => files.load().flatMap(f => ownResources(f.objects, f.fileName))
      : () => files.flatMap(f => toResources(f.objects, f.fileName));
    const fileNames = files instanceof StoredFiles ? files.fileNames : files.map(f => f.fileName);
    const { resources, budgets, apiVersions } = this.transformWithBudgets(input);
    const objects = resources.map(r => r.object);
    checkOutput(this.name, objects, this._imagePolicies(), apiVersions);
    const order = [...fileNames, GENERATED_FILE];
    const output = order
      .map(fileName => ({ fileName, objects: resources.filter(r => (r.file ?? GENERATED_FILE) === fileName).map(r => r.object) }))
      .filter(f => f.objects.length > 0 || fileNames.includes(f.fileName));
    return { files: output, disruptionBudgets: budgets.map(b => b.object) };
  }

  /**
   * The overlay of `files` plus the PodDisruptionBudgets it needs: one pass
   * with a candidate budget for every workload, the ones not needed then
   * dropped. Should that pass fail, the overlay runs again as kustomize sees
   * the tree (without budgets, then with the missing ones), so an error or
   * a success is kustomize's either way.
   */
  private transformWithBudgets(input: () => KustomizeResource[]): {
    resources: KustomizeResource[]; budgets: DisruptionBudget[]; apiVersions: Set<string>;
  } {
    const base = input();
    // The AgentType apiVersions the input's CRDs serve, read before any transformation changes the objects.
    const apiVersions = agentTypeApiVersions(base.map(r => r.object));
    const candidates = disruptionBudgetCandidates(base);
    if (candidates.length > 0) {
      try {
        const kept = keepNeededBudgets(this.transformAll([...base, ...candidates.map(c => c.resource)]), candidates);
        return { resources: kept.output, budgets: kept.budgets, apiVersions };
      } catch {
        // e.g. a patch of every object that cannot apply to a budget: decided below without the candidates.
      }
    }
    let resources = this.transformAll(input());
    const budgets = missingDisruptionBudgets(input(), resources);
    if (budgets.length > 0) resources = this.transformAll([...input(), ...budgets.map(b => toResources([b.object], b.file)[0])]);
    return { resources, budgets, apiVersions };
  }

  /** The transformations, hash suffixes and name references of this overlay. */
  private transformAll(resources: KustomizeResource[]): KustomizeResource[] {
    const result = this._applyTo(resources, '');
    withContext(`Overlay '${this.name}'`, () => {
      addHashSuffixes(result);
      fixNameReferences(result);
    });
    for (const r of result) dropEmptyAnnotations(r.object);
    return result;
  }
}

/**
 * The app's manifests (`synthesizeBase`), kept in the staging folder for the
 * overlays. With a kustomize tree, the base is checked like every overlay's
 * output and its `base/` folder written first, so the rendered objects are
 * garbage as soon as this returns.
 */
function storedBase(app: App, staged: StagedFiles, withTree: boolean): StoredFiles {
  const base = synthesizeBase(app);
  if (withTree) {
    checkManifests('Overlay base', base.flatMap(f => f.objects));
    writeKustomizeBase(base, staged.under('tree'));
  }
  return new StoredFiles(base, staged, 'base-objects');
}

/**
 * Builds one overlay and stages its files as soon as they are checked; returns
 * the PodDisruptionBudgets it adds. A function of its own so that nothing of
 * the overlay's output stays reachable (e.g. from a loop's iterator in the
 * caller's frame) while the next overlay is built: only one overlay's objects
 * are in memory at a time.
 */
function stageOverlay(overlay: Overlay, base: StoredFiles, staged: StagedFiles): any[] {
  const built = overlay._build(base);
  for (const file of built.files) staged.writeYaml(path.join('overlays', overlay.name, file.fileName), file.objects);
  return built.disruptionBudgets;
}

function removeFiles(dir: string, match: (file: string) => boolean): void {
  if (!fs.existsSync(dir)) return;
  for (const file of fs.readdirSync(dir)) {
    if (match(file)) fs.rmSync(path.join(dir, file), { force: true });
  }
}
