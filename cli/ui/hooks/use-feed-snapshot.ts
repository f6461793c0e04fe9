import { useEffect, useState } from 'react';
import type { WatchFeed, WatchSnapshot } from '../feed.js';

/**
 * The feed's latest snapshot, at most one new one per `frameMs`: a burst of changes costs one
 * frame, and a lone change shows at once (leading edge).
 */
export function useFeedSnapshot(feed: WatchFeed, frameMs = 100): WatchSnapshot {
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
      timer = setTimeout(flush, Math.max(0, last + frameMs - Date.now()));
    });
    setSnapshot(feed.snapshot());
    return () => {
      unsubscribe();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [feed, frameMs]);
  return snapshot;
}
