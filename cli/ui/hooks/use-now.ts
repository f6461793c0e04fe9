import { useEffect, useReducer } from 'react';

/**
 * The current time in ms for clocks and "2s ago". The component draws again after `intervalMs`
 * without any other reason to; a frame drawn for another reason resets the wait, so the clock
 * never adds frames to a view that is already busy.
 */
export function useNow(intervalMs = 1000): number {
  const [, tick] = useReducer((n: number) => n + 1, 0);
  const now = Date.now();
  useEffect(() => {
    const timer = setTimeout(tick, intervalMs);
    return () => clearTimeout(timer);
  });
  return now;
}
