/**
 * How long serve works on one join before it answers 503 "try again" (the candidate page gives up
 * at 15 s). A claim not yet being written by then is given up and never commits, so the retry
 * finds the link still `created`.
 */
export const JOIN_DEADLINE_MS = 10_000;

/**
 * How long a dispatched agent waits for its join's commit (serve dispatches inside the claim's
 * transaction): past serve's deadline with room to spare, so an agent never leaves a join that
 * is about to commit.
 */
export const AGENT_COMMIT_WAIT_MS = 30_000;

/** Between tries of a join that found its link being claimed by another request right now. */
export const BUSY_RETRY_MS = 150;
