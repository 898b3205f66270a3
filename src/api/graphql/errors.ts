import {
  AmbiguousIdError,
  BerthError,
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
  type ErrorCode,
} from '../../shared/errors.js';
import { builder } from './builder.js';

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
builder.objectType(EngineUnavailableError, { name: 'EngineUnavailableError', interfaces: [ErrorInterface] });
builder.objectType(EngineRefusedError, {
  name: 'EngineRefusedError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ status: t.exposeInt('status', { description: "The engine's HTTP status (4xx)." }) }),
});
