import { BaseModel } from './base-model';

export class Application extends BaseModel {
  static override tableName = 'applications';
  static override timestamps = true;
  static override jsonAttributes = ['scopes'];

  tenantId!: string;
  name!: string;
  description!: string | null;
  clientId!: string;
  clientSecretHash!: string | null;
  scopes!: string[];
  enabled!: boolean;
  createdAt!: string;
  updatedAt!: string;
}

export class ApplicationAssignment extends BaseModel {
  static override tableName = 'application_assignments';

  tenantId!: string;
  applicationId!: string;
  userId!: string | null;
  groupId!: string | null;
  createdAt!: string;
}

export class ApiToken extends BaseModel {
  static override tableName = 'api_tokens';
  static override jsonAttributes = ['scopes'];

  tenantId!: string;
  name!: string;
  secretHash!: string;
  scopes!: string[];
  createdBy!: string | null;
  createdAt!: string;
  expiresAt!: string | null;
  revokedAt!: string | null;
  lastUsedAt!: string | null;
}
