import {
  AmbiguousIdError,
  BerthError,
  ENGINE_UNAVAILABLE_REASONS,
  ERROR_CODES,
  EngineRefusedError,
  EngineUnavailableError,
  ImageNotFoundError,
  InvalidInputError,
  InvalidStateError,
  NameConflictError,
  NotFoundError,
  PortUnavailableError,
  RegistryUnavailableError,
  PolicyViolationError,
  QuotaExceededError,
  StartFailedError,
  type EngineUnavailableReason,
  type ErrorCode,
} from '../../shared/errors.js';
import { LOCAL_ENVIRONMENT } from '../../domain/environments/model.js';
import { builder, type Context } from './builder.js';

/** The catalog in src/shared/errors.ts, as schema types: one object type per error class. */

export const ErrorCodeEnum = builder.enumType('ErrorCode', {
  values: Object.fromEntries(
    Object.entries(ERROR_CODES).map(([code, { description }]) => [code, { value: code, description }]),
  ) as Record<ErrorCode, { value: ErrorCode; description: string }>,
});

export const ErrorInterface = builder.interfaceRef<BerthError>('Error').implement({
  description: 'Every expected failure: a stable code to branch on and a message for people.',
  fields: (t) => ({
    code: t.field({ type: ErrorCodeEnum, resolve: (error) => error.code }),
    message: t.exposeString('message'),
  }),
});

// The errors plugin resolves a thrown instance to its class's type, so each class is its own param.
builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    reference: t.exposeString('reference', { description: 'The id, prefix or name that matched nothing.' }),
  }),
});
builder.objectType(AmbiguousIdError, {
  name: 'AmbiguousIdError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ reference: t.exposeString('reference') }),
});
builder.objectType(NameConflictError, {
  name: 'NameConflictError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ name: t.exposeString('containerName') }),
});
builder.objectType(ImageNotFoundError, {
  name: 'ImageNotFoundError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ image: t.exposeString('image') }),
});
builder.objectType(RegistryUnavailableError, {
  name: 'RegistryUnavailableError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ image: t.exposeString('image') }),
});
builder.objectType(InvalidInputError, {
  name: 'InvalidInputError',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    field: t.exposeString('field', {
      description: 'Dotted path of the offending field, e.g. input.ports.0.hostPort.',
    }),
  }),
});
builder.objectType(InvalidStateError, { name: 'InvalidStateError', interfaces: [ErrorInterface] });
builder.objectType(PortUnavailableError, { name: 'PortUnavailableError', interfaces: [ErrorInterface] });
builder.objectType(StartFailedError, { name: 'StartFailedError', interfaces: [ErrorInterface] });
builder.objectType(PolicyViolationError, {
  name: 'PolicyViolationError',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The refused field, e.g. input.privileged.' }),
  }),
});
builder.objectType(QuotaExceededError, { name: 'QuotaExceededError', interfaces: [ErrorInterface] });
export const EngineUnavailableReasonEnum = builder.enumType('EngineUnavailableReason', {
  description: 'Why the Docker Engine cannot be reached; each asks for its own fix.',
  values: Object.fromEntries(
    Object.entries(ENGINE_UNAVAILABLE_REASONS).map(([reason, { description }]) => [
      reason,
      { value: reason, description },
    ]),
  ) as Record<EngineUnavailableReason, { value: EngineUnavailableReason; description: string }>,
});

builder.objectType(EngineUnavailableError, {
  name: 'EngineUnavailableError',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    // The container index refuses while out of step without seeing why: then the engine's last
    // failure, as berth's system status keeps it.
    reason: t.field({
      type: EngineUnavailableReasonEnum,
      resolve: (error, _, context) => error.reason ?? lastFailure(error, context)?.reason ?? 'OTHER',
    }),
    detail: t.string({
      description:
        'What berth saw, and how to fix it where berth knows (e.g. the docker group for PERMISSION_DENIED).',
      resolve: (error, _, context) =>
        (error.reason === undefined ? lastFailure(error, context)?.detail : undefined) ?? error.detail,
    }),
    environment: t.string({
      nullable: true,
      description: 'The environment whose engine does not answer, where berth knows it.',
      resolve: (error) => error.environment ?? null,
    }),
  }),
});

/** The engine's last failure as its environment's system status keeps it (local when unnamed). */
function lastFailure(error: EngineUnavailableError, { environments }: Context) {
  const name = error.environment ?? LOCAL_ENVIRONMENT;
  return environments.has(name) ? environments.get(name).system.engineFailure() : undefined;
}

builder.objectType(EngineRefusedError, {
  name: 'EngineRefusedError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ status: t.exposeInt('status', { description: "The engine's HTTP status (4xx)." }) }),
});
