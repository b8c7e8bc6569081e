import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError } from '../api/client';
import type { Member, Project } from '../api/types';
import { useMe } from '../auth/AuthContext';
import { BoardView } from '../board/Board';
import { CallNotice, CallsSection } from '../calls/CallsSection';
import { useCalls } from '../calls/useCalls';
import { useBoard } from '../board/useBoard';
import { ChatPanel } from '../chat/ChatPanel';
import { useChat } from '../chat/useChat';
import { usePhone, useUnread } from '../chat/unread';
import { PresenceAvatars } from '../presence/PresenceAvatars';
import { usePresence } from '../presence/usePresence';
import { realtime } from '../realtime/client';
import { useProjectRoom, type LostReason } from '../realtime/projectRoom';
import { linkHandler, navigate, type ProjectTab } from '../router';
import { Icon } from '../ui/Dialog';
import { useToast } from '../ui/Toasts';
import { ChatDock, useChatLayout } from './ChatDock';
import { MembersPanel } from './MembersPanel';
import { roleLabel } from './ProjectsPage';
import { ComingSection, SECTIONS, SectionNav } from './Sections';

// The code editor (CodeMirror) is a chunk of its own, loaded when the Code section opens.
const CodeSection = lazy(() => import('../code/CodeSection'));
// Cytoscape is large: the graph's code loads when the Graph section is first opened.
const GraphView = lazy(() => import('../graph/GraphView').then((m) => ({ default: m.GraphView })));

export function ProjectPage({ projectId, tab, taskId, file }: { projectId: string; tab: ProjectTab; taskId?: string; file?: string }) {
  const me = useMe();
  const toast = useToast();
  const [project, setProject] = useState<Project | null>(null);
  const [members, setMembers] = useState<Member[]>([]);
  const [lost, setLost] = useState(false);
  const lostRef = useRef(false);
  const seenRef = useRef(false); // the project was read at least once

  const onLost = useCallback(
    (reason: LostReason) => {
      if (lostRef.current) return;
      lostRef.current = true;
      setLost(true);
      // A project never read here may never have existed: "no longer" would be wrong then.
      toast.show(
        reason === 'deleted'
          ? 'This project was deleted.'
          : seenRef.current
            ? 'You no longer have access to this project.'
            : 'This project does not exist, or you are not a member of it.',
        'info',
      );
      navigate('/projects', { replace: true });
    },
    [toast],
  );
  const notify = useCallback((text: string, kind: 'error' | 'success' | 'info' = 'error') => toast.show(text, kind), [toast]);

  const room = useProjectRoom(projectId, onLost);
  const board = useBoard(projectId, room, notify, onLost);
  const chat = useChat(projectId, room, me, notify);
  const presence = usePresence(projectId, room);
  const calls = useCalls(projectId, room, me.id, notify);

  const loadProject = useCallback(async () => {
    try {
      const [p, m] = await Promise.all([api.getProject(projectId), api.listMembers(projectId)]);
      setProject(p);
      setMembers(m.items);
      seenRef.current = true;
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

  const [chatLayout, setChatLayout] = useChatLayout();
  const phone = usePhone();
  const chatVisible = phone ? tab === 'chat' : chatLayout !== 'collapsed' || tab === 'chat';
  const unread = useUnread(chat.state.messages, chat.state.loaded, chatVisible, me.id);

  // The tab's title names the project and what is open in it.
  const openTaskTitle = taskId ? board.state.tasks[taskId]?.title : undefined;
  const [openFilePath, setOpenFilePath] = useState<string | null>(null);
  const openFileTitle = tab === 'code' ? (openFilePath ?? undefined) : undefined;
  const sectionLabel = SECTIONS.find((s) => s.tab === tab)?.label ?? 'Board';
  useEffect(() => {
    const parts = [openTaskTitle ?? openFileTitle ?? (tab === 'board' ? null : sectionLabel), project?.name, 'CollabDev+'].filter(Boolean);
    document.title = parts.join(' · ');
  }, [openTaskTitle, openFileTitle, sectionLabel, tab, project?.name]);
  useEffect(() => () => void (document.title = 'CollabDev+'), []);

  if (lost) return null;
  const role = project?.role ?? members.find((m) => m.user_id === me.id)?.role;
  const canManage = role === 'OWNER' || role === 'MAINTAINER';
  const base = `/projects/${projectId}`;

  return (
    <main className={`project project-tab-${tab} chat-${chatLayout}`} data-testid="project-page">
      <a className="skip-link" href="#project-chat-panel" data-testid="skip-to-chat">
        Skip to chat
      </a>
      <div className="project-head">
        <a className="icon-btn back" href="/projects" onClick={linkHandler('/projects')} aria-label="All projects">
          <Icon name="back" />
        </a>
        <div className="project-heading">
          <div className="project-names">
            <h1 className="project-title" data-testid="project-title">
              {project?.name ?? ' '}
            </h1>
            {project?.description && (
              <p className="project-description" title={project.description} data-testid="project-description">
                {project.description}
              </p>
            )}
          </div>
          {role && <span className={`role-badge role-${role.toLowerCase()}`}>{roleLabel(role)}</span>}
        </div>
        <PresenceAvatars presence={presence} members={members} me={me} />
        <SectionNav base={base} tab={tab} memberCount={members.length} unread={unread} />
      </div>
      {tab !== 'calls' && <CallNotice calls={calls} base={base} members={members} />}
      <div className="project-body">
        <section className="project-main" aria-label={sectionLabel}>
          {tab === 'members' ? (
            <MembersPanel
              projectId={projectId}
              me={me}
              myRole={role}
              members={members}
              setMembers={(f) => setMembers(f)}
              reload={loadProject}
              notify={notify}
              onLeft={(phase) => {
                // One message: the revocation that leaving causes is not reported as a lost access.
                lostRef.current = phase !== 'failed';
                if (phase !== 'left') return;
                toast.show('You left the project.', 'info');
                navigate('/projects', { replace: true });
              }}
            />
          ) : tab === 'code' ? (
            <Suspense fallback={<p className="muted code-loading">Loading the code editor…</p>}>
              <CodeSection projectId={projectId} room={room} me={me} fileKey={file} notify={notify} onTitle={setOpenFilePath} />
            </Suspense>
          ) : tab === 'graph' ? (
            <Suspense fallback={<p className="muted">Loading the graph…</p>}>
              <GraphView projectId={projectId} base={base} room={room} />
            </Suspense>
          ) : tab === 'calls' ? (
            <CallsSection calls={calls} members={members} meId={me.id} canEndAny={canManage} />
          ) : tab === 'board' || tab === 'chat' ? (
            <BoardView board={board} members={members} canManageColumns={canManage} base={base} taskId={taskId} />
          ) : (
            <ComingSection tab={tab} />
          )}
        </section>
        <ChatDock layout={tab === 'chat' ? 'open' : chatLayout} setLayout={setChatLayout} unread={unread}>
          <ChatPanel chat={chat} members={members} canModerate={canManage} />
        </ChatDock>
      </div>
    </main>
  );
}
