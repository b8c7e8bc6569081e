// "Linked": the links of one artifact (a task here), with a search picker to add one, a button to
// remove one, and the other end to jump to.
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { api, describeError } from '../api/client';
import type { ArtifactEnd, ArtifactType, Link, LinkKind } from '../api/types';

const KINDS: readonly LinkKind[] = ['relates', 'blocks', 'duplicates', 'implements', 'discusses'];
const TYPE_LABEL: Record<string, string> = { TASK: 'Task', FILE: 'File', PAGE: 'Page', MESSAGE: 'Message' };

export function LinkedPanel({
  projectId,
  type,
  id,
  onOpen,
}: {
  projectId: string;
  type: ArtifactType;
  id: string;
  /** Opens the other end of a link (a task opens in the dialog; other types where they live). */
  onOpen: (end: ArtifactEnd) => void;
}) {
  const [links, setLinks] = useState<Link[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const [kind, setKind] = useState<LinkKind>('relates');
  const [results, setResults] = useState<ArtifactEnd[]>([]);
  const searchId = useId();
  const seq = useRef(0);

  const load = useCallback(async () => {
    try {
      const list = await api.listLinks(projectId, type, id);
      setLinks(list.items);
      setError(null);
    } catch (e) {
      setError(describeError(e, 'Loading the links'));
    }
  }, [projectId, type, id]);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    const q = query.trim();
    if (!q) {
      setResults([]);
      return;
    }
    const mine = ++seq.current;
    const timer = setTimeout(() => {
      api.searchArtifacts(projectId, q).then(
        (r) => {
          if (mine === seq.current) setResults(r.items.filter((a) => !(a.type === type && a.id === id)));
        },
        () => {
          if (mine === seq.current) setResults([]);
        },
      );
    }, 200);
    return () => clearTimeout(timer);
  }, [query, projectId, type, id]);

  const add = async (target: ArtifactEnd) => {
    try {
      await api.createLink(projectId, { type, id }, { type: target.type, id: target.id }, kind);
      setQuery('');
      setResults([]);
      await load();
    } catch (e) {
      setError(describeError(e, 'The link'));
    }
  };
  const remove = async (link: Link) => {
    try {
      await api.deleteLink(projectId, link.id);
      await load();
    } catch (e) {
      setError(describeError(e, 'Removing the link'));
    }
  };

  return (
    <section className="linked" aria-label="Linked" data-testid="linked-panel">
      <h3 className="linked-title">Linked</h3>
      {error && <p className="notice notice-warn" role="alert">{error}</p>}
      {links && links.length === 0 && <p className="muted">Nothing linked yet.</p>}
      {links && links.length > 0 && (
        <ul className="linked-list">
          {links.map((l) => {
            const other = l.direction === 'incoming' ? l.source : l.target;
            return (
              <li key={l.id} data-testid={`linked-${other.type}-${other.id}`}>
                <span className={`artifact-type type-${other.type.toLowerCase()}`}>{TYPE_LABEL[other.type] ?? other.type}</span>
                <button type="button" className="btn btn-ghost btn-sm linked-open" disabled={!other.exists} onClick={() => onOpen(other)}>
                  {other.exists ? other.title || '(untitled)' : '(deleted)'}
                </button>
                <span className="muted linked-kind">{l.origin === 'MENTION' ? 'mentioned' : l.kind}</span>
                <button type="button" className="btn btn-ghost btn-sm" onClick={() => void remove(l)} aria-label={`Remove the link to ${other.title}`}>
                  Remove
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <div className="linked-add">
        <label htmlFor={searchId} className="sr-only">Find something to link</label>
        <input
          id={searchId}
          type="search"
          placeholder="Link a task, file, page or message…"
          maxLength={200}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          data-testid="linked-search"
        />
        <label className="sr-only" htmlFor={`${searchId}-kind`}>Kind of link</label>
        <select id={`${searchId}-kind`} value={kind} onChange={(e) => setKind(e.target.value as LinkKind)} data-testid="linked-kind">
          {KINDS.map((k) => (
            <option key={k} value={k}>{k}</option>
          ))}
        </select>
      </div>
      {results.length > 0 && (
        <ul className="linked-results" aria-label="Matches">
          {results.map((r) => (
            <li key={`${r.type}:${r.id}`}>
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => void add(r)} data-testid={`linked-pick-${r.type}-${r.id}`}>
                <span className={`artifact-type type-${r.type.toLowerCase()}`}>{TYPE_LABEL[r.type] ?? r.type}</span> {r.title}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
