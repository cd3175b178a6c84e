import { BaseModel } from './base-model';

export class Ou extends BaseModel {
  static override tableName = 'ous';
  static override timestamps = true;

  tenantId!: string;
  parentId!: string | null;
  name!: string;
  path!: string;
  description!: string | null;
  createdAt!: string;
  updatedAt!: string;
}

export class Group extends BaseModel {
  static override tableName = 'groups';
  static override timestamps = true;

  tenantId!: string;
  name!: string;
  nameNormalized!: string;
  description!: string | null;
  externalId!: string | null;
  version!: number;
  createdAt!: string;
  updatedAt!: string;
}

export class GroupMember extends BaseModel {
  static override tableName = 'group_members';

  tenantId!: string;
  groupId!: string;
  userId!: string | null;
  memberGroupId!: string | null;
  createdAt!: string;
}

export class IdentityProvider extends BaseModel {
  static override tableName = 'identity_providers';
  static override timestamps = true;
  static override jsonAttributes = ['config'];

  tenantId!: string;
  alias!: string;
  type!: 'OIDC' | 'SAML' | 'LDAP';
  name!: string;
  issuer!: string | null;
  enabled!: boolean;
  config!: Record<string, unknown> | null;
  createdAt!: string;
  updatedAt!: string;
}

export class UserIdentity extends BaseModel {
  static override tableName = 'user_identities';

  tenantId!: string;
  userId!: string;
  providerId!: string;
  subject!: string;
  externalUsername!: string | null;
  linkedAt!: string;
}
