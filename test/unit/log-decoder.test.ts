import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeLine, type DecodedLine, type LineView } from '../../src/domain/logs/model.js';
import { LogDecoder, MAX_LINE_BYTES, type LogDecoderLimits } from '../../src/engine/log-decoder.js';
import { LineQueue, type LineQueueOptions } from '../../src/domain/logs/line-queue.js';
import { compareBytes, copyBytes } from '../../src/shared/bytes.js';

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

function decode(tty: boolean, chunks: Buffer[], limits?: LogDecoderLimits): DecodedLine[] {
  const lines: DecodedLine[] = [];
  // A view lives only during the call: decoded there, as a follower would.
  const decoder = new LogDecoder(tty, (line) => lines.push(decodeLine(line)), limits);
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

  it('decodes the same lines however the bytes are cut into chunks: at every offset, in two and three', () => {
    const bytes = Buffer.concat([
      frame(1, `${T1} out one\n`),
      frame(2, `${T1} err ☃ one\n`),
      frame(1, `${T2} out two\n`),
    ]);
    const whole = decode(false, [bytes]);
    expect(whole.map((l) => l.text)).toEqual(['out one', 'err ☃ one', 'out two']);
    for (let cut = 0; cut <= bytes.length; cut += 1) {
      expect(decode(false, [bytes.subarray(0, cut), bytes.subarray(cut)]), `cut at ${cut}`).toEqual(whole);
      for (let second = cut; second <= bytes.length; second += 5) {
        const chunks = [bytes.subarray(0, cut), bytes.subarray(cut, second), bytes.subarray(second)];
        expect(decode(false, chunks), `cuts at ${cut} and ${second}`).toEqual(whole);
      }
    }
    expect(decode(false, pieces(bytes, 1))).toEqual(whole);
  });

  it('joins a line split across frames while the other stream’s lines come between its pieces', () => {
    const bytes = Buffer.concat([
      frame(1, `${T1} the first half`),
      frame(2, `${T1} an error\n`),
      frame(2, `${T2} half an error`),
      frame(1, `${T2} , the second half\n`),
      frame(2, `${T2} , and its end\n`),
    ]);
    const expected = [
      { stream: 'stderr', timestamp: T1, text: 'an error' },
      { stream: 'stdout', timestamp: T1, text: 'the first half, the second half' },
      { stream: 'stderr', timestamp: T2, text: 'half an error, and its end' },
    ];
    for (const size of [1, 2, 5, 8, 11, 1000]) expect(decode(false, pieces(bytes, size))).toEqual(expected);
  });

  it('keeps UTF-8 characters whole when chunks cut them, in frames and on a terminal', () => {
    const text = 'añb☃c🚢d';
    const bytes = Buffer.concat([frame(1, `${T1} ${text}\n`), frame(2, `${T2} ${text}\n`)]);
    const raw = Buffer.from(`${T1} ${text}\n${T2} ${text}\n`);
    for (let cut = 0; cut <= bytes.length; cut += 1) {
      expect(decode(false, [bytes.subarray(0, cut), bytes.subarray(cut)]).map((l) => l.text)).toEqual([
        text,
        text,
      ]);
    }
    for (let cut = 0; cut <= raw.length; cut += 1) {
      expect(decode(true, [raw.subarray(0, cut), raw.subarray(cut)])).toEqual([
        { stream: 'stdout', timestamp: T1, text },
        { stream: 'stdout', timestamp: T2, text },
      ]);
    }
  });

  it('assembles a line longer than its reused buffer, and one past the longest in pieces of the same timestamp', () => {
    const limits = { lineBufferBytes: 16, maxLineBytes: 64 };
    const long = 'x'.repeat(50);
    const longest = 'y'.repeat(150);
    const bytes = Buffer.concat([
      frame(1, `${T1} ${long.slice(0, 20)}`),
      frame(1, `${T2} ${long.slice(20)}\n`),
      frame(1, `${T1} ${longest}\n`),
      frame(1, `${T2} short\n`),
    ]);
    const expected = [
      { stream: 'stdout', timestamp: T1, text: long },
      { stream: 'stdout', timestamp: T1, text: longest.slice(0, 64) },
      { stream: 'stdout', timestamp: T1, text: longest.slice(64, 128) },
      { stream: 'stdout', timestamp: T1, text: longest.slice(128) },
      { stream: 'stdout', timestamp: T2, text: 'short' },
    ];
    for (const size of [1, 7, 64, 1000]) expect(decode(false, pieces(bytes, size), limits)).toEqual(expected);
    const raw = Buffer.from(`${T1} ${longest}\r\n${T2} short\r\n`);
    expect(decode(true, pieces(raw, 9), limits).map((l) => l.text)).toEqual([
      longest.slice(0, 64),
      longest.slice(64, 128),
      longest.slice(128),
      'short',
    ]);
  });

  it('cuts a line at 1 MiB with the engine’s defaults, and goes on with the next whole', () => {
    const huge = Buffer.alloc(MAX_LINE_BYTES + 10, 'z');
    const bytes = Buffer.concat([
      frame(1, Buffer.concat([Buffer.from(`${T1} `), huge.subarray(0, 16 * 1024)])),
      frame(1, Buffer.concat([Buffer.from(`${T2} `), huge.subarray(16 * 1024), Buffer.from('\n')])),
      frame(1, `${T2} next\n`),
    ]);
    const lines = decode(false, pieces(bytes, 64 * 1024));
    expect(lines.map((l) => [l.timestamp, l.text.length])).toEqual([
      [T1, MAX_LINE_BYTES],
      [T1, 10],
      [T2, 4],
    ]);
  });

  it('reads a message without a timestamp as text, with an empty timestamp', () => {
    const bytes = Buffer.concat([
      frame(1, 'no stamp here\n'),
      frame(2, '2026-11-29 not one either\n'),
      frame(1, `${T1} stamped\n`),
    ]);
    expect(decode(false, pieces(bytes, 3))).toEqual([
      { stream: 'stdout', timestamp: '', text: 'no stamp here' },
      { stream: 'stderr', timestamp: '', text: '2026-11-29 not one either' },
      { stream: 'stdout', timestamp: T1, text: 'stamped' },
    ]);
  });

  it('decodes any mix of lines, partial messages and chunk sizes as written (a model check)', () => {
    const message = fc.record({
      stream: fc.constantFrom(1 as const, 2 as const),
      text: fc.string({ unit: 'binary', maxLength: 40 }).map((t) => t.replace(/[\n\r]/g, '.')),
      // The engine sends a long line as several messages, the last one ending it.
      pieces: fc.integer({ min: 1, max: 3 }),
    });
    fc.assert(
      fc.property(
        fc.array(message, { maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }),
        (messages, sizes) => {
          const frames: Buffer[] = [];
          const expected: DecodedLine[] = [];
          // Lines of one stream come whole before the stream's next one; the other stream's between.
          for (const { stream, text, pieces: count } of messages) {
            const bytes = Buffer.from(text);
            const stamp = stream === 1 ? T1 : T2;
            for (let piece = 0; piece < count; piece += 1) {
              const part = bytes.subarray(
                Math.floor((bytes.length * piece) / count),
                Math.floor((bytes.length * (piece + 1)) / count),
              );
              const last = piece === count - 1;
              if (part.length === 0 && !last) continue;
              frames.push(
                frame(stream, Buffer.concat([Buffer.from(`${stamp} `), part, Buffer.from(last ? '\n' : '')])),
              );
            }
            expected.push({
              stream: stream === 1 ? 'stdout' : 'stderr',
              timestamp: stamp,
              text: bytes.toString(),
            });
          }
          const all = Buffer.concat(frames);
          const chunks: Buffer[] = [];
          for (let at = 0, i = 0; at < all.length; i += 1) {
            const size = sizes[i % sizes.length]!;
            chunks.push(all.subarray(at, at + size));
            at += size;
          }
          expect(decode(false, chunks)).toEqual(expected);
        },
      ),
    );
  });
});

/** A line with no timestamp, as a follower's queue is handed it. */
function view(text: string, stamp = ''): LineView {
  const bytes = Buffer.from(`${stamp}${text}`);
  const stampEnd = Buffer.byteLength(stamp);
  return {
    stream: 'stdout',
    stamp: bytes,
    stampStart: 0,
    stampEnd,
    text: bytes,
    textStart: stampEnd,
    textEnd: bytes.length,
  };
}

function queueOf(limit: number, more: Partial<LineQueueOptions<string>> = {}): LineQueue<string> {
  return new LineQueue<string>({
    limit,
    maxBytes: 1024 * 1024,
    line: (line) => line.text.toString('utf8', line.textStart, line.textEnd),
    dropped: (count) => `dropped ${count}`,
    onReturn: () => {},
    ...more,
  });
}

describe('LineQueue', () => {
  it('hands values to a waiting reader at once, and ends after draining', async () => {
    const queue = queueOf(3);
    const waiting = queue.next();
    queue.push(view('a'));
    expect(await waiting).toEqual({ value: 'a', done: false });
    queue.push(view('b'));
    queue.end();
    expect(await queue.next()).toEqual({ value: 'b', done: false });
    expect(await queue.next()).toEqual({ value: undefined, done: true });
  });

  it('holds at most its limit for a slow reader: drops the oldest and says how many, first', async () => {
    const queue = queueOf(3);
    for (let i = 0; i < 10; i += 1) queue.push(view(`line ${i}`));
    const read: string[] = [];
    queue.end();
    for await (const value of queue) read.push(value);
    expect(read).toEqual(['dropped 7', 'line 7', 'line 8', 'line 9']);
  });

  it('keeps its lines as bytes: the reader’s value is made when it takes the line', async () => {
    const made: string[] = [];
    const queue = queueOf(2, {
      line: (line) => {
        const text = line.text.toString('utf8', line.textStart, line.textEnd);
        made.push(text);
        return text;
      },
    });
    const source = view('reused');
    for (const text of ['one', 'two', 'three']) {
      // The decoder reuses its buffers: the queue must have copied what it keeps.
      source.text.write(text.padEnd(6, '.'));
      queue.push(source);
    }
    expect(made).toEqual([]);
    expect([(await queue.next()).value, (await queue.next()).value, (await queue.next()).value]).toEqual([
      'dropped 1',
      'two...',
      'three.',
    ]);
    expect(made).toEqual(['two...', 'three.']);
  });

  it('keeps the timestamp and stream of each line', async () => {
    const queue = new LineQueue<DecodedLine>({
      limit: 4,
      maxBytes: 1024,
      line: decodeLine,
      dropped: () => ({ stream: 'stdout', timestamp: '', text: 'dropped' }),
      onReturn: () => {},
    });
    queue.push({ ...view('out', T1) });
    queue.push({ ...view('err ☃', T2), stream: 'stderr' });
    queue.push(view(''));
    expect([(await queue.next()).value, (await queue.next()).value, (await queue.next()).value]).toEqual([
      { stream: 'stdout', timestamp: T1, text: 'out' },
      { stream: 'stderr', timestamp: T2, text: 'err ☃' },
      { stream: 'stdout', timestamp: '', text: '' },
    ]);
  });

  it('holds at most maxBytes of long lines, dropping the oldest, and drops a line longer than that', async () => {
    const queue = queueOf(100, { maxBytes: 100 });
    for (let i = 0; i < 10; i += 1) queue.push(view(String(i).repeat(30)));
    expect(queue.heldBytes).toBeLessThanOrEqual(100);
    expect(queue.size).toBeLessThanOrEqual(3);
    queue.push(view('x'.repeat(101)));
    queue.push(view('last'));
    queue.end();
    const read: string[] = [];
    for await (const value of queue) read.push(value);
    expect(read.at(-1)).toBe('last');
    const dropped = read.filter((v) => v.startsWith('dropped')).map((v) => Number(v.split(' ')[1]));
    expect(dropped.reduce((a, b) => a + b, 0) + read.length - dropped.length).toBe(12);
  });

  it('keeps the newest `limit` values in order across any mix of pushes, reads and lengths (a model check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.option(fc.integer({ min: 0, max: 9000 }), { nil: undefined }), { maxLength: 80 }),
        async (limit, steps) => {
          // Room for limit + 1 of the longest: the byte bound never bites, only the line limit.
          const queue = queueOf(limit, { maxBytes: (limit + 1) * 9010 });
          const model: string[] = [];
          let dropped = 0;
          let pushed = 0;
          for (const length of steps) {
            if (length !== undefined) {
              const text = `${pushed++}:`.padEnd(length, 'abcdefg');
              queue.push(view(text));
              model.push(text);
              if (model.length > limit) {
                model.shift();
                dropped += 1;
              }
            } else if (model.length > 0 || dropped > 0) {
              const expected = dropped > 0 ? `dropped ${dropped}` : model.shift();
              dropped = 0;
              expect((await queue.next()).value).toBe(expected);
            }
          }
          expect(queue.size).toBe(model.length);
        },
      ),
    );
  });

  it('accounts for every line under a byte bound: each one delivered in order or counted as dropped', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined }), { maxLength: 120 }),
        async (steps) => {
          const queue = queueOf(50, { maxBytes: 1000 });
          let pushed = 0;
          let accounted = 0;
          let lastRead = -1;
          const read = async () => {
            const { value } = await queue.next();
            if (value!.startsWith('dropped ')) accounted += Number(value!.slice(8));
            else {
              const index = Number(value!.split(':')[0]);
              expect(index).toBeGreaterThan(lastRead);
              lastRead = index;
              accounted += 1;
            }
          };
          for (const length of steps) {
            if (length !== undefined) queue.push(view(`${pushed++}:`.padEnd(length, 'x')));
            else if (queue.size > 0 || queue.dropped > 0) await read();
            expect(queue.heldBytes).toBeLessThanOrEqual(1000);
          }
          while (queue.size > 0 || queue.dropped > 0) await read();
          expect(accounted).toBe(pushed);
          if (pushed > 0) expect(lastRead).toBe(pushed - 1);
        },
      ),
    );
  });

  it('calls onReturn when the reader leaves, and ignores later pushes', async () => {
    let returned = 0;
    const queue = queueOf(3, { onReturn: () => (returned += 1) });
    queue.push(view('a'));
    await queue.return();
    queue.push(view('b'));
    expect(returned).toBe(1);
    expect(await queue.next()).toEqual({ value: undefined, done: true });
  });
});

describe('copyBytes and compareBytes (the per-line byte work, without Buffer#copy’s views)', () => {
  it('copies short ranges by loop and long ones natively, to the same effect', () => {
    for (const length of [0, 1, 30, 256, 257, 5000]) {
      const source = Buffer.from(Array.from({ length: length + 7 }, (_, i) => (i * 31) % 256));
      const target = Buffer.alloc(length + 10, 0xee);
      copyBytes(source, 3, 3 + length, target, 5);
      expect(target.subarray(5, 5 + length).equals(source.subarray(3, 3 + length)), `length ${length}`).toBe(
        true,
      );
      expect([...target.subarray(0, 5), ...target.subarray(5 + length)].every((b) => b === 0xee)).toBe(true);
    }
  });

  it('orders ranges as Buffer.compare does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), fc.uint8Array({ maxLength: 12 }), (a, b) => {
        const padded = Buffer.concat([Buffer.from('xx'), a, Buffer.from('yy')]);
        expect(Math.sign(compareBytes(padded, 2, 2 + a.length, b, 0, b.length))).toBe(
          Buffer.compare(Buffer.from(a), Buffer.from(b)),
        );
      }),
    );
  });
});
