import { useSyncExternalStore } from 'react';

const phoneQuery = '(max-width: 639px)';

function subscribe(onChange: () => void) {
  const list = window.matchMedia?.(phoneQuery);
  list?.addEventListener('change', onChange);
  return () => list?.removeEventListener('change', onChange);
}

/** True on a phone-sized screen, where a table of datasets becomes a list of cards. */
export function useIsPhone(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => window.matchMedia?.(phoneQuery).matches ?? false,
    () => false,
  );
}
