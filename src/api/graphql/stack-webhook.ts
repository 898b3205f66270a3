import { validateStackName } from '../../domain/stacks/labels.js';
import type { StackWebhook } from '../../domain/stacks/webhooks.js';
import {
  EnvironmentNotFoundError,
  InvalidInputError,
  SecretKeyMissingError,
  StackNotFoundError,
} from '../../shared/errors.js';
import { builder } from './builder.js';
import { ENVIRONMENT_ARG, environmentOf } from './environment-scope.js';

/** Push webhooks of stacks: their URL and last delivery for operators; the secret, once, for admins. */

const StackWebhookRef = builder.objectRef<StackWebhook>('StackWebhook').implement({
  description:
    "A stack's push webhook: a forge (GitHub, GitLab, Gitea, Forgejo) posts its push events to `url`, signed with " +
    'the secret rotateStackWebhook answered, and a push of the branch or tag the stack follows syncs it. Never its secret.',
  fields: (t) => ({
    url: t.exposeString('url', {
      description:
        'Where the forge sends deliveries: the path under berth (with BERTH_BASE_PATH), `/hooks/stacks/<name>` for a local ' +
        'stack and `/hooks/environments/<environment>/stacks/<name>` for another environment’s; prefix it with the address the forge reaches berth at.',
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When its secret was made.',
      resolve: (webhook) => webhook.createdAt,
    }),
    lastDeliveryAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the last correctly signed delivery came.',
      resolve: (webhook) => webhook.lastDeliveryAt,
    }),
    lastOutcome: t.exposeString('lastOutcome', {
      nullable: true,
      description:
        'What the last signed delivery did: ignored and why (another branch, another event), or the sync it ran and how it ended.',
    }),
  }),
});

const RotateSuccessRef = builder
  .objectRef<{ webhook: StackWebhook; secret: string }>('RotateStackWebhookSuccess')
  .implement({
    fields: (t) => ({
      webhook: t.field({ type: StackWebhookRef, resolve: (result) => result.webhook }),
      secret: t.exposeString('secret', {
        description:
          "The webhook's secret, shown this once: paste it as the forge's webhook secret (GitHub, Gitea, Forgejo) or secret token (GitLab).",
      }),
    }),
  });

builder.queryFields((t) => ({
  stackWebhook: t.field({
    authScopes: { operator: true },
    type: StackWebhookRef,
    nullable: true,
    description: "The stack's push webhook; null when it has none (rotateStackWebhook makes one).",
    args: { stack: t.arg.string({ required: true }), environment: t.arg.string(ENVIRONMENT_ARG) },
    resolve: (_, { stack, environment }, context) =>
      environmentOf(context, environment).webhooks.get(validateStackName(stack, 'stack')),
  }),
}));

builder.mutationFields((t) => ({
  rotateStackWebhook: t.field({
    authScopes: { admin: true },
    type: RotateSuccessRef,
    description:
      'Makes the push webhook of a stack deployed from git, or replaces its secret (the old one stops working at once), ' +
      'and answers the secret this once: 32 random bytes, base64url. Sealed with BERTH_SECRET_KEY; without one, ' +
      'SecretKeyMissingError and nothing is stored. A stack not from git is InvalidInputError. Removing the stack removes its webhook.',
    args: { stack: t.arg.string({ required: true }), environment: t.arg.string(ENVIRONMENT_ARG) },
    errors: {
      directResult: true,
      types: [InvalidInputError, StackNotFoundError, SecretKeyMissingError, EnvironmentNotFoundError],
    },
    resolve: (_, { stack, environment }, context) =>
      environmentOf(context, environment).webhooks.rotate(validateStackName(stack, 'stack')),
  }),
}));
