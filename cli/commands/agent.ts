/** `interviewctl agent`: runs the interviewer worker (cli/use-cases/agent-worker.ts) until a signal stops it. */
import type { GlobalOptions } from '../context.js';
import { createLogger } from '../log.js';
import { onShutdown } from '../shutdown.js';
import { startAgentWorker, type AgentCommandOptions } from '../use-cases/agent-worker.js';

export async function agent(opts: AgentCommandOptions, global: GlobalOptions): Promise<number> {
  const log = createLogger(process.stderr, { svc: 'agent' });
  const worker = await startAgentWorker(global, opts, log);
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  onShutdown(async () => {
    await worker.stop();
    done();
  });
  await finished;
  return 0;
}
