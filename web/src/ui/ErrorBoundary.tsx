// A fault while rendering one page shows a message in its place instead of blanking the app;
// moving to another address (a new `resetKey`) tries again.
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  children: ReactNode;
  /** When it changes (e.g. the path), a page that failed is rendered again. */
  resetKey?: string;
}

interface State {
  error: Error | null;
  key: string | undefined;
}

export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null, key: this.props.resetKey };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    if (props.resetKey !== state.key) return { error: null, key: props.resetKey };
    return null;
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.warn('a page failed to render', error, info.componentStack);
  }

  override render(): ReactNode {
    if (!this.state.error) return this.props.children;
    return (
      <main className="page narrow" data-testid="page-error" role="alert">
        <h1 className="page-title">Something went wrong</h1>
        <p>This page could not be shown. Your work is saved on the server.</p>
        <p>
          <a href="/projects">Back to your projects</a>
          {' · '}
          <a
            href={typeof location === 'undefined' ? '/' : location.pathname}
            onClick={(e) => {
              e.preventDefault();
              location.reload();
            }}
          >
            Reload the page
          </a>
        </p>
      </main>
    );
  }
}
