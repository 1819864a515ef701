/**
 * The files of manifests an overlay reads and writes: the app's charts as
 * `cdk8s synth` names them, and the file generator output goes to.
 */
import * as path from 'path';
import { App, Chart, Names } from 'cdk8s';
import { StagedFiles } from './staged-files';

/** One output file of an overlay. */
export interface OverlayFile {
  /** File name, e.g. `0001-agents.k8s.yaml`. */
  readonly fileName: string;
  /** The objects in it, in order: any JSON objects (Kubernetes manifests of any kind). */
  readonly objects: any[];
}

/** The file generator output goes to. */
export const GENERATED_FILE = 'generated.k8s.yaml';

/**
 * The app's manifests, one file per chart as `cdk8s synth` names them
 * (`0000-<chart>.k8s.yaml`, in dependency order), after the app's validations.
 * Each chart is rendered once, by cdk8s's own `chart.toJson()`.
 * @throws when a construct's validation fails
 */
export function synthesizeBase(app: App): OverlayFile[] {
  // chart.toJson() first does what app.synth() and app.synthYaml() do before
  // they render: it resolves the dependencies of the whole app (which decide
  // the order of the charts) and runs every construct's validation. So the
  // first chart rendered does that; the charts are then taken in dependency
  // order and each is rendered once.
  const first = app.charts[0];
  if (first === undefined) {
    app.synthYaml(); // no chart: the app's validations still run
    return [];
  }
  const rendered = new Map<Chart, any[]>([[first, first.toJson()]]);
  return app.charts.map((chart, i) => ({
    fileName: `${String(i).padStart(4, '0')}-${Names.toDnsLabel(chart)}.k8s.yaml`,
    objects: rendered.get(chart) ?? chart.toJson(),
  }));
}

/**
 * Files of manifests kept on disk (JSON lines in the staging folder) for as
 * long as several overlays read them, so that the heap holds the objects of
 * one overlay at a time and not the base besides (5,000 agents: 54 MB of
 * JSON text, 124 MB as objects). Each `load()` gives new objects an overlay
 * may change in place (what `toResources` would otherwise copy).
 */
export class StoredFiles {
  /** The file names, in order. */
  public readonly fileNames: string[];

  /**
   * @param files the files to keep
   * @param staged the staging folder that keeps them, under `prefix`
   * @param prefix a folder of `staged` that nothing else writes to
   */
  constructor(files: OverlayFile[], private readonly staged: StagedFiles, private readonly prefix: string) {
    this.fileNames = files.map(f => f.fileName);
    files.forEach((f, i) => staged.writeObjects(this.pathOf(i), f.objects));
  }

  /** New objects, file by file, equal to the stored ones. */
  public load(): OverlayFile[] {
    return this.fileNames.map((fileName, i) => ({ fileName, objects: this.staged.readObjects(this.pathOf(i)) }));
  }

  private pathOf(index: number): string {
    return path.join(this.prefix, `${index}.jsonl`);
  }
}
