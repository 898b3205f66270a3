import { randomUUID } from 'node:crypto';
import type { AuditLog, AuditResult } from '../../platform/audit/log.js';
import { BerthError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { ContainerIndex } from '../containers/container-index.js';
import type { Container, CreateContainerSpec } from '../containers/model.js';

/**
 * The label every container berth creates carries, valued with the id of the create's intent in the
 * audit log: how a create whose outcome berth never recorded is found on the engine afterwards,
 * named or not.
 */
export const INTENT_LABEL = 'berth.create-intent';

/** Who asked for a create, and by which route, as the audit log names them. */
export interface CreateActor {
  tokenId: string | null;
  tokenName: string | null;
  /** `createContainer`, `createContainerFromTemplate`, `POST /containers`, `restore`. */
  action: string;
}

/** Who a create is recorded for when its caller names no one (a backup's restore). */
export const UNNAMED_ACTOR: CreateActor = { tokenId: null, tokenName: null, action: 'createContainer' };

/** An intent in the journal: its id, and how its outcome is recorded. */
export interface CreateIntent {
  readonly id: string;
  succeeded(container: Container): void;
  failed(error: unknown): void;
}

/** What the create's outcome is marked with, so the API records it once (see `isJournaled`). */
const journaled = new WeakSet<object>();

/**
 * Whether this create's result or error has its outcome in the audit log already, recorded by the
 * journal: the API's own audit of createContainer (and its REST and template forms) skips it.
 */
export function isJournaled(value: unknown): boolean {
  return typeof value === 'object' && value !== null && journaled.has(value);
}

function resultOf(error: unknown): AuditResult {
  return error instanceof BerthError ? `error:${error.code}` : 'error:INTERNAL';
}

/**
 * Creates audited before and after the engine is asked, so that a crash cannot hide one. `begin`
 * records the intent (`started`) before the create request leaves; its outcome (`ok`,
 * `error:<CODE>`) is recorded, and the intent settled, in one transaction once the create ends. An
 * intent a crash (kill -9, a power cut) left open is reconciled at the next start, once the
 * container index has synced with the engine: the container labelled with its id exists (`ok`) or
 * not (`interrupted`).
 */
export class CreateJournal {
  /** Intents up to this entry were recorded before this berth started; later ones are its own. */
  readonly #before: number;
  #stopped = false;

  constructor(
    private readonly audit: AuditLog,
    private readonly log: Logger,
  ) {
    this.#before = audit.lastId();
  }

  begin(spec: CreateContainerSpec, actor: CreateActor): CreateIntent {
    const id = randomUUID();
    this.audit.recordIntent({
      tokenId: actor.tokenId,
      tokenName: actor.tokenName,
      action: actor.action,
      target: spec.name ?? spec.image,
      detail: `asking the engine to create it (intent ${id}); the outcome follows, and a restart reconciles it if berth stops first`,
      intent: id,
    });
    const outcome = (result: AuditResult, target: string | null, detail: string) =>
      this.audit.settleIntent(id, {
        tokenId: actor.tokenId,
        tokenName: actor.tokenName,
        action: actor.action,
        target,
        result,
        detail,
      });
    return {
      id,
      succeeded: (container) => {
        outcome('ok', container.name, `intent ${id}: container ${container.id.slice(0, 12)}`);
        journaled.add(container);
      },
      failed: (error) => {
        outcome(resultOf(error), spec.name ?? spec.image, `intent ${id}: the create failed`);
        if (typeof error === 'object' && error !== null) journaled.add(error);
      },
    };
  }

  /**
   * Reconciles the intents of an earlier run left open, once the index mirrors the engine; records
   * each outcome and settles it. Resolves to how many were reconciled; never rejects.
   */
  async reconcile(index: ContainerIndex): Promise<number> {
    try {
      await index.whenSynced();
      if (this.#stopped) return 0;
      const open = this.audit.openIntents(this.#before);
      for (const intent of open) {
        const [container] = index.list({ label: `${INTENT_LABEL}=${intent.intent}` });
        this.audit.settleIntent(intent.intent, {
          tokenId: intent.tokenId,
          tokenName: intent.tokenName,
          action: intent.action,
          target: container?.name ?? intent.target,
          result: container ? 'ok' : 'interrupted',
          detail: container
            ? `reconciled at start: berth stopped before it recorded the outcome of intent ${intent.intent}; the engine made container ${container.id.slice(0, 12)} (${container.status.toLowerCase()})`
            : `reconciled at start: berth stopped before the create of intent ${intent.intent} ended; the engine has no container from it`,
        });
      }
      if (open.length > 0)
        this.log.warn(`reconciled ${open.length} create(s) a previous run left unfinished`);
      return open.length;
    } catch (error) {
      this.log.error('reconciling unfinished creates failed', error);
      return 0;
    }
  }

  /** A reconciliation still waiting for the engine gives up (the store is about to close). */
  stop(): void {
    this.#stopped = true;
  }
}
