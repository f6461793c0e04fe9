import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { isLateHandleDrop } from './rtc-handle-guard.js';

describe('rtc-node’s late handle free', () => {
  it('is told from every other uncaught error', () => {
    const drop = Object.assign(new Error('trying to drop an invalid handle'), { code: 'GenericFailure' });
    expect(isLateHandleDrop(drop)).toBe(true);
    expect(isLateHandleDrop(new Error('trying to drop an invalid handle'))).toBe(false);
    expect(isLateHandleDrop(Object.assign(new Error('connection lost'), { code: 'GenericFailure' }))).toBe(false);
    expect(isLateHandleDrop('trying to drop an invalid handle')).toBe(false);
  });
});

describe('a process that tolerates late handle frees', () => {
  const guard = join(import.meta.dirname, '../../../dist/cli/adapters/livekit/rtc-handle-guard.js');
  const run = (thrown: string) =>
    spawnSync(process.execPath, ['--input-type=module', '-e', `
      const { tolerateLateHandleDrops } = await import(${JSON.stringify(guard)});
      tolerateLateHandleDrops((n) => process.stdout.write('dropped ' + n + '\\n'));
      setTimeout(() => { throw ${thrown}; }, 0);
      setTimeout(() => process.stdout.write('still running\\n'), 50);
    `], { encoding: 'utf8', timeout: 10_000 });

  it('keeps running after one, and still dies of any other error', () => {
    const drop = run(`Object.assign(new Error('trying to drop an invalid handle'), { code: 'GenericFailure' })`);
    expect(drop.status).toBe(0);
    expect(drop.stdout).toBe('dropped 1\nstill running\n');
    const other = run(`new Error('a real bug')`);
    expect(other.status).toBe(1);
    expect(other.stdout).not.toContain('still running');
    expect(other.stderr).toContain('a real bug');
  });
});
