// The project's artifact graph (Cytoscape.js): nodes coloured by type, filters by type and kind,
// the neighbourhood of a selected node to a chosen depth, click to open; it reloads as links are
// made or removed (link.* events of the project room).
import cytoscape from 'cytoscape';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, describeError } from '../api/client';
import type { ArtifactEnd, ArtifactType, Link } from '../api/types';
import type { ProjectRoom } from '../realtime/projectRoom';
import { navigate } from '../router';

const TYPES: readonly ArtifactType[] = ['TASK', 'FILE', 'PAGE', 'MESSAGE'];
const KINDS = ['relates', 'blocks', 'duplicates', 'implements', 'discusses'] as const;
const COLOURS: Record<string, string> = { TASK: '#2f6fdb', FILE: '#2e8b57', PAGE: '#8e44ad', MESSAGE: '#c77800' };
const LABEL: Record<string, string> = { TASK: 'Task', FILE: 'File', PAGE: 'Page', MESSAGE: 'Message' };

/**
 * Cytoscape adds a <style> element for its container unless an element with this id exists; the
 * site's CSP forbids inline styles, so the rule lives in styles.css and this placeholder stops it.
 */
const CYTOSCAPE_STYLESHEET_ID = '__________cytoscape_stylesheet';
function claimCytoscapeStylesheet() {
  if (document.getElementById(CYTOSCAPE_STYLESHEET_ID)) return;
  const placeholder = document.createElement('meta');
  placeholder.id = CYTOSCAPE_STYLESHEET_ID;
  document.head.appendChild(placeholder);
}

function key(e: { type: string; id: string }): string {
  return `${e.type}:${e.id}`;
}

export function GraphView({ projectId, base, room }: { projectId: string; base: string; room: ProjectRoom }) {
  const box = useRef<HTMLDivElement | null>(null);
  const cy = useRef<cytoscape.Core | null>(null);
  const [types, setTypes] = useState<ArtifactType[]>([...TYPES]);
  const [kinds, setKinds] = useState<string[]>([...KINDS]);
  const [focus, setFocus] = useState<ArtifactEnd | null>(null);
  const [depth, setDepth] = useState(2);
  const [graph, setGraph] = useState<{ nodes: ArtifactEnd[]; links: Link[]; truncated: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    const filter = {
      types: types.length === TYPES.length ? undefined : types.join(','),
      kinds: kinds.length === KINDS.length ? undefined : kinds.join(','),
    };
    if (!types.length || !kinds.length) {
      setGraph({ nodes: [], links: [], truncated: false });
      return;
    }
    try {
      if (focus) {
        const r = await api.related(projectId, focus.type, focus.id, depth, filter);
        setGraph({ nodes: [r.root, ...r.nodes], links: r.links, truncated: r.truncated });
      } else {
        const g = await api.projectGraph(projectId, filter);
        setGraph(g);
      }
      setError(null);
    } catch (e) {
      setError(describeError(e, 'Loading the graph'));
    }
  }, [projectId, types, kinds, focus, depth]);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    const off = room.onEvent((ev) => {
      if (ev.type === 'link.created' || ev.type === 'link.deleted' || ev.type === 'task.deleted' || ev.type === 'file.deleted') void load();
    });
    const offSync = room.onSync(() => void load());
    return () => {
      off();
      offSync();
    };
  }, [room, load]);

  const open = useCallback(
    (end: { type: string; id: string }) => {
      if (end.type === 'TASK') navigate(`${base}/tasks/${end.id}`);
      else if (end.type === 'MESSAGE') navigate(`${base}/chat`);
      else if (end.type === 'PAGE') navigate(`${base}/pages`);
      else navigate(`${base}/code`);
    },
    [base],
  );

  useEffect(() => {
    if (!box.current || !graph) return;
    const shown = new Set(graph.nodes.map(key));
    const elements: cytoscape.ElementDefinition[] = [
      ...graph.nodes.map((n) => ({
        data: { id: key(n), label: n.title || LABEL[n.type], type: n.type, aid: n.id, colour: COLOURS[n.type] ?? '#555' },
      })),
      ...graph.links
        .filter((l) => shown.has(key(l.source)) && shown.has(key(l.target)))
        .map((l) => ({ data: { id: l.id, source: key(l.source), target: key(l.target), kind: l.kind } })),
    ];
    cy.current?.destroy();
    claimCytoscapeStylesheet();
    const c = cytoscape({
      container: box.current,
      elements,
      layout: { name: 'cose', animate: false },
      style: [
        {
          selector: 'node',
          style: { 'background-color': 'data(colour)', label: 'data(label)', 'font-size': 11, color: '#1d2433', 'text-wrap': 'ellipsis', 'text-max-width': '140px' },
        },
        { selector: 'edge', style: { width: 1.5, 'line-color': '#9aa3b2', 'target-arrow-color': '#9aa3b2', 'target-arrow-shape': 'triangle', 'curve-style': 'bezier', label: 'data(kind)', 'font-size': 9, color: '#596275' } },
      ],
    });
    c.on('tap', 'node', (evt) => {
      const d = evt.target.data() as { type: string; aid: string };
      open({ type: d.type, id: d.aid });
    });
    cy.current = c;
    return () => {
      c.destroy();
      if (cy.current === c) cy.current = null;
    };
  }, [graph, open]);

  const toggle = <T,>(list: T[], v: T) => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);

  return (
    <div className="graph-view" data-testid="graph-view">
      <div className="graph-controls">
        <fieldset>
          <legend>Types</legend>
          {TYPES.map((t) => (
            <label key={t} className="graph-check">
              <input type="checkbox" checked={types.includes(t)} onChange={() => setTypes((l) => toggle(l, t))} />
              <span className="swatch" style={{ background: COLOURS[t] }} aria-hidden="true" /> {LABEL[t]}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Kinds</legend>
          {KINDS.map((k) => (
            <label key={k} className="graph-check">
              <input type="checkbox" checked={kinds.includes(k)} onChange={() => setKinds((l) => toggle(l, k))} /> {k}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Around</legend>
          <label className="graph-check">
            <select
              aria-label="Show the graph around"
              value={focus ? key(focus) : ''}
              onChange={(e) => setFocus(graph?.nodes.find((n) => key(n) === e.target.value) ?? null)}
              data-testid="graph-focus"
            >
              <option value="">the whole project</option>
              {(graph?.nodes ?? []).map((n) => (
                <option key={key(n)} value={key(n)}>
                  {LABEL[n.type]}: {n.title}
                </option>
              ))}
            </select>
          </label>
          <label className="graph-check">
            Depth
            <input type="number" min={1} max={4} value={depth} onChange={(e) => setDepth(Math.min(4, Math.max(1, Number(e.target.value) || 1)))} disabled={!focus} />
          </label>
        </fieldset>
      </div>
      {error && <p className="notice notice-warn" role="alert">{error}</p>}
      {graph?.truncated && <p className="notice" role="status">Only part of the graph is shown: it has more links than fit.</p>}
      {graph && graph.nodes.length === 0 && <p className="muted" data-testid="graph-empty">Nothing is linked yet. Link tasks, files, pages and messages from a task.</p>}
      <div className="graph-canvas" ref={box} role="img" aria-label={`Graph of ${graph?.nodes.length ?? 0} linked artifacts`} />
      {graph && graph.nodes.length > 0 && (
        <ul className="graph-list" aria-label="Linked artifacts">
          {graph.nodes.map((n) => (
            <li key={key(n)}>
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => open(n)} data-testid={`graph-node-${n.type}-${n.id}`}>
                <span className={`artifact-type type-${n.type.toLowerCase()}`}>{LABEL[n.type]}</span> {n.title}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
