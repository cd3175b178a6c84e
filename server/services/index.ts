import type { Database } from '../db/database';
import type { Config } from '../config';
import type { TokenSigner } from '../auth/token-signer';
import { TenantService } from './tenant-service';
import { UserService } from './user-service';
import { AuthService } from './auth-service';
import type { PasswordHasher } from './password-hasher';

export interface Services {
  tenants: TenantService;
  users: UserService;
  auth: AuthService;
}

export function createServices(db: Database, config: Config, hasher: PasswordHasher, signer: TokenSigner): Services {
  const tenants = new TenantService(db);
  return {
    tenants,
    users: new UserService(db, config, tenants, hasher),
    auth: new AuthService(db, tenants, hasher, signer),
  };
}
