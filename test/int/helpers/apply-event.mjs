// One racer: a separate process that applies one state-machine event to one interview through the
// compiled adapter, as serve and the agent do. Prints the outcome as JSON; exits like the CLI would.
// usage: node apply-event.mjs <interview id> <event>   (DATABASE_URL in the environment)
import { openDatabase } from '../../../dist/cli/adapters/db/connect.js';
import { createInterviewRepo } from '../../../dist/cli/adapters/db/interviews.js';
import { loadSettings } from '../../../dist/cli/settings.js';

const [id, event] = process.argv.slice(2);
const db = await openDatabase(loadSettings());
try {
  const moved = await createInterviewRepo(db.sql).applyEvent(id, event, { actor: `racer-${process.pid}` });
  process.stdout.write(`${JSON.stringify({ ok: true, status: moved.status })}\n`);
} catch (err) {
  process.stdout.write(`${JSON.stringify({ ok: false, name: err.name, code: err.code, message: err.message })}\n`);
  process.exitCode = err.exitCode ?? 1;
} finally {
  await db.close();
}
