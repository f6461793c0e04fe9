import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, scratchDir, stackFrames } from './helpers/cli.js';

// `interviewctl dev` on a machine without ffmpeg: the banner comes first, before anything starts.
// PATH holds node alone (so no ffmpeg); LIVEKIT_URL is set (so nothing is built) and the database
// is unreachable, so dev stops right after its decisions, with the database's exit code.

const scratch = scratchDir('dev-fresh');
const bin = mkdtempSync(join(tmpdir(), 'ictl-node-only-'));
symlinkSync(process.execPath, join(bin, 'node'));
afterAll(() => {
  scratch.remove();
  rmSync(bin, { recursive: true, force: true });
});

const env = {
  PATH: bin,
  HOME: scratch.dir,
  INTERVIEWCTL_HOME: scratch.dir,
  LIVEKIT_URL: 'ws://127.0.0.1:9',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:9/interviewctl',
};

describe('dev without ffmpeg', () => {
  it('says first that recording is off and how to turn it on', async () => {
    const r = await cli(['dev', '--no-demo'], { env, cwd: scratch.dir });
    expect(r.stderr).toMatch(/^warning: RECORDING IS OFF: ffmpeg is not installed, so the interviewer runs with RECORDER=off\./m);
    expect(r.stderr).toContain('apt-get install -y ffmpeg');
    // Then the unreachable database stops it, as it would any command: exit 6, no stack trace.
    expect(r.code).toBe(6);
    expect(stackFrames(r.stderr)).toEqual([]);
  });

  it('says nothing about recording when RECORDER=off is the setting', async () => {
    const r = await cli(['dev', '--no-demo'], { env: { ...env, RECORDER: 'off' }, cwd: scratch.dir });
    expect(r.stderr).not.toContain('RECORDING IS OFF');
    expect(r.code).toBe(6);
  });
});
