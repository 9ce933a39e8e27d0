// Prepared D1 statements for one atomic batch. Drizzle's D1 batch cannot carry raw `sql` (INSERT ... SELECT
// with an aggregate, say), so statements that must commit together are turned into D1 statements here and
// run with D1's own batch, which is one transaction.
import type { SQL } from 'drizzle-orm';
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core';
import type { Database } from './client';

const dialect = new SQLiteAsyncDialect();

export type Statement = D1PreparedStatement;

type Query = SQL | { toSQL(): { sql: string; params: unknown[] } };

export function prepared(db: Database, query: Query): Statement {
  const { sql, params } = 'toSQL' in query ? query.toSQL() : dialect.sqlToQuery(query);
  return db.$client.prepare(sql).bind(...params);
}

export async function runAtomically(db: Database, statements: Statement[]): Promise<void> {
  if (statements.length > 0) await db.$client.batch(statements);
}
