import { useEffect, useState } from 'react';
import type { WatchFeed, WatchSnapshot } from '../feed.js';

/**
 * The feed's latest snapshot, at most one new one per `frameMs` (a number, or asked afresh each
 * time, e.g. from a FrameBudget): a burst of changes costs one frame, and a lone change shows at
 * once (leading edge).
 */
export function useFeedSnapshot(feed: WatchFeed, frameMs: number | (() => number) = 100): WatchSnapshot {
  const [snapshot, setSnapshot] = useState(() => feed.snapshot());
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = 0;
    const flush = () => {
      timer = undefined;
      last = Date.now();
      setSnapshot(feed.snapshot());
    };
    const unsubscribe = feed.subscribe(() => {
      if (timer !== undefined) return;
      const interval = typeof frameMs === 'number' ? frameMs : frameMs();
      timer = setTimeout(flush, Math.max(0, last + interval - Date.now()));
    });
    setSnapshot(feed.snapshot());
    return () => {
      unsubscribe();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [feed, frameMs]);
  return snapshot;
}
