import { describe, expect, it } from 'vitest';
import { needsFfmpeg, planDev, type DevFindings } from './dev-plan.js';

const machine = (over: Partial<DevFindings> = {}): DevFindings => ({
  livekitUrlSet: false,
  livekitServer: undefined,
  go: { path: '/usr/local/go/bin/go', version: '1.26.8' },
  ffmpeg: true,
  recorder: 'agent',
  cacheDir: '/home/ada/.cache/interviewctl/bin',
  livekitVersion: '1.13.5',
  minGo: '1.21',
  wantedGo: '1.26',
  ...over,
});

describe('planDev: LiveKit', () => {
  it('uses LIVEKIT_URL as it is, building nothing, even without a server or Go here', () => {
    expect(planDev(machine({ livekitUrlSet: true, go: undefined })).livekit).toEqual({ kind: 'remote' });
  });

  it('starts a livekit-server that is there', () => {
    expect(planDev(machine({ livekitServer: '/home/ada/.cache/interviewctl/bin/livekit-server' })).livekit).toEqual({
      kind: 'local',
      binary: '/home/ada/.cache/interviewctl/bin/livekit-server',
    });
  });

  it('builds it with Go when it is missing, saying where and that it is once', () => {
    const plan = planDev(machine()).livekit;
    expect(plan.kind).toBe('build');
    if (plan.kind !== 'build') return;
    expect(plan.go).toBe('/usr/local/go/bin/go');
    expect(plan.note).toContain('v1.13.5');
    expect(plan.note).toContain('/home/ada/.cache/interviewctl/bin');
    expect(plan.note).toContain('first run only');
  });

  it('builds with a Go older than the module wants (it fetches the toolchain), and with one whose version is unknown', () => {
    expect(planDev(machine({ go: { path: '/usr/bin/go', version: '1.22.2' } })).livekit.kind).toBe('build');
    expect(planDev(machine({ go: { path: '/usr/bin/go', version: '1.21' } })).livekit.kind).toBe('build');
    expect(planDev(machine({ go: { path: '/opt/go', version: undefined } })).livekit.kind).toBe('build');
  });

  it('without Go, says what to install and the LiveKit Cloud alternative', () => {
    const plan = planDev(machine({ go: undefined })).livekit;
    expect(plan.kind).toBe('none');
    if (plan.kind !== 'none') return;
    expect(plan.note).toContain('install Go 1.26 or newer');
    expect(plan.note).toContain('https://go.dev/doc/install');
    expect(plan.note).toContain('LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET');
    expect(plan.note).toContain('npm start');
  });

  it('with a Go too old to switch toolchains (Debian 12 has 1.19), says so by version', () => {
    const plan = planDev(machine({ go: { path: '/usr/bin/go', version: '1.19.8' } })).livekit;
    expect(plan.kind).toBe('none');
    if (plan.kind !== 'none') return;
    expect(plan.note).toContain('Go 1.19.8 at /usr/bin/go is too old');
    expect(plan.note).toContain('LIVEKIT_URL');
  });
});

describe('planDev: recorder', () => {
  it('records with ffmpeg, as configured', () => {
    expect(planDev(machine()).recorder).toEqual({ mode: 'agent' });
  });

  it('without ffmpeg, runs the interviewer with RECORDER=off and a banner that says how to record', () => {
    const r = planDev(machine({ ffmpeg: false })).recorder;
    expect(r.mode).toBe('off');
    expect(r.banner).toMatch(/^RECORDING IS OFF: ffmpeg is not installed/);
    expect(r.banner).toContain('apt-get install -y ffmpeg');
    expect(r.banner).toContain('RECORDER=off');
  });

  it('RECORDER=browser needs ffmpeg too (the witness and the join): without it, off with the banner', () => {
    expect(planDev(machine({ recorder: 'browser' })).recorder).toEqual({ mode: 'browser' });
    expect(planDev(machine({ ffmpeg: false, recorder: 'browser' })).recorder.mode).toBe('off');
  });

  it('looks for ffmpeg for the recorders that use it (the agent and the page with its witness)', () => {
    expect(['agent', 'browser', 'egress', 'off'].filter(needsFfmpeg)).toEqual(['agent', 'browser']);
  });

  it('leaves egress and off alone: neither needs ffmpeg', () => {
    expect(planDev(machine({ ffmpeg: false, recorder: 'egress' })).recorder).toEqual({ mode: 'egress' });
    expect(planDev(machine({ ffmpeg: false, recorder: 'off' })).recorder).toEqual({ mode: 'off' });
  });
});
