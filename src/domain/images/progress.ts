import type { LayerProgress, PullEvent, PullProgress, PullState } from './model.js';

/** Folding Docker's pull messages into one snapshot that a late subscriber can start from. */

// Once a layer is in one of these phases its download is over, whatever Docker's bytes now count.
const DOWNLOADED = new Set(['Verifying Checksum', 'Download complete', 'Extracting', 'Pull complete']);

export function pullSnapshot(reference: string, state: PullState): PullProgress {
  return { reference, state, layers: [], currentBytes: 0, totalBytes: 0 };
}

export function applyPullEvent(progress: PullProgress, event: PullEvent): PullProgress {
  if (event.kind === 'status') return progress;
  const layers = [...progress.layers];
  const at = layers.findIndex((layer) => layer.id === event.id);
  const before = layers[at] ?? { id: event.id, status: event.status, currentBytes: 0, totalBytes: 0 };
  // Extracting reports its own current/total of the same compressed size: only its total is news.
  const totalBytes = Math.max(before.totalBytes, event.totalBytes ?? 0);
  const currentBytes = DOWNLOADED.has(event.status)
    ? totalBytes
    : event.status === 'Downloading'
      ? (event.currentBytes ?? before.currentBytes)
      : before.currentBytes;
  const layer: LayerProgress = { id: event.id, status: event.status, currentBytes, totalBytes };
  if (at >= 0) layers[at] = layer;
  else layers.push(layer);
  return {
    ...progress,
    layers,
    currentBytes: layers.reduce((sum, l) => sum + l.currentBytes, 0),
    totalBytes: layers.reduce((sum, l) => sum + l.totalBytes, 0),
  };
}
