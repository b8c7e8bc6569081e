// Who changed a file, what and when: its edit log from GET .../files/{fileId}/history, newest
// first (entries compacted away are gone).
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api/client';
import type { FileEntry, FileUpdate } from '../api/types';
import { hueFor } from '../presence/presenceState';
import { groupHistory } from './tree';

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function HistoryPanel({ projectId, file, onClose }: { projectId: string; file: FileEntry; onClose: () => void }) {
  const [items, setItems] = useState<FileUpdate[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'failed'>('loading');

  const load = useCallback(
    async (cursor?: string) => {
      setState('loading');
      try {
        const page = await api.fileHistory(projectId, file.id, cursor);
        setItems((held) => (cursor ? [...held, ...page.items] : page.items));
        setNext(page.next_cursor);
        setState('ready');
      } catch {
        setState('failed');
      }
    },
    [projectId, file.id],
  );
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <aside className="code-history" aria-label={`History of ${file.path}`} data-testid="code-history">
      <div className="code-history-head">
        <h3>History</h3>
        <button type="button" className="btn btn-sm btn-ghost" onClick={() => void load()} data-testid="code-history-refresh">
          Refresh
        </button>
        <button type="button" className="btn btn-sm btn-ghost" onClick={onClose} aria-label="Close the history">
          Close
        </button>
      </div>
      {state === 'failed' && (
        <p className="muted small" role="alert">
          The history could not be loaded.
        </p>
      )}
      {state !== 'failed' && items.length === 0 && state === 'ready' && <p className="muted small">No changes yet.</p>}
      <ol className="code-history-list">
        {groupHistory(items).map((g) => (
          <li key={g.to} data-testid="code-history-item">
            <span className="code-history-dot" style={{ background: `hsl(${hueFor(g.author_id)} 70% 40%)` }} aria-hidden="true" />
            <span className="strong">{g.author_name || 'Someone'}</span>{' '}
            <span className="muted small">{g.client_id === 'page-builder' ? '(page builder)' : ''}</span>
            <div className="muted small">
              {g.from === g.to ? `version ${g.to}` : `versions ${g.from}–${g.to}`} · {when(g.last_at)}
            </div>
            <div className="small">
              <span className="code-added">+{g.inserted}</span> <span className="code-removed">−{g.removed}</span>{' '}
              <span className="muted">characters</span>
            </div>
          </li>
        ))}
      </ol>
      {next && (
        <button type="button" className="btn btn-sm" disabled={state === 'loading'} onClick={() => void load(next)}>
          Older changes
        </button>
      )}
    </aside>
  );
}
