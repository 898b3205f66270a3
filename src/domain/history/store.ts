import type { ContainerStats } from '../stats/model.js';
import type { BerthDatabase } from '../../platform/store/database.js';

/**
 * The stats history tables (migration 4), laid out for what happens every second: one write of
 * every running container's sample.
 *
 * - `stats_recent` takes each tick. It is clustered by time, so a tick of 200 containers fills a
 *   few pages at the end of one b-tree. Clustered by container, the same tick would dirty a page
 *   per container (measured: ~1.2 MB of WAL per tick against ~35 KB).
 * - Once a minute, `maintain` moves the completed minutes out of it: their samples to
 *   `stats_samples`, clustered by container for fast range reads, and their aggregates to
 *   `stats_minutes`. A page per container once a minute is cheap; once a second it was not.
 * - Every sample is in exactly one of `stats_recent` and `stats_samples`, and in `stats_minutes`
 *   once moved, so reads combine the two without counting anything twice, and a restart loses
 *   nothing: what was recent is compacted by the next berth.
 *
 * `stats_minutes` keeps sums and counts rather than averages, so minutes and the partial minute
 * still in `stats_recent` combine exactly into any longer step. Containers are keyed by a small
 * series id from `stats_series` rather than their 64-character id, halving each row.
 */

export const MINUTE_MS = 60_000;

/** What one maintenance step did, for the debug log and the tests. */
export interface MaintenanceReport {
  /** Samples moved out of the recent table. */
  compacted: number;
  /** Samples and minutes deleted as past the retention. */
  samples: number;
  minutes: number;
}

/** Which containers a maintenance step covers: series ids from `first` to `last`. */
export interface SeriesRange {
  first: number;
  last: number;
}

type SampleParams = [
  series: number,
  at: number,
  cpuPercent: number | null,
  memoryUsageBytes: number,
  memoryPercent: number,
  memoryLimitBytes: number,
  networkRxBytes: number,
  networkTxBytes: number,
  blockReadBytes: number,
  blockWriteBytes: number,
  pids: number,
];

interface SampleRow {
  at: number;
  cpu_percent: number | null;
  memory_usage_bytes: number;
  memory_percent: number;
  memory_limit_bytes: number;
  network_rx_bytes: number;
  network_tx_bytes: number;
  block_read_bytes: number;
  block_write_bytes: number;
  pids: number;
}

/**
 * A part of one bucket: sums and counts of the gauges, and the other figures as of its last
 * sample. Parts of the same bucket from different tables combine exactly.
 */
interface PartialRow extends Omit<SampleRow, 'at' | 'cpu_percent' | 'memory_usage_bytes' | 'memory_percent'> {
  bucket: number;
  samples: number;
  cpu_sum: number;
  cpu_samples: number;
  memory_usage_sum: number;
  memory_percent_sum: number;
  last_at: number;
}

type RangeParams = [beforeMs: number, first: number, last: number];

/** Bound as bigints so that SQLite divides integers (a JS number binds as REAL). */
type BucketParams = [stepMs: bigint, stepMs: bigint, series: number, fromMs: number, toMs: number];

const COUNTERS = `memory_limit_bytes, network_rx_bytes, network_tx_bytes, block_read_bytes, block_write_bytes, pids`;
const SAMPLE_COLUMNS = `at, cpu_percent, memory_usage_bytes, memory_percent, ${COUNTERS}`;
// SQLite's documented rule for bare columns: with exactly one max() in a query, they come from
// the row holding the maximum, here each bucket's last sample.
const SAMPLE_PARTIALS = `(at / ?) * ? AS bucket, count(*) AS samples, total(cpu_percent) AS cpu_sum,
  count(cpu_percent) AS cpu_samples, sum(memory_usage_bytes) AS memory_usage_sum,
  total(memory_percent) AS memory_percent_sum, max(at) AS last_at, ${COUNTERS}`;

export class StatsHistoryStore {
  readonly #db: BerthDatabase;
  /** container id → series id, for the containers seen since start. */
  readonly #series = new Map<string, number>();
  readonly #findSeries;
  readonly #addSeries;
  readonly #insertRecent;
  readonly #aggregateRecent;
  readonly #moveRecent;
  readonly #deleteRecent;
  readonly #samples;
  readonly #archivedPartials;
  readonly #recentPartials;
  readonly #minutePartials;
  readonly #forget;
  readonly #allSeries;
  readonly #pruneSamples;
  readonly #pruneMinutes;
  readonly #pruneSeries;
  readonly #countSamples;
  readonly #countMinutes;
  readonly #oldestSample;

  constructor(db: BerthDatabase) {
    this.#db = db;
    this.#findSeries = db.prepare<[string], { id: number }>(
      'SELECT id FROM stats_series WHERE container_id = ?',
    );
    this.#addSeries = db.prepare<[string], { id: number }>(
      'INSERT INTO stats_series (container_id) VALUES (?) RETURNING id',
    );
    this.#insertRecent = db.prepare<SampleParams>(
      `INSERT INTO stats_recent (series, ${SAMPLE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (at, series) DO NOTHING`,
    );
    // Merges into a minute already there (a sample that came late, after its minute was moved).
    // SET expressions all read the row as it was: `last_at` in each is the minute's previous one.
    const latest = (column: string) =>
      `${column} = iif(excluded.last_at > last_at, excluded.${column}, ${column})`;
    this.#aggregateRecent = db.prepare<RangeParams>(
      `INSERT INTO stats_minutes (series, minute, samples, cpu_sum, cpu_samples, memory_usage_sum,
         memory_percent_sum, last_at, ${COUNTERS})
       SELECT series, (at / ${MINUTE_MS}) * ${MINUTE_MS} AS minute, count(*), total(cpu_percent),
         count(cpu_percent), sum(memory_usage_bytes), total(memory_percent), max(at), ${COUNTERS}
       FROM stats_recent WHERE at < ? AND series BETWEEN ? AND ? GROUP BY series, minute
       ON CONFLICT (series, minute) DO UPDATE SET
         samples = samples + excluded.samples,
         cpu_sum = cpu_sum + excluded.cpu_sum,
         cpu_samples = cpu_samples + excluded.cpu_samples,
         memory_usage_sum = memory_usage_sum + excluded.memory_usage_sum,
         memory_percent_sum = memory_percent_sum + excluded.memory_percent_sum,
         ${COUNTERS.split(', ').map(latest).join(', ')},
         last_at = max(last_at, excluded.last_at)`,
    );
    // In (series, at) order: each container's rows go to the end of its run in one sweep.
    this.#moveRecent = db.prepare<RangeParams>(
      `INSERT INTO stats_samples (series, ${SAMPLE_COLUMNS})
       SELECT series, ${SAMPLE_COLUMNS} FROM stats_recent WHERE at < ? AND series BETWEEN ? AND ?
       ORDER BY series, at
       ON CONFLICT (series, at) DO NOTHING`,
    );
    this.#deleteRecent = db.prepare<RangeParams>(
      'DELETE FROM stats_recent WHERE at < ? AND series BETWEEN ? AND ?',
    );
    this.#samples = db.prepare<[{ series: number; from: number; to: number }], SampleRow>(
      `SELECT ${SAMPLE_COLUMNS} FROM stats_samples WHERE series = @series AND at >= @from AND at < @to
       UNION ALL
       SELECT ${SAMPLE_COLUMNS} FROM stats_recent WHERE at >= @from AND at < @to AND series = @series
       ORDER BY at`,
    );
    this.#archivedPartials = db.prepare<BucketParams, PartialRow>(
      `SELECT ${SAMPLE_PARTIALS} FROM stats_samples WHERE series = ? AND at >= ? AND at < ? GROUP BY bucket`,
    );
    this.#recentPartials = db.prepare<BucketParams, PartialRow>(
      `SELECT ${SAMPLE_PARTIALS} FROM stats_recent WHERE series = ? AND at >= ? AND at < ? GROUP BY bucket`,
    );
    this.#minutePartials = db.prepare<BucketParams, PartialRow>(
      `SELECT (minute / ?) * ? AS bucket, sum(samples) AS samples, sum(cpu_sum) AS cpu_sum,
         sum(cpu_samples) AS cpu_samples, sum(memory_usage_sum) AS memory_usage_sum,
         sum(memory_percent_sum) AS memory_percent_sum, max(last_at) AS last_at, ${COUNTERS}
       FROM stats_minutes WHERE series = ? AND minute >= ? AND minute < ? GROUP BY bucket`,
    );
    const forget = [
      db.prepare<[number]>('DELETE FROM stats_recent WHERE series = ?'),
      db.prepare<[number]>('DELETE FROM stats_samples WHERE series = ?'),
      db.prepare<[number]>('DELETE FROM stats_minutes WHERE series = ?'),
      db.prepare<[number]>('DELETE FROM stats_series WHERE id = ?'),
    ];
    this.#forget = (series: number) => {
      for (const statement of forget) statement.run(series);
    };
    this.#allSeries = db.prepare<[], { id: number }>('SELECT id FROM stats_series ORDER BY id');
    // Through the series, so each deletes the front of one container's run by primary key.
    this.#pruneSamples = db.prepare<[first: number, last: number, beforeMs: number]>(
      'DELETE FROM stats_samples WHERE series IN (SELECT id FROM stats_series WHERE id BETWEEN ? AND ?) AND at < ?',
    );
    this.#pruneMinutes = db.prepare<[first: number, last: number, beforeMs: number]>(
      'DELETE FROM stats_minutes WHERE series IN (SELECT id FROM stats_series WHERE id BETWEEN ? AND ?) AND minute < ?',
    );
    this.#pruneSeries = db.prepare<[], { container_id: string }>(
      `DELETE FROM stats_series
       WHERE NOT EXISTS (SELECT 1 FROM stats_minutes WHERE series = stats_series.id)
         AND NOT EXISTS (SELECT 1 FROM stats_samples WHERE series = stats_series.id)
         AND id NOT IN (SELECT series FROM stats_recent)
       RETURNING container_id`,
    );
    this.#countSamples = db.prepare<[{ series: number }], { n: number }>(
      `SELECT (SELECT count(*) FROM stats_samples WHERE series = @series)
         + (SELECT count(*) FROM stats_recent WHERE series = @series) AS n`,
    );
    this.#countMinutes = db.prepare<[number], { n: number }>(
      'SELECT count(*) AS n FROM stats_minutes WHERE series = ?',
    );
    this.#oldestSample = db.prepare<[{ series: number }], { at: number | null }>(
      `SELECT coalesce((SELECT min(at) FROM stats_samples WHERE series = @series),
         (SELECT min(at) FROM stats_recent WHERE series = @series)) AS at`,
    );
  }

  /** Writes one tick's samples in one transaction; a sample already recorded is skipped. */
  record(samples: Iterable<ContainerStats>): void {
    this.#db.transaction(() => {
      for (const s of samples) {
        this.#insertRecent.run(
          this.#seriesOf(s.containerId, true),
          s.at.getTime(),
          s.cpuPercent,
          s.memoryUsageBytes,
          s.memoryPercent,
          s.memoryLimitBytes,
          s.networkRxBytes,
          s.networkTxBytes,
          s.blockReadBytes,
          s.blockWriteBytes,
          s.pids,
        );
      }
    });
  }

  /** Every container with history, as ranges of at most `size` series for maintenance steps. */
  seriesRanges(size: number): SeriesRange[] {
    const ids = this.#allSeries.all().map((row) => row.id);
    const ranges: SeriesRange[] = [];
    for (let i = 0; i < ids.length; i += size) {
      ranges.push({ first: ids[i]!, last: ids[Math.min(i + size, ids.length) - 1]! });
    }
    return ranges;
  }

  /**
   * One maintenance step over some containers, in one transaction: moves their samples taken
   * before `compactBeforeMs` out of the recent table, aggregating their minutes, then deletes
   * their moved samples taken before `samplesBeforeMs` and minutes that began before
   * `minutesBeforeMs`.
   */
  maintain(
    { first, last }: SeriesRange,
    compactBeforeMs: number,
    samplesBeforeMs: number,
    minutesBeforeMs: number,
  ): MaintenanceReport {
    return this.#db.transaction(() => {
      this.#aggregateRecent.run(compactBeforeMs, first, last);
      this.#moveRecent.run(compactBeforeMs, first, last);
      return {
        compacted: this.#deleteRecent.run(compactBeforeMs, first, last).changes,
        samples: this.#pruneSamples.run(first, last, samplesBeforeMs).changes,
        minutes: this.#pruneMinutes.run(first, last, minutesBeforeMs).changes,
      };
    });
  }

  /** Forgets the containers left with no history at all, and returns their ids. */
  pruneEmptySeries(): string[] {
    const containers = this.#pruneSeries.all().map((row) => row.container_id);
    for (const id of containers) this.#series.delete(id);
    return containers;
  }

  /** The samples in `[fromMs, toMs)`, as recorded, oldest first. */
  samples(containerId: string, fromMs: number, toMs: number): ContainerStats[] {
    const series = this.#seriesOf(containerId, false);
    if (series === undefined) return [];
    return this.#samples.all({ series, from: fromMs, to: toMs }).map((row) => toStats(containerId, row));
  }

  /**
   * One point per `stepMs` bucket (aligned to multiples of the step since the epoch) that has
   * samples in `[fromMs, toMs)`, at the bucket's start, from the moved samples or (for steps in
   * whole minutes only) the minute aggregates, plus what is still recent.
   */
  buckets(
    containerId: string,
    fromMs: number,
    toMs: number,
    stepMs: number,
    source: 'samples' | 'minutes',
  ): ContainerStats[] {
    const series = this.#seriesOf(containerId, false);
    if (series === undefined) return [];
    const params: BucketParams = [BigInt(stepMs), BigInt(stepMs), series, fromMs, toMs];
    const older = source === 'minutes' ? this.#minutePartials : this.#archivedPartials;
    const buckets = new Map<number, PartialRow>();
    for (const part of [...older.all(...params), ...this.#recentPartials.all(...params)]) {
      const bucket = buckets.get(part.bucket);
      buckets.set(part.bucket, bucket ? combine(bucket, part) : part);
    }
    return [...buckets.values()]
      .sort((a, b) => a.bucket - b.bucket)
      .map((part) =>
        toStats(containerId, {
          at: part.bucket,
          cpu_percent: part.cpu_samples === 0 ? null : part.cpu_sum / part.cpu_samples,
          // An average of byte counts is rarely whole; the API's byte fields are integers.
          memory_usage_bytes: Math.round(part.memory_usage_sum / part.samples),
          memory_percent: part.memory_percent_sum / part.samples,
          memory_limit_bytes: part.memory_limit_bytes,
          network_rx_bytes: part.network_rx_bytes,
          network_tx_bytes: part.network_tx_bytes,
          block_read_bytes: part.block_read_bytes,
          block_write_bytes: part.block_write_bytes,
          pids: part.pids,
        }),
      );
  }

  /** Deletes every sample and aggregate of the container. */
  forget(containerId: string): void {
    const series = this.#seriesOf(containerId, false);
    this.#series.delete(containerId);
    if (series === undefined) return;
    this.#db.transaction(() => this.#forget(series));
  }

  /** Rows held for a container (samples wherever they are, minutes moved), for tests and diagnostics. */
  rowCounts(containerId: string): { samples: number; minutes: number } {
    const series = this.#seriesOf(containerId, false);
    if (series === undefined) return { samples: 0, minutes: 0 };
    return {
      samples: this.#countSamples.get({ series })?.n ?? 0,
      minutes: this.#countMinutes.get(series)?.n ?? 0,
    };
  }

  /** When the oldest sample kept of a container was taken, for tests and diagnostics. */
  oldestSample(containerId: string): Date | null {
    const series = this.#seriesOf(containerId, false);
    const at = series === undefined ? null : (this.#oldestSample.get({ series })?.at ?? null);
    return at === null ? null : new Date(at);
  }

  #seriesOf(containerId: string, create: true): number;
  #seriesOf(containerId: string, create: false): number | undefined;
  #seriesOf(containerId: string, create: boolean): number | undefined {
    let series = this.#series.get(containerId) ?? this.#findSeries.get(containerId)?.id;
    if (series === undefined && create) series = this.#addSeries.get(containerId)?.id;
    if (series !== undefined) this.#series.set(containerId, series);
    return series;
  }
}

function combine(a: PartialRow, b: PartialRow): PartialRow {
  const last = b.last_at > a.last_at ? b : a;
  return {
    ...last,
    samples: a.samples + b.samples,
    cpu_sum: a.cpu_sum + b.cpu_sum,
    cpu_samples: a.cpu_samples + b.cpu_samples,
    memory_usage_sum: a.memory_usage_sum + b.memory_usage_sum,
    memory_percent_sum: a.memory_percent_sum + b.memory_percent_sum,
  };
}

function toStats(containerId: string, row: SampleRow): ContainerStats {
  return {
    containerId,
    at: new Date(row.at),
    cpuPercent: row.cpu_percent,
    memoryUsageBytes: row.memory_usage_bytes,
    memoryLimitBytes: row.memory_limit_bytes,
    memoryPercent: row.memory_percent,
    networkRxBytes: row.network_rx_bytes,
    networkTxBytes: row.network_tx_bytes,
    blockReadBytes: row.block_read_bytes,
    blockWriteBytes: row.block_write_bytes,
    pids: row.pids,
  };
}
