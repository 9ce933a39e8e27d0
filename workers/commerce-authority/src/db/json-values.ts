import { sql, type SQL } from 'drizzle-orm';

/** `column IN (SELECT value FROM json_each(?))`: any number of values through a single bound parameter. */
export function jsonValues(values: readonly string[]): SQL {
  return sql`(SELECT value FROM json_each(${JSON.stringify(values)}))`;
}
