/**
 * The fieldwork stream's source: services announce submissions, reviews, reservations and plan changes here, and
 * the SSE route relays them. Events carry no ids or answers, only that something changed in a survey: a dashboard
 * refetches its numbers, which always come from the store. Region-scoped subscribers hear only of their regions. In-process only: with several app instances a dashboard
 * hears the changes made through its own instance (the numbers it refetches are still everyone's).
 */
import { EventEmitter } from 'node:events';
import type { SurveyId } from '../../schemas/surveys.js';

export type FieldworkEventKind = 'submitted' | 'reviewed' | 'reservation' | 'plan';

export interface FieldworkEvent {
  kind: FieldworkEventKind;
  survey: SurveyId;
  at: string;
  /**
   * Regions the change concerns, for filtering per subscriber (see canHear); never sent. Absent: the whole survey.
   */
  regions?: Array<string | null>;
}

export class FieldworkEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    // One listener per open dashboard: no leak warning at eleven.
    this.emitter.setMaxListeners(0);
  }

  emit(event: FieldworkEvent): void {
    this.emitter.emit('event', event);
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: (event: FieldworkEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
