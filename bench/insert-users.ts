import type { RawDb } from './raw-db';
import type { SeedUser } from './data';

/** The users columns a seeded row sets; the rest keep the migrations' defaults. */
const COLUMNS = ['id', 'tenant_id', 'email', 'email_normalized', 'email_verified', 'username', 'username_normalized', 'first_name', 'last_name',
  'display_name', 'ou_id', 'status', 'identity_source', 'mfa_enabled', 'custom_attributes', 'metadata', 'role', 'created_at', 'updated_at',
  'last_login_at', 'search_text', 'version'] as const;

/** Rows per statement: under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
export const ROWS_PER_INSERT = 500;

const statements = new Map<number, string>();
function insertSql(rows: number): string {
  let sql = statements.get(rows);
  if (!sql) {
    const one = `(${COLUMNS.map(() => '?').join(',')})`;
    sql = `INSERT INTO users (${COLUMNS.join(',')}) VALUES ${Array.from({ length: rows }, () => one).join(',')}`;
    statements.set(rows, sql);
  }
  return sql;
}

/** One multi-row INSERT of `users` into `tenantId` (at most ROWS_PER_INSERT rows). */
export async function insertUsers(db: RawDb, tenantId: string, users: SeedUser[]): Promise<void> {
  const params: unknown[] = [];
  for (const u of users) {
    params.push(u.id, tenantId, u.email, u.emailNormalized, true, u.username, u.username, u.firstName, u.lastName, u.displayName, u.ouId,
      u.status, u.identitySource, u.mfaEnabled, '{}', '{}', u.role, u.createdAt, u.createdAt, u.lastLoginAt, u.searchText, 1);
  }
  await db.run(insertSql(users.length), params);
}
