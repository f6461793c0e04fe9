import { useEffect, useState } from 'react';
import type { TimelineEntry, TranscriptEntry, WatchFeed } from '../feed.js';

export interface DetailData {
  timeline: TimelineEntry[] | undefined;
  /** null when there is no transcript store; undefined while loading. */
  transcript: TranscriptEntry[] | null | undefined;
  error: string | undefined;
}

/**
 * The event timeline and transcript of one interview while its detail view is open. The timeline
 * is read again when `revision` (the row's latest event) moves; the transcript is followed by
 * asking for lines after the last one every `pollMs`.
 */
export function useDetail(feed: WatchFeed, id: string | null, revision: number, pollMs = 1000): DetailData {
  const [timeline, setTimeline] = useState<TimelineEntry[] | undefined>();
  const [transcript, setTranscript] = useState<TranscriptEntry[] | null | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    if (id === null) return;
    let live = true;
    feed.timeline(id).then(
      (t) => live && setTimeline(t),
      (err: Error) => live && setError(err.message),
    );
    return () => {
      live = false;
    };
  }, [feed, id, revision]);

  useEffect(() => {
    setTimeline(undefined);
    setTranscript(undefined);
    setError(undefined);
    if (id === null) return;
    let live = true;
    let after = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const lines = await feed.transcript(id, after);
        if (!live) return;
        if (lines === null) setTranscript((t) => (t === undefined ? null : t));
        else {
          if (lines.length > 0) after = lines[lines.length - 1]!.seq;
          setTranscript((t) => (lines.length === 0 && t ? t : [...(t ?? []), ...lines]));
        }
      } catch (err) {
        if (live) setError((err as Error).message);
      }
      if (live) timer = setTimeout(() => void poll(), pollMs);
    };
    void poll();
    return () => {
      live = false;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [feed, id, pollMs]);

  return { timeline, transcript, error };
}
