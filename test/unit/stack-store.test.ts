import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitSourceStore, type StoredGitSource } from '../../src/domain/stacks/git/store.js';
import { StackStore, type StackRecord } from '../../src/domain/stacks/store.js';
import { BerthDatabase } from '../../src/platform/store/database.js';
import { MIGRATIONS } from '../../src/platform/store/migrations.js';

/** Stacks and their git sources per environment in berth's database (migrations 20, 21): one store per environment. */

let dataDir: string;
const opened: BerthDatabase[] = [];

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'berth-stack-store-'));
});

afterEach(() => {
  for (const db of opened.splice(0)) db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function open(migrations = MIGRATIONS): BerthDatabase {
  const db = BerthDatabase.open({ dataDir, migrations });
  opened.push(db);
  return db;
}

const record = (name: string, compose: string): StackRecord => ({
  name,
  compose,
  env: '',
  hash: `hash-of-${compose}`,
  deployedAt: new Date(1_700_000_000_000),
  deployedBy: 'test',
  scales: {},
});

const history = (stack: string, summary: string) => ({
  stack,
  hash: 'h',
  actor: 'test',
  action: 'DEPLOY' as const,
  ok: true,
  summary,
  at: new Date(1_700_000_000_000),
});

describe('StackStore per environment', () => {
  it('keeps the same name on two environments apart: records, history and removal', () => {
    const db = open();
    const local = new StackStore(db, 'local');
    const edge = new StackStore(db, 'edge');
    local.record(history('shop', 'local deploy'), record('shop', 'local file'));
    edge.record(history('shop', 'edge deploy'), record('shop', 'edge file'));
    edge.save({ ...record('shop', 'edge file'), scales: { web: 3 } });

    expect(local.get('shop')?.compose).toBe('local file');
    expect(local.get('shop')?.scales).toEqual({});
    expect(edge.get('shop')).toMatchObject({ compose: 'edge file', scales: { web: 3 } });
    expect(local.history('shop', 10).map((entry) => entry.summary)).toEqual(['local deploy']);
    expect(edge.history('shop', 10).map((entry) => entry.summary)).toEqual(['edge deploy']);

    edge.delete('shop');
    expect(edge.get('shop')).toBeNull();
    expect(edge.list()).toEqual([]);
    expect(local.list().map((stack) => stack.name)).toEqual(['shop']);
    // History outlives the stack, in its own environment.
    expect(edge.history('shop', 10)).toHaveLength(1);
  });

  it('migrates the stacks, history and webhooks made before it as the local environment’s', () => {
    const before = MIGRATIONS.filter((migration) => migration.version < 20);
    const old = open(before);
    old
      .prepare(
        `INSERT INTO stacks (name, compose, env, hash, deployed_at, deployed_by, scales)
       VALUES ('shop', 'file', '', 'h', 1, 'test', '{"web":2}')`,
      )
      .run();
    old
      .prepare(
        `INSERT INTO stack_history (stack, hash, actor, action, ok, summary, at)
       VALUES ('shop', 'h', 'test', 'DEPLOY', 1, 'first', 1)`,
      )
      .run();
    old.prepare(`INSERT INTO stack_webhooks (stack, secret, created_at) VALUES ('shop', 'sealed', 1)`).run();
    old.close();

    const db = open();
    expect(db.migrations.applied).toContain('20 stacks per environment');
    const local = new StackStore(db, 'local');
    expect(local.get('shop')).toMatchObject({ compose: 'file', scales: { web: 2 } });
    expect(local.history('shop', 10).map((entry) => entry.summary)).toEqual(['first']);
    expect(new StackStore(db, 'edge').get('shop')).toBeNull();
    const webhook = db
      .prepare<[], { environment: string; stack: string }>('SELECT environment, stack FROM stack_webhooks')
      .all();
    expect(webhook).toEqual([{ environment: 'local', stack: 'shop' }]);

    // The webhook still hangs on its stack: removing the stack removes it.
    local.delete('shop');
    expect(db.prepare('SELECT * FROM stack_webhooks').all()).toEqual([]);
  });

  it('keeps git sources per environment, and migrates those made before it as local’s', () => {
    const before = MIGRATIONS.filter((migration) => migration.version < 21);
    const old = open(before);
    old
      .prepare(
        `INSERT INTO stack_git_sources (stack, repository, ref, path, auth, secret, env, remove_orphans,
         timeout_seconds, poll_minutes, commit_id, files_hash, synced_at)
       VALUES ('shop', 'https://example.com/shop.git', 'main', 'compose.yaml', 'NONE', NULL, '', 0, 120, 5,
         'c1', 'f1', 1)`,
      )
      .run();
    old.close();

    const db = open();
    expect(db.migrations.applied).toContain('21 git stacks per environment');
    const local = new GitSourceStore(db, 'local');
    const edge = new GitSourceStore(db, 'edge');
    expect(local.get('shop')).toMatchObject({ repository: 'https://example.com/shop.git', commit: 'c1' });
    expect(edge.get('shop')).toBeNull();

    const source: StoredGitSource = { ...local.get('shop')!, repository: 'https://example.com/edge.git' };
    edge.save(source);
    edge.touch('shop', new Date(5));
    expect(edge.get('shop')).toMatchObject({
      repository: 'https://example.com/edge.git',
      syncedAt: new Date(5),
    });
    expect(local.get('shop')).toMatchObject({
      repository: 'https://example.com/shop.git',
      syncedAt: new Date(1),
    });
    local.delete('shop');
    expect(local.list()).toEqual([]);
    expect(edge.list().map((stored) => stored.stack)).toEqual(['shop']);
  });
});
