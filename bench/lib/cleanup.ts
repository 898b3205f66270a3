/**
 * Everything the benchmark starts registers how to undo it here; `cleanUp` runs the undos
 * newest first, on success, on failure, and on Ctrl-C or SIGTERM. A failing undo is reported
 * and the rest still run.
 */

type Undo = { label: string; run: () => Promise<void> };

const undos: Undo[] = [];

/** Registers `run`; the returned function unregisters it (after the caller undid it itself). */
export function onCleanUp(label: string, run: () => Promise<void>): () => void {
  const undo = { label, run };
  undos.push(undo);
  return () => {
    const at = undos.indexOf(undo);
    if (at >= 0) undos.splice(at, 1);
  };
}

export async function cleanUp(): Promise<void> {
  while (undos.length > 0) {
    const undo = undos.pop()!;
    try {
      await undo.run();
    } catch (error) {
      console.error(`bench: cleaning up ${undo.label} failed:`, error);
    }
  }
}

let interrupted = false;

/** True once a signal asked the benchmark to stop: what it measured since is not to be reported. */
export function wasInterrupted(): boolean {
  return interrupted;
}

/** On a signal: clean up once, then exit with the conventional code; a second signal exits at once. */
export function cleanUpOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      console.error(`bench: ${signal}, cleaning up (send it again to exit at once)`);
      void cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
}
