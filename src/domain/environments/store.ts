import type { BerthDatabase } from '../../platform/store/database.js';

/** An environment as the database keeps it: its secret material sealed (see migration 18). */
export interface StoredEnvironment {
  name: string;
  endpoint: string;
  kind: 'socket' | 'tcp' | 'ssh';
  source: 'API' | 'DOCKER_CONTEXT';
  hostKeySha256: string | null;
  /** The sealed TLS files or SSH key (SecretBox); null for a unix socket, which has none. */
  secret: string | null;
  createdAt: Date;
}

interface Row {
  name: string;
  endpoint: string;
  kind: StoredEnvironment['kind'];
  source: StoredEnvironment['source'];
  host_key_sha256: string | null;
  secret: string | null;
  created_at: number;
}

/** The environments added through the API or imported, kept across restarts. */
export class EnvironmentStore {
  readonly #all;
  readonly #get;
  readonly #insert;
  readonly #delete;
  readonly #pinHostKey;

  constructor(database: BerthDatabase) {
    this.#all = database.prepare<[], Row>('SELECT * FROM environments ORDER BY name');
    this.#get = database.prepare<[string], Row>('SELECT * FROM environments WHERE name = ?');
    this.#insert = database.prepare<[Row]>(
      `INSERT INTO environments (name, endpoint, kind, source, host_key_sha256, secret, created_at)
       VALUES (@name, @endpoint, @kind, @source, @host_key_sha256, @secret, @created_at)`,
    );
    this.#delete = database.prepare<[string]>('DELETE FROM environments WHERE name = ?');
    this.#pinHostKey = database.prepare<[string, string]>(
      'UPDATE environments SET host_key_sha256 = ? WHERE name = ? AND host_key_sha256 IS NULL',
    );
  }

  list(): StoredEnvironment[] {
    return this.#all.all().map(fromRow);
  }

  has(name: string): boolean {
    return this.#get.get(name) !== undefined;
  }

  insert(environment: StoredEnvironment): void {
    this.#insert.run({
      name: environment.name,
      endpoint: environment.endpoint,
      kind: environment.kind,
      source: environment.source,
      host_key_sha256: environment.hostKeySha256,
      secret: environment.secret,
      created_at: environment.createdAt.getTime(),
    });
  }

  /** Records the host key an ssh environment first met, unless it already has one; true when recorded. */
  pinHostKey(name: string, sha256: string): boolean {
    return this.#pinHostKey.run(sha256, name).changes > 0;
  }

  delete(name: string): boolean {
    return this.#delete.run(name).changes > 0;
  }
}

function fromRow(row: Row): StoredEnvironment {
  return {
    name: row.name,
    endpoint: row.endpoint,
    kind: row.kind,
    source: row.source,
    hostKeySha256: row.host_key_sha256,
    secret: row.secret,
    createdAt: new Date(row.created_at),
  };
}
