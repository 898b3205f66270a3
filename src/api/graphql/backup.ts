import type { RestoreResult } from '../../domain/backup/service.js';
import type { RestoreItem } from '../../domain/backup/section.js';
import { InvalidInputError, InvalidStateError } from '../../shared/errors.js';
import { builder } from './builder.js';

/** Backup and restore of berth's own state and of what it manages; admin only. */

const admin = { authScopes: { admin: true } } as const;

const RestoreOutcomeEnum = builder.enumType('RestoreOutcome', {
  values: {
    RESTORED: { value: 'restored' },
    SKIPPED: { value: 'skipped', description: 'It exists here already (same name) and was left as it is.' },
    FAILED: { value: 'failed', description: 'berth tried and could not; reason says why.' },
    NOT_RESTORABLE: {
      value: 'notRestorable',
      description: 'A backup cannot bring it back by design (a token’s secret); reason says what to do.',
    },
  } as const,
});

const RestoreItemRef = builder.objectRef<RestoreItem>('RestoreItem').implement({
  fields: (t) => ({
    section: t.exposeString('section', { description: 'templates, policy, tokens, containers, …' }),
    item: t.exposeString('item', { description: 'Its name; * for a whole section that stopped.' }),
    outcome: t.field({ type: RestoreOutcomeEnum, resolve: (item) => item.outcome }),
    reason: t.exposeString('reason', { nullable: true }),
  }),
});

const count = (result: RestoreResult, outcome: RestoreItem['outcome']) =>
  result.items.filter((item) => item.outcome === outcome).length;

const RestoreReportRef = builder.objectRef<RestoreResult>('RestoreReport').implement({
  fields: (t) => ({
    backupCreatedAt: t.exposeString('backupCreatedAt', { nullable: true }),
    items: t.field({ type: [RestoreItemRef], resolve: (result) => result.items }),
    restored: t.int({ resolve: (result) => count(result, 'restored') }),
    skipped: t.int({ resolve: (result) => count(result, 'skipped') }),
    failed: t.int({ resolve: (result) => count(result, 'failed') }),
    notRestorable: t.int({ resolve: (result) => count(result, 'notRestorable') }),
  }),
});

builder.queryField('backup', (t) =>
  t.field({
    ...admin,
    type: 'JSONObject',
    description:
      'berth’s state and the specs of what it manages, as one document ({ format: "berth-backup", version: 1, createdAt, sections }) that restore takes back. Token metadata only, alert rules without their webhook secrets: never a secret or a hash.',
    resolve: (_, __, { backup }) => backup.create(),
  }),
);

builder.mutationField('restore', (t) =>
  t.field({
    ...admin,
    type: RestoreReportRef,
    description:
      'Recreates what a backup holds and this berth lacks, section by section, and reports each item. Nothing that exists is changed. Pass the document as a variable.',
    args: { document: t.arg({ type: 'JSONObject', required: true }) },
    errors: { dataField: { name: 'report' }, types: [InvalidInputError, InvalidStateError] },
    resolve: (_, { document }, { backup }) => backup.restore(document),
  }),
);
