// The quota plan page in headless Chromium on the real app: a coordinator lowers a cell's target in the browser and
// screening then refuses that cell; a second editor who loaded the plan before is told, in Russian, that someone
// else saved meanwhile (412), and loads the current version; a target that is not a whole number is marked beside
// its cell; the allocation helper drafts cells shown by their labels (never item ids); CSV goes out and back in as
// a new version; a region-scoped coordinator sees the plan read-only with the reason. Tablet (800×1280) and desktop
// (1440×900) without sideways scrolling. Screenshots go to artifacts/screenshots/ (not committed).
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../support/app.js';
import { startHarness, type Harness, type Page } from './support/form-harness.js';

const SHOTS = join(import.meta.dirname, '..', '..', 'artifacts', 'screenshots');
const QUOTAS = '/api/v1/surveys/population/quotas';
const TABLET = { width: 800, height: 1280 };
const DESKTOP = { width: 1440, height: 900 };
const FEMALE = 'gender:female';

async function open(h: Harness, username: string, lang: 'en' | 'ru' | 'kk', viewport = TABLET): Promise<Page> {
  const context = await h.browser.newContext({ viewport, locale: lang, acceptDownloads: true });
  const page = await context.newPage();
  await page.addInitScript((l) => localStorage.setItem('csi-dashboard-lang', l), lang);
  await page.goto(`${h.base}/dashboard/quotas`);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(TEST_PASSWORD);
  await page.locator('#login button[type=submit]').click();
  await page.locator('#version').waitFor();
  return page;
}

const noSidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);

describe('quota plan page', () => {
  let h: Harness;
  const screenFemale = () => h.ctx.as('ainur').post(`${QUOTAS}/screen`).send({ responseId: randomUUID(), answers: { ps_gender: 'female' } });
  beforeAll(async () => {
    h = await startHarness();
    mkdirSync(SHOTS, { recursive: true });
    const plan = { policy: 'refuse', quotas: [{ id: 'gender', variables: ['ps_gender'], cells: [{ categories: { ps_gender: 'male' }, target: 10 }, { categories: { ps_gender: 'female' }, target: 10 }] }] };
    await h.ctx.as('coord').put(QUOTAS).send(plan).expect(200);
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('saves a target edited in the browser, and screening follows it; a stale second editor is told in Russian', async () => {
    const first = await screenFemale().expect(200);
    await h.ctx.as('ainur').delete(`${QUOTAS}/reservations/${first.body.reservation.id}`).expect(204);
    const coord = await open(h, 'coord', 'en');
    const admin = await open(h, 'admin', 'ru');
    expect(await coord.locator('#version').textContent()).toMatch(/^Version 1, saved .* by coord$/);
    expect(await coord.locator('section.quota h2').textContent()).toBe('Gender');
    expect(await coord.locator(`tr[data-cell="${FEMALE}"] th`).textContent()).toBe('Female');

    await coord.locator(`tr[data-cell="${FEMALE}"] input.target`).fill('0');
    expect(await coord.locator('#total-0').textContent()).toBe('10');
    await coord.locator('#save').click();
    await expect.poll(() => coord.locator('#message').textContent()).toBe('Saved.');
    expect(await coord.locator('#version').textContent()).toMatch(/^Version 2,/);
    const refused = await screenFemale().expect(409);
    expect(refused.body).toMatchObject({ code: '409.6', details: { planVersion: 2 } });
    await coord.screenshot({ path: join(SHOTS, 'dashboard-quotas-en-tablet.png'), fullPage: true });

    // The admin loaded version 1 before the coordinator saved.
    await admin.locator(`tr[data-cell="${FEMALE}"] input.target`).fill('25');
    await admin.locator('#save').click();
    await expect.poll(() => admin.locator('#message').textContent()).toBe('Пока вы редактировали версию 1, кто-то другой сохранил версию 2 плана. Ваши изменения не сохранены. Загрузите текущую версию и внесите изменения заново.');
    expect((await h.ctx.as('coord').get(QUOTAS).expect(200)).body.quotas[0].cells[1].target).toBe(0);
    await admin.locator('#load-current').click();
    await expect.poll(() => admin.locator('#version').textContent()).toMatch(/^Версия 2,/);
    expect(await admin.locator(`tr[data-cell="${FEMALE}"] input.target`).inputValue()).toBe('0');
    expect(await admin.locator(`tr[data-cell="${FEMALE}"] th`).textContent()).toBe('Женский');
    await admin.context().close();
    await coord.context().close();
  }, 180_000);

  it('marks a target that is not a whole number beside its cell, in the page\'s language, and saves nothing', async () => {
    const page = await open(h, 'coord', 'kk');
    const row = page.locator(`tr[data-cell="${FEMALE}"]`);
    await row.locator('input.target').fill('12,5');
    expect(await row.locator('td.error').textContent()).toBe('Мақсат — 0-ден 1 000 000-ға дейінгі бүтін сан.');
    expect(await row.locator('input.target').getAttribute('aria-invalid')).toBe('true');
    await page.locator('#save').click();
    expect(await page.locator('#message').textContent()).toBe('Алдымен белгіленген өрістерді түзетіңіз.');
    expect((await h.ctx.as('coord').get(`${QUOTAS}/versions`).expect(200)).body.versions).toHaveLength(2);
    await page.context().close();
  }, 120_000);

  it('drafts region × gender cells from the margins, shown by their labels, and stores them as the next version', async () => {
    const page = await open(h, 'coord', 'ru', DESKTOP);
    await page.locator('#alloc-total').fill('600');
    await page.locator('#alloc-minimum').fill('5');
    await page.locator('#allocate').click();
    await expect.poll(() => page.locator('section.quota h2').allTextContents()).toEqual(['Регион × Пол']);
    const heads = await page.locator('section.quota thead th').allTextContents();
    expect(heads.slice(0, 3)).toEqual(['Регион', 'Пол', 'Цель']);
    expect(await page.locator('section.quota tbody tr').count()).toBe(32);
    expect(await page.locator('#total-0').textContent()).toBe('600');
    const text = (await page.locator('main').textContent()) as string;
    expect(text).not.toMatch(/ps_region|ps_gender|almaty_city|\bfemale\b/);
    expect(text).toContain('Алматы');
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'dashboard-quotas-ru-desktop.png'), fullPage: true });
    await page.locator('#save').click();
    await expect.poll(() => page.locator('#message').textContent()).toBe('Сохранено.');
    const stored = (await h.ctx.as('coord').get(QUOTAS).expect(200)).body;
    expect(stored).toMatchObject({ version: 3, quotas: [{ variables: ['ps_region', 'ps_gender'] }] });
    expect(await page.locator('#history tbody tr').count()).toBe(3);
    await page.context().close();
  }, 120_000);

  it('downloads the plan as CSV and stores an uploaded CSV as the next version', async () => {
    const page = await open(h, 'coord', 'en');
    const download = page.waitForEvent('download');
    await page.locator('#csv-download').click();
    const csv = readFileSync(await (await download).path(), 'utf8');
    expect(csv.split('\n')[0]).toBe('quota,variables,categories,target');
    expect(csv).toContain('ps_region*ps_gender,ps_region|ps_gender,akmola|female,');
    await page.locator('#csv-file').setInputFiles({ name: 'plan.csv', mimeType: 'text/csv', buffer: Buffer.from('variables,categories,target\nps_gender,male,40\nps_gender,female,45\n') });
    await expect.poll(() => page.locator('#message').textContent()).toBe('The file was stored as version 4.');
    expect(await page.locator(`tr[data-cell="ps_gender:female"] input.target`).inputValue()).toBe('45');
    await page.locator('#csv-file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('variables,categories,target\nps_gender,female,many\n') });
    await expect.poll(() => page.locator('#message').textContent()).toBe('The file was not stored: correct these lines and upload it again.');
    expect(await page.locator('#problems li').allTextContents()).toEqual(['Line 2: the target many is not a whole number, 0 or more']);
    await page.locator('#lang-ru').click();
    await page.locator('#csv-file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('variables,categories,target\nps_gender,male,3\nps_gender,akmola,4\n') });
    await expect.poll(() => page.locator('#message').textContent()).toBe('Файл не сохранён: исправьте эти строки и загрузите его снова.');
    expect(await page.locator('#problems li').allTextContents()).toEqual(['Строка 3: akmola — не категория переменной «Пол»']);
    expect((await h.ctx.as('coord').get(QUOTAS).expect(200)).body.version).toBe(4);
    await page.context().close();
  }, 120_000);

  // One file per rule a CSV upload can break, and what the page says about each line in Kazakh and in Russian.
  const BROKEN = [
    { rule: 'csvUnreadable', csv: 'variables,categories,target\nps_gender,"male,3\n', kk: ['2-жол: файлды CSV ретінде оқу мүмкін емес (тырнақшаларды тексеріңіз)'], ru: ['Строка 2: файл не читается как CSV (проверьте кавычки)'] },
    { rule: 'csvNoCells', csv: 'variables,categories,target\n', kk: ['файлда бағандардың атаулары бар, бірақ бірде-бір ұяшық жоқ'], ru: ['в файле есть названия столбцов, но нет ни одной ячейки'] },
    {
      rule: 'csvMissingColumn, csvUnknownColumn', csv: 'variables,cats,target\nps_gender,male,1\n',
      kk: ['1-жол: бірінші жолда categories бағаны жоқ', '1-жол: бірінші жолда жоспар файлдарында болмайтын cats бағаны бар'],
      ru: ['Строка 1: в первой строке нет столбца categories', 'Строка 1: в первой строке есть столбец cats, которого в файлах плана не бывает'],
    },
    {
      rule: 'csvNoVariable, csvCategoryCount', csv: 'variables,categories,target\n,male,3\n',
      kk: ['2-жол: ұяшықтың айнымалыларын | арқылы көрсетіңіз', '2-жол: санаттар: 1, айнымалылар: 0; әр айнымалыға бір санаттан, | арқылы, айнымалылармен бірдей ретпен көрсетіңіз'],
      ru: ['Строка 2: укажите переменные ячейки через |', 'Строка 2: категорий: 1, переменных: 0; укажите по одной категории на каждую переменную, через |, в том же порядке'],
    },
    {
      rule: 'csvCategoryCount', csv: 'variables,categories,target\nps_region|ps_gender,akmola,3\n',
      kk: ['2-жол: санаттар: 1, айнымалылар: 2; әр айнымалыға бір санаттан, | арқылы, айнымалылармен бірдей ретпен көрсетіңіз'],
      ru: ['Строка 2: категорий: 1, переменных: 2; укажите по одной категории на каждую переменную, через |, в том же порядке'],
    },
    { rule: 'csvTarget', csv: 'variables,categories,target\nps_gender,male,12.5\nps_gender,female,\n', kk: ['2-жол: 12.5 мақсаты 0-ден кем емес бүтін сан емес', '3-жол: "" мақсаты 0-ден кем емес бүтін сан емес'], ru: ['Строка 2: цель 12.5 не является целым числом от 0 и больше', 'Строка 3: цель "" не является целым числом от 0 и больше'] },
    {
      rule: 'csvQuotaVariables', csv: 'quota,variables,categories,target\nq,ps_gender,male,3\nq,ps_region,akmola,3\n',
      kk: ['3-жол: q квотасының жоғарыдағы жолында басқа айнымалылар бар: бір квотаның барлық жолдарында айнымалылар бірдей болуы керек'],
      ru: ['Строка 3: у квоты q в строке выше другие переменные: все строки одной квоты называют одни и те же переменные'],
    },
    { rule: 'csvDuplicateCell', csv: 'variables,categories,target\nps_gender,male,3\nps_gender,male,4\n', kk: ['3-жол: 2-жолдағы ұяшықпен бірдей'], ru: ['Строка 3: та же ячейка, что и в строке 2'] },
    {
      rule: 'unknownVariable', csv: 'variables,categories,target\nps_gender,male,3\nps_shoe_size,42,1\n',
      kk: ['3-жол: ps_shoe_size — бұл сауалнаманың сұрағы да, туынды айнымалысы да емес'], ru: ['Строка 3: ps_shoe_size — не вопрос и не производная переменная этого опроса'],
    },
    {
      rule: 'unknownCategory', csv: 'variables,categories,target\nps_gender,male,3\nps_age_band,over_60,3\n',
      kk: ['3-жол: over_60 — «Жас тобы» айнымалысының санаты емес'], ru: ['Строка 3: over_60 — не категория переменной «Возрастная группа»'],
    },
    { rule: 'variableTwice', csv: 'variables,categories,target\nps_gender|ps_gender,male|female,3\n', kk: ['2-жол: бір айнымалы квотада екі рет көрсетілген'], ru: ['Строка 2: переменная указана в квоте дважды'] },
  ] as const;

  it('says what is wrong with each line of a refused CSV file in Kazakh and Russian, never in the server\'s English', async () => {
    const refusedMessage = { kk: 'Файл сақталмады: осы жолдарды түзетіп, қайта жүктеңіз.', ru: 'Файл не сохранён: исправьте эти строки и загрузите его снова.' };
    for (const lang of ['kk', 'ru'] as const) {
      const page = await open(h, 'coord', lang);
      for (const broken of BROKEN) {
        const english = (await h.ctx.as('coord').put(QUOTAS).set('content-type', 'text/csv').send(broken.csv).expect(400)).body.details.errors as Array<{ keyword: string; message: string }>;
        expect([...new Set(english.map((e) => e.keyword))].join(', ')).toBe(broken.rule);
        await page.locator('#csv-file').setInputFiles({ name: 'plan.csv', mimeType: 'text/csv', buffer: Buffer.from(broken.csv) });
        await expect.poll(() => page.locator('#problems li').allTextContents(), { message: `${lang} ${broken.rule}` }).toEqual([...broken[lang]]);
        expect(await page.locator('#message').textContent()).toBe(refusedMessage[lang]);
        // Data (a column, a code, a target as written) is marked as such; the words around it are the page's language.
        const words = await page.locator('#problems').evaluate((ul) => {
          const copy = ul.cloneNode(true) as HTMLElement;
          for (const code of copy.querySelectorAll('[translate="no"]')) code.remove();
          return copy.textContent ?? '';
        });
        expect(words.match(/[A-Za-z]{3,}/g) ?? [], `${lang} ${broken.rule}`).toEqual(broken.rule === 'csvUnreadable' ? ['CSV'] : []);
        for (const e of english) expect(words).not.toContain(e.message.replace(/^line \d+(, \w+)?: /, ''));
      }
      await page.context().close();
    }
    expect((await h.ctx.as('coord').get(QUOTAS).expect(200)).body.version).toBe(4);
  }, 300_000);

  it('words the server\'s refusal of a cell beside it, and of the plan under the message, in the page\'s language', async () => {
    // A version an older release stored: a collapsed-away category in a cell and counted statuses the counting policy
    // no longer allows. The editor loads it as it is; saving it back is refused by the rules the page words.
    const current = (await h.ctx.as('coord').get(QUOTAS).expect(200)).body as { version: number };
    const old = { survey: 'population', version: current.version + 1, policy: 'refuse', countStatuses: ['submitted'], quotas: [{ id: 'age', variables: ['ps_age_band'], cells: [{ categories: { ps_age_band: '18_25' }, target: 5 }, { categories: { ps_age_band: 'over_60' }, target: 7 }] }] };
    await h.ctx.t.store.insertSettingVersion({ key: 'quotas:population', version: old.version, value: old, at: new Date().toISOString(), by: 'coord', published: false });
    await h.ctx.t.store.publishSettingVersion('quotas:population', old.version);
    for (const [lang, cell, plan] of [
      ['ru', 'over_60 — не категория переменной «Возрастная группа»', 'план не может менять, какие анкеты учитываются: это одно правило для всех подсчётов'],
      ['kk', 'over_60 — «Жас тобы» айнымалысының санаты емес', 'жоспар қай анкеталар есептелетінін өзгерте алмайды: бұл барлық есептер үшін бір ереже'],
    ] as const) {
      const page = await open(h, 'coord', lang);
      const row = page.locator('tr[data-cell="age:over_60"]');
      await row.locator('input.target').fill('8');
      await page.locator('#save').click();
      await expect.poll(() => row.locator('td.error').textContent()).toBe(cell);
      expect(await row.locator('input.target').getAttribute('aria-invalid')).toBe('true');
      expect(await page.locator('tr[data-cell="age:18_25"] td.error').textContent()).toBe('');
      expect(await page.locator('#problems li').allTextContents()).toEqual([plan]);
      await page.context().close();
    }
    expect((await h.ctx.as('coord').get(QUOTAS).expect(200)).body.version).toBe(old.version);
  }, 180_000);

  it('shows a region-scoped coordinator the plan read-only, saying why', async () => {
    for (const viewport of [TABLET, DESKTOP]) {
      const page = await open(h, 'coord_akm', 'en', viewport);
      expect(await page.locator('#read-only').textContent()).toBe('You coordinate Akmola oblast, Aktobe oblast: national settings are for a coordinator of the whole country or an admin. You can look, not change.');
      expect(await page.locator('#save').count()).toBe(0);
      expect(await page.locator('#allocation').count()).toBe(0);
      expect(await page.locator('input.target').first().isDisabled()).toBe(true);
      expect(await noSidewaysScroll(page)).toBe(true);
      await page.context().close();
    }
    // The API refuses the write whatever the page shows.
    await h.ctx.as('coord_akm').put(QUOTAS).send({ quotas: [] }).expect(404);
  }, 120_000);

  it('shows an analyst the plan read-only and tells an interviewer the page is not for their role', async () => {
    const analyst = await open(h, 'analyst', 'ru');
    expect(await analyst.locator('#read-only').textContent()).toBe('Ваша роль может смотреть эти настройки, но не менять их.');
    expect(await analyst.locator('#save').count()).toBe(0);
    await analyst.context().close();
    const context = await h.browser.newContext({ viewport: TABLET });
    const page = await context.newPage();
    await page.addInitScript(() => localStorage.setItem('csi-dashboard-lang', 'kk'));
    await page.goto(`${h.base}/dashboard/quotas`);
    await page.locator('#username').fill('ainur');
    await page.locator('#password').fill(TEST_PASSWORD);
    await page.locator('#login button[type=submit]').click();
    await expect.poll(() => page.locator('#page-error').textContent()).toBe('Сіздің рөліңізге бұл бет қолжетімсіз.');
    await context.close();
  }, 120_000);
});
