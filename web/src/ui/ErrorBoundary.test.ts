// @vitest-environment happy-dom
import { act, createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorBoundary } from './ErrorBoundary';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

function Page({ fail }: { fail: boolean }) {
  if (fail) throw new Error('bad page');
  return createElement('p', { 'data-testid': 'page' }, 'fine');
}

afterEach(() => {
  document.body.innerHTML = '';
  vi.restoreAllMocks();
});

describe('error boundary', () => {
  it('shows a message instead of a blank app when a page fails, and recovers on another address', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const host = document.createElement('div');
    document.body.append(host);
    const root = createRoot(host);
    act(() => root.render(createElement(ErrorBoundary, { resetKey: '/a', children: createElement(Page, { fail: true }) })));
    expect(host.querySelector('[data-testid="page-error"]')?.textContent).toContain('Something went wrong');
    act(() => root.render(createElement(ErrorBoundary, { resetKey: '/b', children: createElement(Page, { fail: false }) })));
    expect(host.querySelector('[data-testid="page-error"]')).toBeNull();
    expect(host.querySelector('[data-testid="page"]')?.textContent).toBe('fine');
    act(() => root.unmount());
  });
});
