// The golden file is current: R re-runs the cross-check script on the committed data and must produce the same
// numbers. CI installs R (r-base-core, r-cran-survey, r-cran-mass) for this.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'weighting');

describe('golden.json', () => {
  it('is what cross-check.R computes from the committed data', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'csi-r-')), 'golden.json');
    try {
      execFileSync('Rscript', [join(DIR, 'cross-check.R'), out], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
      const fresh = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
      const committed = JSON.parse(readFileSync(join(DIR, 'golden.json'), 'utf8')) as Record<string, unknown>;
      const numbers = (v: Record<string, unknown>) => JSON.stringify({ ...v, r_version: undefined, survey_version: undefined });
      expect(numbers(fresh)).toBe(numbers(committed));
    } finally {
      rmSync(join(out, '..'), { recursive: true, force: true });
    }
  }, 300_000);
});
