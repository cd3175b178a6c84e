/** SQLite hands back text and 0/1, PostgreSQL Date and boolean: one wire form for both. */
export const iso = (v: unknown): string | null => (v == null ? null : new Date(v as string | Date).toISOString());
export const bool = (v: unknown): boolean => v === true || v === 1 || v === '1' || v === 't';
export const json = <T>(v: unknown): T | null => (v == null ? null : typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
