import { Model } from 'objection';
import { v7 as uuidv7 } from 'uuid';

export const nowIso = () => new Date().toISOString();

/**
 * Ids are UUIDv7 (time-ordered: cheaper inserts, and ordering by id is ordering by creation).
 * Timestamps are ISO 8601 UTC strings, which SQLite compares correctly as text and PostgreSQL
 * reads into timestamptz.
 */
export class BaseModel extends Model {
  id!: string;
  /** Models with created_at/updated_at columns set this. */
  static timestamps = false;

  override $beforeInsert(): void {
    if (!this.id) this.id = uuidv7();
    const ctor = this.constructor as typeof BaseModel;
    if (ctor.timestamps) {
      const now = nowIso();
      const self = this as unknown as { createdAt?: string; updatedAt?: string };
      self.createdAt ??= now;
      self.updatedAt ??= now;
    }
  }

  override $beforeUpdate(): void {
    const ctor = this.constructor as typeof BaseModel;
    if (ctor.timestamps) (this as unknown as { updatedAt: string }).updatedAt = nowIso();
  }
}
