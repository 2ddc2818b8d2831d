/**
 * The ingestion benchmark's baseline: bare Express 5 with express.json() and one POST route that builds the stored
 * record minimally (no validation, no derived variables, no content hash, no request logging) and calls the same
 * store's insertResponse, answering 201 with the receipt as the app does. Run as a child process with the app's
 * environment (PORT, HOST, DATA_DIR or MONGODB_URI + MONGODB_DB), so it opens the same kind of store.
 *
 * With BASELINE_CHECKS=1 it also does what issue 3 itself asks of every submission, with the app's own code:
 * validation (envelope and answers, 400 with the errors), derived variables and the canonical content hash. Access
 * control, rate limits, audit, request ids and security headers stay out: the app's remaining cost is theirs.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import { questionnaireVersion } from '../schemas/index.js';
import type { Submission } from '../schemas/api.js';
import { loadConfig } from '../server/config.js';
import { receiptOf, type StoredResponse } from '../server/domain/response.js';
import { regionOf } from '../schemas/survey-definition.js';
import { openStore } from '../server/store/open-store.js';
import { deriveVariables } from '../schemas/derived.js';
import { contentHash } from '../server/domain/canonical.js';
import { isProblem } from '../server/domain/problems.js';
import { auditTrail } from '../server/services/audit.service.js';
import { ResponsesService } from '../server/services/responses.service.js';
import { compileAllValidators } from '../server/services/validation.js';

const config = loadConfig();
const store = await openStore(config);
const version = questionnaireVersion('population');

const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: config.bodyLimit }));
const clock = () => new Date();
const checks = process.env.BASELINE_CHECKS === '1'
  ? new ResponsesService(store, compileAllValidators(), clock, auditTrail(store, clock))
  : null;

app.post('/api/v1/surveys/population/responses', async (req, res) => {
  let body = req.body as Submission;
  if (checks) {
    try {
      body = checks.validateSubmission('population', req.body);
    } catch (error) {
      if (!isProblem(error)) throw error;
      res.status(error.status).json({ code: error.code, details: error.details });
      return;
    }
  }
  const now = new Date().toISOString();
  const record: StoredResponse = {
    id: body.id.toLowerCase(),
    survey: 'population',
    questionnaireVersion: version,
    status: 'submitted',
    answers: body.answers,
    derived: checks ? deriveVariables('population', body.answers) : {},
    meta: body.meta,
    region: regionOf('population', body.answers),
    interviewer: null,
    receivedAt: now,
    updatedAt: now,
    submissionHash: checks ? contentHash({ survey: 'population', answers: body.answers, meta: body.meta }) : '',
    revision: 1,
    revisions: [{ revision: 1, at: now, actor: null, action: 'created', status: 'submitted' }],
  };
  const outcome = await store.insertResponse(record);
  res.status(outcome.inserted ? 201 : 200).json(receiptOf(outcome.response));
});

const server = app.listen(config.port, config.host, () => {
  const { port } = server.address() as AddressInfo;
  if (config.logLevel === 'info' || config.logLevel === 'debug') console.log(`baseline listening on ${config.host}:${port}`);
});

const shutdown = () => {
  server.close(async () => {
    await store.close();
    process.exit(0);
  });
  server.closeAllConnections();
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
