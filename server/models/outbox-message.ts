import { BaseModel } from './base-model';

export class OutboxMessage extends BaseModel {
  static override tableName = 'outbox';

  tenantId!: string;
  userId!: string | null;
  kind!: string;
  toAddress!: string;
  subject!: string;
  bodyText!: string;
  status!: 'PENDING' | 'SENDING' | 'SENT' | 'FAILED';
  attempts!: number;
  nextAttemptAt!: string;
  lastError!: string | null;
  createdAt!: string;
  sentAt!: string | null;
}
