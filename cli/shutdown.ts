/**
 * Long-running commands (serve, dev, agent, watch) register how to stop cleanly; main.ts calls
 * these on SIGINT/SIGTERM. A second signal exits at once.
 */
const handlers: (() => Promise<void>)[] = [];

export function onShutdown(fn: () => Promise<void>): void {
  handlers.push(fn);
}

export async function runShutdown(): Promise<void> {
  const list = handlers.splice(0).reverse();
  for (const fn of list) {
    await fn().catch(() => {});
  }
}

export function hasShutdownHandlers(): boolean {
  return handlers.length > 0;
}
