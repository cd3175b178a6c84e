import sqlite3 from 'sqlite3';

/** A plain sqlite3 connection with promises, for the file-level commands (backup, restore). */
export class SqliteFile {
  private constructor(private readonly db: sqlite3.Database) {}

  static open(filename: string, mode: 'readonly' | 'readwrite'): Promise<SqliteFile> {
    const flags = mode === 'readonly' ? sqlite3.OPEN_READONLY : sqlite3.OPEN_READWRITE;
    return new Promise((resolve, reject) => {
      const db = new sqlite3.Database(filename, flags, (err) => (err ? reject(err) : resolve(new SqliteFile(db))));
    });
  }

  busyTimeout(ms: number) {
    this.db.configure('busyTimeout', ms);
  }

  all<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return new Promise((resolve, reject) => this.db.all(sql, params, (err, rows) => (err ? reject(err) : resolve(rows as T[]))));
  }

  run(sql: string, params: unknown[] = []): Promise<void> {
    return new Promise((resolve, reject) => this.db.run(sql, params, (err) => (err ? reject(err) : resolve())));
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => this.db.close((err) => (err ? reject(err) : resolve())));
  }

  /** `PRAGMA integrity_check`: the problems found, none when the file is sound. */
  async integrityProblems(): Promise<string[]> {
    const rows = await this.all<{ integrity_check: string }>('PRAGMA integrity_check');
    return rows.map((r) => r.integrity_check).filter((m) => m !== 'ok');
  }
}
