// Offline screening from the last synced quota status: a respondent stops only in a cell that was full, matching
// every variable of its quota after collapsing, derived variables (age band) included, and learns which cells; the
// flag policy never stops.
import { describe, expect, it } from 'vitest';
import { derivePopulation } from '../../../schemas/derived.js';
import { fullOffline, type QuotaStatus } from '../../../forms/app/quota-check.js';

const derive = (answers: Record<string, unknown>) => ({ ...derivePopulation(answers) });
const status: QuotaStatus = {
  survey: 'population', version: 3, policy: 'refuse', at: '2026-11-28T07:00:00.000Z',
  quotas: [
    { id: 'region_age', variables: ['ps_region', 'ps_age_band'] },
    { id: 'ethnicity', variables: ['ps_ethnicity'], collapse: { ps_ethnicity: { uzbek: 'other', tatar: 'other' } } },
  ],
  full: [{ quota: 'region_age', categories: { ps_region: 'akmola', ps_age_band: '61_plus' } }, { quota: 'ethnicity', categories: { ps_ethnicity: 'other' } }],
};

describe('offline quota screening', () => {
  it.each([
    [{ ps_region: 'akmola', ps_age_years: 70, ps_ethnicity: 'kazakh' }, [{ ps_region: 'akmola', ps_age_band: '61_plus' }]],
    [{ ps_region: 'akmola', ps_age_years: 40, ps_ethnicity: 'kazakh' }, []],
    [{ ps_region: 'aktobe', ps_age_years: 70, ps_ethnicity: 'kazakh' }, []],
    [{ ps_region: 'aktobe', ps_age_years: 40, ps_ethnicity: 'uzbek' }, [{ ps_ethnicity: 'other' }]],
    [{ ps_region: 'aktobe', ps_age_years: 40, ps_ethnicity: 'other' }, [{ ps_ethnicity: 'other' }]],
    [{ ps_region: 'akmola', ps_age_years: 65, ps_ethnicity: 'tatar' }, [{ ps_region: 'akmola', ps_age_band: '61_plus' }, { ps_ethnicity: 'other' }]],
    [{ ps_region: 'aktobe', ps_age_years: 40 }, []],
  ])('%o: full cells %o', (answers, full) => {
    expect(fullOffline(status, answers, derive)).toEqual(full);
  });

  it('never stops under the flag policy, nor without a status or derived variables', () => {
    const answers = { ps_region: 'akmola', ps_age_years: 70, ps_ethnicity: 'tatar' };
    expect(fullOffline({ ...status, policy: 'flag' }, answers, derive)).toEqual([]);
    expect(fullOffline(null, answers, derive)).toEqual([]);
    expect(fullOffline({ ...status, full: [status.full[0] as QuotaStatus['full'][number]] }, answers)).toEqual([]);
  });
});
