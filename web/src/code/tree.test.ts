import { describe, expect, test } from 'vitest';
import { ChangeSet } from '@codemirror/state';
import type { FileEntry } from '../api/types';
import { ancestorsOf, applyFileEvent, buildTree, changeSize, fileUrl, findFile, groupHistory, pathProblem, upsert } from './tree';

let n = 0;
function file(path: string, version = 0): FileEntry {
  n += 1;
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    project_id: 'p',
    path,
    name: path.split('/').pop()!,
    type: 'CODE',
    language: null,
    size: 0,
    version,
    created_by: 'u',
    updated_by: 'u',
    created_at: '',
    updated_at: '',
  };
}

describe('the file tree', () => {
  test('folders come from the paths, folders first then files by name', () => {
    const root = buildTree([file('src/b.ts'), file('README.md'), file('src/a/x.ts'), file('src/a.ts')], ['empty']);
    expect(root.children.map((c) => `${c.kind}:${c.name}`)).toEqual(['folder:empty', 'folder:src', 'file:README.md']);
    const src = root.children[1]!;
    expect(src.kind === 'folder' && src.children.map((c) => `${c.kind}:${c.path}`)).toEqual([
      'folder:src/a',
      'file:src/a.ts',
      'file:src/b.ts',
    ]);
    expect(ancestorsOf('a/b/c.ts')).toEqual(['a', 'a/b']);
  });

  test('tree events create, rename and delete; a late event does not undo a newer state', () => {
    const a = file('a.ts', 1);
    let files: FileEntry[] = [a];
    const b = file('b.ts');
    files = applyFileEvent(files, { type: 'file.created', data: b })!;
    expect(files.map((f) => f.path)).toEqual(['a.ts', 'b.ts']);
    files = applyFileEvent(files, { type: 'file.renamed', data: { file: { ...a, path: 'z/a.ts', version: 2 }, old_path: 'a.ts' } })!;
    expect(files.map((f) => f.path)).toEqual(['b.ts', 'z/a.ts']);
    expect(upsert(files, { ...a, path: 'old.ts', version: 1 })).toBe(files);
    files = applyFileEvent(files, { type: 'file.deleted', data: { id: b.id, path: 'b.ts' } })!;
    expect(files.map((f) => f.path)).toEqual(['z/a.ts']);
    expect(applyFileEvent(files, { type: 'task.created', data: {} })).toBeNull();
    expect(applyFileEvent(files, { type: 'file.deleted', data: null })).toBeNull();
  });

  test('an address names a file by path or by id', () => {
    const a = file('docs/a b.md');
    expect(findFile([a], 'docs/a b.md')).toBe(a);
    expect(findFile([a], a.id.toUpperCase())).toBe(a);
    expect(findFile([a], 'nope')).toBeUndefined();
    expect(fileUrl('p', 'docs/a b#.md')).toBe('/projects/p/code/docs/a%20b%23.md');
    expect(fileUrl('p', 'src/Makefile')).toBe('/projects/p/code/src/Makefile');
  });

  test('the path rules are checked before sending', () => {
    expect(pathProblem('src/main.ts')).toBeNull();
    expect(pathProblem('src/ünï😀.md')).toBeNull();
    for (const bad of ['', '/abs', 'a\\b', 'a//b', 'a/', './a', 'a/../b', 'a\u0000b', 'x'.repeat(256), 'a/'.repeat(300) + 'b']) {
      expect(pathProblem(bad), JSON.stringify(bad)).not.toBeNull();
    }
  });

  test('the size of a logged update', () => {
    const c = ChangeSet.of([{ from: 1, to: 3, insert: 'hello' }], 5);
    expect(changeSize(c.toJSON())).toEqual({ inserted: 5, removed: 2 });
    expect(changeSize('garbage')).toEqual({ inserted: 0, removed: 0 });
  });
});

test('the history reads in runs of one person typing', () => {
  const ins = (n: number) => ChangeSet.of([{ from: 0, insert: 'x'.repeat(n) }], 0).toJSON();
  const u = (version: number, author: string, client: string, at: string, n = 1) => ({
    version,
    author_id: author,
    author_name: author.toUpperCase(),
    client_id: client,
    changes: ins(n),
    created_at: at,
  });
  const groups = groupHistory([
    u(6, 'bob', 'b1', '2026-01-01T10:05:00Z'),
    u(5, 'ann', 'a1', '2026-01-01T10:00:03Z', 2),
    u(4, 'ann', 'a1', '2026-01-01T10:00:02Z', 2),
    u(3, 'ann', 'a1', '2026-01-01T10:00:01Z'),
    u(2, 'ann', 'a2', '2026-01-01T10:00:00Z'),
    u(1, 'ann', 'a2', '2026-01-01T09:00:00Z'),
  ]);
  expect(groups.map((g) => [g.author_name, g.from, g.to, g.inserted])).toEqual([
    ['BOB', 6, 6, 1],
    ['ANN', 3, 5, 5],
    ['ANN', 2, 2, 1],
    ['ANN', 1, 1, 1],
  ]);
});
