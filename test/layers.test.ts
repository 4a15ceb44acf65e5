// The layers of docs/architecture.md, checked on the import statements themselves:
// scripts/plugins → lib/cli → lib/config → lib/<domain> → lib/*.ts (errors, text, values, paths…)
// → Node.
// TypeScript's own pre-processor lists each file's imports (static, dynamic, `import type`,
// re-exports), so a comment or a string that looks like an import is not one.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import ts from 'typescript';
import { packageRoot } from '../lib/paths.ts';

interface ImportEdge {
  from: string;
  to: string;
}

/** Every relative import of every .ts file under `folders`, as paths from the package root. */
function importsUnder(folders: string[]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const folder of folders) {
    for (const file of readdirSync(path.join(packageRoot, folder), { recursive: true, encoding: 'utf8' })) {
      if (!/\.m?ts$/.test(file)) continue;
      const from = path.join(folder, file);
      const { importedFiles } = ts.preProcessFile(readFileSync(path.join(packageRoot, from), 'utf8'), true, true);
      for (const { fileName } of importedFiles) {
        if (fileName.startsWith('.')) edges.push({ from, to: path.normalize(path.join(path.dirname(from), fileName)) });
      }
    }
  }
  return edges;
}

/** A file's folder in lib: `lib/ftp/client/url.ts` is in ftp; `lib/errors.ts` is in the ground ('.'). */
function libFolder(file: string): string {
  const parts = file.split(path.sep);
  return parts.length > 2 ? parts[1] : '.';
}

/** The cycles of a directed graph, one per strongly connected component of two or more nodes (Tarjan). */
export function cyclesOf(graph: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return components;
}

const described = (edges: ImportEdge[]) => edges.map((edge) => `${edge.from} imports ${edge.to}`);
const libImports = importsUnder(['lib']);

test('no lib/<domain> file imports lib/cli: a domain folder is protocol, usable without the CLI', () => {
  const wrong = libImports.filter((edge) => !edge.from.startsWith(`lib${path.sep}cli${path.sep}`) && edge.to.startsWith(`lib${path.sep}cli${path.sep}`));
  assert.deepEqual(described(wrong), []);
});

test('the ground of lib (lib/*.ts: errors, text, values, paths…) imports no folder of lib', () => {
  const wrong = libImports.filter((edge) => libFolder(edge.from) === '.' && libFolder(edge.to) !== '.');
  assert.deepEqual(described(wrong), []);
});

test('no import cycle between the folders of lib', () => {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of libImports) {
    const [a, b] = [libFolder(from), libFolder(to)];
    if (a !== b) graph.set(a, (graph.get(a) ?? new Set()).add(b));
  }
  const cycles = cyclesOf(graph).map((cycle) => {
    const members = new Set(cycle);
    const inside = libImports.filter((edge) => members.has(libFolder(edge.from)) && members.has(libFolder(edge.to)) && libFolder(edge.from) !== libFolder(edge.to));
    return `${cycle.join(' ↔ ')}: ${described(inside).join('; ')}`;
  });
  assert.deepEqual(cycles, []);
});

test('lib never imports scripts/, plugins/ or peers/, and bench/ never imports test/', () => {
  const upward = libImports.filter((edge) => /^(scripts|plugins|peers)[\\/]/.test(edge.to));
  const benchOnTests = importsUnder(['bench']).filter((edge) => /^test[\\/]/.test(edge.to));
  assert.deepEqual(described([...upward, ...benchOnTests]), []);
});

test('the cycle finder finds a cycle, and none where there is none', () => {
  const graph = (pairs: string[]) => {
    const g = new Map<string, Set<string>>();
    for (const pair of pairs) {
      const [a, b] = pair.split('>');
      g.set(a, (g.get(a) ?? new Set()).add(b));
    }
    return g;
  };
  assert.deepEqual(cyclesOf(graph(['cli>config', 'config>ftp', 'ftp>config', 'ftp>net'])), [['config', 'ftp']]);
  assert.deepEqual(cyclesOf(graph(['cli>config', 'config>ftp', 'cli>ftp', 'ftp>net'])), []);
});
