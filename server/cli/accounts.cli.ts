/**
 * `csi users` and `csi tokens`: accounts from the server's shell, through the same service as the admin API, so
 * the same validation (roles, `ps_region` codes), token revocation and audit entries apply. Kept out of csi.ts so
 * the command line's entry point stays a dispatcher.
 */
import { parseArgs } from 'node:util';
import { systemActor } from '../domain/actor.js';
import { generatePassword } from '../services/passwords.js';
import type { Services } from '../services/services.js';
import { renderTable } from './table.js';

export const ACCOUNTS_USAGE = `csi users add <username> --role interviewer|coordinator|analyst|admin [--regions r1,r2] [--password P]
  csi users list
  csi users disable <username> | csi users enable <username>
  csi users reset-password <username> [--password P]
  csi tokens list
  csi tokens create <username> --name NAME [--days D]
  csi tokens revoke <token-id>`;

type Fail = (message: string) => never;

const CLI = systemActor('cli');

/** A password given on the command line or in CSI_NEW_PASSWORD, else a generated one the caller shows once. */
function chosenPassword(given: string | undefined): { password: string; generated: boolean } {
  const chosen = given ?? process.env.CSI_NEW_PASSWORD;
  return chosen === undefined ? { password: generatePassword(), generated: true } : { password: chosen, generated: false };
}

export async function runUsers({ accounts }: Services, args: string[], fail: Fail): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { role: { type: 'string' }, regions: { type: 'string' }, password: { type: 'string' } } });
  const [action, username] = positionals;
  if (action === 'list') {
    for (const u of await accounts.listUsers()) console.log(`${u.username}\t${u.role}\t${u.regions.join(',') || 'all regions'}\t${u.disabled ? 'disabled' : 'active'}`);
    return 0;
  }
  if (!username) fail(`usage:\n  ${ACCOUNTS_USAGE}`);
  switch (action) {
    case 'add': {
      const { password, generated } = chosenPassword(values.password);
      const regions = values.regions ? values.regions.split(',').map((r) => r.trim()).filter(Boolean) : [];
      const user = await accounts.createUser({ username, password, role: values.role, ...(regions.length ? { regions } : {}) }, CLI);
      console.log(`created ${user.username} (${user.role})`);
      if (generated) console.log(`password (shown once): ${password}`);
      return 0;
    }
    case 'disable':
    case 'enable':
      // Either way every token the user held is revoked (the service's rule): enabling brings back the account only.
      await accounts.updateUserByUsername(username, { disabled: action === 'disable' }, CLI);
      console.log(`${action}d ${username}`);
      return 0;
    case 'reset-password': {
      const { password, generated } = chosenPassword(values.password);
      await accounts.updateUserByUsername(username, { password }, CLI);
      console.log(`new password set for ${username}; their sessions and API tokens are revoked`);
      if (generated) console.log(`password (shown once): ${password}`);
      return 0;
    }
    default:
      return fail(`usage:\n  ${ACCOUNTS_USAGE}`);
  }
}

export async function runTokens({ accounts }: Services, args: string[], fail: Fail): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { name: { type: 'string' }, days: { type: 'string' } } });
  const [action, subject] = positionals;
  if (action === 'list') {
    // What the admin API lists, never a secret or its hash (the service hands out public tokens only).
    const rows = (await accounts.listTokens()).map((t) => [t.id, t.username, t.name, t.kind, t.createdAt, t.expiresAt, t.revokedAt ?? '']);
    console.log(renderTable(['id', 'user', 'name', 'kind', 'created', 'expires', 'revoked'], rows));
    return 0;
  }
  if (action === 'create' && subject) {
    const issued = await accounts.createApiToken({ username: subject, name: values.name ?? 'script', ...(values.days ? { expiresInDays: Number(values.days) } : {}) }, CLI);
    console.log(`token ${issued.id} for ${issued.username}, expires ${issued.expiresAt}`);
    console.log(`secret (shown once): ${issued.token}`);
    return 0;
  }
  if (action === 'revoke' && subject) {
    await accounts.revokeToken(subject, CLI);
    console.log(`revoked ${subject}`);
    return 0;
  }
  return fail(`usage:\n  ${ACCOUNTS_USAGE}`);
}
