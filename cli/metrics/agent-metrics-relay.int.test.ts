import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RELAY_ENV, startAgentMetricsServer, type AgentMetricsServer } from './agent-metrics-relay.js';

// The agent's job processes are separate Node processes (agents-js forks them): their counts reach
// the worker's /metrics through the relay. Here real child processes play the job processes.

const run = promisify(execFile);
const DIST_RELAY = join(import.meta.dirname, '../../dist/cli/metrics/agent-metrics-relay.js');
const DIST_METRICS = join(import.meta.dirname, '../../dist/cli/metrics/agent-metrics.js');

/** A job process: observes `turns` answer-to-audio pauses of 400 ms and one dropped frame, then reports as a finished job does. */
async function jobProcess(turns: number, final = true): Promise<void> {
  const script = `
    const { startJobMetricsRelay } = await import(${JSON.stringify(DIST_RELAY)});
    const { agentMetrics, recorderMetrics } = await import(${JSON.stringify(DIST_METRICS)});
    const relay = startJobMetricsRelay();
    for (let i = 0; i < ${turns}; i++) agentMetrics.observeTurn({ eouMs: 650, answerToAudioMs: 400 });
    recorderMetrics.framesDropped.inc();
    await relay.flush(${final});
    process.exit(0);`;
  await run(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, [RELAY_ENV]: process.env[RELAY_ENV] } });
}

const sample = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);

describe('job process metrics relayed to the worker', () => {
  let server: AgentMetricsServer;
  const scrape = async () => (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();

  beforeAll(async () => {
    server = await startAgentMetricsServer(0, '127.0.0.1');
  });
  afterAll(async () => {
    await server?.close();
    delete process.env[RELAY_ENV];
  });

  it('sums the turns of every job process, finished ones included, into the worker’s /metrics', async () => {
    await jobProcess(2);
    await jobProcess(3);
    const text = await scrape();
    expect(sample(text, 'interviewctl_turn_answer_to_audio_seconds_count')).toBe(5);
    expect(sample(text, 'interviewctl_turn_answer_to_audio_seconds_sum')).toBeCloseTo(2.0, 6);
    expect(text).toMatch(/^interviewctl_turn_answer_to_audio_seconds_bucket\{le="0.5"\} 5$/m);
    expect(text).toMatch(/^interviewctl_turn_answer_to_audio_seconds_bucket\{le="0.3"\} 0$/m);
    expect(sample(text, 'interviewctl_turn_end_of_utterance_seconds_count')).toBe(5);
    expect(sample(text, 'interviewctl_recorder_frames_dropped_total')).toBe(2);
    // A scrape again changes nothing: finished processes are counted once.
    expect(sample(await scrape(), 'interviewctl_turn_answer_to_audio_seconds_count')).toBe(5);
  });

  it('counts a running job process’s latest report, once', async () => {
    const before = sample(await scrape(), 'interviewctl_turn_answer_to_audio_seconds_count');
    await jobProcess(4, false);
    expect(sample(await scrape(), 'interviewctl_turn_answer_to_audio_seconds_count') - before).toBe(4);
  });

  it('refuses reports without the worker’s token', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/job-metrics`, { method: 'POST', body: JSON.stringify({ pid: '1', final: true, metrics: [] }) });
    expect(res.status).toBe(403);
  });
});
