import { describe, expect, it } from 'vitest';
import { createLogger, frameworkLogSink } from './log.js';

function capture() {
  const lines: string[] = [];
  return { stream: { write: (l: string) => lines.push(...l.split('\n').filter(Boolean)) }, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>), lines };
}

describe('the logger', () => {
  it('writes one JSON line per call: ISO ts, level as a word, the base and call fields, the message', () => {
    const out = capture();
    const log = createLogger(out.stream, { svc: 'serve' });
    log.info('candidate joined', { interview: 'abc123' });
    log.child({ job: 'AJ_1' }).warn('slow request', { ms: 1200 });
    const [a, b] = out.records();
    expect(a).toEqual({ level: 'info', ts: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), svc: 'serve', interview: 'abc123', msg: 'candidate joined' });
    expect(b).toMatchObject({ level: 'warn', svc: 'serve', job: 'AJ_1', ms: 1200, msg: 'slow request' });
  });

  it('redacts personal fields, at the top and one level down, and never prints them', () => {
    const out = capture();
    createLogger(out.stream).info('oops', { email: 'ada@example.com', name: 'Ada Lovelace', row: { name: 'Ada Lovelace', ref: 'ATS-1' }, text: 'my answer', count: 2 });
    expect(out.records()[0]).toMatchObject({ email: '[redacted]', name: '[redacted]', row: { name: '[redacted]', ref: '[redacted]' }, text: '[redacted]', count: 2 });
    expect(out.lines.join('\n')).not.toMatch(/Ada|ada@|ATS-1|my answer/);
  });
});

describe("agents-js's own logger through frameworkLogSink", () => {
  it("prints the framework's lines in our format, with its lk.pii.* fields censored", async () => {
    const out = capture();
    const sink = frameworkLogSink(out.stream, { svc: 'agent' });
    const agents = await import('@livekit/agents');
    // agents-js writes to whatever process.stdout is when its logger is made (as cli/commands/agent.ts sets it up).
    const stdout = Object.getOwnPropertyDescriptor(process, 'stdout')!;
    Object.defineProperty(process, 'stdout', { configurable: true, get: () => sink });
    try {
      agents.initializeLogger({ pretty: false, level: 'debug' });
    } finally {
      Object.defineProperty(process, 'stdout', stdout);
    }
    agents.log().child({ 'lk.pii.participant_identity': 'candidate-Ada' }).info({ 'lk.pii.transcript': 'I am Ada Lovelace', delay: 12 }, 'user turn');
    agents.log().debug('debug line');
    agents.log().error({ error: new Error('boom') }, 'failed');
    sink.write('plain text from elsewhere\n');
    const [turn, debug, failed] = out.lines.slice(0, 3).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(turn).toMatchObject({ level: 'info', ts: expect.any(String), svc: 'agent', src: 'livekit', delay: 12, msg: 'user turn', 'lk.pii.transcript': '[redacted]', 'lk.pii.participant_identity': '[redacted]' });
    expect(turn).not.toHaveProperty('time');
    expect(debug).toMatchObject({ level: 'debug', msg: 'debug line' });
    expect(failed).toMatchObject({ level: 'error', msg: 'failed', error: { message: 'boom' } });
    expect(out.lines.join('\n')).not.toContain('Ada');
    expect(out.lines.at(-1)).toBe('plain text from elsewhere');
  });
});
