import { describe, expect, it } from 'vitest';
import { DeliveredMark, timestampNanos } from '../../src/domain/logs/service.js';
import type { LineView } from '../../src/domain/logs/model.js';

/**
 * A follow opened again after its engine was away asks from the millisecond of the last line it
 * delivered (Docker's `since` here): what it had delivered of that stream is skipped by nanosecond
 * timestamp, lines sharing the last timestamp by how many were delivered.
 */

/** A line as the decoder hands it over: its bytes, in a buffer with more around them. */
const line = (timestamp: string, text: string): LineView => {
  const bytes = Buffer.from(`<${timestamp}|${text}>`);
  const stampEnd = 1 + Buffer.byteLength(timestamp);
  return {
    stream: 'stdout',
    stamp: bytes,
    stampStart: 1,
    stampEnd,
    text: bytes,
    textStart: stampEnd + 1,
    textEnd: bytes.length - 1,
  };
};
const text = (view: LineView) => view.text.toString('utf8', view.textStart, view.textEnd);

describe('timestampNanos', () => {
  it('reads Docker’s RFC 3339 timestamps to the nanosecond', () => {
    expect(timestampNanos('2026-12-04T13:42:40.123456789Z')).toBe(1796391760123456789n);
    expect(timestampNanos('2026-12-04T13:42:40.5Z')).toBe(1796391760500000000n);
    expect(timestampNanos('2026-12-04T13:42:40Z')).toBe(1796391760000000000n);
    expect(timestampNanos('2026-12-04T14:42:40.000000001+01:00')).toBe(1796391760000000001n);
  });

  it('answers undefined for anything else', () => {
    expect(timestampNanos('')).toBeUndefined();
    expect(timestampNanos('yesterday')).toBeUndefined();
    expect(timestampNanos('2026-13-45T99:00:00Z')).toBeUndefined();
  });
});

describe('DeliveredMark', () => {
  it('skips nothing before any line was delivered', () => {
    const mark = new DeliveredMark();
    expect(mark.since()).toBeUndefined();
    expect(mark.skipper()(line('2026-12-04T13:42:40.000000001Z', 'a'))).toBe(false);
  });

  it('skips what was delivered of the reopened millisecond, and nothing after the first new line', () => {
    const mark = new DeliveredMark();
    mark.note(line('2026-12-04T13:42:40.123000001Z', 'a'));
    mark.note(line('2026-12-04T13:42:40.123000002Z', 'b'));
    mark.note(line('2026-12-04T13:42:40.123000002Z', 'c'));
    expect(mark.since()).toEqual(new Date('2026-12-04T13:42:40.123Z'));

    const skip = mark.skipper();
    const again = [
      line('2026-12-04T13:42:40.123000001Z', 'a'),
      line('2026-12-04T13:42:40.123000002Z', 'b'),
      line('2026-12-04T13:42:40.123000002Z', 'c'),
      line('2026-12-04T13:42:40.123000002Z', 'd'),
      line('2026-12-04T13:42:40.123000003Z', 'e'),
      line('2026-12-04T13:42:40.123000001Z', 'out of order, but new'),
    ];
    expect(again.filter((l) => !skip(l)).map(text)).toEqual(['d', 'e', 'out of order, but new']);
  });

  it('orders timestamps in other forms than Docker’s own by their nanoseconds', () => {
    const mark = new DeliveredMark();
    mark.note(line('2026-12-04T13:42:40.5Z', 'a'));
    // Earlier than the last (13:42:40.123456789Z), whatever its bytes say: not where the follow stands.
    mark.note(line('2026-12-04T14:42:40.123456789+01:00', 'b'));
    expect(mark.since()).toEqual(new Date('2026-12-04T13:42:40.500Z'));
    const skip = mark.skipper();
    expect(skip(line('2026-12-04T13:42:40.500000000Z', 'a'))).toBe(true);
    expect(skip(line('2026-12-04T13:42:40.500000000Z', 'a twin, new'))).toBe(false);
  });

  it('delivers a line without a timestamp it can read', () => {
    const mark = new DeliveredMark();
    mark.note(line('2026-12-04T13:42:40.123000001Z', 'a'));
    expect(mark.skipper()(line('garbled', 'x'))).toBe(false);
  });
});
