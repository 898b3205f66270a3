import { describe, expect, it } from 'vitest';
import type { PullEvent } from '../../src/domain/images/model.js';
import { applyPullEvent, pullSnapshot } from '../../src/domain/images/progress.js';
import { normalizeReference, validatePullRef } from '../../src/domain/images/reference.js';
import { InvalidInputError } from '../../src/shared/errors.js';

describe('normalizeReference: one key per image, so its pulls are shared', () => {
  it.each([
    ['busybox', 'busybox:latest'],
    ['busybox:latest', 'busybox:latest'],
    ['library/busybox', 'busybox:latest'],
    ['docker.io/library/busybox', 'busybox:latest'],
    ['docker.io/team/app', 'team/app:latest'],
    ['127.0.0.1:5000/team/app', '127.0.0.1:5000/team/app:latest'],
    ['127.0.0.1:5000/team/app:v1', '127.0.0.1:5000/team/app:v1'],
    [`app@sha256:${'a'.repeat(64)}`, `app@sha256:${'a'.repeat(64)}`],
    ['registry.example/library/app', 'registry.example/library/app:latest'],
  ])('%s is %s', (reference, normalized) => {
    expect(normalizeReference(reference)).toBe(normalized);
  });

  it('refuses image ids and malformed references for a pull', () => {
    for (const bad of ['', 'UPPER', 'a b', `sha256:${'0'.repeat(64)}`, '0'.repeat(64)]) {
      expect(() => validatePullRef(bad), bad).toThrow(InvalidInputError);
    }
  });
});

describe('applyPullEvent: Docker’s progress lines folded into one snapshot', () => {
  const fold = (events: PullEvent[]) => events.reduce(applyPullEvent, pullSnapshot('app:latest', 'PULLING'));
  const layer = (id: string, status: string, currentBytes?: number, totalBytes?: number): PullEvent => ({
    kind: 'layer',
    id,
    status,
    ...(currentBytes !== undefined && { currentBytes }),
    ...(totalBytes !== undefined && { totalBytes }),
  });

  it('sums downloaded bytes over the layers, keeping each layer’s latest status', () => {
    const progress = fold([
      { kind: 'status', status: 'Pulling from app' },
      layer('aaa', 'Already exists'),
      layer('bbb', 'Pulling fs layer'),
      layer('ccc', 'Pulling fs layer'),
      layer('bbb', 'Downloading', 100, 1000),
      layer('ccc', 'Downloading', 50, 500),
      layer('bbb', 'Downloading', 600, 1000),
    ]);
    expect(progress.layers).toEqual([
      { id: 'aaa', status: 'Already exists', currentBytes: 0, totalBytes: 0 },
      { id: 'bbb', status: 'Downloading', currentBytes: 600, totalBytes: 1000 },
      { id: 'ccc', status: 'Downloading', currentBytes: 50, totalBytes: 500 },
    ]);
    expect(progress).toMatchObject({ currentBytes: 650, totalBytes: 1500 });
  });

  it('counts a layer whole once downloaded, whatever extraction reports', () => {
    const progress = fold([
      layer('bbb', 'Downloading', 600, 1000),
      layer('bbb', 'Verifying Checksum'),
      layer('bbb', 'Extracting', 32, 1000),
      layer('bbb', 'Pull complete'),
    ]);
    expect(progress.layers).toEqual([
      { id: 'bbb', status: 'Pull complete', currentBytes: 1000, totalBytes: 1000 },
    ]);
    expect(progress).toMatchObject({ currentBytes: 1000, totalBytes: 1000 });
  });
});
