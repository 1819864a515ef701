/**
 * The shape of src/: imports point down the layers and never go round in a
 * circle. The import graph is read from the sources (every `import`,
 * `import type`, `export ... from` and `require` of every .ts file under src/).
 *
 * Layers, lowest first (docs/design.md): core, kustomize, install, agent,
 * overlay, operator. A file may import files of its own folder and of lower
 * layers; src/index.ts may import anything. The kustomize engine has one entry
 * point: files outside src/kustomize/ import it through src/kustomize/index.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const SRC = path.join(__dirname, '..', 'src');
const LAYERS = ['core', 'kustomize', 'install', 'agent', 'overlay', 'operator'];
const ENGINE_ENTRY = 'kustomize/index.ts';

/** Import graph: file (relative to src/, with `/`) → the src/ files it imports. */
type Graph = Map<string, string[]>;

/** Every .ts file under `dir`, relative to `root`, with `/` separators. */
function sourceFiles(root: string, dir = root): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(root, full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path.relative(root, full).split(path.sep).join('/')] : [];
  });
}

/** The src/ file a relative specifier of `from` names (`./x` → `x.ts` or `x/index.ts`); undefined for packages. */
function resolveSpecifier(root: string, from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.join(root, path.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (candidate.endsWith('.ts') && fs.existsSync(candidate) && fs.statSync(candidate).isFile()) {
      return path.relative(root, candidate).split(path.sep).join('/');
    }
  }
  throw new Error(`${from}: cannot resolve '${specifier}'`);
}

function importGraph(root: string): Graph {
  const graph: Graph = new Map();
  for (const file of sourceFiles(root)) {
    const text = fs.readFileSync(path.join(root, file), 'utf-8');
    // preProcessFile reads import/export declarations (type-only ones too) and
    // require calls, and skips comments and strings.
    const specifiers = ts.preProcessFile(text, true, true).importedFiles.map(f => f.fileName);
    const targets = specifiers.map(s => resolveSpecifier(root, file, s)).filter((t): t is string => t !== undefined);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** The layer of a file: its folder under src/; undefined for src/index.ts. */
function layerOf(file: string): string | undefined {
  return file.includes('/') ? file.slice(0, file.indexOf('/')) : undefined;
}

/** Edges that point up the layers (or into a folder that is no layer), as `from -> to`. */
function upwardImports(graph: Graph): string[] {
  const problems: string[] = [];
  for (const [from, targets] of graph) {
    const layer = layerOf(from);
    if (layer === undefined) continue; // src/index.ts
    if (!LAYERS.includes(layer)) {
      problems.push(`${from}: folder '${layer}' is not a layer (${LAYERS.join(', ')})`);
      continue;
    }
    for (const to of targets) {
      const target = layerOf(to);
      if (target === undefined || !LAYERS.includes(target) || LAYERS.indexOf(target) > LAYERS.indexOf(layer)) {
        problems.push(`${from} -> ${to} (${layer} must not import ${target ?? 'src/index.ts'})`);
      }
    }
  }
  return problems;
}

/**
 * Every import cycle (Tarjan's strongly connected components; a component of
 * more than one file, or a file importing itself), each as the list of its
 * edges `a -> b` that stay inside the component.
 */
function cycles(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component = new Set<string>();
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.add(member);
    } while (member !== node);
    const edges = [...component].sort().flatMap(from => (graph.get(from) ?? []).filter(to => component.has(to)).map(to => `${from} -> ${to}`));
    if (edges.length > 0) found.push(edges);
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return found;
}

function report(problems: string[]): string {
  return problems.length === 0 ? 'none' : `\n  ${problems.join('\n  ')}`;
}

const graph = importGraph(SRC);

describe('the checks themselves', () => {
  test('the graph holds type-only imports, re-exports and the layers of src/', () => {
    expect(graph.get('kustomize/patches.ts')).toEqual(expect.arrayContaining(['kustomize/target.ts', 'kustomize/strategic-merge.ts']));
    expect(graph.get('overlay/patch.ts')).toContain(ENGINE_ENTRY); // `import { clone, type PatchSpec, ... }` and `export type ... from`
    expect(graph.get('index.ts')).toContain('overlay/index.ts');
    const folders = fs.readdirSync(SRC, { withFileTypes: true }).filter(e => e.isDirectory()).map(e => e.name);
    expect(new Set([...graph.keys()].map(layerOf).filter(l => l !== undefined))).toEqual(new Set(folders));
  });

  test('cycles and upward imports are found, with their files', () => {
    const planted: Graph = new Map([
      ['core/a.ts', ['core/b.ts']],
      ['core/b.ts', ['core/c.ts']],
      ['core/c.ts', ['core/a.ts', 'agent/d.ts']],
      ['agent/d.ts', ['agent/d.ts']],
      ['kustomize/e.ts', ['core/a.ts']],
    ]);
    expect(cycles(planted)).toEqual([['agent/d.ts -> agent/d.ts'], ['core/a.ts -> core/b.ts', 'core/b.ts -> core/c.ts', 'core/c.ts -> core/a.ts']]);
    expect(upwardImports(planted)).toEqual(['core/c.ts -> agent/d.ts (core must not import agent)']);
  });
});

describe('src/ import graph', () => {
  test.each(LAYERS)('%s/ has no import cycle', layer => {
    const inLayer = cycles(graph).filter(edges => edges.some(edge => edge.startsWith(`${layer}/`)));
    expect(`cycles: ${report(inLayer.map(edges => edges.join(', ')))}`).toBe('cycles: none');
  });

  test('imports point down the layers (core < kustomize < install < agent < overlay < operator)', () => {
    expect(`upward imports: ${report(upwardImports(graph))}`).toBe('upward imports: none');
  });

  test('outside src/kustomize/, the engine is imported through src/kustomize/index.ts only', () => {
    const problems = [...graph].flatMap(([from, targets]) => (layerOf(from) === 'kustomize' ? [] : targets
      .filter(to => layerOf(to) === 'kustomize' && to !== ENGINE_ENTRY).map(to => `${from} -> ${to}`)));
    expect(`imports around the engine's entry point: ${report(problems)}`).toBe('imports around the engine\'s entry point: none');
  });
});
