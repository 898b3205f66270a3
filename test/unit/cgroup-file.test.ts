// KernelFile: kernel-made files held open and read again from offset 0, and ordinary files
// (a test's fixtures) opened at every read. Real procfs files here; the engine's cgroup files
// are read in test/integration/stats-sources.test.ts.

import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { heldKernelFiles, KernelFile } from '../../src/engine/cgroup-file.js';

let tmp: string;

beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'berth-kernel-file-'));
});

afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** The busy ticks of /proc/stat's cpu line. */
const busyTicks = (text: string) =>
  text
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .slice(1, 4)
    .reduce((sum, value) => sum + Number(value), 0);

describe('KernelFile', () => {
  it('holds a procfs file open and reads its current text at every read', async () => {
    const before = heldKernelFiles();
    const file = new KernelFile('/proc/stat');
    try {
      const first = file.read();
      expect(first).toMatch(/^cpu /);
      expect(heldKernelFiles()).toBe(before + 1);
      // Burn CPU until the kernel's counters move: the same descriptor must show it.
      const ticks = busyTicks(first!);
      let later = first!;
      const deadline = Date.now() + 10_000;
      while (busyTicks(later) === ticks && Date.now() < deadline) {
        for (let i = 0; i < 1e6; i += 1) Math.sqrt(i);
        later = file.read()!;
      }
      expect(busyTicks(later)).toBeGreaterThan(ticks);
      expect(heldKernelFiles()).toBe(before + 1);
    } finally {
      file.close();
    }
    expect(heldKernelFiles()).toBe(before);
  });

  it('reads a file of many records (one per network interface) to its end', () => {
    const file = new KernelFile('/proc/self/net/dev', 'many');
    try {
      const lines = (text: string) => text.split('\n').map((line) => line.split(':')[0]!.trim());
      expect(lines(file.read()!)).toEqual(lines(readFileSync('/proc/self/net/dev', 'latin1')));
      expect(lines(file.read()!)).toEqual(lines(readFileSync('/proc/self/net/dev', 'latin1')));
    } finally {
      file.close();
    }
  });

  it('opens an ordinary file at every read, so a file deleted and written anew reads anew', async () => {
    const path = join(tmp, 'memory.current');
    await writeFile(path, '100\n');
    const before = heldKernelFiles();
    const file = new KernelFile(path);
    expect(file.read()).toBe('100\n');
    expect(heldKernelFiles()).toBe(before);
    await rm(path);
    expect(file.read()).toBeNull();
    await writeFile(path, '200\n');
    expect(file.read()).toBe('200\n');
    file.close();
  });

  it('reads a file larger than its buffer whole', async () => {
    const path = join(tmp, 'memory.stat');
    const text = Array.from({ length: 5000 }, (_, i) => `key_${i} ${i * 4096}`).join('\n');
    await writeFile(path, text);
    const file = new KernelFile(path);
    expect(file.read()).toBe(text);
    expect(file.read()).toBe(text);
    file.close();
  });

  it('reads null for a path that does not exist', () => {
    const file = new KernelFile(join(tmp, 'gone', 'cpu.stat'));
    expect(file.read()).toBeNull();
    file.close();
  });
});
