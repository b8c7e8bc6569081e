import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError } from '../api/client';
import type { Member, Project } from '../api/types';
import { useMe } from '../auth/AuthContext';
import { BoardView } from '../board/Board';
import { useBoard } from '../board/useBoard';
import { ChatPanel } from '../chat/ChatPanel';
import { useChat } from '../chat/useChat';
import { PresenceAvatars } from '../presence/PresenceAvatars';
import { usePresence } from '../presence/usePresence';
import { realtime } from '../realtime/client';
import { useProjectRoom, type LostReason } from '../realtime/projectRoom';
import { linkHandler, navigate } from '../router';
import { Icon } from '../ui/Dialog';
import { useToast } from '../ui/Toasts';
import { MembersPanel } from './MembersPanel';
import { roleLabel } from './ProjectsPage';

type Tab = 'board' | 'members' | 'chat';

export function ProjectPage({ projectId, tab }: { projectId: string; tab: Tab }) {
  const me = useMe();
  const toast = useToast();
  const [project, setProject] = useState<Project | null>(null);
  const [members, setMembers] = useState<Member[]>([]);
  const [lost, setLost] = useState(false);
  const lostRef = useRef(false);

  const onLost = useCallback(
    (reason: LostReason) => {
      if (lostRef.current) return;
      lostRef.current = true;
      setLost(true);
      toast.show(reason === 'deleted' ? 'This project was deleted.' : 'You no longer have access to this project.', 'info');
      navigate('/projects', { replace: true });
    },
    [toast],
  );
  const notify = useCallback((text: string, kind: 'error' | 'success' | 'info' = 'error') => toast.show(text, kind), [toast]);

  const room = useProjectRoom(projectId, onLost);
  const board = useBoard(projectId, room, notify, onLost);
  const chat = useChat(projectId, room, me, notify);
  const presence = usePresence(projectId, room);

  const loadProject = useCallback(async () => {
    try {
      const [p, m] = await Promise.all([api.getProject(projectId), api.listMembers(projectId)]);
      setProject(p);
      setMembers(m.items);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) onLost('removed');
    }
  }, [projectId, onLost]);

  useEffect(() => {
    void loadProject();
  }, [loadProject]);

  // Member changes and reconnects: re-read the project (role) and the member list.
  useEffect(() => {
    const offEvent = room.onEvent((ev) => {
      if (ev.type.startsWith('member.') || ev.type.startsWith('project.')) void loadProject();
    });
    const offSync = room.onSync((resumed) => {
      if (resumed) void loadProject();
    });
    return () => {
      offEvent();
      offSync();
    };
  }, [room, loadProject]);

  // Without live updates, check access now and then so a removal is noticed anyway.
  useEffect(() => {
    const t = setInterval(() => {
      if (realtime().status !== 'online') void loadProject();
    }, 10000);
    return () => clearInterval(t);
  }, [loadProject]);

  if (lost) return null;
  const role = project?.role ?? members.find((m) => m.user_id === me.id)?.role;
  const canManage = role === 'OWNER' || role === 'MAINTAINER';
  const base = `/projects/${projectId}`;

  return (
    <main className={`project project-tab-${tab}`} data-testid="project-page">
      <div className="project-head">
        <a className="icon-btn back" href="/projects" onClick={linkHandler('/projects')} aria-label="All projects">
          <Icon name="back" />
        </a>
        <div className="project-heading">
          <h1 className="project-title" data-testid="project-title">
            {project?.name ?? ' '}
          </h1>
          {role && <span className={`role-badge role-${role.toLowerCase()}`}>{roleLabel(role)}</span>}
        </div>
        <PresenceAvatars presence={presence} members={members} me={me} />
        <nav className="tabs" aria-label="Project sections">
          <a className={`tab${tab === 'board' ? ' active' : ''}`} href={base} onClick={linkHandler(base)} aria-current={tab === 'board' ? 'page' : undefined} data-testid="tab-board">
            <Icon name="board" size={16} /> <span>Board</span>
          </a>
          <a className={`tab tab-chat${tab === 'chat' ? ' active' : ''}`} href={`${base}/chat`} onClick={linkHandler(`${base}/chat`)} aria-current={tab === 'chat' ? 'page' : undefined} data-testid="tab-chat">
            <Icon name="chat" size={16} /> <span>Chat</span>
          </a>
          <a className={`tab${tab === 'members' ? ' active' : ''}`} href={`${base}/members`} onClick={linkHandler(`${base}/members`)} aria-current={tab === 'members' ? 'page' : undefined} data-testid="tab-members">
            <Icon name="users" size={16} /> <span>Members</span>
            <span className="count">{members.length || ''}</span>
          </a>
        </nav>
      </div>
      <div className="project-body">
        <section className="project-main">
          {tab === 'members' ? (
            <MembersPanel
              projectId={projectId}
              me={me}
              myRole={role}
              members={members}
              setMembers={(f) => setMembers(f)}
              reload={loadProject}
              notify={notify}
              onLeft={() => {
                lostRef.current = true;
                toast.show('You left the project.', 'info');
                navigate('/projects', { replace: true });
              }}
            />
          ) : (
            <BoardView board={board} members={members} canManageColumns={canManage} />
          )}
        </section>
        <aside className="project-chat" aria-label="Project chat">
          <div className="chat-title">
            <Icon name="chat" size={16} /> Chat
          </div>
          <ChatPanel chat={chat} members={members} canModerate={canManage} />
        </aside>
      </div>
    </main>
  );
}
