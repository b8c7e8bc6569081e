// Invitation links of a project, for its OWNERs and MAINTAINERs: create one (role, expiry, how
// many may use it), copy it (the link is shown once: the server keeps only a hash of it), and
// revoke the open ones.
import { useEffect, useState, type FormEvent } from 'react';
import { api, describeError } from '../api/client';
import type { Invitation, Role } from '../api/types';
import { roleLabel } from './ProjectsPage';

/** Expiry choices, in hours (the server takes 1 hour to 30 days; 7 days is its default). */
export const EXPIRY_CHOICES: readonly { hours: number; label: string }[] = [
  { hours: 1, label: '1 hour' },
  { hours: 24, label: '1 day' },
  { hours: 168, label: '7 days' },
  { hours: 720, label: '30 days' },
];

/** The address a token opens in this client. */
export function inviteUrl(token: string, origin = location.origin): string {
  return `${origin}/invite/${token}`;
}

export function InvitationsPanel({
  projectId,
  myRole,
  notify,
  refreshKey,
}: {
  projectId: string;
  myRole: Role | undefined;
  /** Changes when the members change (someone may have joined through a link and used it up). */
  refreshKey?: string;
  notify: (text: string, kind?: 'error' | 'success' | 'info') => void;
}) {
  const [items, setItems] = useState<Invitation[]>([]);
  const [role, setRole] = useState<'MEMBER' | 'MAINTAINER'>('MEMBER');
  const [hours, setHours] = useState(168);
  const [maxUses, setMaxUses] = useState('');
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  const canManage = myRole === 'OWNER' || myRole === 'MAINTAINER';

  useEffect(() => {
    if (!canManage) return;
    let cancelled = false;
    api.listInvitations(projectId).then(
      (p) => !cancelled && setItems(p.items),
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [projectId, canManage, refreshKey]);

  if (!canManage) return null;

  async function create(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    try {
      const uses = maxUses.trim() ? Number(maxUses) : null;
      const inv = await api.createInvitation(projectId, { role, expires_in_hours: hours, max_uses: uses });
      setCreated(inviteUrl(inv.token ?? ''));
      const { token: _secret, ...listed } = inv;
      void _secret;
      setItems((list) => [listed, ...list]);
    } catch (err) {
      notify(describeError(err, 'Creating the link').replace(' It was undone.', ''), 'error');
    } finally {
      setBusy(false);
    }
  }

  async function copy(url: string) {
    try {
      await navigator.clipboard.writeText(url);
      notify('Link copied.', 'success');
    } catch {
      notify('Copying failed: select the link and copy it yourself.', 'info');
    }
  }

  async function revoke(inv: Invitation) {
    try {
      await api.revokeInvitation(projectId, inv.id);
      setItems((list) => list.filter((x) => x.id !== inv.id));
      notify('The link was revoked: it no longer works.', 'success');
    } catch (err) {
      notify(describeError(err, 'Revoking the link').replace(' It was undone.', ''), 'error');
    }
  }

  return (
    <section className="invitations card" data-testid="invitations-panel" aria-labelledby="invitations-title">
      <h2 className="section-title" id="invitations-title">Invitation links</h2>
      <form className="add-member-row" onSubmit={create}>
        <select aria-label="Role given by the link" value={role} onChange={(e) => setRole(e.target.value as 'MEMBER' | 'MAINTAINER')} data-testid="invite-role">
          <option value="MEMBER">{roleLabel('MEMBER')}</option>
          {myRole === 'OWNER' && <option value="MAINTAINER">{roleLabel('MAINTAINER')}</option>}
        </select>
        <select aria-label="Link expires after" value={hours} onChange={(e) => setHours(Number(e.target.value))} data-testid="invite-expiry">
          {EXPIRY_CHOICES.map((c) => (
            <option key={c.hours} value={c.hours}>
              Expires in {c.label}
            </option>
          ))}
        </select>
        <input type="number" min={1} max={10000} placeholder="Any number of uses" aria-label="Most people who may use the link (empty: no limit)" value={maxUses} onChange={(e) => setMaxUses(e.target.value)} data-testid="invite-max-uses" />
        <button className="btn btn-primary" disabled={busy} data-testid="invite-create">
          Create link
        </button>
      </form>
      {created && (
        <div className="invite-created" data-testid="invite-created">
          <input readOnly value={created} aria-label="The new invitation link" onFocus={(e) => e.target.select()} data-testid="invite-link" />
          <button type="button" className="btn" onClick={() => void copy(created)} data-testid="invite-copy">
            Copy
          </button>
          <p className="hint">Copy it now: it is shown only once. Anyone with the link can join until it expires or is revoked.</p>
        </div>
      )}
      {items.length > 0 ? (
        <ul className="invitation-list" data-testid="invitation-list">
          {items.map((i) => (
            <li key={i.id} data-testid={`invitation-${i.id}`}>
              <span>
                {roleLabel(i.role)} · expires {new Date(i.expires_at).toLocaleString()} · used {i.uses}
                {i.max_uses !== null ? ` of ${i.max_uses}` : ''}
              </span>
              <button type="button" className="btn btn-sm" onClick={() => void revoke(i)} data-testid="invitation-revoke">
                Revoke
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="hint">No open links.</p>
      )}
    </section>
  );
}
