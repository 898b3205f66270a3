import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DecodedLine } from '../../src/domain/logs/model.js';
import { LogDecoder } from '../../src/engine/log-decoder.js';
import { LineQueue } from '../../src/domain/logs/line-queue.js';

const T1 = '2026-11-29T03:00:00.000000001Z';
const T2 = '2026-11-29T03:00:00.000000002Z';

/** Docker's multiplexed frame: [stream, 0, 0, 0, size (big-endian)] then the payload. */
function frame(stream: 1 | 2, payload: Buffer | string): Buffer {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

function decode(tty: boolean, chunks: Buffer[]): DecodedLine[] {
  const lines: DecodedLine[] = [];
  const decoder = new LogDecoder(tty, (line) => lines.push(line));
  for (const chunk of chunks) decoder.push(chunk);
  decoder.end();
  return lines;
}

/** Splits a buffer into pieces of `size` bytes, as a network may deliver it. */
function pieces(buffer: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buffer.length; i += size) out.push(buffer.subarray(i, i + size));
  return out;
}

describe('LogDecoder on byte sequences built like the engine’s (no engine involved)', () => {
  it('demultiplexes stdout and stderr frames into lines with their timestamps, in order', () => {
    const bytes = Buffer.concat([
      frame(1, `${T1} out one\n`),
      frame(2, `${T2} err one\n`),
      frame(1, `${T2} out two\n`),
    ]);
    expect(decode(false, [bytes])).toEqual([
      { stream: 'stdout', timestamp: T1, text: 'out one' },
      { stream: 'stderr', timestamp: T2, text: 'err one' },
      { stream: 'stdout', timestamp: T2, text: 'out two' },
    ]);
  });

  it('survives chunks split anywhere, headers included', () => {
    const bytes = Buffer.concat([
      frame(1, `${T1} alpha\n`),
      frame(2, `${T1} beta\n`),
      frame(1, `${T2} gamma\n`),
    ]);
    for (const size of [1, 3, 7, 8, 9, 13]) {
      expect(decode(false, pieces(bytes, size)).map((l) => l.text)).toEqual(['alpha', 'beta', 'gamma']);
    }
  });

  it('keeps a UTF-8 character whole when a long line is split across frames inside it', () => {
    const text = 'Grüße, ☃ und 🚢';
    const bytes = Buffer.from(text);
    const cut = bytes.indexOf(Buffer.from('🚢')) + 2; // inside the 4-byte ship
    const frames = Buffer.concat([
      frame(1, Buffer.concat([Buffer.from(`${T1} `), bytes.subarray(0, cut)])),
      frame(1, Buffer.concat([Buffer.from(`${T2} `), bytes.subarray(cut), Buffer.from('\n')])),
    ]);
    expect(decode(false, pieces(frames, 5))).toEqual([{ stream: 'stdout', timestamp: T1, text }]);
  });

  it('reads raw TTY output: one stream, \\r\\n endings, characters split between chunks', () => {
    const raw = Buffer.from(`${T1} first ☃\r\n${T2} second\r\n${T2} unterminated`);
    const lines = decode(true, pieces(raw, 4));
    expect(lines).toEqual([
      { stream: 'stdout', timestamp: T1, text: 'first ☃' },
      { stream: 'stdout', timestamp: T2, text: 'second' },
      { stream: 'stdout', timestamp: T2, text: 'unterminated' },
    ]);
  });

  it('keeps empty lines and ignores stdin frames', () => {
    const bytes = Buffer.concat([
      frame(1, `${T1} \n`),
      Buffer.from([0, 0, 0, 0, 0, 0, 0, 2]),
      Buffer.from('x\n'),
      frame(1, `${T2} after\n`),
    ]);
    expect(decode(false, [bytes]).map((l) => l.text)).toEqual(['', 'after']);
  });
});

describe('LineQueue', () => {
  const marker = (count: number) => `dropped ${count}`;

  it('hands values to a waiting reader at once, and ends after draining', async () => {
    const queue = new LineQueue<string>(3, { onReturn: () => {}, dropped: marker });
    const waiting = queue.next();
    queue.push('a');
    expect(await waiting).toEqual({ value: 'a', done: false });
    queue.push('b');
    queue.end();
    expect(await queue.next()).toEqual({ value: 'b', done: false });
    expect(await queue.next()).toEqual({ value: undefined, done: true });
  });

  it('holds at most its limit for a slow reader: drops the oldest and says how many, first', async () => {
    const queue = new LineQueue<string>(3, { onReturn: () => {}, dropped: marker });
    for (let i = 0; i < 10; i += 1) queue.push(`line ${i}`);
    const read: string[] = [];
    queue.end();
    for await (const value of queue) read.push(value);
    expect(read).toEqual(['dropped 7', 'line 7', 'line 8', 'line 9']);
  });

  it('keeps the newest `limit` values in order across any mix of pushes and reads (a model check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.boolean(), { maxLength: 60 }),
        async (limit, steps) => {
          const queue = new LineQueue<string>(limit, { onReturn: () => {}, dropped: marker });
          const model: string[] = [];
          let dropped = 0;
          let pushed = 0;
          for (const isPush of steps) {
            if (isPush) {
              queue.push(String(pushed));
              model.push(String(pushed++));
              if (model.length > limit) {
                model.shift();
                dropped += 1;
              }
            } else if (model.length > 0 || dropped > 0) {
              const expected = dropped > 0 ? marker(dropped) : model.shift();
              dropped = 0;
              expect((await queue.next()).value).toBe(expected);
            }
          }
          expect(queue.size).toBe(model.length);
        },
      ),
    );
  });

  it('calls onReturn when the reader leaves, and ignores later pushes', async () => {
    let returned = 0;
    const queue = new LineQueue<string>(3, { onReturn: () => (returned += 1), dropped: marker });
    queue.push('a');
    await queue.return();
    queue.push('b');
    expect(returned).toBe(1);
    expect(await queue.next()).toEqual({ value: undefined, done: true });
  });
});
