/** shared/ is layered as shared/README.md says: no import runs to a later layer, and no files import in a circle. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from './support/processes';

const SHARED = join(PROJECT_ROOT, 'shared');
/** Each layer's folder ('' for the root files), lowest first, as in shared/README.md. */
const LAYERS = ['', 'http', 'mail', 'secrets', 'tokens', 'store', 'users', 'sessions', 'auth', 'accounts', 'openapi'];

const sources = (readdirSync(SHARED, { recursive: true }) as string[]).filter((file) => file.endsWith('.ts')).map((file) => join(SHARED, file));
const layerOf = (file: string) => {
  const folder = relative(SHARED, dirname(file));
  return LAYERS.indexOf(folder);
};
const importsOf = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((match) => resolve(dirname(file), `${match[1]}.ts`));

describe('shared/ layout', () => {
  it('puts every file in a layer of the README', () => {
    expect(sources.filter((file) => layerOf(file) < 0).map((file) => relative(SHARED, file))).toEqual([]);
  });

  it('imports only from its own layer or an earlier one', () => {
    const upward = sources.flatMap((file) =>
      importsOf(file)
        .filter((target) => target.startsWith(SHARED) && layerOf(target) > layerOf(file))
        .map((target) => `${relative(SHARED, file)} -> ${relative(SHARED, target)}`),
    );
    expect(upward).toEqual([]);
  });

  it('has no files that import each other in a circle', () => {
    const edges = new Map(sources.map((file) => [file, importsOf(file).filter((target) => target.startsWith(SHARED))]));
    const state = new Map<string, 'visiting' | 'done'>();
    const circles: string[] = [];
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        circles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(SHARED, f)).join(' -> '));
        return;
      }
      state.set(file, 'visiting');
      for (const target of edges.get(file) ?? []) visit(target, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of sources) visit(file, []);
    expect(circles).toEqual([]);
  });
});
