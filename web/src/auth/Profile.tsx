import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api/client';
import { Avatar } from '../ui/Avatar';
import { useToast } from '../ui/Toasts';
import { useAuth, useMe } from './AuthContext';

export function Profile() {
  const me = useMe();
  const { setUser } = useAuth();
  const toast = useToast();
  const [name, setName] = useState(me.name);
  const [avatarUrl, setAvatarUrl] = useState(me.avatar_url ?? '');
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [busy, setBusy] = useState(false);

  async function saveProfile(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    try {
      const u = await api.updateMe({ name: name.trim(), avatar_url: avatarUrl.trim() || null });
      setUser(u);
      toast.show('Profile saved.', 'success');
    } catch (err) {
      toast.show(err instanceof ApiError ? `Profile not saved: ${err.fieldMessages().join('; ') || err.message}` : 'Profile not saved.');
    } finally {
      setBusy(false);
    }
  }
  async function changePassword(e: FormEvent) {
    e.preventDefault();
    if (next.length < 8) {
      toast.show('The new password needs at least 8 characters.');
      return;
    }
    try {
      await api.changePassword(current, next);
      setCurrent('');
      setNext('');
      toast.show('Password changed. Your other sessions were signed out.', 'success');
    } catch (err) {
      toast.show(err instanceof ApiError && err.status === 401 ? 'The current password is not right.' : 'The password was not changed.');
    }
  }
  return (
    <main className="page narrow">
      <h1 className="page-title">Your profile</h1>
      <section className="card">
        <div className="profile-head">
          <Avatar id={me.id} name={name || me.name} size={56} />
          <div>
            <div className="strong">{me.name}</div>
            <div className="muted">{me.email}</div>
          </div>
        </div>
        <form className="form" onSubmit={saveProfile}>
          <label>
            Name
            <input required maxLength={255} value={name} onChange={(e) => setName(e.target.value)} data-testid="profile-name" />
          </label>
          <label>
            Avatar URL <span className="hint">optional, http(s)</span>
            <input type="url" maxLength={512} value={avatarUrl} onChange={(e) => setAvatarUrl(e.target.value)} placeholder="https://…" />
          </label>
          <div className="form-actions">
            <button className="btn btn-primary" disabled={busy} data-testid="profile-save">
              Save profile
            </button>
          </div>
        </form>
      </section>
      <section className="card">
        <h2 className="section-title">Change password</h2>
        <form className="form" onSubmit={changePassword}>
          <label>
            Current password
            <input type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} />
          </label>
          <label>
            New password
            <input type="password" autoComplete="new-password" required minLength={8} value={next} onChange={(e) => setNext(e.target.value)} />
          </label>
          <div className="form-actions">
            <button className="btn">Change password</button>
          </div>
        </form>
      </section>
    </main>
  );
}
