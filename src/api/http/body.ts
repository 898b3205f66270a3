import type { HttpErrorCode } from '../../shared/errors.js';
import { MAX_BODY_BYTES } from './hardening.js';

/**
 * A body over the limit is still read (and dropped) up to this size before the 413 goes out: a client
 * that is still sending when the server stops reading gets its connection reset instead of the answer.
 */
const MAX_DISCARDED_BYTES = 16 * MAX_BODY_BYTES;

/** Why a body was not read whole. */
export class BodyReadError extends Error {
  constructor(
    readonly code: Extract<HttpErrorCode, 'PAYLOAD_TOO_LARGE' | 'REQUEST_TIMEOUT'>,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The raw body, at most `maxBytes` of it (1 MiB), refusing early when Content-Length already says
 * more; a chunked body is counted as it comes, so nothing unbounded is ever buffered.
 */
export async function readBody(request: Request, maxBytes = MAX_BODY_BYTES): Promise<Buffer> {
  const tooLarge = () => new BodyReadError('PAYLOAD_TOO_LARGE', `the body is over ${describe(maxBytes)}`);
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    if (request.body) {
      for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
        size += chunk.byteLength;
        if (size <= maxBytes) chunks.push(chunk);
        // Leaving the loop cancels the body, which resets the connection: only for absurd bodies.
        else if (size > Math.max(MAX_DISCARDED_BYTES, maxBytes)) break;
      }
    }
  } catch {
    // The connection closed before the body ended: the client gave up, or the request timeout cut
    // it (Node has answered 408). The client's doing, not a fault of berth's.
    throw new BodyReadError('REQUEST_TIMEOUT', 'the body did not arrive whole');
  }
  if (size > maxBytes) throw tooLarge();
  return Buffer.concat(chunks);
}

function describe(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}
