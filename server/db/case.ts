const camel = new Map<string, string>();
/** Memoised: the same few hundred column names come back in every row of every query. */
const toCamel = (key: string) => {
  let out = camel.get(key);
  if (out === undefined) {
    out = key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    if (camel.size < 10_000) camel.set(key, out);
  }
  return out;
};

/** snake_case row keys to camelCase, as Objection's knexSnakeCaseMappers do for Knex rows. */
export function camelCaseKeys(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(row)) out[toCamel(key)] = row[key];
  return out;
}
