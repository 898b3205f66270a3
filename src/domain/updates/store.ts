import type { BerthDatabase } from '../../platform/store/database.js';
import type { ImageUpdate, ImageUpdateStatus } from './model.js';

interface UpdateRow {
  reference: string;
  status: ImageUpdateStatus;
  local_digest: string | null;
  remote_digest: string | null;
  checked_at: number;
  since: number | null;
  since_digest: string | null;
  error: string | null;
  images: string;
  behind_since: string;
}

/** A kept result, and when the registry was first seen ahead of each digest a container ran. */
export interface StoredImageUpdate {
  update: ImageUpdate;
  /** Digest to when: the tag's own (`since`) and each older one a container still runs. */
  behindSince: Map<string, Date>;
}

/** The last check's result per tag in berth's database, so `since` outlives a restart. */
export class ImageUpdateStore {
  readonly #statements;

  constructor(db: BerthDatabase) {
    this.#statements = {
      all: db.prepare<[], UpdateRow>('SELECT * FROM image_updates ORDER BY reference'),
      put: db.prepare<
        [
          string,
          string,
          string | null,
          string | null,
          number,
          number | null,
          string | null,
          string | null,
          string,
          string,
        ]
      >(
        `INSERT INTO image_updates (reference, status, local_digest, remote_digest, checked_at, since, since_digest, error, images, behind_since)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (reference) DO UPDATE SET status = excluded.status, local_digest = excluded.local_digest,
           remote_digest = excluded.remote_digest, checked_at = excluded.checked_at, since = excluded.since,
           since_digest = excluded.since_digest, error = excluded.error, images = excluded.images,
           behind_since = excluded.behind_since`,
      ),
      remove: db.prepare<[string]>('DELETE FROM image_updates WHERE reference = ?'),
    };
  }

  list(): StoredImageUpdate[] {
    return this.#statements.all.all().map((row) => {
      const behindSince = new Map(
        Object.entries(JSON.parse(row.behind_since) as Record<string, number>).map(
          ([digest, at]) => [digest, new Date(at)] as const,
        ),
      );
      // Kept before behind_since was (migration 17): the tag's own.
      if (row.since_digest !== null && row.since !== null && !behindSince.has(row.since_digest)) {
        behindSince.set(row.since_digest, new Date(row.since));
      }
      return { update: toUpdate(row), behindSince };
    });
  }

  put({ update, behindSince }: StoredImageUpdate): void {
    const sinceDigest = update.since === null ? null : update.localDigest;
    this.#statements.put.run(
      update.reference,
      update.status,
      update.localDigest,
      update.remoteDigest,
      update.checkedAt.getTime(),
      update.since?.getTime() ?? null,
      sinceDigest,
      update.error,
      JSON.stringify(update.imageDigests),
      JSON.stringify(Object.fromEntries([...behindSince].map(([digest, at]) => [digest, at.getTime()]))),
    );
  }

  remove(reference: string): void {
    this.#statements.remove.run(reference);
  }
}

function toUpdate(row: UpdateRow): ImageUpdate {
  return {
    reference: row.reference,
    status: row.status,
    localDigest: row.local_digest,
    remoteDigest: row.remote_digest,
    checkedAt: new Date(row.checked_at),
    since: row.since === null ? null : new Date(row.since),
    error: row.error,
    imageDigests: JSON.parse(row.images) as Record<string, string | null>,
  };
}
