import { describe, expect, it } from 'vitest';
import {
  candidateIdentityFor,
  interviewIdFromRoom,
  interviewUrl,
  isIdPrefix,
  isInterviewId,
  newInterviewId,
  newResumeKey,
  roomNameFor,
} from './ids.js';

describe('newInterviewId', () => {
  it('is 22 URL-safe characters that survive a URL path unchanged', () => {
    for (let i = 0; i < 200; i++) {
      const id = newInterviewId();
      expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(encodeURIComponent(id)).toBe(id);
      expect(isInterviewId(id)).toBe(true);
    }
  });

  it('never starts with "-" or "_", so `interviewctl show <id>` is never read as an option', () => {
    for (let i = 0; i < 20_000; i++) expect(newInterviewId()).toMatch(/^[A-Za-z0-9]/);
  });

  it('does not repeat, and uses the whole alphabet evenly (about 6 random bits a character)', () => {
    const ids = Array.from({ length: 5000 }, newInterviewId);
    expect(new Set(ids).size).toBe(ids.length);
    const counts = new Map<string, number>();
    for (const ch of ids.join('')) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    // 110,000 characters over 64 symbols: about 1,719 each; a biased generator would be far off.
    expect(counts.size).toBe(64);
    for (const n of counts.values()) {
      expect(n).toBeGreaterThan(1400);
      expect(n).toBeLessThan(2050);
    }
  });
});

describe('newResumeKey', () => {
  it('is 32 URL-safe characters and differs every time', () => {
    const keys = Array.from({ length: 500 }, newResumeKey);
    for (const k of keys) expect(k).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('id shapes', () => {
  it('tells full ids from prefixes and from junk', () => {
    expect(isInterviewId('AbCdEfGhIjKlMnOpQrSt-_')).toBe(true);
    expect(isInterviewId('AbCdEfGhIjKlMnOpQrSt-')).toBe(false);
    expect(isInterviewId('AbCdEfGhIjKlMnOpQrSt-_x')).toBe(false);
    expect(isInterviewId('AbCdEfGhIjKlMnOpQrSt/_')).toBe(false);
    expect(isIdPrefix('AbCd')).toBe(true);
    expect(isIdPrefix('AbC')).toBe(false);
    expect(isIdPrefix('AbCdEfGhIjKlMnOpQrSt-_')).toBe(true);
    expect(isIdPrefix('AbCd%')).toBe(false);
    expect(isIdPrefix("x' or 1=1")).toBe(false);
  });
});

describe('names derived from an id', () => {
  const id = 'AbCdEfGhIjKlMnOpQrSt-_';

  it('names the room and the candidate as SPEC section 3 fixes', () => {
    expect(roomNameFor(id)).toBe(`interview-${id}`);
    expect(candidateIdentityFor(id)).toBe(`candidate-${id}`);
  });

  it('reads the id back from our room names only', () => {
    expect(interviewIdFromRoom(roomNameFor(id))).toBe(id);
    expect(interviewIdFromRoom(`interview-${id}x`)).toBeUndefined();
    expect(interviewIdFromRoom('interview-short')).toBeUndefined();
    expect(interviewIdFromRoom(`other-${id}`)).toBeUndefined();
  });

  it('builds the link from PUBLIC_URL with or without a trailing slash', () => {
    expect(interviewUrl('https://jobs.example.com', id)).toBe(`https://jobs.example.com/interview/${id}`);
    expect(interviewUrl('https://jobs.example.com//', id)).toBe(`https://jobs.example.com/interview/${id}`);
    expect(interviewUrl('http://localhost:8080/base', id)).toBe(`http://localhost:8080/base/interview/${id}`);
  });
});
