/**
 * Writes seeded synthetic responses as NDJSON (one answers object per line) to stdout or a file.
 *
 *   npm run synth -- population --count 1000 --seed 7 [--out data/population.ndjson] [--mix ps_ethnicity=korean:1]
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { isSurveyId, SyntheticGenerator, type SurveyId } from '../schemas/index.js';

function parseMix(specs: string[]): Record<string, Record<string, number>> {
  const mix: Record<string, Record<string, number>> = {};
  for (const spec of specs) {
    const [item, shares] = spec.split('=');
    if (!item || !shares) throw new Error(`--mix ${spec}: expected item=code:share,code:share`);
    mix[item] = Object.fromEntries(shares.split(',').map((pair) => {
      const [code, share] = pair.split(':');
      return [code ?? '', Number(share ?? 1)];
    }));
  }
  return mix;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      count: { type: 'string', default: '100' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
      mix: { type: 'string', multiple: true, default: [] },
    },
  });
  const survey = positionals[0];
  if (!isSurveyId(survey)) {
    console.error('usage: synth <population|organisational|external> [--count N] [--seed S] [--out FILE] [--mix item=code:share,...]');
    process.exit(2);
  }
  const count = Number(values.count);
  const generator = new SyntheticGenerator(survey as SurveyId, { seed: Number(values.seed), mix: parseMix(values.mix ?? []) });
  const out = values.out ? createWriteStream(values.out) : process.stdout;
  const bar = values.out ? new SingleBar({ format: 'synth {bar} {value}/{total} responses' }, Presets.shades_classic) : null;
  bar?.start(count, 0);
  for (let i = 0; i < count; i += 1) {
    if (!out.write(`${JSON.stringify(generator.next())}\n`)) await once(out, 'drain');
    bar?.increment();
  }
  bar?.stop();
  if (out !== process.stdout) out.end();
}

await main();
