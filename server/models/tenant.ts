import { BaseModel } from './base-model';
import type { TenantSettings } from '../../shared/schemas/tenant';

export class Tenant extends BaseModel {
  static override tableName = 'tenants';
  static override timestamps = true;
  static override jsonAttributes = ['settings'];

  partnerId!: string | null;
  name!: string;
  slug!: string;
  status!: 'ACTIVE' | 'SUSPENDED';
  settings!: Partial<TenantSettings> | null;
  createdAt!: string;
  updatedAt!: string;
}
