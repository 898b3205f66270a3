import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { isJournaled } from '../../domain/lifecycle/journal.js';
import { ERROR_CODES, type ErrorCode } from '../../shared/errors.js';
import type { Context } from './builder.js';

/**
 * What a mutation acts on, from its arguments: a container, an image, a token, a registry, a stack. Named
 * arguments only: the others (a registry's password among them) never reach the audit log.
 */
function targetOf(args: Record<string, unknown>): string | null {
  const input = args['input'] as Record<string, unknown> | undefined;
  for (const value of [
    args['id'],
    args['reference'],
    args['name'],
    args['registry'],
    args['stack'],
    input?.['name'],
    input?.['image'],
  ]) {
    if (typeof value === 'string' && value !== '') return value.slice(0, 300);
  }
  return null;
}

/**
 * The catalog code of a typed error in the result. By its `code` rather than `instanceof
 * BerthError`: what the resolver hands on for a payload union's error member is not the thrown
 * instance itself (its prototype chain reaches BerthError, yet `instanceof` answered false and
 * every typed error was audited as `ok`).
 */
function errorCodeOf(result: unknown): ErrorCode | undefined {
  if (result === null || typeof result !== 'object') return undefined;
  const { code, message } = result as { code?: unknown; message?: unknown };
  return typeof code === 'string' && typeof message === 'string' && Object.hasOwn(ERROR_CODES, code)
    ? (code as ErrorCode)
    : undefined;
}

/** Mutations whose create, once it passed its checks, the create journal audits itself. */
const JOURNALED_FIELDS = new Set(['createContainer', 'createContainerFromTemplate']);

/** Marks a Mutation field whose resolver is already wrapped (the schema is handed over more than once). */
const AUDITED = Symbol('audited');

/**
 * Records every mutation in the audit log after it ran: who, what, on what, and how it ended
 * (`ok`, `denied` for a role refusal, `error:<CODE>`). Wraps the Mutation type's resolvers, so it
 * sees the typed errors of the payload unions as well as thrown faults. Only those: a wrapper on
 * every field of every type (as @envelop/on-resolve puts) ran for each field of each row of a list,
 * which was a good part of a long list's cost (bench B11).
 */
export function useMutationAudit(): Plugin<Context> {
  return {
    onSchemaChange({ schema }) {
      const mutation = (schema as GraphQLSchema).getMutationType();
      if (!mutation) return;
      for (const field of Object.values(mutation.getFields())) {
        const marked = field as typeof field & { [AUDITED]?: true };
        if (marked[AUDITED]) continue;
        marked[AUDITED] = true;
        field.resolve = audited(
          (field.resolve ?? defaultFieldResolver) as GraphQLFieldResolver<unknown, Context>,
        );
      }
    },
  };
}

/** `resolve`, recording its outcome (a result, or what it threw or rejected with) before handing it on. */
function audited(resolve: GraphQLFieldResolver<unknown, Context>): GraphQLFieldResolver<unknown, Context> {
  return (source, args, context, info) => {
    const record = (result: unknown) => {
      // Its intent and outcome are in the log already (src/domain/lifecycle/journal.ts).
      if (JOURNALED_FIELDS.has(info.fieldName) && isJournaled(result)) return;
      const code = errorCodeOf(result);
      const outcome =
        code === 'FORBIDDEN'
          ? 'denied'
          : code !== undefined
            ? (`error:${code}` as const)
            : result instanceof Error
              ? ('error:INTERNAL' as const)
              : 'ok';
      context.audit.record({
        tokenId: context.principal?.tokenId ?? null,
        tokenName: context.principal?.name ?? null,
        action: info.fieldName,
        target: targetOf(args),
        result: outcome,
      });
    };
    let result: unknown;
    try {
      result = resolve(source, args, context, info);
    } catch (error) {
      record(error);
      throw error;
    }
    if (!isThenable(result)) {
      record(result);
      return result;
    }
    return result.then(
      (value: unknown) => {
        record(value);
        return value;
      },
      (error: unknown) => {
        record(error);
        throw error;
      },
    );
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
