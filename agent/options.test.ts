import { describe, expect, it } from 'vitest';
import { totalmem } from 'node:os';
import { defaultIdleProcesses } from '../cli/core/capacity.js';
import { ConfigError } from '../cli/core/errors.js';
import { AGENT_DEFAULTS, agentOptionsFromEnv, turnDetectionOf } from './options.js';

describe('the interviewer’s tunables', () => {
  it('has defaults a new user can run with', () => {
    expect(agentOptionsFromEnv({})).toEqual({
      candidateWaitMs: 180_000,
      graceMs: 60_000,
      endOfTurnSilenceMs: 600,
      maxInterviews: AGENT_DEFAULTS.maxInterviews,
      idleProcesses: defaultIdleProcesses(AGENT_DEFAULTS.maxInterviews, totalmem()),
      spoolRetryMs: 60_000,
      metricsPort: 9464,
      turnDetector: 'v1-mini',
    });
  });

  it('takes AGENT_TURN_DETECTOR as v1-mini or off, and names the choices otherwise', () => {
    expect(agentOptionsFromEnv({ AGENT_TURN_DETECTOR: 'off' }).turnDetector).toBe('off');
    expect(agentOptionsFromEnv({ AGENT_TURN_DETECTOR: ' v1-mini ' }).turnDetector).toBe('v1-mini');
    expect(() => agentOptionsFromEnv({ AGENT_TURN_DETECTOR: 'v1' })).toThrow(/AGENT_TURN_DETECTOR: "v1" is not one of v1-mini, off/);
  });

  it('takes AGENT_METRICS_PORT as a port, 0 for any free one, or off', () => {
    expect(agentOptionsFromEnv({ AGENT_METRICS_PORT: '9500' }).metricsPort).toBe(9500);
    expect(agentOptionsFromEnv({ AGENT_METRICS_PORT: '0' }).metricsPort).toBe(0);
    expect(agentOptionsFromEnv({ AGENT_METRICS_PORT: 'off' }).metricsPort).toBeUndefined();
    expect(() => agentOptionsFromEnv({ AGENT_METRICS_PORT: '70000' })).toThrow(/AGENT_METRICS_PORT/);
  });

  it('keeps a warm job process per interview the worker takes unless told otherwise', () => {
    expect(agentOptionsFromEnv({ AGENT_MAX_INTERVIEWS: '6' }).idleProcesses).toBe(defaultIdleProcesses(6, totalmem()));
    expect(agentOptionsFromEnv({ AGENT_MAX_INTERVIEWS: '6', AGENT_IDLE_PROCESSES: '3' }).idleProcesses).toBe(3);
  });

  it('reads durations and counts from the environment', () => {
    const o = agentOptionsFromEnv({ AGENT_END_OF_TURN_SILENCE: '1.2s', AGENT_MAX_INTERVIEWS: '8', AGENT_IDLE_PROCESSES: '0' });
    expect(o.endOfTurnSilenceMs).toBe(1200);
    expect(o.maxInterviews).toBe(8);
    expect(o.idleProcesses).toBe(0);
  });

  it('reports every bad setting by name, at once', () => {
    let err: unknown;
    try {
      agentOptionsFromEnv({ AGENT_END_OF_TURN_SILENCE: 'soon', AGENT_MAX_INTERVIEWS: '0', AGENT_IDLE_PROCESSES: '2.5' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const text = String((err as Error).message) + JSON.stringify((err as ConfigError & { problems?: string[] }).problems ?? []);
    expect(text).toContain('AGENT_END_OF_TURN_SILENCE');
    expect(text).toContain('AGENT_MAX_INTERVIEWS');
    expect(text).toContain('AGENT_IDLE_PROCESSES');
  });

  it('runs the turn-detector model only where it is chosen and has text and silence to weigh', () => {
    expect(turnDetectionOf({ withText: true, choice: 'v1-mini', silenceMs: 600 })).toBe('v1-mini');
    expect(turnDetectionOf({ withText: true, choice: 'off', silenceMs: 600 })).toBe('vad');
    expect(turnDetectionOf({ withText: false, choice: 'v1-mini', silenceMs: 600 })).toBe('vad');
    expect(turnDetectionOf({ withText: true, choice: 'v1-mini', silenceMs: 200 })).toBe('vad');
  });
});
