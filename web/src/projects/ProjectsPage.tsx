import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, describeError } from '../api/client';
import type { Project } from '../api/types';
import { useMe } from '../auth/AuthContext';
import { realtime } from '../realtime/client';
import { linkHandler, navigate } from '../router';
import { Dialog, Icon } from '../ui/Dialog';
import { DiscardBar, useDiscardGuard } from '../ui/DiscardGuard';
import { useToast } from '../ui/Toasts';

export function ProjectsPage() {
  const toast = useToast();
  const [projects, setProjects] = useState<Project[] | null>(null);
  const [creating, setCreating] = useState(false);
  const [renaming, setRenaming] = useState<Project | null>(null);
  const [deleting, setDeleting] = useState<Project | null>(null);

  const load = useCallback(async () => {
    try {
      const items: Project[] = [];
      let cursor: string | undefined;
      do {
        const page = await api.listProjects(cursor);
        items.push(...page.items);
        cursor = page.next_cursor ?? undefined;
      } while (cursor && items.length < 1000);
      setProjects(items);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) toast.show('Your projects could not be loaded. Retrying shortly.');
    }
  }, [toast]);

  const me = useMe();
  useEffect(() => {
    // The user's own room carries their memberships: being added to a project, a role change,
    // a removal or a deleted project refreshes the list at once, from any instance. Focus
    // refreshes too, for what happened while the socket was down.
    const unsubscribe = realtime().subscribe(`user:${me.id}`, {
      onEvent(ev) {
        if (ev.type.startsWith('member.') || ev.type === 'project.deleted') void load();
      },
      onSubscribed(resumed) {
        if (resumed) void load(); // events may have been missed while the socket was down
      },
    });
    void load();
    const onFocus = () => void load();
    window.addEventListener('focus', onFocus);
    return () => {
      unsubscribe();
      window.removeEventListener('focus', onFocus);
    };
  }, [load, me.id]);

  async function rename(p: Project, name: string) {
    const before = projects;
    setProjects((list) => list?.map((x) => (x.id === p.id ? { ...x, name } : x)) ?? null);
    try {
      const updated = await api.updateProject(p.id, { name });
      setProjects((list) => list?.map((x) => (x.id === p.id ? { ...x, ...updated, role: x.role } : x)) ?? null);
    } catch (e) {
      setProjects(before);
      toast.show(describeError(e, 'Renaming the project'));
    }
  }
  async function remove(p: Project) {
    const before = projects;
    setProjects((list) => list?.filter((x) => x.id !== p.id) ?? null);
    try {
      await api.deleteProject(p.id);
      toast.show(`“${p.name}” was deleted.`, 'success');
    } catch (e) {
      setProjects(before);
      toast.show(describeError(e, 'Deleting the project'));
    }
  }

  return (
    <main className="page">
      <div className="page-head">
        <h1 className="page-title">Projects</h1>
        <button className="btn btn-primary" onClick={() => setCreating(true)} data-testid="new-project">
          <Icon name="plus" /> New project
        </button>
      </div>
      {projects === null ? (
        <div className="grid">
          {[0, 1, 2].map((i) => (
            <div key={i} className="project-card skeleton" />
          ))}
        </div>
      ) : projects.length === 0 ? (
        <div className="empty">
          <h2>No projects yet</h2>
          <p className="muted">Create one to get a board with To Do, In Progress and Done, a chat, and a place to invite your team.</p>
          <button className="btn btn-primary" onClick={() => setCreating(true)}>
            <Icon name="plus" /> Create a project
          </button>
        </div>
      ) : (
        <ul className="grid" data-testid="project-list">
          {projects.map((p) => (
            <li key={p.id} className="project-card" data-testid={`project-card-${p.id}`} data-project-name={p.name}>
              <a className="project-link" href={`/projects/${p.id}`} onClick={linkHandler(`/projects/${p.id}`)} data-testid="project-link">
                <span className="project-name">{p.name}</span>
                {p.description && <span className="project-desc">{p.description}</span>}
              </a>
              <div className="project-foot">
                {p.role && <span className={`role-badge role-${p.role.toLowerCase()}`}>{roleLabel(p.role)}</span>}
                <span className="muted small">Created {new Date(p.created_at).toLocaleDateString()}</span>
                <span className="spacer" />
                {(p.role === 'OWNER' || p.role === 'MAINTAINER') && (
                  <button className="icon-btn" aria-label={`Rename ${p.name}`} title="Rename" onClick={() => setRenaming(p)} data-testid="rename-project">
                    <Icon name="edit" size={16} />
                  </button>
                )}
                {p.role === 'OWNER' && (
                  <button className="icon-btn danger" aria-label={`Delete ${p.name}`} title="Delete" onClick={() => setDeleting(p)} data-testid="delete-project">
                    <Icon name="trash" size={16} />
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      <CreateProjectDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(p) => {
          setCreating(false);
          setProjects((list) => [p, ...(list ?? [])]);
          navigate(`/projects/${p.id}`);
        }}
      />
      <RenameDialog
        key={renaming?.id ?? 'closed'}
        project={renaming}
        onClose={() => setRenaming(null)}
        onSave={(name) => {
          if (renaming) void rename(renaming, name);
          setRenaming(null);
        }}
      />
      <Dialog open={deleting !== null} title="Delete project?" onClose={() => setDeleting(null)} testId="delete-project-dialog">
        <p>
          “{deleting?.name}” and everything in it — tasks, chat, members — will be deleted for everyone. This cannot be undone.
        </p>
        <div className="form-actions">
          <button className="btn" onClick={() => setDeleting(null)}>Cancel</button>
          <button
            className="btn btn-danger"
            data-testid="confirm-delete-project"
            onClick={() => {
              if (deleting) void remove(deleting);
              setDeleting(null);
            }}
          >
            Delete project
          </button>
        </div>
      </Dialog>
    </main>
  );
}

export function roleLabel(r: string): string {
  return r.charAt(0) + r.slice(1).toLowerCase();
}

function CreateProjectDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (p: Project) => void }) {
  const toast = useToast();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const guard = useDiscardGuard(name.trim() !== '' || description.trim() !== '', onClose);
  const { reset } = guard;
  useEffect(() => {
    if (open) {
      setName('');
      setDescription('');
      reset();
    }
  }, [open, reset]);
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!name.trim()) return;
    setBusy(true);
    try {
      const p = await api.createProject(name.trim(), description.trim() || null);
      onCreated({ ...p, role: p.role ?? 'OWNER' });
    } catch (err) {
      toast.show(describeError(err, 'Creating the project').replace(' It was undone.', ''));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog open={open} title="New project" onClose={guard.requestClose} testId="new-project-dialog">
      <form className="form" onSubmit={submit}>
        <label>
          Name
          <input autoFocus required maxLength={255} value={name} onChange={(e) => setName(e.target.value)} data-testid="new-project-name" />
        </label>
        <label>
          Description <span className="hint">optional</span>
          <textarea rows={3} maxLength={10000} value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        {guard.asking ? (
          <DiscardBar guard={guard} onDiscard={onClose} testIdPrefix="new-project" />
        ) : (
          <div className="form-actions">
            <button type="button" className="btn" onClick={guard.requestClose} data-testid="new-project-cancel">Cancel</button>
            <button className="btn btn-primary" disabled={busy || !name.trim()} data-testid="new-project-submit">
              Create project
            </button>
          </div>
        )}
      </form>
    </Dialog>
  );
}

function RenameDialog({ project, onClose, onSave }: { project: Project | null; onClose: () => void; onSave: (name: string) => void }) {
  // Mounted afresh for each project opened (its key), so the field starts from its name at once:
  // an Escape right after opening never sees a stale draft.
  const [name, setName] = useState(project?.name ?? '');
  const guard = useDiscardGuard(project !== null && name.trim() !== project.name, onClose);
  return (
    <Dialog open={project !== null} title="Rename project" onClose={guard.requestClose} testId="rename-project-dialog">
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) onSave(name.trim());
        }}
      >
        <label>
          Name
          <input autoFocus required maxLength={255} value={name} onChange={(e) => setName(e.target.value)} data-testid="rename-project-name" />
        </label>
        {guard.asking ? (
          <DiscardBar guard={guard} onDiscard={onClose} testIdPrefix="rename-project" />
        ) : (
          <div className="form-actions">
            <button type="button" className="btn" onClick={guard.requestClose} data-testid="rename-project-cancel">Cancel</button>
            <button className="btn btn-primary" disabled={!name.trim()} data-testid="rename-project-submit">Save</button>
          </div>
        )}
      </form>
    </Dialog>
  );
}
