import { sql, type Placeholder, type SQL } from 'drizzle-orm';

/**
 * `column IN (SELECT value FROM json_each(?))`: any number of values through a single bound parameter. A
 * placeholder stands for the values' JSON (a prebuilt query's, bound per call).
 */
export function jsonValues(values: readonly string[] | Placeholder): SQL {
  return sql`(SELECT value FROM json_each(${Array.isArray(values) ? JSON.stringify(values) : values}))`;
}
