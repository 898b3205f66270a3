import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/platform/config.js';

describe('stats history retention settings', () => {
  it('keeps 1 s samples 15 minutes and minutes 24 hours unless told otherwise', () => {
    expect(loadConfig({}).history).toEqual({ rawRetentionSeconds: 900, retentionSeconds: 86_400 });
    expect(
      loadConfig({ BERTH_HISTORY_RAW_RETENTION_SECONDS: '3600', BERTH_HISTORY_RETENTION_SECONDS: '604800' })
        .history,
    ).toEqual({ rawRetentionSeconds: 3600, retentionSeconds: 604_800 });
  });

  it('stops with the variable’s name on a value out of range or minutes kept shorter than samples', () => {
    for (const env of [
      { BERTH_HISTORY_RAW_RETENTION_SECONDS: '59' },
      { BERTH_HISTORY_RAW_RETENTION_SECONDS: '86401' },
      { BERTH_HISTORY_RAW_RETENTION_SECONDS: '15m' },
      { BERTH_HISTORY_RETENTION_SECONDS: '604801' },
    ]) {
      expect(() => loadConfig(env)).toThrow(new RegExp(Object.keys(env)[0]!));
    }
    expect(() => loadConfig({ BERTH_HISTORY_RETENTION_SECONDS: '600' })).toThrow(ConfigError);
    expect(() => loadConfig({ BERTH_HISTORY_RETENTION_SECONDS: '600' })).toThrow(
      /BERTH_HISTORY_RETENTION_SECONDS must be at least BERTH_HISTORY_RAW_RETENTION_SECONDS/,
    );
  });
});
