import { Option, type Command } from 'commander';
import type { GlobalOptions } from './context.js';
import type { Runner } from './program.js';

const examples = (lines: string[]) => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(/[\s,]+/).filter((v) => v !== '')];

/** evaluate, review, report, scores (SPEC.md section 12): the AI's advisory scorecard and a person's decision. */
export function registerEvaluationCommands(program: Command, run: Runner, g: () => GlobalOptions): void {
  program
    .command('evaluate')
    .description("score a completed interview's answers with the LLM (advisory; quotes checked against the transcript)")
    .argument('[id]', 'interview id, your ref, or a unique id prefix')
    .option('--pending', 'every completed interview with candidate text that has no evaluation yet (or a failed one)')
    .option('--force', 'run again even if evaluated already; the earlier evaluation is kept as history')
    .addHelpText(
      'after',
      examples(['interviewctl evaluate 3fZq9', 'interviewctl evaluate 3fZq9 --force', 'interviewctl evaluate --pending --json']) +
        '\nNeeds LLM_BASE_URL and LLM_MODEL. serve evaluates completed interviews by itself (EVALUATION=auto).\n' +
        'Each run makes up to 3 model calls with backoff (EVALUATION_TIMEOUT each, default 60s); a failure\n' +
        'is stored with its reason and never changes the interview. Exit 6 when the evaluation failed.\n',
    )
    .action((id, opts) => run(async () => (await import('./commands/evaluate.js')).evaluate(id, opts, g())));

  program
    .command('review')
    .description("record a person's decision on a completed interview, with notes and score overrides beside the AI's")
    .argument('<id>', 'interview id, your ref, or a unique id prefix')
    .addOption(new Option('--decision <decision>', 'the decision').choices(['advance', 'hold', 'decline']).makeOptionMandatory())
    .option('--note <text>', 'why, for the record')
    .option('--score <question=score...>', "your score for a question, e.g. --score 2=4 3=5 (the AI's stays beside it)", collect)
    .option('--by <name>', 'who decides (default: your user name on this machine)')
    .addHelpText('after', examples(['interviewctl review 3fZq9 --decision advance --note "strong design answers" --by "Grace Hopper"', 'interviewctl review 3fZq9 --decision hold --score 2=4 --score 3=2']) + '\nThe newest review is the decision in force; earlier ones stay in the history.\n')
    .action((id, opts) => run(async () => (await import('./commands/evaluate.js')).review(id, opts, g())));

  program
    .command('report')
    .description('one interview for a hiring manager: scorecard, review, integrity notes, transcript (html: with the video)')
    .argument('<id>', 'interview id, your ref, or a unique id prefix')
    .addOption(new Option('--format <format>', 'output format (default: text; json with --json)').choices(['text', 'md', 'json', 'html']))
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--expires <duration>', 'how long the video link in the report stays valid (1m-7d)', '7d')
    .option('--by <name>', 'who is asking, for the access log (default: your OS user name)')
    .addHelpText('after', examples(['interviewctl report 3fZq9', 'interviewctl report 3fZq9 --format html -o report.html', 'interviewctl report 3fZq9 --format md > report.md']) + '\nThe html file is self-contained: the video (a presigned link), the transcript beside it (click a line or a quote to\nseek), the advisory scorecard, the review and integrity notes. It works without an evaluation.\n')
    .action((id, opts) => run(async () => (await import('./commands/report.js')).report(id, opts, g())));

  program
    .command('scores')
    .description('per-interview scores and outcomes for audits (one row per completed interview)')
    .option('--since <duration>', 'completed within this long', '30d')
    .option('--set <name>', 'only this question set')
    .addOption(new Option('--format <format>', 'output format (default: csv; json with --json)').choices(['csv', 'json']))
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .addHelpText('after', examples(['interviewctl scores --since 90d > scores.csv', 'interviewctl scores --set backend --format json']) + '\nCSV cells that a spreadsheet would run as a formula (starting with = + - @, tab or CR) are prefixed with \'.\n')
    .action((opts) => run(async () => (await import('./commands/report.js')).scores(opts, g())));
}
