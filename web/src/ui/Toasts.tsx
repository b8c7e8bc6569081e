// Plain-words notices: refused changes (rolled back), lost access, connection state.
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';

export type ToastKind = 'error' | 'info' | 'success';
export interface ToastOptions {
  /** A button in the notice (Undo): pressing it runs the action and dismisses the notice. */
  action?: { label: string; run(): void; testId?: string };
  /** How long the notice stays, in ms. */
  ms?: number;
}
interface Toast extends ToastOptions {
  id: number;
  kind: ToastKind;
  text: string;
}

interface ToastApi {
  show(text: string, kind?: ToastKind, opts?: ToastOptions): void;
}

const Ctx = createContext<ToastApi>({ show: () => undefined });

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const dismiss = useCallback((id: number) => setToasts((t) => t.filter((x) => x.id !== id)), []);
  const show = useCallback(
    (text: string, kind: ToastKind = 'error', opts: ToastOptions = {}) => {
      const id = next.current++;
      setToasts((t) => [...t.filter((x) => x.text !== text), { id, kind, text, ...opts }].slice(-4));
      setTimeout(() => dismiss(id), opts.ms ?? (kind === 'error' ? 8000 : 4000));
    },
    [dismiss],
  );
  const api = useMemo(() => ({ show }), [show]);
  return (
    <Ctx.Provider value={api}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast toast-${t.kind}`} data-testid={`toast-${t.kind}`}>
            <span>{t.text}</span>
            {t.action && (
              <button
                className="btn btn-sm toast-action"
                data-testid={t.action.testId}
                onClick={() => {
                  t.action!.run();
                  dismiss(t.id);
                }}
              >
                {t.action.label}
              </button>
            )}
            <button className="icon-btn" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </Ctx.Provider>
  );
}

export function useToast(): ToastApi {
  return useContext(Ctx);
}
