// The chat beside every section: open, widened or collapsed to a rail, as the user last left it.
import { useCallback, useState, type ReactNode } from 'react';
import { Icon } from '../ui/Dialog';

export type ChatLayout = 'open' | 'wide' | 'collapsed';
const KEY = 'collabdev.chatLayout';

function stored(): ChatLayout {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'wide' || v === 'collapsed' ? v : 'open';
  } catch {
    return 'open';
  }
}

/** The chat panel's layout, kept across pages and visits. */
export function useChatLayout(): [ChatLayout, (l: ChatLayout) => void] {
  const [layout, setLayout] = useState<ChatLayout>(stored);
  const set = useCallback((l: ChatLayout) => {
    setLayout(l);
    try {
      localStorage.setItem(KEY, l);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
  }, []);
  return [layout, set];
}

export function ChatDock({ layout, setLayout, unread, children }: { layout: ChatLayout; setLayout: (l: ChatLayout) => void; unread: number; children: ReactNode }) {
  if (layout === 'collapsed') {
    return (
      <aside className="project-chat chat-rail" aria-label="Project chat" id="project-chat-panel" tabIndex={-1} data-testid="chat-dock">
        <button className="icon-btn chat-expand" onClick={() => setLayout('open')} aria-label={unread > 0 ? `Show chat, ${unread} unread` : 'Show chat'} aria-expanded="false" data-testid="chat-expand">
          <Icon name="chat" />
        </button>
        {unread > 0 && (
          <span className="badge" data-testid="chat-rail-unread">
            {unread > 99 ? '99+' : unread}
            <span className="sr-only"> unread</span>
          </span>
        )}
        <span className="chat-rail-label" aria-hidden="true">Chat</span>
      </aside>
    );
  }
  return (
    <aside className="project-chat" aria-label="Project chat" id="project-chat-panel" tabIndex={-1} data-testid="chat-dock">
      <div className="chat-title">
        <Icon name="chat" size={16} /> <span className="chat-title-text">Chat</span>
        <span className="spacer" />
        <button
          className="icon-btn"
          onClick={() => setLayout(layout === 'wide' ? 'open' : 'wide')}
          aria-label={layout === 'wide' ? 'Narrow the chat' : 'Widen the chat'}
          aria-pressed={layout === 'wide'}
          data-testid="chat-widen"
        >
          <Icon name={layout === 'wide' ? 'right' : 'left'} size={16} />
        </button>
        <button className="icon-btn" onClick={() => setLayout('collapsed')} aria-label="Hide chat" aria-expanded="true" data-testid="chat-collapse">
          <Icon name="close" size={16} />
        </button>
      </div>
      {children}
    </aside>
  );
}
