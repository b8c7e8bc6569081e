// `/invite/<token>`: a signed-in person sees which project an invitation link is for and with
// which role, and joins (a signed-out one signs in or up first and is brought back here).
import { useEffect, useState } from 'react';
import { api, ApiError } from '../api/client';
import type { InvitationAnswer } from '../api/types';
import { linkHandler, navigate } from '../router';
import { roleLabel } from './ProjectsPage';

/** Plain words for a link that does not work (404 unknown, 410 revoked, expired or used up). */
export function invitationProblem(e: unknown): string {
  if (e instanceof ApiError && e.status === 404) return 'This invitation link is not valid. Check that it was copied whole, or ask for a new one.';
  if (e instanceof ApiError && e.status === 410) return e.problem.detail || 'This invitation can no longer be used; ask for a new link.';
  if (e instanceof ApiError && e.status === 0) return 'The server could not be reached. Try again in a moment.';
  return e instanceof Error && e.message ? e.message : 'The invitation could not be opened.';
}

export function InvitePage({ token }: { token: string }) {
  const [answer, setAnswer] = useState<InvitationAnswer | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let cancelled = false;
    setAnswer(null);
    setError('');
    api.previewInvitation(token).then(
      (a) => !cancelled && setAnswer(a),
      (e) => !cancelled && setError(invitationProblem(e)),
    );
    return () => {
      cancelled = true;
    };
  }, [token]);

  async function join() {
    setBusy(true);
    try {
      const a = await api.acceptInvitation(token);
      navigate(`/projects/${a.project.id}`, { replace: true });
    } catch (e) {
      setError(invitationProblem(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="page narrow" data-testid="invite-page">
      <h1 className="page-title">Invitation</h1>
      {error ? (
        <div className="card">
          <p className="form-error" role="alert" data-testid="invite-error">{error}</p>
          <p>
            <a href="/projects" onClick={linkHandler('/projects')}>Back to your projects</a>
          </p>
        </div>
      ) : !answer ? (
        <p className="muted" aria-busy="true">Opening the invitation…</p>
      ) : answer.already_member ? (
        <div className="card">
          <p data-testid="invite-already">
            You are already a member of <strong>{answer.project.name}</strong> ({roleLabel(answer.role)}).
          </p>
          <button className="btn btn-primary" onClick={() => navigate(`/projects/${answer.project.id}`, { replace: true })} data-testid="invite-open">
            Open the project
          </button>
        </div>
      ) : (
        <div className="card">
          <p data-testid="invite-summary">
            You are invited to join <strong>{answer.project.name}</strong> as {roleLabel(answer.role)}.
          </p>
          <button className="btn btn-primary" disabled={busy} onClick={() => void join()} data-testid="invite-join">
            {busy ? 'Joining…' : `Join ${answer.project.name}`}
          </button>
        </div>
      )}
    </main>
  );
}
