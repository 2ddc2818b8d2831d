/** Everything a store holds that must survive an upgrade or a backup, read through the store port. */
import { SURVEY_IDS } from '../../schemas/surveys.js';
import type { AuditEntry, Token, User } from '../../server/domain/accounts.js';
import type { StoredResponse } from '../../server/domain/response.js';
import type { AuditPosition, Store } from '../../server/store/store.port.js';

export interface StoreContents {
  /** Every response of every survey, each with its revisions. */
  responses: StoredResponse[];
  users: User[];
  tokens: Token[];
  audit: AuditEntry[];
}

export async function readStoreContents(store: Store): Promise<StoreContents> {
  const responses: StoredResponse[] = [];
  for (const survey of SURVEY_IDS) for await (const r of store.streamResponses({ survey })) responses.push(r);
  const audit: AuditEntry[] = [];
  let after: AuditPosition | undefined;
  for (;;) {
    const page = await store.listAudit({}, 100, after);
    audit.push(...page.items);
    if (!page.next) break;
    after = page.next;
  }
  return { responses, users: await store.listUsers(), tokens: await store.listTokens(), audit };
}
