import { useState, type FormEvent } from 'react';
import { ApiError, waitInWords } from '../api/client';
import { linkHandler, navigate, nextAfterSignIn } from '../router';
import { useAuth } from './AuthContext';

function problemText(e: unknown, fallback: string): string {
  if (e instanceof ApiError) {
    if (e.status === 0) return 'The server could not be reached. Check your connection and try again.';
    if (e.status === 409) return 'An account with this email already exists. Sign in instead.';
    if (e.status === 429) {
      return `Too many attempts. Try again in ${e.retryAfter !== null ? waitInWords(e.retryAfter) : 'a minute'}.`;
    }
    const fields = fieldSentences(e);
    if (fields) return fields;
    if (e.status === 401) return 'That email and password do not match an account.';
    return e.problem.detail ?? fallback;
  }
  return fallback;
}

/** Field errors as sentences: a message that is a sentence of its own is not prefixed by the field. */
export function fieldSentences(e: ApiError): string {
  return (e.problem.errors ?? [])
    .map(({ field, message }) => {
      const m = message.trim().replace(/\.+$/, '');
      const text = /^[A-Z]/.test(m) ? m : `${field.replace(/_/g, ' ')} ${m}`;
      return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
    })
    .join(' ');
}

function Brand() {
  return (
    <div className="brand brand-large">
      <span className="brand-mark" aria-hidden="true">
        <svg viewBox="0 0 32 32" width="32" height="32">
          <rect width="32" height="32" rx="8" fill="currentColor" />
          <path d="M9 11h14M9 16h9M9 21h12" stroke="white" strokeWidth="2.6" strokeLinecap="round" />
        </svg>
      </span>
      <span>CollabDev+</span>
    </div>
  );
}

export function SignIn() {
  const { signIn } = useAuth();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await signIn(email.trim(), password);
      navigate(nextAfterSignIn(location.search), { replace: true });
    } catch (err) {
      setError(problemText(err, 'Signing in failed.'));
    } finally {
      setBusy(false);
    }
  }
  return (
    <main className="auth-page">
      <form className="auth-card" onSubmit={submit} data-testid="signin-form">
        <Brand />
        <h1>Sign in</h1>
        <label>
          Email
          <input type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} data-testid="signin-email" />
        </label>
        <label>
          Password
          <input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} data-testid="signin-password" />
        </label>
        {error && <p className="form-error" role="alert">{error}</p>}
        <button className="btn btn-primary btn-block" disabled={busy} data-testid="signin-submit">
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted center">
          New here? <a href={`/signup${location.search}`} onClick={linkHandler(`/signup${location.search}`)} data-testid="to-signup">Create an account</a>
        </p>
      </form>
    </main>
  );
}

export function SignUp() {
  const { signUp } = useAuth();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!password.trim()) {
      setError('The password cannot be only spaces.');
      return;
    }
    if (password.length < 8) {
      setError('The password needs at least 8 characters.');
      return;
    }
    setBusy(true);
    setError('');
    try {
      await signUp(email.trim(), password, name.trim());
      navigate(nextAfterSignIn(location.search), { replace: true });
    } catch (err) {
      setError(problemText(err, 'Creating the account failed.'));
    } finally {
      setBusy(false);
    }
  }
  return (
    <main className="auth-page">
      <form className="auth-card" onSubmit={submit} data-testid="signup-form">
        <Brand />
        <h1>Create your account</h1>
        <label>
          Name
          <input autoComplete="name" required maxLength={255} value={name} onChange={(e) => setName(e.target.value)} data-testid="signup-name" />
        </label>
        <label>
          Email
          <input type="email" autoComplete="email" required maxLength={255} value={email} onChange={(e) => setEmail(e.target.value)} data-testid="signup-email" />
        </label>
        <label>
          Password
          <input type="password" autoComplete="new-password" required minLength={8} value={password} onChange={(e) => setPassword(e.target.value)} data-testid="signup-password" />
          <span className="hint">At least 8 characters.</span>
        </label>
        {error && <p className="form-error" role="alert">{error}</p>}
        <button className="btn btn-primary btn-block" disabled={busy} data-testid="signup-submit">
          {busy ? 'Creating…' : 'Create account'}
        </button>
        <p className="muted center">
          Already have an account? <a href={`/signin${location.search}`} onClick={linkHandler(`/signin${location.search}`)}>Sign in</a>
        </p>
      </form>
    </main>
  );
}
