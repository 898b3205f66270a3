import { describe, expect, it } from 'vitest';
import { toDomainError, unreachable } from '../../src/engine/errors.js';
import { EngineUnavailableError } from '../../src/shared/errors.js';

/**
 * The gateway's translation of socket errors, shaped as Node's net module makes them (code,
 * syscall, address, port, hostname). The real faults are in test/integration/engine-start-error.
 */
function socketError(code: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(`connect ${code}`), { code, syscall: 'connect', ...fields });
}

describe('an engine that cannot be reached', () => {
  it.each([
    ['EACCES', 'PERMISSION_DENIED', 'cannot open /run/docker.sock: permission denied'],
    ['EPERM', 'PERMISSION_DENIED', 'sudo usermod -aG docker $USER'],
    ['ENOENT', 'NOT_FOUND', 'no Docker Engine at /run/docker.sock (no such file)'],
    ['ECONNREFUSED', 'REFUSED', 'nothing listens on /run/docker.sock (connection refused)'],
    ['ETIMEDOUT', 'TIMEOUT', 'did not answer in time'],
    ['ECONNRESET', 'OTHER', 'connect ECONNRESET'],
  ])('on a unix socket, %s is %s', (code, reason, words) => {
    const error = unreachable(socketError(code, { address: '/run/docker.sock' }));
    expect(error).toBeInstanceOf(EngineUnavailableError);
    expect(error.reason).toBe(reason);
    expect(error.message).toContain(words);
  });

  it('over TCP, names the address, and a name that does not resolve is NOT_FOUND', () => {
    const refused = unreachable(socketError('ECONNREFUSED', { address: '10.0.0.5', port: 2375 }));
    expect(refused.reason).toBe('REFUSED');
    expect(refused.message).toContain('nothing listens at 10.0.0.5:2375');
    const unknown = unreachable(
      socketError('ENOTFOUND', { hostname: 'docker.invalid', syscall: 'getaddrinfo' }),
    );
    expect(unknown.reason).toBe('NOT_FOUND');
    expect(unknown.message).toContain('docker.invalid');
  });

  it('is what every engine call maps a connection failure to', () => {
    const mapped = toDomainError(socketError('ENOENT', { address: '/x.sock' }), 'list', 'containers');
    expect(mapped).toMatchObject({ code: 'ENGINE_UNAVAILABLE', reason: 'NOT_FOUND' });
  });
});
