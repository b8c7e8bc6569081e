// The Code section of a project: the file tree (live through the project room's file events)
// beside the open file. Every file has an address, /projects/<id>/code/<path>; the editor itself
// is FileEditor. This module is loaded on demand, so the board never pays for CodeMirror.
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type FormEvent, type KeyboardEvent } from 'react';
import { api, ApiError, NetworkError, rawFileUrl } from '../api/client';
import type { FileEntry, User } from '../api/types';
import type { ProjectRoom } from '../realtime/projectRoom';
import { linkHandler, navigate } from '../router';
import { Dialog, Icon } from '../ui/Dialog';
import './code.css';
import { FileEditor } from './FileEditor';
import { HistoryPanel } from './HistoryPanel';
import {
  ancestorsOf,
  applyFileEvent,
  buildTree,
  fileUrl,
  findFile,
  languageLabel,
  parentOf,
  pathProblem,
  upsert,
  type TreeNode,
} from './tree';

type Notify = (text: string, kind?: 'error' | 'info' | 'success') => void;

/** A refused file operation in plain words (the server names the field and the rule). */
export function fileErrorText(e: unknown): string {
  if (e instanceof NetworkError) return 'The server could not be reached. Try again.';
  if (e instanceof ApiError) {
    const fields = (e.problem.errors ?? []).map((f) => f.message).filter(Boolean);
    switch (e.status) {
      case 409:
        return 'Another file already has this path (letter case does not count).';
      case 403:
        return 'Generated files are written by the page builder and are read-only.';
      case 404:
        return 'This file no longer exists, or you no longer have access to it.';
      case 412:
        return 'The file changed meanwhile. Try again.';
      case 413:
        return 'The file, or the project’s files together, would be larger than allowed.';
      default:
        return fields.length ? fields.join('; ') : e.message;
    }
  }
  return 'Something went wrong. Try again.';
}

type DialogState =
  | { kind: 'new-file'; folder: string }
  | { kind: 'new-folder'; folder: string }
  | { kind: 'rename'; file: FileEntry }
  | { kind: 'delete'; file: FileEntry }
  | null;

export default function CodeSection({
  projectId,
  room,
  me,
  fileKey,
  notify,
  onTitle,
}: {
  projectId: string;
  room: ProjectRoom;
  me: User;
  /** The file the address names (its path, or its id), if any. */
  fileKey?: string;
  notify: Notify;
  /** The open file's path for the tab's title (null when none). */
  onTitle: (path: string | null) => void;
}) {
  const [files, setFiles] = useState<FileEntry[] | null>(null);
  const [failed, setFailed] = useState(false);
  const [folders, setFolders] = useState<string[]>([]);
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const [dialog, setDialogState] = useState<DialogState>(null);
  // Each dialog opened is a fresh form (its field starts from what it is opened for).
  const [dialogKey, setDialogKey] = useState(0);
  const setDialog = useCallback((d: DialogState) => {
    if (d) setDialogKey((k) => k + 1);
    setDialogState(d);
  }, []);
  const [showHistory, setShowHistory] = useState(false);

  const load = useCallback(async () => {
    try {
      const all: FileEntry[] = [];
      let cursor: string | undefined;
      // The tree is small next to what a page holds; a project at its size limit still ends.
      for (let i = 0; i < 200; i++) {
        const page = await api.listFiles(projectId, cursor);
        all.push(...page.items);
        if (!page.next_cursor) break;
        cursor = page.next_cursor;
      }
      setFiles(all);
      setFailed(false);
    } catch {
      setFailed(true);
    }
  }, [projectId]);

  useEffect(() => {
    void load();
    const offEvent = room.onEvent((ev) => {
      setFiles((held) => (held ? (applyFileEvent(held, ev) ?? held) : held));
    });
    const offSync = room.onSync((resumed) => {
      if (resumed) void load();
    });
    return () => {
      offEvent();
      offSync();
    };
  }, [room, load]);

  // The open file: the one the address names; after a rename elsewhere, the same file (by id).
  const lastOpen = useRef<{ key: string; id: string } | null>(null);
  const byKey = files && fileKey ? findFile(files, fileKey) : undefined;
  const open =
    byKey ??
    (files && fileKey && lastOpen.current?.key === fileKey ? files.find((f) => f.id === lastOpen.current!.id) : undefined);
  useEffect(() => {
    if (open && fileKey) lastOpen.current = { key: open.path, id: open.id };
    // An address by id, or an old path: show the file's path.
    if (open && fileKey !== open.path) navigate(fileUrl(projectId, open.path), { replace: true });
  }, [open?.id, open?.path, fileKey, projectId]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    onTitle(open?.path ?? null);
  }, [open?.path, onTitle]);
  useEffect(() => () => onTitle(null), [onTitle]);

  // The open file's folders are unfolded.
  useEffect(() => {
    if (!open) return;
    setCollapsed((c) => {
      const up = ancestorsOf(open.path).filter((a) => c.has(a));
      if (up.length === 0) return c;
      const next = new Set(c);
      for (const a of up) next.delete(a);
      return next;
    });
  }, [open?.path]); // eslint-disable-line react-hooks/exhaustive-deps

  const tree = useMemo(() => buildTree(files ?? [], folders), [files, folders]);
  const currentFolder = open ? parentOf(open.path) : '';

  async function move(file: FileEntry, path: string): Promise<string | null> {
    if (path === file.path) return null;
    const problem = pathProblem(path);
    if (problem) return problem;
    try {
      const moved = await api.renameFile(projectId, file.id, path);
      setFiles((held) => upsert(held ?? [], moved));
      if (open?.id === file.id) navigate(fileUrl(projectId, moved.path), { replace: true });
      return null;
    } catch (e) {
      return fileErrorText(e);
    }
  }

  function onDropInto(folder: string) {
    return (e: DragEvent) => {
      const id = e.dataTransfer.getData('application/x-collabdev-file');
      const file = files?.find((f) => f.id === id);
      if (!file) return;
      e.preventDefault();
      e.stopPropagation();
      const name = file.path.slice(file.path.lastIndexOf('/') + 1);
      void move(file, folder ? `${folder}/${name}` : name).then((err) => {
        if (err) notify(`The file was not moved: ${err}`);
      });
    };
  }
  const allowDrop = (e: DragEvent) => {
    if (e.dataTransfer.types.includes('application/x-collabdev-file')) e.preventDefault();
  };

  function fileKeys(file: FileEntry) {
    return (e: KeyboardEvent) => {
      if (file.type === 'GENERATED') return;
      if (e.key === 'F2') {
        e.preventDefault();
        setDialog({ kind: 'rename', file });
      } else if (e.key === 'Delete') {
        e.preventDefault();
        setDialog({ kind: 'delete', file });
      }
    };
  }

  function renderNodes(nodes: TreeNode[], depth: number) {
    return nodes.map((n) => {
      if (n.kind === 'folder') {
        const isOpen = !collapsed.has(n.path);
        return (
          <li key={`d:${n.path}`} onDragOver={allowDrop} onDrop={onDropInto(n.path)} data-testid={`code-folder-${n.path}`}>
            <button
              type="button"
              className="code-tree-row code-tree-folder"
              style={{ paddingLeft: 8 + depth * 14 }}
              aria-expanded={isOpen}
              onClick={() =>
                setCollapsed((c) => {
                  const next = new Set(c);
                  if (isOpen) next.add(n.path);
                  else next.delete(n.path);
                  return next;
                })
              }
            >
              <span className="code-caret" aria-hidden="true">
                {isOpen ? '▾' : '▸'}
              </span>
              {n.name}
            </button>
            {isOpen && <ul className="code-tree-list">{renderNodes(n.children, depth + 1)}</ul>}
          </li>
        );
      }
      const f = n.file;
      const href = fileUrl(projectId, f.path);
      const active = open?.id === f.id;
      return (
        <li
          key={f.id}
          draggable={f.type !== 'GENERATED'}
          onDragStart={(e) => {
            e.dataTransfer.setData('application/x-collabdev-file', f.id);
            e.dataTransfer.effectAllowed = 'move';
          }}
        >
          <a
            className={`code-tree-row code-tree-file${active ? ' active' : ''}`}
            style={{ paddingLeft: 22 + depth * 14 }}
            href={href}
            onClick={linkHandler(href)}
            onKeyDown={fileKeys(f)}
            aria-current={active ? 'page' : undefined}
            data-testid={`code-file-${f.path}`}
            title={`${f.path} · ${languageLabel(f.language)}${f.type === 'GENERATED' ? ' · generated, read-only' : ''}`}
          >
            <span className="code-file-name">{n.name}</span>
            {f.type === 'GENERATED' && <span className="code-badge">generated</span>}
            <span className="code-lang small muted">{languageLabel(f.language)}</span>
          </a>
        </li>
      );
    });
  }

  const base = `/projects/${projectId}/code`;
  return (
    <div className="code-section" data-testid="code-section">
      <nav className="code-tree" aria-label="Files">
        <div className="code-tree-head">
          <h2>Files</h2>
          <span className="spacer" />
          <button type="button" className="btn btn-sm" onClick={() => setDialog({ kind: 'new-file', folder: currentFolder })} data-testid="code-new-file">
            <Icon name="plus" size={14} /> File
          </button>
          <button type="button" className="btn btn-sm" onClick={() => setDialog({ kind: 'new-folder', folder: currentFolder })} data-testid="code-new-folder">
            <Icon name="plus" size={14} /> Folder
          </button>
        </div>
        {failed && (
          <p className="code-note code-note-error" role="alert">
            The files could not be loaded.{' '}
            <button type="button" className="btn btn-sm" onClick={() => void load()}>
              Retry
            </button>
          </p>
        )}
        {files === null && !failed && <p className="muted small code-tree-empty">Loading files…</p>}
        {files !== null && files.length === 0 && folders.length === 0 && (
          <p className="muted small code-tree-empty">No files yet. Create the first one.</p>
        )}
        <ul className="code-tree-list code-tree-root" onDragOver={allowDrop} onDrop={onDropInto('')} data-testid="code-tree">
          {renderNodes(tree.children, 0)}
        </ul>
        <p className="muted small code-tree-hint">Drag a file onto a folder to move it; F2 renames, Delete deletes.</p>
      </nav>
      <div className="code-main">
        {open ? (
          <>
            <div className="code-file-head">
              <h2 className="code-file-path" data-testid="code-file-path" title={open.path}>
                {open.path}
              </h2>
              <span className="code-badge" data-testid="code-file-language">
                {languageLabel(open.language)}
              </span>
              <span className="code-badge" data-testid="code-file-type">
                {open.type === 'GENERATED' ? 'Generated · read-only' : open.type === 'ASSET' ? 'Asset' : 'Code'}
              </span>
              <span className="spacer" />
              <button
                type="button"
                className="btn btn-sm"
                aria-pressed={showHistory}
                onClick={() => setShowHistory((h) => !h)}
                data-testid="code-history-toggle"
              >
                History
              </button>
              <button
                type="button"
                className="btn btn-sm"
                disabled={open.type === 'GENERATED'}
                onClick={() => setDialog({ kind: 'rename', file: open })}
                title="Rename or move"
                data-testid="code-rename"
              >
                Rename
              </button>
              <a className="btn btn-sm" href={rawFileUrl(projectId, open.id)} download={open.name} data-testid="code-download">
                Download
              </a>
              <button
                type="button"
                className="btn btn-sm btn-danger"
                disabled={open.type === 'GENERATED'}
                onClick={() => setDialog({ kind: 'delete', file: open })}
                data-testid="code-delete"
              >
                Delete
              </button>
            </div>
            <div className="code-file-body">
              <FileEditor key={open.id} projectId={projectId} file={open} me={me} notify={notify} />
              {showHistory && <HistoryPanel key={open.id} projectId={projectId} file={open} onClose={() => setShowHistory(false)} />}
            </div>
          </>
        ) : (
          <div className="code-empty" data-testid="code-empty">
            {fileKey && files !== null ? (
              <>
                <h2>No such file</h2>
                <p className="muted">
                  “{fileKey}” does not exist in this project (it may have been deleted or renamed).{' '}
                  <a href={base} onClick={linkHandler(base)}>
                    Back to the files
                  </a>
                </p>
              </>
            ) : (
              <>
                <Icon name="code" size={40} />
                <h2>Pick a file</h2>
                <p className="muted">Open a file from the tree to edit it together with the others in this project.</p>
              </>
            )}
          </div>
        )}
      </div>
      <PathDialog
        key={dialogKey}
        state={dialog}
        onClose={() => setDialog(null)}
        onCreateFile={async (path) => {
          try {
            const created = await api.createFile(projectId, path);
            setFiles((held) => upsert(held ?? [], created));
            navigate(fileUrl(projectId, created.path));
            return null;
          } catch (e) {
            return fileErrorText(e);
          }
        }}
        onCreateFolder={(path) => {
          setFolders((f) => (f.includes(path) ? f : [...f, path]));
          setCollapsed((c) => {
            const next = new Set(c);
            for (const a of [...ancestorsOf(path), path]) next.delete(a);
            return next;
          });
        }}
        onRename={move}
        onDelete={async (file) => {
          try {
            await api.deleteFile(projectId, file.id);
            setFiles((held) => (held ?? []).filter((f) => f.id !== file.id));
            if (open?.id === file.id) navigate(base, { replace: true });
            notify(`${file.path} was deleted.`, 'success');
            return null;
          } catch (e) {
            return fileErrorText(e);
          }
        }}
      />
    </div>
  );
}

/** The dialogs of the tree: new file, new folder, rename or move, delete (with confirmation). */
function PathDialog({
  state,
  onClose,
  onCreateFile,
  onCreateFolder,
  onRename,
  onDelete,
}: {
  state: DialogState;
  onClose: () => void;
  onCreateFile: (path: string) => Promise<string | null>;
  onCreateFolder: (path: string) => void;
  onRename: (file: FileEntry, path: string) => Promise<string | null>;
  onDelete: (file: FileEntry) => Promise<string | null>;
}) {
  const [path, setPath] = useState(() =>
    state?.kind === 'rename' ? state.file.path : state && 'folder' in state && state.folder ? `${state.folder}/` : '',
  );
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (!state) return <Dialog open={false} title="" onClose={onClose}>{null}</Dialog>;

  const title =
    state.kind === 'new-file' ? 'New file' : state.kind === 'new-folder' ? 'New folder' : state.kind === 'rename' ? 'Rename or move' : 'Delete file';

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!state || busy) return;
    if (state.kind === 'delete') {
      setBusy(true);
      const err = await onDelete(state.file);
      setBusy(false);
      if (err) setError(err);
      else onClose();
      return;
    }
    const p = path.trim().normalize('NFC');
    const problem = pathProblem(p);
    if (problem) {
      setError(problem);
      return;
    }
    if (state.kind === 'new-folder') {
      onCreateFolder(p);
      onClose();
      return;
    }
    setBusy(true);
    const err = state.kind === 'new-file' ? await onCreateFile(p) : await onRename(state.file, p);
    setBusy(false);
    if (err) setError(err);
    else onClose();
  }

  return (
    <Dialog open title={title} onClose={onClose} testId="code-dialog">
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        {state.kind === 'delete' ? (
          <p>
            Delete <strong>{state.file.path}</strong> and its history for everyone in the project? This cannot be undone.
          </p>
        ) : (
          <label>
            {state.kind === 'new-folder' ? 'Folder path' : 'Path'}
            <input
              value={path}
              onChange={(e) => {
                setPath(e.target.value);
                setError(null);
              }}
              maxLength={600}
              spellCheck={false}
              autoComplete="off"
              aria-invalid={error !== null}
              aria-describedby={error ? 'code-path-error' : 'code-path-help'}
              data-testid="code-path-input"
            />
            <span className="muted small" id="code-path-help">
              {state.kind === 'new-folder'
                ? 'The folder is shown until you leave; it is kept once a file is created in it.'
                : 'Folders are separated by “/”, e.g. src/app.ts. The language comes from the extension.'}
            </span>
          </label>
        )}
        {error && (
          <p className="field-error" id="code-path-error" role="alert" data-testid="code-dialog-error">
            {error}
          </p>
        )}
        <div className="form-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className={`btn ${state.kind === 'delete' ? 'btn-danger' : 'btn-primary'}`}
            disabled={busy}
            data-testid="code-dialog-submit"
            data-autofocus={state.kind === 'delete' ? true : undefined}
          >
            {state.kind === 'delete' ? 'Delete' : state.kind === 'rename' ? 'Save' : 'Create'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
