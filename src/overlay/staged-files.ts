/**
 * Output files written to a staging folder first and moved into place once
 * everything has been computed and checked, so a failure writes nothing while
 * no output has to be held in memory until the end; the same folder keeps
 * the objects several overlays read (the base), off the heap.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringifyYaml } from '../core/yaml';

/** Where the kustomize tree writer puts its files (paths relative to the tree's root). */
export interface FileSink {
  /** A file with this text. */
  writeText(rel: string, text: string): void;
  /**
   * A multi-document YAML file, byte for byte what cdk8s's `Yaml.save(file, objects)`
   * writes, except that strings a YAML reader would take for numbers or
   * booleans are quoted (core/yaml `stringifyYaml`).
   */
  writeYaml(rel: string, objects: any[]): void;
}

/** Bytes gathered before a write to the file. */
const CHUNK = 1024 * 1024;

/** A staging folder under the system's temp folder. */
export class StagedFiles implements FileSink {
  private readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-agents-overlay-'));

  /** A sink writing under `prefix` of the staging folder. */
  public under(prefix: string): FileSink {
    return {
      writeText: (rel, text) => this.writeText(path.join(prefix, rel), text),
      writeYaml: (rel, objects) => this.writeYaml(path.join(prefix, rel), objects),
    };
  }

  public writeText(rel: string, text: string): void {
    const file = this.pathOf(rel);
    fs.writeFileSync(file, text);
  }

  /**
   * `stringifyYaml(...objects)` is each object's `stringifyYaml(object)`
   * joined with `---\n`: written here one object at a time, so the text of a
   * whole file is never held at once.
   */
  public writeYaml(rel: string, objects: any[]): void {
    writeTexts(this.pathOf(rel), objects, (object, i) => (i > 0 ? '---\n' : '') + stringifyYaml(object));
  }

  /**
   * Keeps `objects` on disk as JSON lines (one object per line; JSON text
   * holds no raw line break) until {@link readObjects} reads them back.
   */
  public writeObjects(rel: string, objects: any[]): void {
    writeTexts(this.pathOf(rel), objects, object => `${JSON.stringify(object)}\n`);
  }

  /** New objects, equal to the ones `writeObjects(rel, ...)` stored, read a chunk at a time. */
  public readObjects(rel: string): any[] {
    const objects: any[] = [];
    const fd = fs.openSync(path.join(this.root, rel), 'r');
    try {
      const chunk = Buffer.alloc(CHUNK);
      let carry = Buffer.alloc(0);
      for (let read = fs.readSync(fd, chunk); read > 0; read = fs.readSync(fd, chunk)) {
        const bytes = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, read)]) : chunk.subarray(0, read);
        let start = 0;
        for (let end = bytes.indexOf(0x0a, start); end >= 0; end = bytes.indexOf(0x0a, start)) {
          objects.push(JSON.parse(bytes.toString('utf8', start, end)));
          start = end + 1;
        }
        carry = Buffer.from(bytes.subarray(start));
      }
    } finally {
      fs.closeSync(fd);
    }
    return objects;
  }

  /**
   * Moves what was staged under `rel` into `target` (created if missing):
   * files replace files of the same name, other files of `target` stay.
   */
  public moveInto(rel: string, target: string): void {
    fs.mkdirSync(target, { recursive: true });
    const from = path.join(this.root, rel);
    if (fs.existsSync(from)) moveEntries(from, target);
  }

  /** Removes the staging folder and whatever is left in it. */
  public discard(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }

  private pathOf(rel: string): string {
    const file = path.join(this.root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    return file;
  }
}

/** Writes the text of each object (`text`) one after the other, gathering about `CHUNK` bytes per write. */
function writeTexts(file: string, objects: any[], text: (object: any, index: number) => string): void {
  const fd = fs.openSync(file, 'w');
  try {
    let chunk = '';
    objects.forEach((object, i) => {
      chunk += text(object, i);
      if (chunk.length >= CHUNK) {
        writeAll(fd, chunk);
        chunk = '';
      }
    });
    writeAll(fd, chunk);
  } finally {
    fs.closeSync(fd);
  }
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let written = 0;
  while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written);
}

/** Moves the entries of folder `from` into folder `to`, recursively; whole folders at once where `to` has none. */
function moveEntries(from: string, to: string): void {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory() && fs.existsSync(target)) {
      moveEntries(source, target);
    } else {
      move(source, target);
    }
  }
}

/** `rename`, or copy and remove when the two are on different file systems. */
function move(source: string, target: string): void {
  try {
    fs.renameSync(source, target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    fs.cpSync(source, target, { recursive: true });
    fs.rmSync(source, { recursive: true, force: true });
  }
}
