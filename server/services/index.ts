import type { Database } from '../db/database';
import type { Config } from '../config';
import type { TokenSigner } from '../auth/token-signer';
import { TenantService } from './tenant-service';
import { UserService } from './user-service';
import { AuthService } from './auth-service';
import { PartnerService } from './partner-service';
import { OuService } from './ou-service';
import { GroupService } from './group-service';
import { IdentityService } from './identity-service';
import { ApplicationService } from './application-service';
import { ApiTokenService } from './api-token-service';
import { AdminUserService } from './admin-user-service';
import { MfaService } from './mfa-service';
import { ActivityService } from './activity-service';
import { ExportService } from './export-service';
import { MailService } from './mail-service';
import { MergeService } from './merge-service';
import { DuplicateService } from './duplicate-service';
import type { PasswordHasher } from './password-hasher';
import { ImportService } from './import-service';
import { StatsService } from './stats-service';
import { LoginThrottle } from './login-throttle';

export interface Services {
  tenants: TenantService;
  users: UserService;
  auth: AuthService;
  partners: PartnerService;
  ous: OuService;
  groups: GroupService;
  identities: IdentityService;
  applications: ApplicationService;
  apiTokens: ApiTokenService;
  adminUsers: AdminUserService;
  mfa: MfaService;
  activity: ActivityService;
  exports: ExportService;
  mail: MailService;
  merges: MergeService;
  duplicates: DuplicateService;
  imports: ImportService;
  stats: StatsService;
  loginThrottle: LoginThrottle;
}

export function createServices(db: Database, config: Config, hasher: PasswordHasher, signer: TokenSigner): Services {
  const tenants = new TenantService(db);
  const applications = new ApplicationService(db, tenants);
  const users = new UserService(db, config, tenants, hasher, applications);
  const mfa = new MfaService(db);
  return {
    tenants,
    users,
    auth: new AuthService(db, tenants, hasher, signer, mfa),
    partners: new PartnerService(db),
    ous: new OuService(db, tenants),
    groups: new GroupService(db, tenants),
    identities: new IdentityService(db, tenants),
    applications,
    apiTokens: new ApiTokenService(db, tenants),
    adminUsers: new AdminUserService(db, users, tenants),
    mfa,
    activity: new ActivityService(db, tenants),
    exports: new ExportService(db, users, applications),
    mail: new MailService(db, config, tenants, hasher, users),
    merges: new MergeService(db, tenants),
    duplicates: new DuplicateService(db, tenants),
    imports: new ImportService(db, config, tenants, hasher),
    stats: new StatsService(db, tenants),
    loginThrottle: new LoginThrottle(db, config.loginLimits),
  };
}
