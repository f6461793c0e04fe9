import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeFeed, makeRow } from '../testing/fake-feed.js';
import { WatchScreen } from './WatchScreen.js';

const NOW = Date.parse('2026-11-22T10:00:00Z');
const ID_A = 'AAAAaaaa0000000000000a';
const ID_B = 'BBBBbbbb0000000000000b';
const ID_C = 'CCCCcccc0000000000000c';

const ARROW_DOWN = '\u001B[B';
const ENTER = '\r';
const ESC = '\u001B';

// React runs effects (such as Ink's input listener) from the real setImmediate it captured when it
// loaded; fake timers alone never get there.
const realImmediate = globalThis.setImmediate;
const realTick = () => new Promise<void>((resolve) => realImmediate(resolve));

/** Advances fake time in small steps, letting React and Ink run in between. */
async function settle(ms = 150) {
  await realTick();
  for (let t = 0; t < ms; t += 10) {
    await vi.advanceTimersByTimeAsync(Math.min(10, ms - t));
    await realTick();
  }
}

function rows() {
  return [
    makeRow({ id: ID_A, candidate: 'Ada Lovelace', status: 'recording', lastEvent: { seq: 3, at: new Date(NOW - 5_000), from: 'used', to: 'recording', actor: 'agent', reason: null } }, NOW),
    makeRow({ id: ID_B, candidate: 'Grace Hopper', status: 'used', usedAt: new Date(NOW - 60_000), presence: { candidate: true, agent: false }, lastEvent: { seq: 2, at: new Date(NOW - 60_000), from: 'created', to: 'used', actor: 'candidate', reason: 'first join' } }, NOW),
    makeRow({ id: ID_C, candidate: 'Alan Turing', status: 'completed', usedAt: new Date(NOW - 40 * 60_000), endedAt: new Date(NOW - 20 * 60_000), presence: { candidate: null, agent: null }, recordingBytes: 42 * 1024 * 1024, lastEvent: { seq: 1, at: new Date(NOW - 600_000), from: 'ending', to: 'completed', actor: 'agent', reason: null } }, NOW),
  ];
}

const lineOf = (frame: string | undefined, text: string) => frame?.split('\n').find((l) => l.includes(text)) ?? '';

describe('WatchScreen', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: NOW });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shows each interview with status, elapsed, time left, presence, recording size and last event', async () => {
    const feed = fakeFeed(rows());
    const { lastFrame, unmount } = render(<WatchScreen feed={feed} color={false} />);
    await settle();
    const frame = lastFrame()!;
    expect(frame).toContain('3 interviews · 2 live');
    expect(lineOf(frame, 'AAAAaaaa')).toMatch(/>AAAAaaaa Ada Lovelace\s+recording 5:00\s+15:00\s+yes\s+yes\s+5s ago used -> recording/);
    expect(lineOf(frame, 'BBBBbbbb')).toMatch(/Grace Hopper\s+used\s+1:00\s+19:00\s+yes\s+no\s+1m ago created -> used/);
    expect(lineOf(frame, 'CCCCcccc')).toMatch(/to review 20:00\s+-\s+42 MiB\s+10m ago ending ->/); // completed, and no person has reviewed it yet
    // The clock runs without any change from the feed.
    await settle(2000);
    expect(lineOf(lastFrame(), 'AAAAaaaa')).toMatch(/recording 5:02\s+14:58/);
    unmount();
  });

  it('draws a change from the feed within one frame, and moves it to the top', async () => {
    const feed = fakeFeed(rows());
    const { lastFrame, unmount } = render(<WatchScreen feed={feed} color={false} />);
    await settle();
    const next = rows().map((r) =>
      r.id === ID_B ? { ...r, status: 'recording' as const, lastEvent: { seq: 4, at: new Date(NOW + 150), from: 'used' as const, to: 'recording' as const, actor: 'agent', reason: null } } : r,
    );
    feed.push({ rows: next });
    await settle(100);
    const frame = lastFrame()!;
    expect(lineOf(frame, 'BBBBbbbb')).toMatch(/Grace Hopper\s+recording/);
    const order = frame.split('\n').filter((l) => /[ABC]{4}[abc]{4}/.test(l)).map((l) => l.trim().replace('>', '').slice(0, 8));
    expect(order).toEqual(['BBBBbbbb', 'AAAAaaaa', 'CCCCcccc']);
    unmount();
  });

  it('says when the database is reconnecting and when LiveKit cannot be asked', async () => {
    const feed = fakeFeed(rows());
    const { lastFrame, unmount } = render(<WatchScreen feed={feed} color={false} />);
    await settle();
    feed.push({ db: 'reconnecting', dbProblem: 'ECONNREFUSED', livekit: 'unreachable', rows: rows().map((r) => ({ ...r, presence: { candidate: null, agent: null } })) });
    await settle();
    expect(lastFrame()).toContain('reconnecting… (ECONNREFUSED)');
    expect(lastFrame()).toContain('livekit unreachable');
    expect(lineOf(lastFrame(), 'AAAAaaaa')).toMatch(/1[45]:\d\d\s+\?\s+\?/);
    feed.push({ db: 'live', dbProblem: undefined });
    await settle();
    expect(lastFrame()).not.toContain('reconnecting');
    unmount();
  });

  it('shows webhook endpoints with a backlog in the header, and nothing once it is sent', async () => {
    const feed = fakeFeed(rows());
    const { lastFrame, unmount } = render(<WatchScreen feed={feed} color={false} />);
    await settle();
    expect(lastFrame()).not.toContain('webhooks');
    feed.push({ hooks: [{ endpoint: 'ep_ats', pending: 120, state: 'failing' }, { endpoint: 'ep_old', pending: 0, state: 'disabled' }] });
    await settle();
    expect(lineOf(lastFrame(), 'watch')).toContain('webhooks: ep_ats 120 pending (failing), ep_old disabled');
    feed.push({ hooks: [] });
    await settle();
    expect(lastFrame()).not.toContain('webhooks');
    unmount();
  });

  it('moves with j/k and the arrows, and opens the detail view with the timeline and transcript', async () => {
    const feed = fakeFeed(rows());
    feed.timelines.set(ID_B, [
      { seq: 2, at: new Date(NOW - 60_000), from: 'created', to: 'used', actor: 'candidate', reason: 'first join' },
      { seq: 5, at: new Date(NOW - 50_000), from: 'used', to: 'used', actor: 'livekit', reason: 'agent joined the room' },
    ]);
    feed.transcripts.set(ID_B, [{ seq: 1, speaker: 'agent', text: 'Hello, I am an AI interviewer.', startMs: 1000 }]);
    const { lastFrame, stdin, unmount } = render(<WatchScreen feed={feed} color={false} />);
    await settle();
    stdin.write('j');
    await settle();
    expect(lineOf(lastFrame(), 'BBBBbbbb')).toMatch(/^>/);
    stdin.write(ARROW_DOWN);
    await settle();
    expect(lineOf(lastFrame(), 'CCCCcccc')).toMatch(/^>/);
    stdin.write('k');
    await settle();
    stdin.write(ENTER);
    await settle();
    const frame = lastFrame()!;
    expect(frame).toContain(ID_B);
    expect(frame).toContain('created -> used (first join)  by candidate');
    expect(frame).toContain('agent joined the room  by livekit');
    expect(frame).toContain('0:01  agent: Hello, I am an AI interviewer.');
    // New transcript lines appear while the view is open.
    feed.transcripts.get(ID_B)!.push({ seq: 2, speaker: 'candidate', text: null, startMs: 4000 });
    await settle(1100);
    expect(lastFrame()).toContain('0:04  candidate: (no text)');
    stdin.write(ESC);
    await settle();
    expect(lastFrame()).toContain('CANDIDATE');
    unmount();
  });

  it('filters with / and sorts with s', async () => {
    const feed = fakeFeed(rows());
    const { lastFrame, stdin, unmount } = render(<WatchScreen feed={feed} color={false} />);
    await settle();
    // Typed faster than frames are drawn: each key still sees the ones before it.
    stdin.write('/');
    for (const ch of 'grace') stdin.write(ch);
    await settle();
    expect(lastFrame()).toContain('/grace');
    expect(lastFrame()).toContain('1 of 3 interviews');
    expect(lastFrame()).not.toContain('AAAAaaaa');
    stdin.write(ENTER);
    await settle();
    expect(lastFrame()).toContain('filter: grace');
    stdin.write(ESC);
    await settle();
    expect(lastFrame()).toContain('3 interviews');
    stdin.write('s');
    await settle();
    expect(lastFrame()).toContain('sort: status');
    stdin.write('s');
    await settle();
    expect(lastFrame()).toContain('sort: time left');
    unmount();
  });

  it('takes keys that arrive in one read one at a time', async () => {
    const feed = fakeFeed(rows());
    const { lastFrame, stdin, unmount } = render(<WatchScreen feed={feed} color={false} />);
    await settle();
    stdin.write('/bbbb\r\r');
    await settle();
    expect(lastFrame()).toContain('filter: bbbb');
    expect(lastFrame()).toContain(ID_B);
    expect(lastFrame()).toContain('timeline');
    unmount();
  });

  it('ends a live interview only after y, and not for n', async () => {
    const feed = fakeFeed(rows());
    const { lastFrame, stdin, unmount } = render(<WatchScreen feed={feed} color={false} />);
    await settle();
    stdin.write('e');
    await settle();
    expect(lastFrame()).toContain('end interview AAAAaaaa (Ada Lovelace, recording)? [y/N]');
    stdin.write('n');
    await settle();
    expect(feed.ended).toEqual([]);
    expect(lastFrame()).toContain('not ended');
    stdin.write('e');
    stdin.write('y');
    await settle();
    expect(feed.ended).toEqual([{ id: ID_A, reason: 'ended by operator (watch)' }]);
    expect(lastFrame()).toContain('AAAAaaaa is ending');
    // A finished interview cannot be ended.
    stdin.write('G');
    await settle();
    stdin.write('e');
    await settle();
    expect(lastFrame()).toContain('CCCCcccc is completed: only a live interview can be ended');
    expect(feed.ended).toHaveLength(1);
    unmount();
  });

  it('ends from the detail view too, and returns to it', async () => {
    const feed = fakeFeed(rows());
    const { lastFrame, stdin, unmount } = render(<WatchScreen feed={feed} color={false} />);
    await settle();
    stdin.write(ENTER);
    await settle();
    stdin.write('e');
    await settle();
    expect(lastFrame()).toContain('end interview AAAAaaaa (Ada Lovelace, recording)? [y/N]');
    stdin.write('y');
    await settle();
    expect(feed.ended).toEqual([{ id: ID_A, reason: 'ended by operator (watch)' }]);
    expect(lastFrame()).toContain('timeline');
    expect(lastFrame()).toContain(ID_A);
    unmount();
  });

  it('turns ending off with --readonly', async () => {
    const feed = fakeFeed(rows());
    const { lastFrame, stdin, unmount } = render(<WatchScreen feed={feed} color={false} readonly />);
    await settle();
    expect(lastFrame()).toContain('read-only');
    expect(lastFrame()).not.toContain('e end');
    stdin.write('e');
    await settle();
    expect(lastFrame()).toContain('read-only: ending is turned off');
    expect(feed.ended).toEqual([]);
    unmount();
  });

  it('shows help on ? and quits on q, letting go of the feed', async () => {
    const feed = fakeFeed(rows());
    const { lastFrame, stdin } = render(<WatchScreen feed={feed} color={false} />);
    await settle();
    stdin.write('?');
    await settle();
    expect(lastFrame()).toContain('filter by id, candidate or status');
    stdin.write('x');
    await settle();
    expect(lastFrame()).toContain('CANDIDATE');
    expect(feed.subscribers()).toBe(1);
    stdin.write('q');
    await settle();
    expect(feed.subscribers()).toBe(0);
  });

  it('coalesces a burst of changes into few frames', async () => {
    const feed = fakeFeed(rows());
    const { frames, unmount } = render(<WatchScreen feed={feed} color={false} />);
    await settle();
    const before = frames.length;
    for (let i = 0; i < 50; i++) {
      feed.push({ rows: rows().map((r) => (r.id === ID_A ? { ...r, recordingBytes: i * 1024 } : r)) });
      await settle(20);
    }
    await settle();
    // 50 changes in one second: at most one frame per 100 ms, plus the clock's ticks.
    expect(frames.length - before).toBeLessThanOrEqual(13);
    unmount();
  });
});
