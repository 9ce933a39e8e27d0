// Storefront reads through D1's Sessions API, so production can answer them from a replica near the shopper,
// yet never from a state older than that shopper's own last write: the bookmark D1 gives after a write travels
// back in a cookie, and the next session starts from it (read your writes, across requests and isolates).
// The cookie only selects how fresh a read must be: a forged one can make a read wait for the primary, never
// read or change anything else, so it is not signed. Admin routes and every write go to the primary.
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { AuthorityBindings } from '../env';

const NAME = 'd1';
/** D1's bookmark format; anything else is ignored. */
const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;

/** A session that starts at the shopper's last write, or anywhere when there is none. */
export function readSession<E extends AuthorityBindings>(c: Context<E>): D1DatabaseSession {
  const bookmark = getCookie(c, NAME, 'host');
  return c.env.DB.withSession(bookmark && BOOKMARK.test(bookmark) ? bookmark : 'first-unconstrained');
}

/** After writing through `session`: the shopper's next reads start at least there. */
export function keepBookmark(c: Context, session: D1DatabaseSession): void {
  const bookmark = session.getBookmark();
  if (!bookmark || !BOOKMARK.test(bookmark)) return;
  setCookie(c, NAME, bookmark, { prefix: 'host', path: '/', secure: true, httpOnly: true, sameSite: 'Lax' });
}
