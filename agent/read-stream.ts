/**
 * Reads a media stream (rtc-node's AudioStream or VideoStream) frame by frame into `onFrame` until
 * the stream ends or the returned stop is called; a stream that fails ends the same way (the track
 * went away: presence is followed elsewhere).
 */
export function readFrames<T>(stream: ReadableStream<T>, onFrame: (frame: T) => void): () => void {
  const reader = stream.getReader();
  let live = true;
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || !live) break;
        onFrame(value);
      }
    } catch {
      // the track ended
    }
  })();
  return () => {
    live = false;
    void reader.cancel().catch(() => {});
  };
}
