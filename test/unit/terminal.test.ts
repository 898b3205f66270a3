import { describe, expect, it } from 'vitest';
import { closeFor } from '../../src/api/http/terminal.js';
import { validateTerminalInput } from '../../src/domain/terminal/service.js';
import {
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  RateLimitedError,
  ShellNotFoundError,
  TerminalDisabledError,
  UnauthenticatedError,
} from '../../src/shared/errors.js';

describe("a terminal session's input", () => {
  it('defaults the size to 80×24 and keeps what is given', () => {
    expect(validateTerminalInput({})).toEqual({ cols: 80, rows: 24 });
    expect(
      validateTerminalInput({
        shell: '/bin/ash',
        user: '1000:1000',
        workingDir: '/srv',
        cols: 132,
        rows: 41,
      }),
    ).toEqual({ shell: '/bin/ash', user: '1000:1000', workingDir: '/srv', cols: 132, rows: 41 });
  });

  it.each([
    [{ shell: 'bash' }, 'shell'],
    [{ shell: '/bin/sh\n' }, 'shell'],
    [{ workingDir: 'tmp' }, 'workingDir'],
    [{ user: 'root; rm -rf /' }, 'user'],
    [{ user: '' }, 'user'],
    [{ cols: 0 }, 'cols'],
    [{ rows: 1001 }, 'rows'],
    [{ cols: 1.5 }, 'cols'],
  ])('refuses %j, naming %s', (input, field) => {
    expect(() => validateTerminalInput(input as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field }) as unknown as InvalidInputError,
    );
  });
});

describe("a terminal's close codes", () => {
  it('are 4000 plus the HTTP status of a typed failure, its code leading the reason', () => {
    expect(closeFor(new UnauthenticatedError('no token'))).toEqual({
      code: 4401,
      reason: 'UNAUTHENTICATED: no token',
    });
    expect(closeFor(new ForbiddenError('operator')).code).toBe(4403);
    expect(closeFor(new TerminalDisabledError()).code).toBe(4403);
    expect(closeFor(new NotFoundError('web')).code).toBe(4404);
    expect(closeFor(new ShellNotFoundError('web', ['/bin/bash', '/bin/sh'])).code).toBe(4422);
    expect(closeFor(new InvalidInputError('cols', 'too big')).code).toBe(4400);
  });

  it('is 1013 for a rate passed, 4500 for a fault, and never a reason over 123 bytes', () => {
    expect(closeFor(new RateLimitedError(7, 'token')).code).toBe(1013);
    expect(closeFor(new Error('boom'))).toEqual({
      code: 4500,
      reason: 'INTERNAL: the server log has the story',
    });
    const long = closeFor(new ShellNotFoundError('ü'.repeat(200), ['/bin/sh']));
    expect(Buffer.byteLength(long.reason)).toBeLessThanOrEqual(123);
    expect(long.reason.startsWith('SHELL_NOT_FOUND: ')).toBe(true);
  });
});
