// Keyboard for a `role=menu` popup: focus starts on its first item, Up and Down (and Home, End)
// move between items, Escape closes and gives focus back to the button, Tab closes.
import { useEffect, useRef, type KeyboardEvent } from 'react';

export function useMenuKeys(open: boolean, setOpen: (o: boolean) => void) {
  const menuRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (open) menuRef.current?.querySelector<HTMLElement>('[role^="menuitem"]:not(:disabled)')?.focus();
  }, [open]);
  function onKeyDown(e: KeyboardEvent) {
    const items = Array.from(menuRef.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]:not(:disabled)') ?? []);
    const at = items.indexOf(document.activeElement as HTMLElement);
    const n = items.length;
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      setOpen(false);
      buttonRef.current?.focus();
    } else if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && n) {
      e.preventDefault();
      items[(at + (e.key === 'ArrowDown' ? 1 : n - 1) + n) % n]?.focus();
    } else if ((e.key === 'Home' || e.key === 'End') && n) {
      e.preventDefault();
      items[e.key === 'Home' ? 0 : n - 1]?.focus();
    } else if (e.key === 'Tab') {
      setOpen(false);
    }
  }
  return { menuRef, buttonRef, onKeyDown };
}
