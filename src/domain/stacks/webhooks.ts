import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuditLog } from '../../platform/audit/log.js';
import { SecretOpenError, type SecretBox } from '../../platform/secrets/secret-box.js';
import type { BerthDatabase } from '../../platform/store/database.js';
import {
  BerthError,
  InvalidInputError,
  SecretKeyMissingError,
  StackBusyError,
  StackNotFoundError,
} from '../../shared/errors.js';
import { LOCAL_ENVIRONMENT } from '../../shared/validation.js';
import type { Logger } from '../../shared/logger.js';
import type { StackDeployResult } from './model.js';
import {
  eventOf,
  parsePushEvent,
  presentedSignature,
  refMatches,
  signatureMatches,
  UNMATCHABLE_SECRET,
  type HeaderReader,
} from './webhook-signature.js';

/** A stack's push webhook as an operator sees it: never its secret. */
export interface StackWebhook {
  stack: string;
  /** Where a forge sends its deliveries. */
  url: string;
  /** When its secret was made (rotateStackWebhook). */
  createdAt: Date;
  /** When the last signed delivery came; null until one does. */
  lastDeliveryAt: Date | null;
  /** What the last signed delivery did, in words (ignored and why, the sync's result). */
  lastOutcome: string | null;
}

/** Who a webhook's sync acts as: the stack's webhook, as the audit log and the stack's history name it. */
export interface WebhookActor {
  tokenId: null;
  tokenName: string;
  action: 'syncStack';
  principal: string;
}

/** What a sync did, as git stacks answer it. */
export interface StackSyncResult {
  changed: boolean;
  commit: string;
  previousCommit: string | null;
  deploy: StackDeployResult | null;
}

/** Git stacks, as the webhooks need them. */
export interface StackSyncPort {
  /** The branch or tag `stack` follows; null when it is not deployed from git (or unknown). */
  followedRef(stack: string): string | null;
  /** Fetches and redeploys when the commit or the files changed. */
  sync(stack: string, actor: WebhookActor): Promise<StackSyncResult>;
}

/** A delivery as it reached berth: the stack named in its path, its headers and its raw body. */
export interface WebhookDelivery {
  stack: string;
  headers: HeaderReader;
  body: Buffer;
}

/** What berth does with a delivery. */
export type DeliveryAnswer =
  /** Unsigned, wrongly signed, or no stack with a webhook: the caller refuses it as one. */
  | { kind: 'refused' }
  | { kind: 'ping' }
  | { kind: 'ignored'; reason: string }
  /** A sync starts (or, while one runs, one more is queued after it). */
  | { kind: 'accepted'; ref: string; commit: string | null; queued: boolean };

interface Row {
  stack: string;
  secret: string;
  created_at: number;
  last_delivery_at: number | null;
  last_outcome: string | null;
}

/**
 * What the secret is sealed for: a sealed secret copied onto another stack's row, or another
 * environment's stack of the same name, does not open there (local's keep their form from before).
 */
const purposeOf = (environment: string, stack: string) =>
  environment === LOCAL_ENVIRONMENT ? `stack-webhook:${stack}` : `stack-webhook:${environment}/${stack}`;

const SECRET_BYTES = 32;
/** How long a sync waits for another deploy of its stack to end, and how often it looks. */
const BUSY_WAIT_MS = 60 * 60 * 1000;
const BUSY_RETRY_MS = 1_000;
const MAX_OUTCOME = 1000;
const short = (commit: string | null) => (commit === null ? '(none)' : commit.slice(0, 12));

/**
 * Push webhooks of one environment's git stacks: one secret per stack, sealed by the SecretBox, that signs (GitHub,
 * Gitea, Forgejo) or is (GitLab) each delivery; a verified push of the followed ref syncs the stack
 * in the background. One sync per stack at a time: pushes that arrive while one runs are coalesced
 * into one more sync after it, so none is lost and two never run at once.
 */
export class StackWebhooks {
  readonly #box: SecretBox | undefined;
  readonly #environment: string;
  readonly #sync: StackSyncPort | null;
  readonly #audit: AuditLog;
  readonly #log: Logger;
  readonly #urlOf: (stack: string) => string;
  readonly #now: () => number;
  readonly #running = new Map<string, { again: boolean; done: Promise<void> }>();
  #closed = false;
  readonly #get;
  readonly #stackExists;
  readonly #upsert;
  readonly #delivered;

  constructor(
    database: BerthDatabase,
    box: SecretBox | undefined,
    deps: {
      /** The environment whose stacks' webhooks these are. */
      environment: string;
      sync: StackSyncPort | null;
      audit: AuditLog;
      log: Logger;
      urlOf: (stack: string) => string;
      now?: () => number;
    },
  ) {
    this.#box = box;
    this.#environment = deps.environment;
    this.#sync = deps.sync;
    this.#audit = deps.audit;
    this.#log = deps.log;
    this.#urlOf = deps.urlOf;
    this.#now = deps.now ?? Date.now;
    this.#get = database.prepare<[string, string], Row>(
      'SELECT * FROM stack_webhooks WHERE environment = ? AND stack = ?',
    );
    this.#stackExists = database.prepare<[string, string], { found: number }>(
      'SELECT 1 AS found FROM stacks WHERE environment = ? AND name = ?',
    );
    // A new secret starts a new webhook: what the old one last saw is not this one's.
    this.#upsert = database.prepare<[{ environment: string; stack: string; secret: string; at: number }]>(
      `INSERT INTO stack_webhooks (environment, stack, secret, created_at) VALUES (@environment, @stack, @secret, @at)
       ON CONFLICT (environment, stack) DO UPDATE SET secret = @secret, created_at = @at,
         last_delivery_at = NULL, last_outcome = NULL`,
    );
    this.#delivered = database.prepare<[number | null, string, string, string]>(
      `UPDATE stack_webhooks SET last_delivery_at = COALESCE(?, last_delivery_at), last_outcome = ?
       WHERE environment = ? AND stack = ?`,
    );
  }

  /**
   * Makes (or replaces) the webhook of `stack` and answers its secret, the only time it is shown.
   * Refused without a key before anything else, as every stored secret is.
   */
  rotate(stack: string): { webhook: StackWebhook; secret: string } {
    if (!this.#box) throw new SecretKeyMissingError('making a stack webhook');
    // Only a stack berth keeps can have one (the row it hangs on), and only one from git syncs.
    if (!this.#stackExists.get(this.#environment, stack)) throw new StackNotFoundError(stack);
    if (this.#sync && this.#sync.followedRef(stack) === null) {
      throw new InvalidInputError(
        'stack',
        `stack ${stack} is not deployed from git: a push has nothing to sync`,
      );
    }
    const secret = randomBytes(SECRET_BYTES).toString('base64url');
    this.#upsert.run({
      environment: this.#environment,
      stack,
      secret: this.#box.seal(secret, purposeOf(this.#environment, stack)),
      at: this.#now(),
    });
    const webhook = this.get(stack);
    if (!webhook) throw new Error(`the webhook of ${stack} was saved and is gone`);
    return { webhook, secret };
  }

  /** The webhook of `stack`; null when it has none. Removing the stack removes it (its row cascades). */
  get(stack: string): StackWebhook | null {
    const row = this.#get.get(this.#environment, stack);
    return row ? this.#toWebhook(row) : null;
  }

  /**
   * Checks a delivery and acts on it. Every way of failing the check is one `refused`, and the
   * same work is done for a stack without a webhook, so neither the answer nor its timing tells
   * which stacks exist.
   */
  receive(delivery: WebhookDelivery): DeliveryAnswer {
    const row = this.#get.get(this.#environment, delivery.stack);
    const presented = presentedSignature(delivery.headers);
    const secret = row ? this.#open(row) : UNMATCHABLE_SECRET;
    if (!presented || !signatureMatches(secret ?? UNMATCHABLE_SECRET, presented, delivery.body)) {
      return { kind: 'refused' };
    }
    if (!row || secret === null) return { kind: 'refused' };
    const stack = row.stack;
    const answer = this.#decide(stack, delivery);
    if (answer.kind === 'ping') this.#record(stack, 'ping received');
    if (answer.kind === 'ignored') this.#record(stack, `ignored: ${answer.reason}`);
    return answer;
  }

  #decide(stack: string, delivery: WebhookDelivery): DeliveryAnswer {
    const event = eventOf(delivery.headers);
    if (event.kind === 'ping') return { kind: 'ping' };
    if (event.kind === 'other')
      return { kind: 'ignored', reason: `the event "${event.name}" deploys nothing` };
    const push = parsePushEvent(delivery.body, delivery.headers.get('content-type'));
    if (!push) {
      return { kind: 'ignored', reason: 'the body is not a push event (JSON with a "ref")' };
    }
    const followed = this.#sync?.followedRef(stack) ?? null;
    if (followed === null) return { kind: 'ignored', reason: 'the stack is not deployed from git' };
    const ref = push.ref.slice(0, 300);
    if (!refMatches(push.ref, followed)) {
      return { kind: 'ignored', reason: `a push to ${ref}; the stack follows ${followed}` };
    }
    if (push.deleted) return { kind: 'ignored', reason: `the push deleted ${ref}` };
    const queued = this.#trigger(stack);
    this.#record(
      stack,
      queued
        ? `push of ${ref} at ${short(push.after)}: a sync is queued after the running one`
        : `push of ${ref} at ${short(push.after)}: syncing`,
    );
    return { kind: 'accepted', ref, commit: push.after, queued };
  }

  /** The secret in the clear; null when it does not open (no key, another key), which is logged. */
  #open(row: Row): string | null {
    let problem: string;
    if (!this.#box) {
      problem = new SecretKeyMissingError(`checking a delivery of the webhook of stack ${row.stack}`).message;
    } else {
      try {
        return this.#box.open(row.secret, purposeOf(this.#environment, row.stack));
      } catch (error) {
        if (!(error instanceof SecretOpenError)) throw error;
        problem = `the webhook secret of stack ${row.stack} does not open with this BERTH_SECRET_KEY; rotate it`;
      }
    }
    // The delivery is refused as unsigned ones are, so the forge is told nothing; the operator is,
    // once (anyone can post here: a stream of deliveries must not become a stream of log lines).
    // Not a delivery of the webhook's: who sent it is unknown.
    const outcome = `refused: ${problem}`;
    if (row.last_outcome !== outcome) {
      this.#log.warn(problem);
      this.#record(row.stack, outcome, false);
    }
    return null;
  }

  /** Starts a sync of `stack`, or queues one more after the running one; true when queued. */
  #trigger(stack: string): boolean {
    const running = this.#running.get(stack);
    if (running) {
      running.again = true;
      return true;
    }
    const entry = { again: false, done: Promise.resolve() };
    this.#running.set(stack, entry);
    entry.done = (async () => {
      try {
        do {
          entry.again = false;
          await this.#syncOnce(stack);
        } while (entry.again && !this.#closed);
      } finally {
        this.#running.delete(stack);
      }
    })();
    return false;
  }

  async #syncOnce(stack: string): Promise<void> {
    const name = webhookActorName(this.#environment, stack);
    const actor: WebhookActor = { tokenId: null, tokenName: name, action: 'syncStack', principal: name };
    let outcome: string;
    let result: 'ok' | `error:${string}` = 'ok';
    try {
      outcome = describeSync(await this.#syncWhenFree(stack, actor));
    } catch (error) {
      if (error instanceof BerthError) {
        result = `error:${error.code}`;
        outcome = `failed: ${error.code}: ${error.message}`;
      } else {
        result = 'error:INTERNAL';
        outcome = 'failed: an unexpected fault (the server log has it)';
        this.#log.error(`the webhook sync of stack ${stack} failed`, error);
      }
    }
    try {
      this.#record(stack, outcome, false);
      this.#audit.record({
        tokenId: null,
        tokenName: actor.tokenName,
        action: actor.action,
        target: stack,
        result,
        detail: outcome,
      });
    } catch (error) {
      // The store closed under a sync that outlived berth's stop: nothing left to record it in.
      this.#log.warn(`the outcome of the webhook sync of stack ${stack} was not recorded`, error);
    }
  }

  /**
   * Syncs, waiting out a deploy, sync or poll of the stack that runs beside this one: it may have
   * fetched before the push, so giving up would lose the push.
   */
  async #syncWhenFree(stack: string, actor: WebhookActor): Promise<StackSyncResult> {
    if (!this.#sync) throw new Error('no git stacks to sync with');
    const deadline = this.#now() + BUSY_WAIT_MS;
    for (;;) {
      try {
        return await this.#sync.sync(stack, actor);
      } catch (error) {
        if (!(error instanceof StackBusyError) || this.#closed || this.#now() > deadline) throw error;
        await sleep(BUSY_RETRY_MS, undefined, { ref: false });
      }
    }
  }

  /** Sets the outcome; `delivered` for a signed delivery, which moves lastDeliveryAt too. */
  #record(stack: string, outcome: string, delivered = true): void {
    const text = outcome.length > MAX_OUTCOME ? `${outcome.slice(0, MAX_OUTCOME - 1)}…` : outcome;
    // A stack removed while it synced has no row left: its outcome is no one's now.
    this.#delivered.run(delivered ? this.#now() : null, text, this.#environment, stack);
  }

  /** Whether a sync of `stack` runs (or is queued) now. */
  syncing(stack: string): boolean {
    return this.#running.has(stack);
  }

  /** No sync is queued after this; resolves when the running ones have ended. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#running.values()].map((entry) => entry.done));
  }

  #toWebhook(row: Row): StackWebhook {
    return {
      stack: row.stack,
      url: this.#urlOf(row.stack),
      createdAt: new Date(row.created_at),
      lastDeliveryAt: row.last_delivery_at === null ? null : new Date(row.last_delivery_at),
      lastOutcome: row.last_outcome,
    };
  }
}

/** Who a webhook acts as, in the audit log and the stack's history: its stack, and where that is. */
export function webhookActorName(environment: string, stack: string): string {
  return environment === LOCAL_ENVIRONMENT ? `webhook:${stack}` : `webhook:${environment}/${stack}`;
}

function describeSync(result: StackSyncResult): string {
  if (!result.changed) return `up to date at ${short(result.commit)}`;
  const moved = `synced ${short(result.previousCommit)} -> ${short(result.commit)}`;
  const deploy = result.deploy;
  if (!deploy) return moved;
  if (deploy.ok) {
    const applied = deploy.outcomes.filter((outcome) => outcome.outcome === 'APPLIED').length;
    return `${moved}: ${applied} service(s) changed`;
  }
  const failed = deploy.outcomes
    .filter((outcome) => outcome.outcome === 'FAILED' || outcome.outcome === 'SKIPPED')
    .map((outcome) => `${outcome.service}: ${outcome.message ?? outcome.outcome.toLowerCase()}`);
  return `${moved}, but the deploy failed: ${failed.join('; ')}`;
}
