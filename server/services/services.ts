/**
 * createServices(deps): every use case wired once, for the HTTP app and the CLI alike, so both run the same
 * composition (imports and seeds claim quota cells as submissions do, exports weight as the API does) and compile
 * the validators once. The store is used by services only: routes and CLI commands get these, never the store.
 */
import type { SurveyId } from '../../schemas/surveys.js';
import type { Store } from '../store/store.port.js';
import { AccountsService } from './accounts.service.js';
import { auditTrail, listAudit, type AuditParams, type Audit } from './audit.service.js';
import { ExportService } from './export.service.js';
import { FieldworkEvents } from './fieldwork-events.js';
import { FieldworkService } from './fieldwork.service.js';
import { checkHealth, type Health } from './health.service.js';
import { ConcernsService } from './concerns.service.js';
import { IndicatorsService } from './indicators.service.js';
import { ParadataService } from './paradata.service.js';
import { QuotasService, type QuotaOptions } from './quotas.service.js';
import { ResponsesService, type Clock } from './responses.service.js';
import { ReviewService } from './review.service.js';
import { TalliesService } from './tallies.service.js';
import { compileAllValidators, type Validators } from './validation.js';
import { WeightingService } from './weighting.service.js';

export interface ServiceDeps {
  store: Store;
  clock?: Clock;
  /** Compiled once per process; tests that build several apps may share them. */
  validators?: Validators;
  /** Quota screening: how long reservations hold, how many live ones a person may hold per cell. */
  quotas?: QuotaOptions;
  /** Questionnaire versions held back (config CSI_PIN_VERSIONS); ignored when `validators` is given. */
  pinnedVersions?: Partial<Record<SurveyId, string>>;
}

export interface Services {
  validators: Validators;
  clock: Clock;
  audit: Audit;
  accounts: AccountsService;
  weighting: WeightingService;
  events: FieldworkEvents;
  quotas: QuotasService;
  fieldwork: FieldworkService;
  responses: ResponsesService;
  tallies: TalliesService;
  indicators: IndicatorsService;
  /** The social concerns the impact questions name. */
  concerns: ConcernsService;
  exports: ExportService;
  paradata: ParadataService;
  review: ReviewService;
  /** The audit trail, a page at a time (admins). */
  auditLog: { list(params: AuditParams): ReturnType<typeof listAudit> };
  /** Whether the store answers (/healthz). */
  health: { check(): Promise<Health> };
}

export function createServices(deps: ServiceDeps): Services {
  const { store } = deps;
  const clock = deps.clock ?? (() => new Date());
  const validators = deps.validators ?? compileAllValidators(deps.pinnedVersions);
  const audit = auditTrail(store, clock);
  const weighting = new WeightingService(store, validators, audit);
  const events = new FieldworkEvents();
  const concerns = new ConcernsService(store, validators, clock, audit);
  const quotas = new QuotasService(store, validators, clock, audit, weighting, events, deps.quotas);
  return {
    validators,
    clock,
    audit,
    accounts: new AccountsService(store, validators, clock, audit),
    weighting,
    events,
    quotas,
    fieldwork: new FieldworkService(store, clock, weighting.dataset),
    // Submissions claim their quota cells (imports and seeds too: they count like any response).
    responses: new ResponsesService(store, validators, clock, audit, quotas.hooks()),
    tallies: new TalliesService(store, weighting),
    indicators: new IndicatorsService(store, validators, weighting, audit, concerns),
    concerns,
    exports: new ExportService(store, (survey, actor, options) => weighting.weightsFor(survey, actor, options)),
    paradata: new ParadataService(store),
    review: new ReviewService(store),
    auditLog: { list: (params) => listAudit(store, params) },
    health: { check: () => checkHealth(store) },
  };
}
