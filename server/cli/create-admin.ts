import type { Config } from '../config';
import { UserCreate } from '../../shared/schemas/user';
import { bootstrapDirectory } from '../services/bootstrap';
import { DEFAULT_TENANT_SLUG } from '../services/tenant-service';
import { cliActor, openCli } from './context';

export interface CreateAdminOptions { email: string; password: string; tenant?: string; username?: string }

/**
 * `roster create-admin`: a super admin (in the default tenant), or with `--tenant` a tenant admin
 * there. On an empty database the first super admin is made by the same bootstrap the server
 * runs, with these credentials instead of generated ones; later ones go through UserService, so
 * the password policy, uniqueness and the audit trail apply as they do over the API.
 */
export async function createAdminCommand(config: Config, opts: CreateAdminOptions, out: NodeJS.WritableStream = process.stdout) {
  const cli = await openCli(config);
  try {
    const hasSuperAdmin = await cli.db.knex('users').where({ role: 'super_admin' }).whereNull('deletedAt').first('id');
    if (!hasSuperAdmin && !opts.tenant) {
      const result = await bootstrapDirectory(cli.db, { ...config, adminEmail: opts.email, adminPassword: opts.password }, cli.hasher, cli.logger);
      out.write(`Created super admin ${result.createdAdmin!.email} (username admin) in tenant ${DEFAULT_TENANT_SLUG}\n`);
      return;
    }
    const actor = await cliActor(cli.db);
    const role = opts.tenant ? 'tenant_admin' : 'super_admin';
    const tenant = opts.tenant ?? DEFAULT_TENANT_SLUG;
    const input = UserCreate.parse({
      email: opts.email, password: opts.password, username: opts.username, role, email_verified: true, is_internal: true, send_welcome_email: false,
    });
    const user = await cli.services.users.create(actor, tenant, input);
    out.write(`Created ${role} ${user.email} (id ${user.id}) in tenant ${tenant}\n`);
  } finally {
    await cli.close();
  }
}
