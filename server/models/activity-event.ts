import { BaseModel } from './base-model';

export class ActivityEvent extends BaseModel {
  static override tableName = 'activity_events';
  static override jsonAttributes = ['details'];

  tenantId!: string;
  action!: string;
  actorType!: 'user' | 'system' | 'token' | 'application';
  actorId!: string | null;
  subjectType!: string;
  subjectId!: string | null;
  details!: Record<string, unknown> | null;
  ip!: string | null;
  requestId!: string | null;
  createdAt!: string;
}
