/**
 * Byte copies and comparisons for code that handles many short ranges (each line of a followed
 * log): `Buffer#copy` and `Buffer#compare` with offsets make a typed-array view of the range, or
 * cross into C++, on every call, which for a 30-byte timestamp costs more than the bytes.
 */

/** Ranges up to this long are copied by a loop, which allocates nothing; longer ones natively. */
const LOOP_BYTES = 256;

/** Copies `source[start, end)` into `target` at `at`. */
export function copyBytes(
  source: Uint8Array,
  start: number,
  end: number,
  target: Uint8Array,
  at: number,
): void {
  if (end - start > LOOP_BYTES) {
    target.set(source.subarray(start, end), at);
    return;
  }
  for (let index = start; index < end; index += 1) target[at++] = source[index]!;
}

/** How `a[aStart, aEnd)` orders against `b[bStart, bEnd)`, byte by byte: negative, 0 or positive. */
export function compareBytes(
  a: Uint8Array,
  aStart: number,
  aEnd: number,
  b: Uint8Array,
  bStart: number,
  bEnd: number,
): number {
  const length = Math.min(aEnd - aStart, bEnd - bStart);
  for (let offset = 0; offset < length; offset += 1) {
    const difference = a[aStart + offset]! - b[bStart + offset]!;
    if (difference !== 0) return difference;
  }
  return aEnd - aStart - (bEnd - bStart);
}
