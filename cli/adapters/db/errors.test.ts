import { describe, expect, it } from 'vitest';
import { isDriverWriteAfterClose } from './errors.js';

// The stack as it reached vitest in a CI run where a test killed a connection mid-transaction.
function driverError(): TypeError {
  const err = new TypeError("Cannot read properties of null (reading 'write')");
  err.stack = `${err.name}: ${err.message}\n    at Immediate.nextWrite (/work/node_modules/postgres/src/connection.js:255:22)\n    at process.processImmediate (node:internal/timers:483:21)`;
  return err;
}

describe('the guard for postgres.js writing to a closed connection', () => {
  it('knows the driver’s write after close, also when serialised by a test runner', () => {
    expect(isDriverWriteAfterClose(driverError())).toBe(true);
    const e = driverError();
    expect(isDriverWriteAfterClose({ name: e.name, message: e.message, stack: e.stack })).toBe(true);
  });

  it('lets every other error through as the bug it is', () => {
    const ours = new TypeError("Cannot read properties of null (reading 'write')");
    expect(isDriverWriteAfterClose(ours)).toBe(false);
    const other = driverError();
    other.message = "Cannot read properties of undefined (reading 'id')";
    expect(isDriverWriteAfterClose(other)).toBe(false);
    expect(isDriverWriteAfterClose(new Error('boom'))).toBe(false);
    expect(isDriverWriteAfterClose(null)).toBe(false);
    expect(isDriverWriteAfterClose('nextWrite')).toBe(false);
  });
});
