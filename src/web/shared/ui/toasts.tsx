import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';

interface Toast {
  id: number;
  tone: 'info' | 'success' | 'error';
  message: string;
}

const ToastContext = createContext<((tone: Toast['tone'], message: string) => void) | undefined>(undefined);

/** Short notices for results that arrive in the background; read out by screen readers. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const push = useCallback((tone: Toast['tone'], message: string) => {
    const id = Date.now() + Math.random();
    setToasts((t) => [...t, { id, tone, message }]);
    setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), 6_000);
  }, []);
  const value = useMemo(() => push, [push]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <div
        aria-live="polite"
        className="fixed right-4 bottom-4 left-4 z-50 flex flex-col items-end gap-2 sm:left-auto sm:w-80"
      >
        {toasts.map((t) => (
          <div
            key={t.id}
            role="status"
            className={`w-full rounded-md px-4 py-3 text-sm text-white shadow-lg ${
              t.tone === 'error' ? 'bg-red-700' : t.tone === 'success' ? 'bg-emerald-700' : 'bg-slate-800'
            }`}
          >
            {t.message}
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast() {
  const push = useContext(ToastContext);
  if (!push) throw new Error('useToast needs a ToastProvider');
  return push;
}
