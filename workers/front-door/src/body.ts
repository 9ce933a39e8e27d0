// Reads a request body up to a limit without trusting Content-Length: a chunked upload that keeps going is
// cut off as soon as it passes the limit.
export async function readBodyWithin(request: Request, limit: number): Promise<ArrayBuffer | 'too_large'> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limit) return 'too_large';
  if (!request.body) return new ArrayBuffer(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
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
