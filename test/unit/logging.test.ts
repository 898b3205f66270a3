import { describe, expect, it } from 'vitest';
import { createLogger, type LogStream } from '../../src/platform/logging.js';

/** A stream that keeps what is written, a terminal or not. */
function stream(isTTY: boolean): LogStream & { text(): string } {
  const chunks: string[] = [];
  return { isTTY, write: (chunk: string) => chunks.push(chunk), text: () => chunks.join('') };
}

const TIME = new Date('2026-12-03T18:00:00.000Z');
const ANSI = /\x1b\[/;

describe('text logs', () => {
  it('print no colour codes when the stream is not a terminal', () => {
    const stdout = stream(false);
    const stderr = stream(false);
    const log = createLogger({ level: 'debug', format: 'text', stdout, stderr });
    log.info('berth listening on', 'http://127.0.0.1:8080', { port: 8080 });
    log.error('shutdown failed', new Error('boom'));
    expect(stdout.text()).toBe('INFO berth listening on http://127.0.0.1:8080 { port: 8080 }\n');
    expect(stderr.text()).toMatch(/^ERR shutdown failed Error: boom\n/);
    expect(stdout.text() + stderr.text()).not.toMatch(ANSI);
  });

  it('colour the level on a terminal, as before', () => {
    const stdout = stream(true);
    createLogger({ level: 'info', format: 'text', stdout, stderr: stream(true) }).info('hello');
    expect(stdout.text()).toBe('\x1b[36mINFO\x1b[0m hello\n');
  });

  it('leave out what is below LOG_LEVEL, and send warn and error to stderr', () => {
    const stdout = stream(false);
    const stderr = stream(false);
    const log = createLogger({ level: 'warn', format: 'text', stdout, stderr });
    log.debug('d');
    log.info('i');
    log.warn('w');
    expect(stdout.text()).toBe('');
    expect(stderr.text()).toBe('WARN w\n');
  });
});

describe('json logs', () => {
  it('are one object per line with time, level and message', () => {
    const stdout = stream(true);
    const log = createLogger({
      level: 'info',
      format: 'json',
      stdout,
      stderr: stream(false),
      now: () => TIME,
    });
    log.info('engine', 'unix:///var/run/docker.sock', { replicas: 2 });
    log.info('second\nline');
    const lines = stdout.text().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      time: '2026-12-03T18:00:00.000Z',
      level: 'info',
      message: 'engine unix:///var/run/docker.sock { replicas: 2 }',
    });
    expect(JSON.parse(lines[1] ?? '')).toMatchObject({ message: 'second\nline' });
    expect(stdout.text()).not.toMatch(ANSI);
  });

  it('carry an error as its name, message, code, stack and cause', () => {
    const stderr = stream(false);
    const cause = Object.assign(new Error('connect ENOENT /var/run/docker.sock'), { code: 'ENOENT' });
    const error = new Error('engine unavailable', { cause });
    createLogger({ level: 'info', format: 'json', stdout: stream(false), stderr, now: () => TIME }).error(
      'shutdown failed',
      error,
    );
    const entry = JSON.parse(stderr.text()) as Record<string, unknown>;
    expect(entry).toMatchObject({
      time: '2026-12-03T18:00:00.000Z',
      level: 'error',
      message: 'shutdown failed',
      error: {
        name: 'Error',
        message: 'engine unavailable',
        cause: { name: 'Error', message: 'connect ENOENT /var/run/docker.sock', code: 'ENOENT' },
      },
    });
    expect((entry['error'] as { stack: string }).stack).toContain('engine unavailable');
  });
});
