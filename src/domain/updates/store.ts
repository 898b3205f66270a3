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
}

/** A kept result, and the local digest its `since` was first seen against (null: none). */
export interface StoredImageUpdate {
  update: ImageUpdate;
  sinceDigest: string | null;
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
        ]
      >(
        `INSERT INTO image_updates (reference, status, local_digest, remote_digest, checked_at, since, since_digest, error, images)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (reference) DO UPDATE SET status = excluded.status, local_digest = excluded.local_digest,
           remote_digest = excluded.remote_digest, checked_at = excluded.checked_at, since = excluded.since,
           since_digest = excluded.since_digest, error = excluded.error, images = excluded.images`,
      ),
      remove: db.prepare<[string]>('DELETE FROM image_updates WHERE reference = ?'),
    };
  }

  list(): StoredImageUpdate[] {
    return this.#statements.all.all().map((row) => ({
      update: {
        reference: row.reference,
        status: row.status,
        localDigest: row.local_digest,
        remoteDigest: row.remote_digest,
        checkedAt: new Date(row.checked_at),
        since: row.since === null ? null : new Date(row.since),
        error: row.error,
        imageDigests: JSON.parse(row.images) as Record<string, string | null>,
      },
      sinceDigest: row.since_digest,
    }));
  }

  put({ update, sinceDigest }: StoredImageUpdate): void {
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
    );
  }

  remove(reference: string): void {
    this.#statements.remove.run(reference);
  }
}
