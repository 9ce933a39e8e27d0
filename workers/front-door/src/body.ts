// Reads a request body up to a limit: a declared Content-Length over it is refused unread, and a chunked upload
// (no declared length) that keeps going is cut off as soon as it passes the limit. A refused body is then
// drained (up to a bound) before the answer, not left half-read: on a kept-alive connection the next request
// waits behind the unread rest (under wrangler dev, for 20 s and more).
/** How much of a refused body is read and dropped before it is cancelled instead (the connection then closes). */
export const DRAIN_LIMIT = 8 * 1024 * 1024;

export async function readBodyWithin(request: Request, limit: number): Promise<ArrayBuffer | 'too_large'> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limit) return 'too_large';
  if (!request.body) return new ArrayBuffer(0);
  // HTTP framing ends a body at its declared length: read it in one call. Only a chunked body is read piece by piece.
  if (request.headers.has('content-length')) return request.arrayBuffer();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      reader.releaseLock(); // the rest is for drainRefused
      return 'too_large';
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body.buffer;
}

/** Reads what is left of a refused body and drops it; past DRAIN_LIMIT, cancels it. Never buffers it. */
export async function drainRefused(request: Request): Promise<void> {
  if (!request.body) return;
  const reader = request.body.getReader();
  let drained = 0;
  while (drained <= DRAIN_LIMIT) {
    const { done, value } = await reader.read();
    if (done) return;
    drained += value.byteLength;
  }
  await reader.cancel();
}
