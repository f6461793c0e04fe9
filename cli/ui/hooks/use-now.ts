import { useEffect, useReducer } from 'react';

/**
 * The current time in ms, for clocks and "2s ago". The component draws again at every `stepMs`
 * boundary (default: each new second) without any other reason to, so every clock on the screen
 * turns at once; frames drawn in between for other reasons do not delay it, and a view can key
 * what it builds on the step (`Math.floor(now / stepMs)`) to reuse it within one.
 */
export function useNow(stepMs = 1000): number {
  const [, tick] = useReducer((n: number) => n + 1, 0);
  const now = Date.now();
  useEffect(() => {
    // Aimed at the boundary itself, and renewed after every frame: a timer that wakes a moment
    // early draws a frame that schedules the next one.
    const timer = setTimeout(tick, Math.max(1, stepMs - (Date.now() % stepMs)));
    return () => clearTimeout(timer);
  });
  return now;
}
