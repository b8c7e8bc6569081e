// Closing a form with unsaved text asks first: Escape, Cancel, the Close button and the backdrop
// all go through `requestClose`, which shows a "Keep editing / Discard" bar instead of closing
// while the form is dirty.
import { useCallback, useState } from 'react';

export interface DiscardGuard {
  asking: boolean;
  requestClose(): void;
  keepEditing(): void;
  reset(): void;
}

export function useDiscardGuard(dirty: boolean, onClose: () => void): DiscardGuard {
  const [asking, setAsking] = useState(false);
  const requestClose = useCallback(() => {
    if (dirty && !asking) {
      setAsking(true);
      return;
    }
    setAsking(false);
    onClose();
  }, [dirty, asking, onClose]);
  const keepEditing = useCallback(() => setAsking(false), []);
  return { asking, requestClose, keepEditing, reset: keepEditing };
}

/** The bar shown in place of a form's actions while the guard asks. */
export function DiscardBar({ guard, onDiscard, testIdPrefix }: { guard: DiscardGuard; onDiscard: () => void; testIdPrefix: string }) {
  return (
    <div className="form-actions split" role="alert">
      <span className="confirm">You have unsaved changes.</span>
      <span className="spacer" />
      <button type="button" className="btn" autoFocus onClick={guard.keepEditing} data-testid={`${testIdPrefix}-keep-editing`}>
        Keep editing
      </button>
      <button type="button" className="btn btn-danger" onClick={onDiscard} data-testid={`${testIdPrefix}-discard`}>
        Discard changes
      </button>
    </div>
  );
}
