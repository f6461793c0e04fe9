// rtc-node frees a native handle when its JS wrapper is garbage-collected. A handle the FFI server
// has already let go of (a room disconnected with its streams still referenced, say) makes that
// late free throw "trying to drop an invalid handle" from the collector, outside any call of ours:
// an uncaught exception that ends the process. rtc-node's own tests stub the handle for this
// reason (src/audio_stream_room_lifecycle.test.ts). Seen here: the process holding bench:agent's
// 12 synthetic candidates died of it in 2 of 2 runs once all 12 ran at once. Nothing is lost by
// letting it pass (the handle is gone either way); every other uncaught exception still ends the
// process with its stack, as Node would.

const DROP_MESSAGE = 'trying to drop an invalid handle';

/** Whether an uncaught error is rtc-node's late free of a handle already gone. */
export function isLateHandleDrop(err: unknown): boolean {
  return err instanceof Error && err.message === DROP_MESSAGE && (err as { code?: unknown }).code === 'GenericFailure';
}

let installed = false;

/**
 * For a process with no uncaught-exception handler of its own (a job process, a bench): lets
 * rtc-node's late handle frees pass, telling `onDropped` the running count, and ends the process
 * on anything else. Idempotent.
 */
export function tolerateLateHandleDrops(onDropped: (count: number) => void): void {
  if (installed) return;
  installed = true;
  let count = 0;
  process.on('uncaughtException', (err) => {
    if (isLateHandleDrop(err)) {
      count++;
      onDropped(count);
      return;
    }
    process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  });
}
