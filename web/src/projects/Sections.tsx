// The project's sections: a navigation that names every one, and an honest page for those not
// built yet.
import { linkHandler, type ProjectTab } from '../router';
import { Icon } from '../ui/Dialog';

interface Section {
  tab: ProjectTab;
  label: string;
  icon: string;
  /** What the section will be, for the page shown until it is built. */
  coming?: string;
}

export const SECTIONS: Section[] = [
  { tab: 'board', label: 'Board', icon: 'board' },
  { tab: 'code', label: 'Code', icon: 'code' },
  { tab: 'pages', label: 'Pages', icon: 'page', coming: 'A page builder for the project’s documents and notes.' },
  { tab: 'graph', label: 'Graph', icon: 'graph' },
  { tab: 'calls', label: 'Calls', icon: 'call' },
  { tab: 'members', label: 'Members and settings', icon: 'users' },
  { tab: 'chat', label: 'Chat', icon: 'chat' },
];

export function SectionNav({ base, tab, memberCount, unread }: { base: string; tab: ProjectTab; memberCount: number; unread: number }) {
  return (
    <nav className="tabs" aria-label="Project sections" data-testid="section-nav">
      {SECTIONS.map((s) => {
        const href = s.tab === 'board' ? base : `${base}/${s.tab}`;
        const active = tab === s.tab;
        return (
          <a
            key={s.tab}
            className={`tab tab-${s.tab}${active ? ' active' : ''}`}
            href={href}
            onClick={linkHandler(href)}
            aria-current={active ? 'page' : undefined}
            data-testid={`tab-${s.tab}`}
          >
            <Icon name={s.icon} size={16} /> <span className="tab-label">{s.tab === 'members' ? <><span className="long">Members and settings</span><span className="short">Members</span></> : s.label}</span>
            {s.tab === 'members' && <span className="count">{memberCount || ''}</span>}
            {s.tab === 'chat' && unread > 0 && (
              <span className="badge" data-testid="chat-unread">
                {unread > 99 ? '99+' : unread}
                <span className="sr-only"> unread</span>
              </span>
            )}
          </a>
        );
      })}
    </nav>
  );
}

/** The page of a section that is not built yet: says so, and nothing on it pretends otherwise. */
export function ComingSection({ tab }: { tab: ProjectTab }) {
  const s = SECTIONS.find((x) => x.tab === tab);
  return (
    <div className="coming" data-testid={`section-coming-${tab}`}>
      <Icon name={s?.icon ?? 'board'} size={40} />
      <h2>{s?.label} is coming</h2>
      <p>{s?.coming}</p>
      <p className="muted">It is not part of this release yet; the board, chat and members work today.</p>
    </div>
  );
}
