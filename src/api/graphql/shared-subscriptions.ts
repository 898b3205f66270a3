import { getOperationAST, Kind, type DocumentNode, type GraphQLSchema } from 'graphql';
import stableStringify from 'fast-json-stable-stringify';
import type { Principal } from '../../platform/auth/principal.js';

/**
 * Which subscriptions may be executed once for every subscriber who asks the same thing.
 *
 * A field qualifies when what a subscriber receives depends only on its arguments, its permission
 * scope and the moment, never on when it subscribed: its stream is a sequence of samples where the
 * newest replaces the last (the stats streams). A subscriber who joins late then misses nothing
 * that a subscription of its own would have shown it, once it is handed the newest sample. Streams
 * that replay (logs' tail, events after a cursor, progress replayed from the first step) or that
 * must deliver every item do not qualify: a late joiner would lose the replay, a slow one items.
 */
export const SHARED_SAMPLES = { berthShared: 'newest' } as const;

/** The root field of the operation, when it is a subscription marked {@link SHARED_SAMPLES}. */
export function sharedField(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
): string | null {
  const operation = getOperationAST(document, operationName);
  if (operation?.operation !== 'subscription') return null;
  // Validation allows one root field in a subscription; a fragment spread there is left unshared.
  const [selection] = operation.selectionSet.selections;
  if (selection?.kind !== Kind.FIELD) return null;
  const field = schema.getSubscriptionType()?.getFields()[selection.name.value];
  return field?.extensions['berthShared'] === SHARED_SAMPLES.berthShared ? field.name : null;
}

/**
 * What two subscribers must have in common to share one execution: the document as sent, the
 * operation, the variables, and what the token may see (its role and environments). A deploy
 * token's scope is its own; it shares with no one.
 */
export function sharingKey(
  query: string,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  principal: Principal,
): string | null {
  if (principal.scope) return null;
  const environments = principal.environments ? [...principal.environments].sort().join(',') : '*';
  return JSON.stringify([
    principal.role,
    environments,
    operationName ?? null,
    stableStringify(variables ?? {}),
    query,
  ]);
}
