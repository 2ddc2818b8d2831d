// The console's navigation (forms/dashboard/nav.ts) against the access policy (server/domain/policy.ts), which the
// browser code may not import: every page offers itself to exactly the roles its route allows, and every page it
// links to is served. Pages other branches are building (issues 16 and 17's study settings) are listed apart.
import { describe, expect, it } from 'vitest';
import { ROLES } from '../../../schemas/api.js';
import { EXPORT_API, EXPORT_ROLES, NAV, pagesFor } from '../../../forms/dashboard/nav.js';
import { CONSOLE_TEXTS } from '../../../forms/dashboard/console.texts.js';
import { ADMIN_TEXTS } from '../../../forms/dashboard/admin.texts.js';
import { policyFor } from '../../../server/domain/policy.js';
import { DASHBOARDS } from '../../../server/http/pages.routes.js';

/** Linked before their pages exist on this branch: review (issue 16), quotas, margins, secondary (issue 17, study settings). */
const BUILT_ELSEWHERE: string[] = [];

describe('console navigation', () => {
  it.each(NAV.filter((p) => p.api).map((p) => [p.id, p] as const))('offers %s to exactly the roles its route allows', (_id, page) => {
    const policy = policyFor(page.api as string);
    expect(policy, `${page.api} is not in the policy`).toBeDefined();
    expect(policy?.allow).not.toBe('public');
    expect([...page.roles].sort()).toEqual([...(policy?.allow as readonly string[])].sort());
    expect(page.national ?? false).toBe(policy?.national ?? false);
  });

  it('offers the export card to the roles of the export route', () => {
    expect([...EXPORT_ROLES].sort()).toEqual([...(policyFor(EXPORT_API)?.allow as readonly string[])].sort());
  });

  it('links only to pages the server serves', () => {
    for (const page of NAV) {
      const dashboard = /^\/dashboard\/([a-z-]+)$/.exec(page.href)?.[1];
      if (dashboard === undefined) {
        expect(page.href).toMatch(/^\/forms\/(population|organisational|external)$/);
        continue;
      }
      if (BUILT_ELSEWHERE.includes(dashboard)) continue;
      expect(Object.keys(DASHBOARDS), page.href).toContain(dashboard);
    }
  });

  it('names every page and says what it is for, in every language', () => {
    for (const page of NAV) {
      for (const lang of ['en', 'ru', 'kk'] as const) {
        expect(CONSOLE_TEXTS[lang][page.title], `${page.id} ${lang}`).toBeTruthy();
        expect(CONSOLE_TEXTS[lang][page.about], `${page.id} ${lang}`).toBeTruthy();
      }
    }
  });

  it('translates every console and administration string into Russian and Kazakh', () => {
    for (const texts of [CONSOLE_TEXTS, ADMIN_TEXTS] as const) {
      const keys = Object.keys(texts.en) as Array<keyof typeof texts.en>;
      for (const lang of ['ru', 'kk'] as const) {
        expect(Object.keys(texts[lang]).sort()).toEqual([...keys].sort());
        // Words, not a copy of the English (product names such as CSV or API aside).
        const copied = keys.filter((k) => texts[lang][k] === texts.en[k] && /[a-z]{4,}/.test(texts.en[k]) && !/^(CSV|Excel|SPSS|Stata|API)$/.test(texts.en[k]));
        expect(copied, lang).toEqual([]);
      }
    }
  });

  it('offers national settings to coordinators of the whole country only', () => {
    expect(pagesFor('coordinator').map((p) => p.id)).toEqual(expect.arrayContaining(['quotas', 'margins', 'secondary']));
    expect(pagesFor('coordinator', ['akmola']).map((p) => p.id)).not.toEqual(expect.arrayContaining(['quotas']));
    expect(pagesFor('coordinator', ['akmola']).map((p) => p.id)).toEqual(expect.arrayContaining(['fieldwork', 'review', 'tallies']));
  });

  it('gives every role its own account page, and administration to admins only', () => {
    for (const role of ROLES) expect(pagesFor(role).map((p) => p.id)).toContain('account');
    for (const role of ROLES) expect(pagesFor(role).some((p) => p.group === 'admin')).toBe(role === 'admin');
  });
});
