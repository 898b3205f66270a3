// The audit log records how each mutation ended, typed errors of its payload union included: a
// mutation that answered NetworkNotFoundError is `error:NETWORK_NOT_FOUND`, not `ok`.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthClient, type RunningBerth } from '../support/berth.js';
import { AuditLog } from '../support/operations/audit.js';

let berth: RunningBerth;
let admin: BerthClient;
let viewer: BerthClient;

beforeAll(async () => {
  berth = await startBerth({ BERTH_AUTH: 'on' });
  admin = berth.asRole('admin');
  viewer = berth.asRole('viewer');
});
afterAll(() => berth.stop());

async function mutate(client: BerthClient, query: string): Promise<unknown> {
  const response = await client.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return ((await response.json()) as { data?: unknown }).data;
}

async function lastEntry(action: string): Promise<{ target: string | null; result: string }> {
  const { auditLog } = await admin.query(AuditLog, { first: 50, filter: { action } });
  const [entry] = auditLog.entries;
  if (!entry) throw new Error(`no audit entry for ${action}`);
  return entry;
}

describe('the audit log of mutations', () => {
  it('records a typed error of the payload union with its code', async () => {
    expect(await mutate(admin, 'mutation { removeNetwork(id: "no-such-network") { __typename } }')).toEqual({
      removeNetwork: { __typename: 'NetworkNotFoundError' },
    });
    expect(await lastEntry('removeNetwork')).toMatchObject({
      target: 'no-such-network',
      result: 'error:NETWORK_NOT_FOUND',
    });

    // No BERTH_SECRET_KEY: refused, and audited as refused (never with the password).
    await mutate(
      admin,
      'mutation { saveRegistryCredential(registry: "127.0.0.1:5999", username: "u", password: "audit-pw-0123456789") { __typename } }',
    );
    expect(await lastEntry('saveRegistryCredential')).toMatchObject({
      target: '127.0.0.1:5999',
      result: 'error:SECRET_KEY_MISSING',
    });
  });

  it('records a success as ok, and a role refusal as denied', async () => {
    expect(
      await mutate(admin, 'mutation { createToken(name: "audited", role: VIEWER) { __typename } }'),
    ).toEqual({
      createToken: { __typename: 'CreateTokenSuccess' },
    });
    expect(await lastEntry('createToken')).toMatchObject({ result: 'ok' });

    await mutate(viewer, 'mutation { removeNetwork(id: "no-such-network") { __typename } }');
    expect(await lastEntry('removeNetwork')).toMatchObject({ result: 'denied' });
  });
});
