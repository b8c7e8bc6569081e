import { useRef, useState, type FormEvent } from 'react';
import { api, ApiError, describeError } from '../api/client';
import type { Member, Role, User } from '../api/types';
import { ROLES } from '../api/types';
import { Avatar } from '../ui/Avatar';
import { Dialog, Icon } from '../ui/Dialog';
import { InvitationsPanel } from './InvitationsPanel';
import { roleLabel } from './ProjectsPage';

export function MembersPanel({
  projectId,
  me,
  myRole,
  members,
  setMembers,
  reload,
  notify,
  onLeft,
}: {
  projectId: string;
  me: User;
  myRole: Role | undefined;
  members: Member[];
  setMembers: (f: (m: Member[]) => Member[]) => void;
  reload: () => Promise<void>;
  notify: (text: string, kind?: 'error' | 'success' | 'info') => void;
  /** Called before the leave request (so the revocation it causes is not reported as well), then after it. */
  onLeft: (phase: 'leaving' | 'left' | 'failed') => void;
}) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('MEMBER');
  const [busy, setBusy] = useState(false);
  const [removing, setRemoving] = useState<Member | null>(null);
  const [leaving, setLeaving] = useState(false);
  const [addError, setAddError] = useState('');
  const [heir, setHeir] = useState('');
  const [promoting, setPromoting] = useState<Member | null>(null);
  const isOwner = myRole === 'OWNER';
  const canAdd = myRole === 'OWNER' || myRole === 'MAINTAINER';

  async function add(e: FormEvent) {
    e.preventDefault();
    if (!email.trim()) return;
    setBusy(true);
    try {
      const m = await api.addMember(projectId, email.trim(), role);
      setMembers((list) => [...list.filter((x) => x.user_id !== m.user_id), m]);
      setEmail('');
      setAddError('');
      notify(`${m.name} was added as ${roleLabel(m.role)}.`, 'success');
    } catch (err) {
      const status = (err as { status?: number }).status;
      const noAccount = err instanceof ApiError && status === 422 && (err.problem.errors ?? []).some((f) => f.field === 'email' && /no account/i.test(f.message));
      // A sentence next to the field, not a notice that goes away.
      setAddError(
        status === 404 || noAccount
          ? `No account uses ${email.trim()}. Ask them to sign up first.`
          : status === 409
            ? `${email.trim()} is already a member.`
            : describeError(err, 'Adding the member').replace(' It was undone.', ''),
      );
    } finally {
      setBusy(false);
    }
  }
  async function changeRole(m: Member, r: Role) {
    setMembers((list) => list.map((x) => (x.user_id === m.user_id ? { ...x, role: r } : x)));
    try {
      const updated = await api.setMemberRole(projectId, m.user_id, r);
      setMembers((list) => list.map((x) => (x.user_id === m.user_id ? updated : x)));
    } catch (err) {
      setMembers((list) => list.map((x) => (x.user_id === m.user_id ? m : x)));
      notify(describeError(err, 'Changing the role'));
    }
  }
  async function remove(m: Member) {
    setMembers((list) => list.filter((x) => x.user_id !== m.user_id));
    try {
      await api.removeMember(projectId, m.user_id);
      notify(`${m.name} was removed from the project.`, 'success');
    } catch (err) {
      setMembers((list) => [...list, m]);
      notify(describeError(err, 'Removing the member'));
      void reload();
    }
  }
  async function leave() {
    onLeft('leaving');
    try {
      await api.leaveProject(projectId);
      onLeft('left');
    } catch (err) {
      onLeft('failed');
      notify(describeError(err, 'Leaving the project').replace(' It was undone.', ''));
    }
  }
  async function transferAndLeave(userId: string) {
    try {
      const list = await api.transferOwnership(projectId, userId);
      setMembers(() => list.items);
    } catch (err) {
      notify(describeError(err, 'Transferring the ownership').replace(' It was undone.', ''));
      return;
    }
    await leave();
  }
  const soleOwner = isOwner && members.filter((m) => m.role === 'OWNER').length === 1;
  function canRemove(m: Member): boolean {
    if (m.user_id === me.id) return false;
    if (isOwner) return true;
    return myRole === 'MAINTAINER' && m.role === 'MEMBER';
  }
  const listRef = useRef<HTMLUListElement>(null);
  // After a removal, focus stays in the list: on the next person's row (or the previous one, or the
  // list itself when it is empty), not on the page's start where the closed dialog would leave it.
  function focusAfterRemoving(m: Member) {
    const i = sorted.findIndex((x) => x.user_id === m.user_id);
    const neighbour = sorted[i + 1] ?? sorted[i - 1];
    requestAnimationFrame(() => {
      const row = neighbour && listRef.current?.querySelector<HTMLElement>(`[data-testid="member-${neighbour.user_id}"]`);
      const target = row?.querySelector<HTMLElement>('button, select') ?? listRef.current;
      target?.focus();
    });
  }
  const sorted = [...members].sort((a, b) => ROLES.indexOf(a.role) - ROLES.indexOf(b.role) || a.name.localeCompare(b.name));

  return (
    <div className="members" data-testid="members-panel">
      {canAdd && (
        <form className="add-member card" onSubmit={add}>
          <h2 className="section-title">Add a member</h2>
          <div className="add-member-row">
            <input type="email" required placeholder="name@company.com" aria-label="Email of the person to add" value={email} onChange={(e) => { setEmail(e.target.value); setAddError(''); }} aria-invalid={addError ? true : undefined} aria-describedby={addError ? 'add-member-error' : undefined} data-testid="add-member-email" />
            <select aria-label="Role" value={role} onChange={(e) => setRole(e.target.value as Role)} data-testid="add-member-role">
              {ROLES.filter((r) => isOwner || r === 'MEMBER').map((r) => (
                <option key={r} value={r}>
                  {roleLabel(r)}
                </option>
              ))}
            </select>
            <button className="btn btn-primary" disabled={busy || !email.trim()} data-testid="add-member-submit">
              Add
            </button>
          </div>
          {addError && (
            <p className="field-error" id="add-member-error" role="alert" data-testid="add-member-error">
              {addError}
            </p>
          )}
          <p className="hint">They need an account already. Maintainers can add members; owners can add anyone.</p>
        </form>
      )}
      <InvitationsPanel projectId={projectId} myRole={myRole} notify={notify} refreshKey={members.map((m) => m.user_id).join()} />
      <ul className="member-list card" data-testid="member-list" ref={listRef} tabIndex={-1} aria-label="Members">
        {sorted.map((m) => (
          <li key={m.user_id} className="member" data-testid={`member-${m.user_id}`} data-email={m.email}>
            <Avatar id={m.user_id} name={m.name} url={m.avatar_url} size={34} />
            <div className="member-who">
              <div className="strong">
                {m.name}
                {m.user_id === me.id && <span className="muted"> (you)</span>}
              </div>
              <div className="muted small">{m.email}</div>
            </div>
            {isOwner && m.user_id !== me.id ? (
              <select aria-label={`Role of ${m.name}`} value={m.role} onChange={(e) => {
                const r = e.target.value as Role;
                // Making someone an owner gives them everything, the project's deletion included: ask first.
                if (r === 'OWNER') setPromoting(m);
                else void changeRole(m, r);
              }} data-testid="member-role">
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {roleLabel(r)}
                  </option>
                ))}
              </select>
            ) : (
              <span className={`role-badge role-${m.role.toLowerCase()}`}>{roleLabel(m.role)}</span>
            )}
            {canRemove(m) ? (
              <button className="icon-btn danger" aria-label={`Remove ${m.name}`} title="Remove from project" onClick={() => setRemoving(m)} data-testid="member-remove">
                <Icon name="trash" size={16} />
              </button>
            ) : (
              <span className="icon-btn-placeholder" />
            )}
          </li>
        ))}
      </ul>
      <div className="leave">
        <button className="btn btn-ghost danger" onClick={() => setLeaving(true)} data-testid="leave-project">
          <Icon name="logout" size={16} /> Leave project
        </button>
      </div>
      <Dialog open={leaving} title="Leave this project?" onClose={() => setLeaving(false)} testId="leave-project-dialog">
        <p>
          {soleOwner
            ? 'You are its only owner. Choose who owns it after you; you leave at once after that.'
            : 'You will lose access to its board and chat at once. A member with the right role can add you again.'}
        </p>
        {soleOwner && (
          <label className="form">
            New owner
            <select value={heir} onChange={(e) => setHeir(e.target.value)} data-testid="leave-new-owner">
              <option value="">Choose a member</option>
              {members
                .filter((m) => m.user_id !== me.id)
                .map((m) => (
                  <option key={m.user_id} value={m.user_id}>
                    {m.name}
                  </option>
                ))}
            </select>
          </label>
        )}
        {soleOwner && members.length === 1 && <p className="hint">Nobody else is a member: add someone first, or delete the project from the projects list.</p>}
        <div className="form-actions">
          <button className="btn" data-autofocus onClick={() => setLeaving(false)}>Stay</button>
          <button
            className="btn btn-danger"
            disabled={soleOwner && !heir}
            data-testid="confirm-leave-project"
            onClick={() => {
              setLeaving(false);
              void (soleOwner ? transferAndLeave(heir) : leave());
            }}
          >
            {soleOwner ? 'Transfer and leave' : 'Leave project'}
          </button>
        </div>
      </Dialog>
      <Dialog open={promoting !== null} title={`Make ${promoting?.name ?? ''} an owner?`} onClose={() => setPromoting(null)} testId="make-owner-dialog">
        <p>An owner can do everything you can: change anyone’s role, remove members, and delete the project.</p>
        <div className="form-actions">
          <button className="btn" data-autofocus onClick={() => setPromoting(null)}>Cancel</button>
          <button
            className="btn btn-primary"
            data-testid="confirm-make-owner"
            onClick={() => {
              if (promoting) void changeRole(promoting, 'OWNER');
              setPromoting(null);
            }}
          >
            Make owner
          </button>
        </div>
      </Dialog>
      <Dialog open={removing !== null} title="Remove member?" onClose={() => setRemoving(null)} testId="remove-member-dialog">
        <p>
          {removing?.name} will lose access to this project at once. Their tasks here will be unassigned.
        </p>
        <div className="form-actions">
          <button className="btn" data-autofocus onClick={() => setRemoving(null)}>Cancel</button>
          <button
            className="btn btn-danger"
            data-testid="confirm-remove-member"
            onClick={() => {
              if (removing) {
                void remove(removing);
                focusAfterRemoving(removing);
              }
              setRemoving(null);
            }}
          >
            Remove
          </button>
        </div>
      </Dialog>
    </div>
  );
}
