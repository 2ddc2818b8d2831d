/**
 * The interview as state, without a DOM: which page is shown, which items on it apply (the schema's skip rules,
 * evaluated live by schemas/conditions.ts), what is wrong with the answers (the standalone validator, messages in
 * the interviewer's language), progress, the review, and the submission with its paradata. The renderer only maps
 * this to elements; everything here is tested in Node.
 */
import type { Submission, SubmissionMeta } from '../../schemas/api.js';
import { itemStates, withoutIrrelevant, type ItemState } from '../../schemas/conditions.js';
import type { Item } from '../../schemas/items.js';
import type { Language } from '../../schemas/labels.js';
import type { Validator } from '../../schemas/validation.js';
import type { ValidationError } from '../../schemas/validation-errors.js';
import { draftVersion, type Draft } from './draft.js';
import { pagesOf, systemItems, type Block, type Page } from './pages.js';

/** Whether the respondent's quota cell is still open (issue 6 provides it; without it every cell is open). */
export interface ScreeningVerdict {
  open: boolean;
  /** When closed: the full cells the respondent falls in (variable -> category code), when known. */
  full?: Array<Record<string, string>>;
}
/** Asked once the screening section is complete, before the interview goes on. */
export type ScreeningCheck = (draft: Readonly<Draft>) => Promise<ScreeningVerdict>;
/** The section after which the screening check runs. */
export const SCREENING_SECTION = 'screening';

export interface FormModelOptions {
  /** Validates the answers in the draft's own questionnaire version. */
  validate: Validator;
  clock?: () => Date;
  screeningCheck?: ScreeningCheck;
  /** Called after every change of the draft (the app saves it). */
  onChange?: (draft: Draft) => void;
}

export interface StepResult {
  moved: boolean;
  errors: ValidationError[];
  /** The screening check found the respondent's cell full: the interview ends here. */
  stopped?: boolean;
}

export interface ReviewSection {
  page: Page;
  index: number;
  rows: Array<{ item: Item; value: unknown }>;
}

export type Completion = { ok: true; submission: Submission } | { ok: false; errors: ValidationError[] };

const MAX_SECTION_SECONDS = 86_400;

export class FormModel {
  readonly pages: Page[];
  /** The questionnaire version of the draft: pages, skip rules and the submission's formVersion are its. */
  readonly version: string;
  private readonly clock: () => Date;
  private enteredAt: number;
  private cachedStates: { answers: Record<string, unknown>; states: Map<string, ItemState> } | null = null;

  constructor(readonly draft: Draft, private readonly options: FormModelOptions) {
    this.version = draftVersion(draft);
    this.pages = pagesOf(draft.survey, this.version);
    this.clock = options.clock ?? (() => new Date());
    this.enteredAt = this.clock().getTime();
  }

  get answers(): Readonly<Record<string, unknown>> {
    return this.draft.answers;
  }

  get onReview(): boolean {
    return this.draft.page >= this.pages.length;
  }

  get currentPage(): Page | null {
    return this.pages[this.draft.page] ?? null;
  }

  states(): Map<string, ItemState> {
    if (this.cachedStates?.answers !== this.draft.answers) {
      this.cachedStates = { answers: this.draft.answers, states: itemStates(this.draft.survey, this.draft.answers, this.version) };
    }
    return this.cachedStates.states;
  }

  isVisible(item: Item): boolean {
    return this.states().get(item.id)?.relevant !== false;
  }

  isRequired(item: Item): boolean {
    return this.states().get(item.id)?.required === true;
  }

  visibleItems(page: Page): Item[] {
    return page.items.filter((i) => this.isVisible(i));
  }

  /** The page's blocks with only the items that apply; a grid with none left disappears. */
  visibleBlocks(page: Page): Block[] {
    return page.blocks.flatMap((b): Block[] => {
      if (b.kind === 'item') return this.isVisible(b.item) ? [b] : [];
      const items = b.items.filter((i) => this.isVisible(i));
      return items.length > 0 ? [{ ...b, items }] : [];
    });
  }

  /** Sets (or, with undefined, clears) an answer; answers the new state makes irrelevant are cleared too. */
  setAnswer(id: string, value: unknown): string[] {
    const next = { ...this.draft.answers };
    if (value === undefined) delete next[id];
    else next[id] = value;
    const kept = withoutIrrelevant(this.draft.survey, next, this.version);
    const cleared = Object.keys(next).filter((k) => !(k in kept));
    this.draft.answers = kept;
    this.touch();
    return cleared;
  }

  setLanguage(lang: Language): void {
    this.draft.language = lang;
    this.touch();
  }

  /** All errors of the answers as they stand (items not yet reached included). */
  errors(lang: Language): ValidationError[] {
    return this.options.validate(this.draft.answers, lang).errors;
  }

  /** The errors on one page's visible items: what blocks leaving it. */
  pageErrors(page: Page, lang: Language): ValidationError[] {
    const ids = new Set(this.visibleItems(page).map((i) => i.id));
    return this.errors(lang).filter((e) => e.item !== null && ids.has(e.item));
  }

  /** Goes to the next page with something to ask, or to the review, if the current page has no errors. */
  async next(lang: Language): Promise<StepResult> {
    const page = this.currentPage;
    if (!page) return { moved: false, errors: [] };
    const errors = this.pageErrors(page, lang);
    if (errors.length > 0) return { moved: false, errors };
    if (page.id === SCREENING_SECTION && this.options.screeningCheck) {
      const verdict = await this.options.screeningCheck(this.draft);
      if (!verdict.open) {
        this.leavePage();
        this.draft.stopped = true;
        if (verdict.full && verdict.full.length > 0) this.draft.fullCells = verdict.full;
        this.touch();
        return { moved: false, errors: [], stopped: true };
      }
    }
    this.moveTo(this.nextShown(this.draft.page + 1, 1));
    return { moved: true, errors: [] };
  }

  /**
   * After a stop at screening: back to the screening page, to correct an answer given by mistake (the wrong age
   * tapped). Leaving it again asks the quota question again.
   */
  reopenScreening(): void {
    delete this.draft.stopped;
    delete this.draft.fullCells;
    const screening = this.pages.findIndex((p) => p.id === SCREENING_SECTION);
    this.moveTo(screening < 0 ? this.draft.page : screening);
  }

  back(): boolean {
    if (this.draft.page === 0) return false;
    this.moveTo(this.nextShown(this.draft.page - 1, -1));
    return true;
  }

  /** Jumps to a page (from the review, to edit a section). */
  goTo(index: number): void {
    this.moveTo(Math.max(0, Math.min(index, this.pages.length)));
  }

  /** Position among the pages that have something to ask, the review counted as the last step. */
  progress(): { step: number; steps: number } {
    const shown = this.pages.map((p, i) => [p, i] as const).filter(([p]) => this.visibleItems(p).length > 0);
    const steps = shown.length + 1;
    const step = this.onReview ? steps : shown.filter(([, i]) => i <= this.draft.page).length;
    return { step, steps };
  }

  /** The answers as the review page lists them: per section, every visible item with its answer (or none). */
  review(): ReviewSection[] {
    return this.pages
      .map((page, index) => ({ page, index, rows: this.visibleItems(page).map((item) => ({ item, value: this.draft.answers[item.id] })) }))
      .filter((s) => s.rows.length > 0);
  }

  /** The submission, if the whole interview is valid: cleaned answers, system items and paradata. */
  complete(lang: Language, env: { appVersion: string; device?: string }): Completion {
    this.leavePage();
    const now = this.clock();
    const answers: Record<string, unknown> = { ...withoutIrrelevant(this.draft.survey, this.draft.answers, this.version) };
    for (const item of systemItems(this.draft.survey, this.version)) {
      if (item.kind === 'date' && answers[item.id] === undefined) answers[item.id] = localDate(now);
    }
    const result = this.options.validate(answers, lang);
    if (!result.valid) return { ok: false, errors: result.errors };
    const meta: SubmissionMeta = {
      // The version the interview was conducted in: the server validates it against that version and keeps it.
      formVersion: this.version,
      appVersion: env.appVersion,
      language: lang,
      ...(env.device ? { device: env.device.slice(0, 200) } : {}),
      source: 'form',
      startedAt: this.draft.startedAt,
      completedAt: now.toISOString(),
      sectionDurations: { ...this.draft.sectionDurations },
    };
    return { ok: true, submission: { id: this.draft.id, answers, meta } };
  }

  private nextShown(from: number, step: 1 | -1): number {
    let i = from;
    while (i >= 0 && i < this.pages.length && this.visibleItems(this.pages[i] as Page).length === 0) i += step;
    return Math.max(0, Math.min(i, this.pages.length));
  }

  private moveTo(index: number): void {
    this.leavePage();
    this.draft.page = index;
    this.touch();
  }

  /** Adds the time since the page was entered to its section's duration, and restarts the count. */
  private leavePage(): void {
    const now = this.clock().getTime();
    const page = this.currentPage;
    if (page) {
      const seconds = Math.max(0, (now - this.enteredAt) / 1000);
      const total = (this.draft.sectionDurations[page.id] ?? 0) + seconds;
      this.draft.sectionDurations[page.id] = Math.min(MAX_SECTION_SECONDS, Math.round(total * 10) / 10);
    }
    this.enteredAt = now;
  }

  private touch(): void {
    this.draft.updatedAt = this.clock().toISOString();
    this.options.onChange?.(this.draft);
  }
}

function localDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
