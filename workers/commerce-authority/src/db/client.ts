import { drizzle } from 'drizzle-orm/d1';

export type Database = ReturnType<typeof database>;

/**
 * Drizzle over the binding, or over a D1 session (Sessions API: reads may be served by a replica). Built per
 * request, so without the schema: drizzle would walk every table's relations each time, and nothing here uses
 * its relational queries (`db.query`).
 */
export function database(d1: D1Database | D1DatabaseSession) {
  // A session answers prepare and batch like the binding; drizzle uses nothing else of it.
  return drizzle(d1 as D1Database);
}
