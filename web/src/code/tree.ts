// The file tree of a project, built from the flat list the API gives (folders are the paths'
// prefixes: the server stores files only), and kept current by the project room's
// `file.created`, `file.renamed` and `file.deleted` events.
import { ChangeSet } from '@codemirror/state';
import type { FileEntry } from '../api/types';

export interface TreeFolder {
  kind: 'folder';
  name: string;
  /** '' for the root, else the folder's path without a trailing '/'. */
  path: string;
  children: TreeNode[];
}
export interface TreeFile {
  kind: 'file';
  name: string;
  path: string;
  file: FileEntry;
}
export type TreeNode = TreeFolder | TreeFile;

/** Folders first, then files, each by name (as a file manager shows them). */
function sortNodes(nodes: TreeNode[]): void {
  nodes.sort((a, b) => (a.kind !== b.kind ? (a.kind === 'folder' ? -1 : 1) : a.name.localeCompare(b.name)));
  for (const n of nodes) if (n.kind === 'folder') sortNodes(n.children);
}

/** The tree of `files`, plus `folders` made here that hold no file yet. */
export function buildTree(files: readonly FileEntry[], folders: readonly string[] = []): TreeFolder {
  const root: TreeFolder = { kind: 'folder', name: '', path: '', children: [] };
  const index = new Map<string, TreeFolder>([['', root]]);
  const folderOf = (path: string): TreeFolder => {
    const held = index.get(path);
    if (held) return held;
    const cut = path.lastIndexOf('/');
    const parent = folderOf(cut < 0 ? '' : path.slice(0, cut));
    const f: TreeFolder = { kind: 'folder', name: path.slice(cut + 1), path, children: [] };
    parent.children.push(f);
    index.set(path, f);
    return f;
  };
  for (const p of folders) if (p) folderOf(p);
  for (const file of files) {
    const cut = file.path.lastIndexOf('/');
    const parent = folderOf(cut < 0 ? '' : file.path.slice(0, cut));
    parent.children.push({ kind: 'file', name: file.path.slice(cut + 1), path: file.path, file });
  }
  sortNodes(root.children);
  return root;
}

/** The folder that holds `path` ('' at the root). */
export function parentOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut < 0 ? '' : path.slice(0, cut);
}

/** Every folder on the way to `path` ('a', 'a/b' for 'a/b/c.ts'). */
export function ancestorsOf(path: string): string[] {
  const parts = path.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** The list after a tree event of the project room, or null when the event is not one. */
export function applyFileEvent(files: readonly FileEntry[], ev: { type: string; data?: unknown }): FileEntry[] | null {
  const d = ev.data as Record<string, unknown> | undefined;
  if (!d || typeof d !== 'object') return null;
  switch (ev.type) {
    case 'file.created': {
      const f = d as unknown as FileEntry;
      if (typeof f.id !== 'string' || typeof f.path !== 'string') return null;
      return upsert(files, f);
    }
    case 'file.renamed': {
      const f = d.file as FileEntry | undefined;
      if (!f || typeof f.id !== 'string' || typeof f.path !== 'string') return null;
      return upsert(files, f);
    }
    case 'file.deleted': {
      if (typeof d.id !== 'string') return null;
      return files.filter((f) => f.id !== d.id);
    }
    default:
      return null;
  }
}

/** The list with `file` in place of the one with its id (or added), in path order. */
export function upsert(files: readonly FileEntry[], file: FileEntry): FileEntry[] {
  const held = files.find((f) => f.id === file.id);
  // A late event must not undo a newer state (a rename answered before the create's event).
  if (held && held.version > file.version) return files as FileEntry[];
  const next = files.filter((f) => f.id !== file.id);
  next.push(file);
  next.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return next;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The file an address names: by path, else by id (links made with the id). */
export function findFile(files: readonly FileEntry[], key: string): FileEntry | undefined {
  return files.find((f) => f.path === key) ?? (UUID.test(key) ? files.find((f) => f.id === key.toLowerCase()) : undefined);
}

/** The address of a file: its path, each segment escaped (the server sends the app for any of them). */
export function fileUrl(projectId: string, path: string): string {
  return `/projects/${projectId}/code/${path.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * The server's path rules, checked before sending so the user hears of them at once (the server
 * checks again and has the last word: case-insensitive uniqueness, sizes). Null when fine.
 */
export function pathProblem(path: string): string | null {
  if (!path) return 'Enter a path.';
  if (path.startsWith('/')) return 'The path is relative: it cannot start with “/”.';
  if (path.includes('\\')) return 'Use “/” between folders, not “\\”.';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(path)) return 'The path cannot hold control characters.';
  const segments = path.split('/');
  if (segments.some((s) => s === '')) return 'The path cannot have an empty name (“//” or a trailing “/”).';
  if (segments.some((s) => s === '.' || s === '..')) return 'The path cannot hold “.” or “..”.';
  const bytes = (s: string) => new TextEncoder().encode(s).length;
  if (bytes(path) > 512) return 'The path is longer than 512 bytes.';
  if (segments.some((s) => bytes(s) > 255)) return 'A name is longer than 255 bytes.';
  return null;
}

/** Characters inserted and removed by one logged update (`ChangeSet.toJSON()`). */
export function changeSize(json: unknown): { inserted: number; removed: number } {
  let inserted = 0;
  let removed = 0;
  try {
    ChangeSet.fromJSON(json).iterChanges((fromA, toA, _fromB, _toB, text) => {
      removed += toA - fromA;
      inserted += text.length;
    });
  } catch {
    /* an update this client cannot read is shown without its size */
  }
  return { inserted, removed };
}

/** What people read for a file's type and language. */
export function languageLabel(language: string | null | undefined): string {
  if (!language) return 'Plain text';
  const names: Record<string, string> = {
    typescript: 'TypeScript',
    tsx: 'TSX',
    javascript: 'JavaScript',
    jsx: 'JSX',
    json: 'JSON',
    css: 'CSS',
    html: 'HTML',
    markdown: 'Markdown',
    python: 'Python',
    cpp: 'C++',
    c: 'C',
    rust: 'Rust',
    sql: 'SQL',
    yaml: 'YAML',
    svg: 'SVG',
    xml: 'XML',
  };
  return names[language] ?? language.charAt(0).toUpperCase() + language.slice(1);
}

/** Updates in a row by one editor of one person, shown as one entry of the history. */
export interface HistoryGroup {
  author_id: string;
  author_name: string;
  client_id: string;
  /** The oldest and newest versions of the run. */
  from: number;
  to: number;
  first_at: string;
  last_at: string;
  inserted: number;
  removed: number;
}

/**
 * The history (newest first) in runs: consecutive updates of the same person from the same editor,
 * each less than `gapMs` after the one before (a keystroke is an update: nobody reads those one by one).
 */
export function groupHistory(
  items: readonly { version: number; author_id: string; author_name: string; client_id: string; changes: unknown; created_at: string }[],
  gapMs = 60_000,
): HistoryGroup[] {
  const groups: HistoryGroup[] = [];
  for (const u of items) {
    const size = changeSize(u.changes);
    const g = groups[groups.length - 1];
    const t = Date.parse(u.created_at);
    const near = g !== undefined && Math.abs(Date.parse(g.first_at) - t) < gapMs;
    if (g && near && g.author_id === u.author_id && g.client_id === u.client_id && g.from === u.version + 1) {
      g.from = u.version;
      g.first_at = u.created_at;
      g.inserted += size.inserted;
      g.removed += size.removed;
    } else {
      groups.push({
        author_id: u.author_id,
        author_name: u.author_name,
        client_id: u.client_id,
        from: u.version,
        to: u.version,
        first_at: u.created_at,
        last_at: u.created_at,
        ...size,
      });
    }
  }
  return groups;
}
