import { useEffect, useReducer } from 'react';

/**
 * The current time for clocks and "2s ago", in whole `stepMs` (default: seconds). It moves only at
 * a step boundary, and the component draws again then, so every clock on the screen turns at once
 * and the frames drawn in between for other reasons find the same value (rows built for it can
 * be reused).
 */
export function useNow(stepMs = 1000): number {
  const [, tick] = useReducer((n: number) => n + 1, 0);
  const exact = Date.now();
  const now = exact - (exact % stepMs);
  useEffect(() => {
    // A few ms past the boundary, so the timer never wakes just before it.
    const timer = setTimeout(tick, now + stepMs - Date.now() + 5);
    return () => clearTimeout(timer);
  }, [now, stepMs]);
  return now;
}
