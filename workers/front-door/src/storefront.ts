// Static pages from the assets: the shop's storefront (dist/storefronts/<shop>/) at the root of its host, and the
// merchant console (dist/storefronts/_console/, one build for every shop) at /admin/ on every shop host, with a
// strict Content-Security-Policy. A shop without a storefront folder gets the assets' 404.

/** Where the console lives on a shop host. */
export const CONSOLE_PATH = '/admin';
/** Its assets folder: no shop id starts with "_", so no shop's storefront can be served from it or shadow it. */
const CONSOLE_FOLDER = '_console';

/** Only the console's own script, styles and the same host's API; no inline code, no frames, no other origin. */
const CONSOLE_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
    "form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex',
  'cache-control': 'no-cache',
};

export function isConsolePath(pathname: string): boolean {
  return pathname === CONSOLE_PATH || pathname.startsWith(`${CONSOLE_PATH}/`);
}

/** The page at `request`'s path: the console under /admin, else the shop's storefront. */
export async function servePage(assets: Fetcher, shopId: string, request: Request): Promise<Response> {
  if (!isConsolePath(new URL(request.url).pathname)) return fromFolder(assets, request, shopId, '');
  const page = await fromFolder(assets, request, CONSOLE_FOLDER, CONSOLE_PATH);
  const answer = new Response(page.body, page);
  for (const [name, value] of Object.entries(CONSOLE_HEADERS)) answer.headers.set(name, value);
  return answer;
}

/** Serves `mount` + path from the assets folder `folder`. */
async function fromFolder(assets: Fetcher, request: Request, folder: string, mount: string): Promise<Response> {
  const url = new URL(request.url);
  const prefix = `/${folder}`;
  url.pathname = `${prefix}${url.pathname.slice(mount.length)}`;
  const response = await assets.fetch(new Request(url, request));
  const location = response.headers.get('location');
  if (!location) return response;
  // Trailing-slash redirects name the folder path; the browser must see its own path.
  const target = new URL(location, url);
  if (!target.pathname.startsWith(`${prefix}/`)) return response;
  const answer = new Response(response.body, response);
  answer.headers.set('location', mount + target.pathname.slice(prefix.length) + target.search);
  return answer;
}
