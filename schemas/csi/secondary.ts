/**
 * Secondary data as exchanged with the API (`PUT/GET /api/v1/indicators/secondary`): one value per input key,
 * each with its source and year, so every secondary indicator can say where its number comes from. The schema
 * is draft 2020-12 and strict like the questionnaires; validate.ts compiles it.
 */
import { SECONDARY_KEYS, type SecondaryKey } from './indicators.js';

export interface SecondaryValue {
  value: number;
  source: string;
  /** Year (or edition) of the data; null when not known. */
  year: number | null;
  /** reported: as published by the source; derived: backed out of a published indicator score. */
  status?: 'reported' | 'derived';
  note?: string;
}

export type SecondaryData = Partial<Record<SecondaryKey, SecondaryValue>>;

const valueSchema = {
  type: 'object',
  required: ['value', 'source', 'year'],
  additionalProperties: false,
  properties: {
    value: { type: 'number', minimum: 0 },
    source: { type: 'string', minLength: 1, maxLength: 500 },
    year: { anyOf: [{ type: 'integer', minimum: 1900, maximum: 2100 }, { type: 'null' }] },
    status: { enum: ['reported', 'derived'] },
    note: { type: 'string', maxLength: 2000 },
  },
} as const;

export const secondaryDataSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://csi-survey.org/schemas/csi/secondary/1.0.0',
  title: 'SecondaryData',
  description: 'Secondary-data inputs of the indicator matrix (data dictionary §5), on their native scales.',
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(SECONDARY_KEYS.map((key) => [key, valueSchema])),
} as const;
