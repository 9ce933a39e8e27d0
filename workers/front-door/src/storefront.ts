// The shop's static storefront, from the assets folder named after the shop (dist/storefronts/<shop>/).
// A shop without a storefront folder gets the assets' 404.

export async function serveStorefront(assets: Fetcher, shopId: string, request: Request): Promise<Response> {
  const url = new URL(request.url);
  const prefix = `/${shopId}`;
  url.pathname = `${prefix}${url.pathname}`;
  const response = await assets.fetch(new Request(url, request));
  const location = response.headers.get('location');
  if (!location) return response;
  // Trailing-slash redirects name the folder path; the browser must see its own path.
  const target = new URL(location, url);
  if (!target.pathname.startsWith(`${prefix}/`)) return response;
  const answer = new Response(response.body, response);
  answer.headers.set('location', target.pathname.slice(prefix.length) + target.search);
  return answer;
}
