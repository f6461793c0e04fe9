import { Command, Option } from 'commander';
import type { GlobalOptions } from './context.js';
import { HOOK_EVENT_TYPES } from './core/hook-events.js';
import { registerEvaluationCommands } from './program-evaluation.js';

/** Every command; each action loads its module only when it runs, so `--help` stays fast. */
export type Runner = (load: () => Promise<number>) => Promise<void>;

const HOOK_EVENTS = HOOK_EVENT_TYPES.join(', ');

const examples = (lines: string[]) => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;

export function buildProgram(run: Runner): Command {
  const program = new Command('interviewctl')
    .description('AI job interviews on LiveKit: create one-time links, run the interviewer, keep the recordings.')
    .version('0.1.0', '-V, --version')
    .option('--json', 'machine output: one JSON document, or NDJSON for streams and batches')
    .option('--database-url <url>', 'Postgres URL (default: DATABASE_URL, else the embedded database)')
    .option('-q, --quiet', 'print results only, no progress or notes')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `\nSettings come from flags, then the environment, then .env in the working directory.\nExit codes: 0 ok, 1 bug, 2 usage, 3 configuration, 4 not found, 5 conflict or rows rejected, 6 service unavailable, 130 interrupted.\n` +
        examples(['interviewctl create --name "Ada Lovelace" --email ada@example.com', 'interviewctl create --from invites.csv --json > results.ndjson', 'interviewctl list --status used', 'interviewctl dev']),
    );
  const g = (): GlobalOptions => program.opts<GlobalOptions>();
  const mod = <T>(p: () => Promise<T>) => p;

  program
    .command('create')
    .description('create an interview and print its one-time link (or many from a CSV file)')
    .option('--name <name>', "candidate's name")
    .option('--email <email>', "candidate's email")
    .option('--ref <ref>', 'your own unique reference; creating the same ref again creates nothing')
    .option('--duration <duration>', 'interview length, e.g. 20m, 1h, 90s or seconds (default: DEFAULT_DURATION, 20m)')
    .option('--questions <set>', 'question set name (default: default)')
    .addOption(new Option('--lang <lang>', 'interview language').choices(['en', 'ja']))
    .option('--expires <duration>', 'how long the link stays valid, e.g. 7d, 48h (default: INVITE_TTL, 7d)')
    .option('--from <file>', 'CSV file of invites, or - for stdin (columns: name, email, ref, duration, questions, lang, expires)')
    .addHelpText(
      'after',
      examples([
        'interviewctl create --name "Ada Lovelace" --email ada@example.com --duration 30m',
        'interviewctl create --name "山田 太郎" --lang ja --ref ATS-1042 --json',
        'interviewctl create --from invites.csv',
        'cat invites.csv | interviewctl create --from - --json | jq -r \'select(.status=="error")\'',
      ]) + '\nWith --from, one NDJSON line per row under --json: {line, ref, status: created|exists|error, id, url, error}.\nRows with a ref already present report "exists" and create nothing. Exit 5 if any row was rejected.\n',
    )
    .action((opts) => run(async () => (await mod(() => import('./commands/create.js'))()).create(opts, g())));

  program
    .command('list')
    .description('list interviews, newest first')
    .option('--status <status>', 'only this status (created, used, recording, ending, completed, expired, revoked, failed)')
    .option('--since <duration>', 'only those created within this long, e.g. 24h')
    .option('--limit <n>', 'at most this many (default 50)')
    .option('--needs-review', 'completed interviews no person has decided on yet (with the advisory evaluation)')
    .addHelpText('after', examples(['interviewctl list', 'interviewctl list --status created --since 7d', 'interviewctl list --needs-review', 'interviewctl list --json | jq length']))
    .action((opts) => run(async () => (await import('./commands/interviews.js')).list(opts, g())));

  program
    .command('show')
    .description('details of one interview: status, times, event timeline, recording keys')
    .argument('<id>', 'interview id, your ref, or a unique id prefix (at least 4 characters)')
    .addHelpText('after', examples(['interviewctl show 3fZq9', 'interviewctl show 3fZq9xY2AbCdEfGhIjKlMn --json']))
    .action((id) => run(async () => (await import('./commands/interviews.js')).show(id, g())));

  program
    .command('revoke')
    .description('cancel a link that has not been used yet')
    .argument('<id>', 'interview id, your ref, or a unique id prefix')
    .option('--reason <reason>', 'why, kept in the event log')
    .addHelpText('after', examples(['interviewctl revoke 3fZq9 --reason "position filled"']))
    .action((id, opts) => run(async () => (await import('./commands/interviews.js')).revoke(id, opts, g())));

  program
    .command('end')
    .description('end a live interview now: it goes to ending and the interviewer closes the session')
    .argument('<id>', 'interview id, your ref, or a unique id prefix')
    .option('--reason <reason>', 'why, kept in the event log')
    .addHelpText('after', examples(['interviewctl end 3fZq9 --reason "candidate asked by phone"']))
    .action((id, opts) => run(async () => (await import('./commands/interviews.js')).end(id, opts, g())));

  program
    .command('watch')
    .description('live view of interviews: status, time left, who is in the room; NDJSON changes with --json or without a terminal')
    .option('--status <status>', 'only interviews in this status (created, used, recording, ending, completed, expired, revoked, failed)')
    .option('--readonly', 'turn actions off (no ending interviews from the view)')
    .addHelpText(
      'after',
      examples([
        'interviewctl watch',
        'interviewctl watch --status recording --readonly',
        'interviewctl watch --json | jq -c \'select(.to == "failed")\'',
      ]) + '\nKeys: ↑/↓ or j/k move, enter details, / filter, s sort, e end (asks first), ? help, q quit.\nWithout a terminal, or with --json, prints one JSON line per change: {at, seq, id, from, to, note, status, actor, reason, endsAt, endReason, error}.\n',
    )
    .action((opts) => run(async () => (await import('./commands/watch.js')).watch(opts, g())));

  program
    .command('reconcile')
    .description('move on interviews stuck past their deadline, checking LiveKit and storage')
    .option('--dry-run', 'say what would change, change nothing')
    .option('--redispatch-after <duration>', 'dispatch an interviewer that has not joined again after this long (default: RECONCILE_REDISPATCH_AFTER, 30s)')
    .option('--abort-uploads-after <duration>', 'abort an upload left open for an interview that is over once it is this old (default: RECONCILE_ABORT_UPLOADS_AFTER, 1h)')
    .addHelpText(
      'after',
      examples(['interviewctl reconcile --dry-run', 'interviewctl reconcile --json | jq -c \'select(.applied)\'']) +
        '\nRules: live past its end + 2 min → ending; candidate absent 10 min after the first join → failed (candidate_no_show);\n' +
        'no interviewer 30 s after a dispatch → dispatched again into the room, every sweep (LiveKit drops a job when every\n' +
        'agent worker is full), until 5 min after the join → failed (agent_no_show); ending with recording and transcript stored → completed;\n' +
        'ending for 10 min without them → failed (recorder_failed). serve runs the same sweep every minute.\n' +
        'On an agent\'s machine it first stores recordings kept in $INTERVIEWCTL_HOME/spool (a dead job\'s, or one kept when\n' +
        'storage failed); exit 6 while storage is still down. A running agent also does this every minute.\n' +
        'RECORDER=browser: the parts a candidate\'s page stored for an interview that failed without its recording (past week)\n' +
        'become its partial recording (joined to H.264 + AAC with ffmpeg; without ffmpeg one segment as recorded, more wait\n' +
        'for a run with it); it stays failed, compared with its audio witness once that is stored (a dead job\'s witness spool\n' +
        'is stored at its key too). Parts that make no recording are deleted.\n' +
        'S3: a multipart upload left open under recordings/ (a killed recorder\'s) is aborted once it is 1 h old\n' +
        '(--abort-uploads-after) if its interview is completed, failed, expired or revoked; a live one\'s, or one this database\n' +
        'does not have (a shared bucket), is never touched.\n' +
        'JSON lines: {id, status, action, detail, applied, error}; action is none, end, complete, fail, redispatch, upload_spool, drop_spool,\n' +
        'store_parts, drop_parts or abort_upload (detail ends with the key).\n',
    )
    .action((opts) => run(async () => (await import('./commands/reconcile.js')).reconcile(opts, g())));

  const recording = program.command('recording').description('recordings: download or share');
  recording
    .command('get')
    .description('download the MP4 with a progress bar; an interrupted download resumes')
    .argument('<id>', 'interview id, your ref, or a unique id prefix')
    .option('-o, --output <path>', 'where to save it (- for stdout; default: the key\'s file name)')
    .option('--by <name>', 'who is asking, for the access log (default: your OS user name)')
    .addHelpText('after', examples(['interviewctl recording get 3fZq9', 'interviewctl recording get 3fZq9 -o ada.mp4', 'interviewctl recording get 3fZq9 -o - | ffprobe -']))
    .action((id, opts) => run(async () => (await import('./commands/recording.js')).get(id, opts, g())));
  recording
    .command('url')
    .description('a presigned, time-limited URL to view the recording (the bucket stays private)')
    .argument('<id>', 'interview id, your ref, or a unique id prefix')
    .option('--expires <duration>', 'how long the URL works, up to 7d', '1h')
    .option('--by <name>', 'who is asking, for the access log (default: your OS user name)')
    .addHelpText('after', examples(['interviewctl recording url 3fZq9 --expires 24h']))
    .action((id, opts) => run(async () => (await import('./commands/recording.js')).url(id, opts, g())));

  program
    .command('transcript')
    .description('the transcript: final once the interview completed, live while it runs')
    .argument('<id>', 'interview id, your ref, or a unique id prefix')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'vtt']).default('text'))
    .option('--by <name>', 'who is asking, for the access log (default: your OS user name)')
    .addHelpText('after', examples(['interviewctl transcript 3fZq9', 'interviewctl transcript 3fZq9 --format vtt > captions.vtt']))
    .action((id, opts) => run(async () => (await import('./commands/recording.js')).transcript(id, opts, g())));

  const candidate = program.command('candidate').description("a candidate's data rights: export everything held about them, delete it with a receipt");
  const subjectArgs = (c: Command) =>
    c
      .argument('[id]', 'interview id, your ref, or a unique id prefix')
      .option('--email <email>', 'every interview with this email')
      .option('--ref <ref>', 'the interview with this ref of yours')
      .option('--by <name>', 'who does this, for the access log and receipts (default: your OS user name)');
  subjectArgs(candidate.command('export'))
    .description('everything held about a person: interview rows, events, consent, utterances, transcripts, the recording, webhook deliveries, with a manifest.json of sources and sha256 checksums')
    .option('-o, --output <path>', 'a folder, or a file name ending in .zip')
    .option('--no-media', 'leave the recordings out (they are still listed in the manifest)')
    .option('--force', 'write into an existing non-empty folder, or replace an existing .zip')
    .addHelpText(
      'after',
      examples([
        'interviewctl candidate export 3fZq9 -o ada-export',
        'interviewctl candidate export --email ada@example.com -o ada.zip',
        'interviewctl candidate export --ref ATS-1001 -o ats-1001 --no-media --json | jq .items',
      ]) + '\nEach export is recorded in the access log (interviewctl audit). An email matching several interviews exports them all.\n',
    )
    .action((id, opts) => run(async () => (await import('./commands/candidate.js')).exportData(id, opts, g())));
  subjectArgs(candidate.command('delete'))
    .description("delete every stored object and personal field of a person's interviews, leaving a tombstone and a deletion receipt")
    .option('--dry-run', 'say what would be deleted, delete nothing')
    .option('--reason <reason>', 'why (kept in the receipt; write no personal data here)')
    .option('--force', 'end a live interview first, then delete')
    .option('--wait <duration>', 'with --force: how long the interviewer gets to finish the recording before the interview is failed', '60s')
    .option('--all', 'when an email matches several interviews, delete them all')
    .addHelpText(
      'after',
      examples([
        'interviewctl candidate delete 3fZq9 --dry-run',
        'interviewctl candidate delete --email ada@example.com --all --reason "GDPR Art. 17 request #4411" --by "J. Smith"',
        'interviewctl candidate delete --ref ATS-1001 --json',
      ]) +
        '\nDeletes every key under recordings/<id>/ (all versions in a versioned bucket, unfinished uploads too), the local\n' +
        'spool and recording copies, and in Postgres the name, email, ref, utterances, webhook bodies, the consent\'s user agent\n' +
        'and operator-typed event reasons. A second run says it is already deleted. If storage is down, the receipt says what\n' +
        'remains and the command exits 6: run it again later. Exit 2 when an email matches several interviews without --all.\n',
    )
    .action((id, opts) => run(async () => (await import('./commands/candidate.js')).deleteData(id, opts, g())));
  candidate
    .command('receipts')
    .description('deletion receipts, newest first: when, by whom, why, which keys and how many rows (never personal data)')
    .option('--interview <id>', 'only this interview')
    .option('--since <duration>', 'only deletions requested within this long, e.g. 30d')
    .option('--limit <n>', 'at most this many (default 200)')
    .addHelpText('after', examples(['interviewctl candidate receipts', 'interviewctl candidate receipts --since 30d --json']))
    .action((opts) => run(async () => (await import('./commands/candidate.js')).receipts(opts, g())));

  program
    .command('audit')
    .description('the access log: who fetched which recording, transcript, report or export, and when')
    .option('--interview <id>', 'only this interview (id, ref or unique prefix)')
    .option('--since <duration>', 'only accesses within this long, e.g. 7d')
    .option('--limit <n>', 'at most this many (default 200)')
    .addHelpText('after', examples(['interviewctl audit --since 7d', 'interviewctl audit --interview 3fZq9 --json']) + '\nRecorded by: recording get, recording url, transcript, report, candidate export (who: --by, else the OS user).\n')
    .action((opts) => run(async () => (await import('./commands/audit.js')).audit(opts, g())));

  const webhooks = program.command('webhooks').description('LiveKit webhook deliveries: list, replay, listen, trigger');
  webhooks
    .command('list')
    .description('stored deliveries, newest first')
    .option('--interview <id>', 'only this interview')
    .option('--since <duration>', 'only those received within this long, e.g. 1h')
    .option('--event <type>', 'only this event type, e.g. participant_joined')
    .option('--limit <n>', 'at most this many (default 50)')
    .addHelpText('after', examples(['interviewctl webhooks list --since 1h', 'interviewctl webhooks list --interview 3fZq9 --json']))
    .action((opts) => run(async () => (await import('./commands/webhooks.js')).list(opts, g())));
  webhooks
    .command('replay')
    .description('re-apply stored deliveries (idempotent), or re-send them freshly signed with --to')
    .argument('[eventIds...]', 'LiveKit event ids (EV_…)')
    .option('--interview <id>', 'every delivery of this interview')
    .option('--since <duration>', 'every delivery received within this long')
    .option('--to <url>', 're-send to this URL, signed with LIVEKIT_API_KEY/SECRET, instead of applying')
    .addHelpText('after', examples(['interviewctl webhooks replay EV_abc123', 'interviewctl webhooks replay --since 24h --json', 'interviewctl webhooks replay --interview 3fZq9 --to http://127.0.0.1:8081/']))
    .action((ids, opts) => run(async () => (await import('./commands/webhooks.js')).replay(ids, opts, g())));
  webhooks
    .command('listen')
    .description('a local receiver that verifies and prints LiveKit deliveries without applying them')
    .option('--port <port>', 'port on 127.0.0.1 (default 8081)')
    .addHelpText('after', examples(['interviewctl webhooks listen --port 8081', 'interviewctl webhooks listen --json | jq .event']))
    .action((opts) => run(async () => (await import('./commands/webhooks.js')).listen(opts, g())));
  webhooks
    .command('trigger')
    .description('send a synthetic, correctly signed LiveKit event for an interview (to serve, or --to)')
    .argument('<type>', 'room_started, room_finished, participant_joined, participant_left, participant_connection_aborted, track_published, track_unpublished, egress_started, egress_ended')
    .requiredOption('--interview <id>', 'interview id, your ref, or a unique id prefix')
    .option('--as <who>', 'the participant: candidate or agent', 'candidate')
    .option('--to <url>', 'receiver URL (default: PUBLIC_URL/webhooks/livekit)')
    .addHelpText('after', examples(['interviewctl webhooks trigger participant_joined --interview 3fZq9', 'interviewctl webhooks trigger room_finished --interview 3fZq9 --to http://127.0.0.1:8081/']))
    .action((type, opts) => run(async () => (await import('./commands/webhooks.js')).trigger(type, opts, g())));

  const hooks = program.command('hooks').description('outbound webhooks to your ATS or scripts: signed (Standard Webhooks), retried for 24 h, replayable');
  hooks
    .command('add')
    .description('add an endpoint; prints its signing secret once')
    .argument('<url>', 'http(s) URL that receives POSTs')
    .option('--events <list>', `comma-separated event types (default: all): ${HOOK_EVENTS}`)
    .option('--description <text>', 'a note for yourself')
    .option('--allow-private', 'allow a loopback or private address (a receiver on this machine or your network)')
    .addHelpText('after', examples(['interviewctl hooks add https://ats.example.com/hooks/interviewctl --events interview.completed,interview.failed', 'interviewctl hooks add http://127.0.0.1:9000/ --allow-private --json | jq -r .secret']))
    .action((url, opts) => run(async () => (await import('./commands/hooks.js')).add(url, opts, g())));
  hooks
    .command('list')
    .description('endpoints with their state (ok, failing, disabled) and delivery backlog')
    .addHelpText('after', examples(['interviewctl hooks list', 'interviewctl hooks list --json | jq -c \'.[] | select(.state != "ok")\'']))
    .action(() => run(async () => (await import('./commands/hooks.js')).list(g())));
  hooks
    .command('remove')
    .description('remove an endpoint and its pending deliveries')
    .argument('<endpoint>', 'endpoint id (ep_…) or its URL')
    .addHelpText('after', examples(['interviewctl hooks remove ep_3fZq9xY2AbCd']))
    .action((id) => run(async () => (await import('./commands/hooks.js')).remove(id, g())));
  hooks
    .command('enable')
    .description('enable an endpoint again (one that answered 410 Gone is disabled)')
    .argument('<endpoint>', 'endpoint id (ep_…) or its URL')
    .addHelpText('after', examples(['interviewctl hooks enable ep_3fZq9xY2AbCd']))
    .action((id) => run(async () => (await import('./commands/hooks.js')).enable(id, g())));
  hooks
    .command('rotate-secret')
    .description('new signing secret; the old one keeps signing too (two signatures) for --keep-old')
    .argument('<endpoint>', 'endpoint id (ep_…) or its URL')
    .option('--keep-old <duration>', 'how long the old secret stays valid', '24h')
    .addHelpText('after', examples(['interviewctl hooks rotate-secret ep_3fZq9xY2AbCd', 'interviewctl hooks rotate-secret ep_3fZq9xY2AbCd --keep-old 1h --json | jq -r .secret']))
    .action((id, opts) => run(async () => (await import('./commands/hooks.js')).rotateSecret(id, opts, g())));
  hooks
    .command('deliveries')
    .description('deliveries, newest first: state, attempts, last answer')
    .option('--endpoint <endpoint>', 'only this endpoint (id or URL)')
    .option('--interview <id>', 'only events about this interview')
    .option('--failed', 'only those that failed (given up, or retrying)')
    .option('--limit <n>', 'at most this many (default 50)')
    .addHelpText('after', examples(['interviewctl hooks deliveries --failed', 'interviewctl hooks deliveries --interview 3fZq9 --json']))
    .action((opts) => run(async () => (await import('./commands/hooks.js')).deliveries(opts, g())));
  hooks
    .command('resend')
    .description('send deliveries again, under the same webhook-id (receivers deduplicate on it)')
    .argument('[deliveries...]', 'delivery ids (numbers, from `hooks deliveries`)')
    .option('--since <duration>', 'every delivery created within this long')
    .option('--interview <id>', 'every delivery about this interview')
    .option('--endpoint <endpoint>', 'with --since or --interview: only to this endpoint')
    .addHelpText('after', examples(['interviewctl hooks resend 1042', 'interviewctl hooks resend --since 1h --endpoint ep_3fZq9xY2AbCd', 'interviewctl hooks resend --interview 3fZq9']))
    .action((ids, opts) => run(async () => (await import('./commands/hooks.js')).resend(ids, opts, g())));
  hooks
    .command('test')
    .description('send a signed ping now to an endpoint (its secret) or any URL (a throwaway secret, or --secret)')
    .argument('<target>', 'endpoint id (ep_…) or a URL')
    .option('--secret <whsec>', 'sign with this secret')
    .option('--allow-private', 'allow a loopback or private address')
    .addHelpText('after', examples(['interviewctl hooks test ep_3fZq9xY2AbCd', 'interviewctl hooks test http://127.0.0.1:9000/ --allow-private --secret whsec_…']) + '\nExit 5 when the receiver does not answer 2xx.\n')
    .action((target, opts) => run(async () => (await import('./commands/hooks.js')).test(target, opts, g())));
  hooks
    .command('send')
    .description('deliver everything due now and exit (serve does this continuously; for cron setups without serve)')
    .addHelpText('after', examples(['interviewctl hooks send', '*/5 * * * * interviewctl hooks send --quiet']) + '\nExit 5 when some deliveries failed and wait for a retry.\n')
    .action(() => run(async () => (await import('./commands/hooks.js')).send(g())));
  registerEvaluationCommands(program, run, g);

  const questions = program.command('questions').description('question sets: add, validate, list, show');
  questions
    .command('add')
    .description('add or replace a question set from a JSON file (- for stdin)')
    .argument('<file>', 'JSON: {"name": "backend", "lang": "en", "context": "the role, for the AI interviewer", "followUps": 1, "questions": ["…", {"text": "…", "timeLimit": "3m", "rubric": "what a strong answer shows", "competency": "system design", "followUps": 2}]}')
    .addHelpText('after', examples(['interviewctl questions add backend.json', 'interviewctl questions add - < backend.json']) + '\n\nfollowUps (0-3, default 1) caps the follow-ups the AI interviewer may ask per question; rubric and context are given to the model, never the candidate\'s email or ref.\nEvery problem (a field the format does not have, a question asked twice, a value out of range) is reported with its JSON path, exit 2, and nothing is stored. Interviews already created keep the questions they were created with.')
    .action((file) => run(async () => (await import('./commands/questions.js')).add(file, g())));
  questions
    .command('validate')
    .description('check a question set file as add does, without storing it (no database needed)')
    .argument('<file>', 'JSON file of a question set (- for stdin)')
    .addHelpText('after', examples(['interviewctl questions validate backend.json', 'interviewctl questions validate backend.json --json | jq .questions']) + '\nExit 0 when add would take it, 2 with every problem and its JSON path, 4 when the file does not exist.\n')
    .action((file) => run(async () => (await import('./commands/questions.js')).validate(file, g())));
  questions
    .command('list')
    .description('list question sets, built-in and added')
    .addHelpText('after', examples(['interviewctl questions list --json']))
    .action(() => run(async () => (await import('./commands/questions.js')).listSets(g())));
  questions
    .command('show')
    .description('show a set in full: its context, follow-ups and scale, and each question with its limit, competency and rubric')
    .argument('<name>', 'set name')
    .addOption(new Option('--lang <lang>', 'language of the set').choices(['en', 'ja']).default('en'))
    .addHelpText('after', examples(['interviewctl questions show default --lang ja']))
    .action((name, opts) => run(async () => (await import('./commands/questions.js')).showSet(name, opts, g())));

  const db = program.command('db').description('the database: migrations and the embedded server');
  db.command('migrate')
    .description('apply pending migrations (one transaction, one advisory lock)')
    .addHelpText('after', examples(['interviewctl db migrate', 'DATABASE_URL=postgres://… interviewctl db migrate']))
    .action(() => run(async () => (await import('./commands/db.js')).migrate(g())));
  db.command('status')
    .description('show applied and pending migrations; exit 5 when some are pending')
    .addHelpText('after', examples(['interviewctl db status', 'interviewctl db status --json']))
    .action(() => run(async () => (await import('./commands/db.js')).status(g())));
  db.command('stop')
    .description('stop the embedded database (it starts again on the next command)')
    .addHelpText('after', examples(['interviewctl db stop']))
    .action(() => run(async () => (await import('./commands/db.js')).stop(g())));

  program
    .command('agent')
    .description('run the AI interviewer worker: joins interviews it is dispatched to, records them, writes transcripts')
    .addOption(new Option('--candidate-wait <duration>', 'how long to wait for the candidate before a no-show (default 3m)').env('AGENT_CANDIDATE_WAIT'))
    .addOption(new Option('--grace <duration>', 'how long a candidate who dropped may take to come back (default 60s)').env('AGENT_RECONNECT_GRACE'))
    .addOption(new Option('--silence <duration>', 'silence that ends a candidate\'s answer (default 600ms)').env('AGENT_END_OF_TURN_SILENCE'))
    .addOption(
      // Checked with the other settings (exit 3, every bad one at once), not by commander.
      new Option('--turn-detector <model>', 'with speech-to-text, what judges an answer is over: v1-mini (LiveKit\'s local model, default) or off (the silence and the final transcript alone)').env(
        'AGENT_TURN_DETECTOR',
      ),
    )
    .addHelpText(
      'after',
      examples(['interviewctl agent', 'DEEPGRAM_API_KEY=… interviewctl agent', 'S3_BUCKET=interviews S3_ENDPOINT=https://<account>.r2.cloudflarestorage.com S3_REGION=auto S3_FORCE_PATH_STYLE=true interviewctl agent']) +
        '\nSpeech: Deepgram STT/TTS when DEEPGRAM_API_KEY is set (DEEPGRAM_BASE_URL overrides the endpoint); otherwise offline\n(espeak-ng voice, answers kept as audio without text). Needs ffmpeg on PATH. Logs are JSON lines on stderr.\n' +
        'RECORDER: agent (default: the interviewer records the MP4), egress (LiveKit Egress to S3_BUCKET), browser (the\n' +
        "candidate's page records and uploads through serve; the interviewer keeps an audio-only witness), off.\n",
    )
    .action((opts) => run(async () => (await import('./commands/agent.js')).agent(opts, g())));

  program
    .command('serve')
    .description('run the HTTP server: candidate page, candidate API, LiveKit webhook receiver, outbound webhook sender')
    .option('--port <port>', 'port to listen on (default: PORT, 8080)')
    .option('--host <host>', 'address to listen on', '0.0.0.0')
    .option('--public-url <url>', 'the URL candidates reach this server at (default: PUBLIC_URL)')
    .addHelpText(
      'after',
      examples([
        'interviewctl serve',
        'PORT=3000 PUBLIC_URL=https://interviews.example.com LIVEKIT_URL=wss://x.livekit.cloud interviewctl serve',
      ]) +
        '\nPoint your LiveKit project\'s webhooks at <PUBLIC_URL>/webhooks/livekit. Logs are JSON lines on stderr.\n' +
        "With RECORDER=browser serve also takes the page's recording, in parts, under /api/interviews/<id>/recording/….\n",
    )
    .action((opts) => run(async () => (await import('./commands/serve.js')).serve(opts, g())));

  program
    .command('loadtest')
    .description('size a deployment: synthetic candidates (camera + spoken answers) hold short interviews through serve and LiveKit')
    .option('-n, --candidates <n>', 'how many candidates, 1 to 50', '2')
    .option('--stagger <duration>', 'time between two joins, e.g. 2s', '2s')
    .option('--duration <duration>', 'length of each interview (at least 1m)', '1m')
    .option('--questions <set>', 'question set the interviews use', 'default')
    .addOption(new Option('--lang <lang>', 'interview language').choices(['en', 'ja']).default('en'))
    .option('--serve-url <url>', "serve's URL the candidates join through (default: PUBLIC_URL)")
    .option('--timeout <duration>', 'the whole run ends by then, cleaned up (default: duration + 3m)')
    .option('--keep', 'keep the interviews and recordings it made (ref loadtest-…) instead of purging them')
    .option('--yes', 'run against a LiveKit that is not on this machine (LiveKit Cloud, a remote cluster)')
    .option('--procs <n>', 'child processes the candidates run in (default: one per 6 candidates)')
    .addHelpText(
      'after',
      examples([
        'interviewctl loadtest',
        'interviewctl loadtest -n 6 --stagger 1s --questions default --json | jq .summary',
        'LIVEKIT_URL=wss://x.livekit.cloud interviewctl loadtest -n 10 --serve-url https://interviews.example.com --yes',
      ]) +
        '\nNeeds a running serve (its join API) and agent workers for LIVEKIT_URL. Each interview is created with ref\n' +
        'loadtest-<run>-<n> and purged afterwards (also on Ctrl-C), unless --keep: recording, transcript, utterances and\n' +
        'webhook deliveries deleted, the row and its event history kept (as after `purge`); one still live is left alone.\n' +
        'Reports join time, first audio (tracks published → the interviewer heard) and gaps (end of an answer →\n' +
        'the interviewer heard) as p50/p90/p99, recordings found in storage, and failures, and how the generator\n' +
        "itself fared (its processes' CPU and event-loop delay; \"behind\" when its own delay is in the figures).\n" +
        'Exit 0 when every interview completed with its recording, 5 otherwise; 2 for a remote LiveKit without --yes.\n',
    )
    .action((opts) => run(async () => (await import('./commands/loadtest.js')).loadtest(opts, g())));

  program
    .command('doctor')
    .description('check every configured service (database, migrations, LiveKit, storage, webhooks, speech) and say what to fix')
    .addHelpText('after', examples(['interviewctl doctor', 'interviewctl doctor --json | jq -c \'.[] | select(.status != "ok")\'']) + '\nExit 6 when a check fails.\n')
    .action(() => run(async () => (await import('./commands/doctor.js')).doctor(g())));

  program
    .command('purge')
    .description('delete recordings, transcripts and personal data of finished interviews past retention (keeps an anonymous audit row)')
    .option('--older-than <duration>', 'retention, e.g. 30d (created before now minus this)')
    .option('--dry-run', 'list what would be purged, delete nothing')
    .addHelpText('after', examples(['interviewctl purge --older-than 30d --dry-run', 'interviewctl purge --older-than 90d --json']) + '\nLive interviews and links still waiting are never purged.\n')
    .action((opts) => run(async () => (await import('./commands/purge.js')).purge(opts, g())));

  program
    .command('dev')
    .description('run everything on this machine: embedded database, local LiveKit, server, and print a demo link')
    .option('--port <port>', 'port for the server (default: PORT, 8080)')
    .option('--no-demo', 'do not create a demo interview')
    .addHelpText(
      'after',
      examples(['interviewctl dev', 'npm start', 'LIVEKIT_URL=wss://my-project.livekit.cloud LIVEKIT_API_KEY=… LIVEKIT_API_SECRET=… interviewctl dev']) +
        '\nWithout LIVEKIT_URL it starts a local livekit-server (LIVEKIT_SERVER_BIN, ~/.cache/interviewctl/bin or PATH),\n' +
        'building the pinned one with Go on first use. Without ffmpeg the interviewer runs with RECORDER=off (said at start).\n',
    )
    .action((opts) => run(async () => (await import('./commands/dev.js')).dev(opts, g())));

  return program;
}
