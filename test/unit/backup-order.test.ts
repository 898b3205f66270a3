import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { BackupSection } from '../../src/domain/backup/section.js';
import { BackupService } from '../../src/domain/backup/service.js';

/** A section that records when it was restored. */
function section(name: string, restored: string[], restoreAfter?: string[]): BackupSection {
  return {
    name,
    ...(restoreAfter && { restoreAfter }),
    schema: z.array(z.string()),
    export: () => Promise.resolve([name]),
    restore: (_data, report) => {
      restored.push(name);
      report.restored(name);
      return Promise.resolve();
    },
  } as BackupSection;
}

describe('BackupService restore order (no engine involved)', () => {
  it('restores a section after the sections it names, otherwise in registration order', async () => {
    const restored: string[] = [];
    const backup = new BackupService();
    backup.register(section('containers', restored, ['policy']));
    backup.register(section('templates', restored));
    backup.register(section('alertRules', restored, ['containers']));
    backup.register(section('policy', restored));
    const document = await backup.create();
    // The document keeps registration order.
    expect(Object.keys(document.sections)).toEqual(['containers', 'templates', 'alertRules', 'policy']);
    await backup.restore(document);
    expect(restored).toEqual(['templates', 'policy', 'containers', 'alertRules']);
  });

  it('ignores a dependency this berth has no section for', async () => {
    const restored: string[] = [];
    const backup = new BackupService();
    backup.register(section('containers', restored, ['networks']));
    await backup.restore(await backup.create());
    expect(restored).toEqual(['containers']);
  });
});
