import type { IncomingMessage } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import { LOCAL_ENVIRONMENT } from '../../domain/environments/model.js';
import { webhookActorName, type StackWebhooks } from '../../domain/stacks/webhooks.js';
import type { AuditLog } from '../../platform/audit/log.js';
import type { AuthGuard } from '../../platform/auth/guard.js';
import {
  ERROR_CODES,
  HTTP_ERROR_CODES,
  RateLimitedError,
  WebhookSignatureInvalidError,
  type ErrorCode,
  type HttpErrorCode,
} from '../../shared/errors.js';
import { BodyReadError, readBody } from './body.js';
import type { ClientAddressOf } from './client-address.js';

/**
 * The route's shape, as the audit log names it: never the stack's (or environment's) name, which a
 * prober varies. A local stack's path has no environment in it: forges set up before environments
 * keep working.
 */
export const STACK_WEBHOOK_ROUTE = 'POST /hooks/stacks/{name}';
export const ENVIRONMENT_STACK_WEBHOOK_ROUTE = 'POST /hooks/environments/{environment}/stacks/{name}';

const PATH = /^\/hooks\/(?:environments\/([^/]+)\/)?stacks\/([^/]+)\/?$/;

/** Where a forge sends the deliveries of `stack`'s webhook, under BERTH_BASE_PATH. */
export function stackWebhookPath(basePath: string, stack: string, environment: string): string {
  const name = encodeURIComponent(stack);
  return environment === LOCAL_ENVIRONMENT
    ? `${basePath}/hooks/stacks/${name}`
    : `${basePath}/hooks/environments/${encodeURIComponent(environment)}/stacks/${name}`;
}

/**
 * `POST /hooks/stacks/<name>` (a local stack) and `POST /hooks/environments/<environment>/stacks/<name>`:
 * a forge's push webhook. No bearer token: the signature over the raw
 * body (or GitLab's token) is the credential, checked by the stack's webhooks before anything else
 * is read from the body. Runs before authentication, which would ask for a token. Every refusal of
 * the credential is one 401 (WEBHOOK_SIGNATURE_INVALID), audited and counted against the address's
 * failed attempts like a wrong token (RATE_LIMITED past the limit). A push that syncs is answered
 * 202 at once and syncs in the background: forges give up on a delivery after about 10 s.
 * Neither the body nor the secret is ever logged.
 */
export function useStackWebhooks(
  /** The webhooks of an environment's stacks; undefined for one berth does not know. */
  webhooksOf: (environment: string) => StackWebhooks | undefined,
  deps: { guard: AuthGuard; audit: AuditLog; clientAddress: ClientAddressOf },
): Plugin {
  const { guard, audit, clientAddress } = deps;
  return {
    async onRequest({ request, url, endResponse, fetchAPI, serverContext }) {
      const match = PATH.exec(url.pathname);
      if (!match) return;
      const respond = (status: number, body: unknown, headers: Record<string, string> = {}) =>
        endResponse(fetchAPI.Response.json(body, { status, headers }));
      const fail = (
        code: ErrorCode | HttpErrorCode,
        message: string,
        headers: Record<string, string> = {},
      ) => {
        const status = (ERROR_CODES as Record<string, { httpStatus: number }>)[code]?.httpStatus;
        respond(
          status ?? HTTP_ERROR_CODES[code as HttpErrorCode].httpStatus,
          { error: { code, message } },
          headers,
        );
      };
      if (request.method !== 'POST') {
        fail('METHOD_NOT_ALLOWED', 'use POST', { allow: 'POST' });
        return;
      }
      let body: Buffer;
      try {
        body = await readBody(request);
      } catch (error) {
        if (!(error instanceof BodyReadError)) throw error;
        fail(error.code, error.message);
        return;
      }
      const environment = match[1] === undefined ? LOCAL_ENVIRONMENT : decodeSegment(match[1]);
      const stack = decodeSegment(match[2]!);
      const route = match[1] === undefined ? STACK_WEBHOOK_ROUTE : ENVIRONMENT_STACK_WEBHOOK_ROUTE;
      const req = (serverContext as { req?: IncomingMessage } | undefined)?.req;
      const address = req ? clientAddress(req) : 'unknown';
      // An unknown environment is refused as an unknown stack is: neither is told apart from outside.
      const webhooks = environment === null ? undefined : webhooksOf(environment);
      const answer =
        stack === null || webhooks === undefined
          ? ({ kind: 'refused' } as const)
          : webhooks.receive({ stack, headers: request.headers, body });
      switch (answer.kind) {
        case 'refused': {
          const error = await guard.refuse({ action: route, address }, new WebhookSignatureInvalidError());
          fail(
            error.code,
            error.message,
            error instanceof RateLimitedError ? { 'retry-after': String(error.retryAfterSeconds) } : {},
          );
          return;
        }
        case 'ping':
          respond(200, { ok: true, event: 'ping' });
          return;
        case 'ignored':
          respond(202, { accepted: false, ignored: true, reason: answer.reason });
          return;
        case 'accepted':
          audit.record({
            tokenId: null,
            tokenName: webhookActorName(environment ?? LOCAL_ENVIRONMENT, stack ?? ''),
            action: route,
            target: stack,
            result: 'ok',
            detail: `push of ${answer.ref} at ${answer.commit ?? '(no commit named)'}${answer.queued ? '; queued after the running sync' : ''}`,
          });
          respond(202, { accepted: true });
          return;
      }
    },
  };
}

/** The stack's name from its path segment; null when it is not valid percent-encoding. */
function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}
