import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { subjectFrom, tombstoneHash } from './find-candidate.js';

describe('naming the candidate of a data-rights command', () => {
  it('takes exactly one of an id, --email or --ref', () => {
    expect(subjectFrom('3fZq9', {})).toEqual({ kind: 'id', value: '3fZq9' });
    expect(subjectFrom(undefined, { email: 'ada@example.com' })).toEqual({ kind: 'email', value: 'ada@example.com' });
    expect(subjectFrom(undefined, { ref: 'ATS-1' })).toEqual({ kind: 'ref', value: 'ATS-1' });
    expect(() => subjectFrom(undefined, {})).toThrow(UsageError);
    expect(() => subjectFrom('3fZq9', { email: 'ada@example.com' })).toThrow(UsageError);
    expect(() => subjectFrom(undefined, { email: 'not an email' })).toThrow(/not an email address/);
    expect(() => subjectFrom(undefined, { ref: ' ' })).toThrow(UsageError);
  });

  it('hashes an email for a tombstone without case or surrounding spaces, and never keeps the value', () => {
    const h = tombstoneHash('email', 'Ada@Example.com ');
    expect(h).toBe(tombstoneHash('email', 'ada@example.com'));
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(h).not.toBe(tombstoneHash('ref', 'ada@example.com'));
    expect(tombstoneHash('ref', 'ATS-1')).not.toBe(tombstoneHash('ref', 'ats-1'));
  });
});
