import { QueryErrorResetBoundary } from '@tanstack/react-query';
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { Button } from './button.js';

interface Props {
  children: ReactNode;
  onReset?: () => void;
}

class Boundary extends Component<Props, { error: Error | undefined }> {
  override state = { error: undefined as Error | undefined };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.warn('view failed', error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div
        role="alert"
        className="rounded-lg border border-red-300 bg-red-50 p-4 dark:border-red-800 dark:bg-red-950"
      >
        <p className="font-medium">This part of the page failed to load.</p>
        <p className="mt-1 text-sm">{this.state.error.message}</p>
        <Button
          variant="secondary"
          className="mt-3"
          onClick={() => {
            this.props.onReset?.();
            this.setState({ error: undefined });
          }}
        >
          Try again
        </Button>
      </div>
    );
  }
}

/** Catches a failed view and offers a retry that also resets failed queries under it. */
export function ErrorBoundary({ children }: { children: ReactNode }) {
  return (
    <QueryErrorResetBoundary>
      {({ reset }) => <Boundary onReset={reset}>{children}</Boundary>}
    </QueryErrorResetBoundary>
  );
}
