import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * How the forges sign a push webhook's delivery, and how berth checks it. Two forms:
 *
 * - GitHub, Gitea, Forgejo (and Gogs): `X-Hub-Signature-256: sha256=<hex>`, the HMAC-SHA256 of the
 *   raw body keyed with the secret's UTF-8 bytes. Gitea and Forgejo also send the bare hex as
 *   `X-Gitea-Signature`, taken when the first is absent.
 * - GitLab: `X-Gitlab-Token: <secret>`, the secret itself (GitLab signs nothing).
 *
 * Every comparison is constant-time (crypto.timingSafeEqual) and over equal lengths: the token is
 * compared by its SHA-256, so neither its bytes nor its length leak through timing.
 */

/** Reads a header by name, case-insensitively (the Fetch API's Headers is one). */
export interface HeaderReader {
  get(name: string): string | null;
}

/** The credential a delivery presents, as parsed from its headers. */
export type PresentedSignature =
  | { kind: 'hmac-sha256'; digest: Buffer }
  | { kind: 'token'; token: string }
  /** A signature header is there, but not of a form berth knows: refused like a wrong one. */
  | { kind: 'malformed' };

const SHA256_HEX = /^[0-9a-f]{64}$/i;

/**
 * The digest of `sha256=<64 hex digits>` (hex in either case, as some proxies rewrite it; the
 * algorithm's name in either case too); null for anything else, such as GitHub's older
 * `sha1=` form, which berth does not take.
 */
export function parseHubSignature(header: string): Buffer | null {
  const match = /^sha256=(.*)$/i.exec(header.trim());
  const hex = match?.[1];
  return hex !== undefined && SHA256_HEX.test(hex) ? Buffer.from(hex, 'hex') : null;
}

/** The credential `headers` present; null when they present none (an unsigned delivery). */
export function presentedSignature(headers: HeaderReader): PresentedSignature | null {
  const hub = headers.get('x-hub-signature-256');
  if (hub !== null) {
    const digest = parseHubSignature(hub);
    return digest ? { kind: 'hmac-sha256', digest } : { kind: 'malformed' };
  }
  const gitea = headers.get('x-gitea-signature');
  if (gitea !== null) {
    const hex = gitea.trim();
    return SHA256_HEX.test(hex)
      ? { kind: 'hmac-sha256', digest: Buffer.from(hex, 'hex') }
      : { kind: 'malformed' };
  }
  const token = headers.get('x-gitlab-token');
  if (token !== null) return token === '' ? { kind: 'malformed' } : { kind: 'token', token };
  return null;
}

/** HMAC-SHA256 of the body, keyed with the secret, as the forges compute it. */
export function signBody(secret: string, body: Buffer | string): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Whether `presented` is the signature `secret` gives `body`. */
export function signatureMatches(secret: string, presented: PresentedSignature, body: Buffer): boolean {
  switch (presented.kind) {
    case 'hmac-sha256':
      return timingSafeEqual(presented.digest, signBody(secret, body));
    case 'token':
      return timingSafeEqual(sha256(presented.token), sha256(secret));
    case 'malformed':
      return false;
  }
}

/**
 * A secret that matches nothing, to check deliveries for stacks without a webhook against: the
 * same work is done whether the stack has one or not, so the answer's timing does not say.
 */
export const UNMATCHABLE_SECRET = randomBytes(32).toString('base64url');

/** The forges' event headers, in the order they are read. */
const EVENT_HEADERS = [
  'x-github-event',
  'x-gitea-event',
  'x-forgejo-event',
  'x-gogs-event',
  'x-gitlab-event',
];

/** What a delivery says it is. */
export type WebhookEvent =
  | { kind: 'ping' }
  | { kind: 'push' }
  /** An event that deploys nothing (issues, merge requests...), or none named. */
  | { kind: 'other'; name: string };

export function eventOf(headers: HeaderReader): WebhookEvent {
  for (const header of EVENT_HEADERS) {
    const value = headers.get(header);
    if (value === null) continue;
    const name = value.trim();
    if (name === 'ping') return { kind: 'ping' };
    if (name === 'push' || name === 'Push Hook' || name === 'Tag Push Hook') return { kind: 'push' };
    return { kind: 'other', name: name.slice(0, 100) };
  }
  return { kind: 'other', name: '(none)' };
}

/** What berth reads of a push event's body: the same fields on every forge. */
export interface PushEvent {
  /** `refs/heads/main`, `refs/tags/v1.2`. */
  ref: string;
  /** The commit the ref points at after the push; null when the body does not say. */
  after: string | null;
  /** The push deleted the ref. */
  deleted: boolean;
}

const ZERO_COMMIT = /^0+$/;

/**
 * The push event in a (verified) body: JSON, or GitHub's form encoding (`payload=<json>`); null
 * when it is neither or has no `ref`.
 */
export function parsePushEvent(body: Buffer, contentType: string | null): PushEvent | null {
  let text = body.toString('utf8');
  if (/^application\/x-www-form-urlencoded\b/i.test(contentType ?? '')) {
    text = new URLSearchParams(text).get('payload') ?? '';
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { ref, after, deleted } = parsed as Record<string, unknown>;
  if (typeof ref !== 'string' || ref === '') return null;
  const commit = typeof after === 'string' && after !== '' ? after : null;
  return {
    ref,
    after: commit,
    // GitHub says `deleted: true`; GitLab pushes a deletion with `after` all zeros.
    deleted: deleted === true || (commit !== null && ZERO_COMMIT.test(commit)),
  };
}

/**
 * Whether a push of `pushed` (a full ref) moves what a stack follows: `followed` is a branch or tag
 * name (`main`, `v1.2`) or a full ref (`refs/heads/main`).
 */
export function refMatches(pushed: string, followed: string): boolean {
  if (followed.startsWith('refs/')) return pushed === followed;
  return pushed === `refs/heads/${followed}` || pushed === `refs/tags/${followed}`;
}
