import { CommanderError } from 'commander';
import { AppError, ConfigError } from './core/errors.js';
import { explainDatabaseError } from './adapters/db/errors.js';
import { isLateHandleDrop } from './adapters/livekit/rtc-handle-guard.js';
import { buildProgram } from './program.js';
import { hasShutdownHandlers, runShutdown } from './shutdown.js';

/** The one place that turns results and errors into exit codes (SPEC.md section 7). */
function wantsJson(argv: string[]): boolean {
  return argv.includes('--json');
}

function report(err: unknown, json: boolean): number {
  err = explainDatabaseError(err) ?? err;
  if (err instanceof AppError) {
    const message = err instanceof ConfigError ? `configuration:\n  ${err.problems.join('\n  ')}` : err.message;
    if (json) process.stderr.write(`${JSON.stringify({ error: err.code, message: err instanceof ConfigError ? err.problems : err.message })}\n`);
    else if (message) process.stderr.write(`error: ${message}\n`);
    return err.exitCode;
  }
  const e = err as Error;
  process.stderr.write(`interviewctl: unexpected error: ${e?.stack ?? String(err)}\nThis is a bug; please report it with the command you ran.\n`);
  return 1;
}

async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram(async (load) => {
    code = await load();
  });
  program.exitOverride();
  program.configureOutput({
    writeErr: (s) => process.stderr.write(s),
    outputError: (s, write) => write(s.replace(/^error: /, 'error: ')),
  });
  for (const sub of program.commands) {
    sub.exitOverride();
    for (const subsub of sub.commands) subsub.exitOverride();
  }
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      // commander has printed its one-line reason already.
      return 2;
    }
    return report(err, wantsJson(argv));
  }
}

// A reader that goes away (`| head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

let stopping = false;
const onSignal = (code: number) => () => {
  if (stopping || !hasShutdownHandlers()) process.exit(code);
  stopping = true;
  // For a person at a terminal; a service's stderr stays JSON lines (serve and agent log their stop).
  if (process.stderr.isTTY) process.stderr.write('\nstopping… (press Ctrl-C again to force)\n');
  void runShutdown().finally(() => process.exit(code));
};
// Anything thrown outside a promise is a bug: say so and stop. (postgres.js's write after a closed
// connection, porsager/postgres#1208, is fixed in the driver by patches/postgres+3.4.9.patch.)
process.on('uncaughtException', (err) => {
  // rtc-node's late free of a native handle already gone (loadtest's candidates): harmless.
  if (isLateHandleDrop(err)) return;
  process.stderr.write(`interviewctl: unexpected error (a bug): ${err.stack ?? err}\n`);
  process.exit(1);
});
process.on('SIGINT', onSignal(130));
process.on('SIGTERM', onSignal(143));

main(process.argv).then(
  (code) => {
    process.exitCode = code;
    // A long-running command (watch, serve, dev, agent, listen) that has finished gets a second to
    // drain, then the process ends even if a client library left a socket open (postgres.js can
    // keep a re-listening connection alive after a database restart).
    if (hasShutdownHandlers()) setTimeout(() => process.exit(code), 1000).unref();
  },
  (err) => {
    process.exitCode = report(err, false);
  },
);
