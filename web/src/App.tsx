import { useEffect, useRef, useState } from 'react';
import { useMenuKeys } from './ui/menu';
import { AuthProvider, useAuth } from './auth/AuthContext';
import { SignIn, SignUp } from './auth/AuthScreens';
import { Profile } from './auth/Profile';
import { ProjectPage } from './projects/ProjectPage';
import { ProjectsPage } from './projects/ProjectsPage';
import { realtime, type ConnectionStatus } from './realtime/client';
import { InvitePage } from './projects/InvitePage';
import { linkHandler, navigate, nextAfterSignIn, parseRoute, signInFor, usePath } from './router';
import { Avatar } from './ui/Avatar';
import { Icon } from './ui/Dialog';
import { ErrorBoundary } from './ui/ErrorBoundary';
import { ToastProvider } from './ui/Toasts';

export function App() {
  return (
    <ErrorBoundary>
      <ToastProvider>
        <AuthProvider>
          <Shell />
        </AuthProvider>
      </ToastProvider>
    </ErrorBoundary>
  );
}

function Shell() {
  const { user, loading } = useAuth();
  const path = usePath();
  const route = parseRoute(path);

  useEffect(() => {
    if (loading) return;
    // A signed-out visitor of an address (an invitation link above all) comes back to it afterwards.
    if (!user && route.name !== 'signin' && route.name !== 'signup') navigate(signInFor(path), { replace: true });
    if (user && (route.name === 'signin' || route.name === 'signup')) navigate(nextAfterSignIn(location.search), { replace: true });
  }, [user, loading, route.name]);

  if (loading) return <div className="splash" aria-busy="true" />;
  if (!user) return route.name === 'signup' ? <SignUp /> : <SignIn />;

  return (
    <div className="app">
      <TopBar />
      <ErrorBoundary resetKey={path}>
        {route.name === 'project' ? (
          <ProjectPage key={route.id} projectId={route.id} tab={route.tab} taskId={route.taskId} file={route.file} />
        ) : route.name === 'invite' ? (
          <InvitePage token={route.token} />
        ) : route.name === 'profile' ? (
          <Profile />
        ) : route.name === 'notfound' ? (
          <main className="page narrow">
            <h1 className="page-title">Page not found</h1>
            <p>
              <a href="/projects" onClick={linkHandler('/projects')}>Back to your projects</a>
            </p>
          </main>
        ) : (
          <ProjectsPage />
        )}
      </ErrorBoundary>
    </div>
  );
}

function useConnection(): ConnectionStatus {
  const [s, setS] = useState<ConnectionStatus>(realtime().status);
  useEffect(() => realtime().onStatus(setS), []);
  return s;
}

function TopBar() {
  const { user, signOut } = useAuth();
  const [open, setOpen] = useState(false);
  const { menuRef: itemsRef, buttonRef, onKeyDown: onMenuKey } = useMenuKeys(open, setOpen);
  const menuRef = useRef<HTMLDivElement>(null);
  const conn = useConnection();
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (menuRef.current && !menuRef.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);
  if (!user) return null;
  return (
    <header className="topbar">
      <a className="brand" href="/projects" onClick={linkHandler('/projects')} data-testid="nav-projects">
        <span className="brand-mark" aria-hidden="true">
          <svg viewBox="0 0 32 32" width="26" height="26">
            <rect width="32" height="32" rx="8" fill="currentColor" />
            <path d="M9 11h14M9 16h9M9 21h12" stroke="white" strokeWidth="2.6" strokeLinecap="round" />
          </svg>
        </span>
        <span className="brand-name">CollabDev+</span>
      </a>
      <div className="topbar-spacer" />
      {conn !== 'online' && (
        <span className={`conn conn-${conn}`} data-testid="connection-status" title="Live updates">
          {conn === 'connecting' ? 'Connecting…' : 'Offline — reconnecting'}
        </span>
      )}
      <div className="menu-wrap" ref={menuRef}>
        <button ref={buttonRef} className="user-btn" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen((o) => !o)} data-testid="user-menu">
          <Avatar id={user.id} name={user.name} url={user.avatar_url} size={30} />
          <span className="user-name">{user.name}</span>
        </button>
        {open && (
          <div className="menu" role="menu" aria-label="Account" ref={itemsRef} onKeyDown={onMenuKey} data-testid="user-menu-items">
            <div className="menu-head" role="none">
              <div className="strong">{user.name}</div>
              <div className="muted small">{user.email}</div>
            </div>
            <button role="menuitem" onClick={() => { setOpen(false); navigate('/profile'); }} data-testid="nav-profile">
              <Icon name="user" /> Profile
            </button>
            <button
              role="menuitem"
              data-testid="sign-out"
              onClick={async () => {
                setOpen(false);
                await signOut();
                navigate('/signin', { replace: true });
              }}
            >
              <Icon name="logout" /> Sign out
            </button>
          </div>
        )}
      </div>
    </header>
  );
}
