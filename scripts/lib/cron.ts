// Firing the authority's cron locally. Cron triggers never fire under wrangler dev; `--test-scheduled`
// exposes /__scheduled on the process's primary worker, so `npm run dev` runs the authority on its own port.
export const AUTHORITY_DEV_PORT = 8788;

export async function fireCron(port = AUTHORITY_DEV_PORT): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/__scheduled?cron=${encodeURIComponent('* * * * *')}`, { signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`the authority answered ${res.status}`);
  return res.text();
}
