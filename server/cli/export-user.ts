import type { Config } from '../config';
import { cliActor, openCli } from './context';
import { writeFileAtomic } from './files';

/** `roster export-user ID`: the GDPR export document, as the API gives it (and recorded the same way). */
export async function exportUserCommand(config: Config, userId: string, opts: { tenant?: string; out?: string }, out: NodeJS.WritableStream = process.stdout) {
  const cli = await openCli(config);
  try {
    const actor = await cliActor(cli.db);
    const tenant = opts.tenant ?? (await cli.services.users.tenantOf(actor, userId));
    const document = await cli.services.exports.exportUser(actor, tenant, userId);
    const text = `${JSON.stringify(document, null, 2)}\n`;
    if (!opts.out) {
      out.write(text);
      return;
    }
    // Personal data: readable by the owner only, and never a half-written file.
    writeFileAtomic(opts.out, text, 0o600);
    process.stderr.write(`Wrote the export of user ${userId} to ${opts.out}\n`);
  } finally {
    await cli.close();
  }
}
