/**
 * The files of manifests an overlay reads and writes: the app's charts as
 * `cdk8s synth` names them, and the file generator output goes to.
 */
import { App, Names } from 'cdk8s';

/** One output file of an overlay. */
export interface OverlayFile {
  /** File name, e.g. `0001-agents.k8s.yaml`. */
  readonly fileName: string;
  /** The objects in it, in order. */
  readonly objects: any[];
}

/** The file generator output goes to. */
export const GENERATED_FILE = 'generated.k8s.yaml';

/**
 * The app's manifests, one file per chart as `cdk8s synth` names them
 * (`0000-<chart>.k8s.yaml`, in dependency order), after the app's validations.
 * @throws when a construct's validation fails
 */
export function synthesizeBase(app: App): OverlayFile[] {
  // synthYaml runs the app's validations and resolves chart dependencies,
  // exactly as app.synth() does; the charts are then read one by one.
  app.synthYaml();
  return app.charts.map((chart, i) => ({
    fileName: `${String(i).padStart(4, '0')}-${Names.toDnsLabel(chart)}.k8s.yaml`,
    objects: chart.toJson(),
  }));
}
