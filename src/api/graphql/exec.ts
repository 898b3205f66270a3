import type { ExecResult } from '../../domain/exec/service.js';
import { validateContainerRef } from '../../domain/lifecycle/validation.js';
import {
  AmbiguousIdError,
  EngineUnavailableError,
  EnvironmentNotFoundError,
  ExecTimeoutError,
  InvalidInputError,
  InvalidStateError,
  NotFoundError,
} from '../../shared/errors.js';
import { builder } from './builder.js';
import { ENVIRONMENT_ARG, environmentOf } from './environment-scope.js';
import { ErrorInterface } from './errors.js';
import { KeyValueInput } from './container.js';

/** One-off commands in running containers. */

builder.objectType(ExecTimeoutError, {
  name: 'ExecTimeoutError',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    timeoutSeconds: t.exposeFloat('timeoutSeconds'),
    stopped: t.exposeBoolean('stopped', { description: 'Whether berth could kill the command.' }),
  }),
});

const ExecResultRef = builder.objectRef<ExecResult>('ExecResult').implement({
  fields: (t) => ({
    exitCode: t.exposeInt('exitCode', {
      description: 'As the engine reports it: 126/127 when the program cannot run.',
    }),
    stdout: t.exposeString('stdout'),
    stderr: t.exposeString('stderr'),
    truncated: t.exposeBoolean('truncated', {
      description: 'Output passed the cap (BERTH_EXEC_MAX_OUTPUT_BYTES each).',
    }),
  }),
});

builder.mutationField('execInContainer', (t) =>
  t.field({
    type: ExecResultRef,
    description: 'Runs a command (no shell unless you call one) in a running container and waits for it.',
    args: {
      id: t.arg.string({ required: true }),
      command: t.arg.stringList({ required: true }),
      env: t.arg({ type: [KeyValueInput] }),
      workingDir: t.arg.string(),
      timeoutSeconds: t.arg.float({ description: 'Default 30, at most 3600.' }),
      environment: t.arg.string(ENVIRONMENT_ARG),
    },
    errors: {
      dataField: { name: 'result' },
      types: [
        InvalidInputError,
        NotFoundError,
        AmbiguousIdError,
        InvalidStateError,
        ExecTimeoutError,
        EngineUnavailableError,
        EnvironmentNotFoundError,
      ],
    },
    resolve: (_, { id, environment, ...input }, context) => {
      const { containers, exec } = environmentOf(context, environment);
      return exec.run(containers.get(validateContainerRef(id)), input);
    },
  }),
);
