import { Router, type Request } from 'express';
import { z } from 'zod';
import { RuleFileError, type RulesService } from '../../transforms/detect/service.js';
import { BadRequest, parseQuery } from '../params.js';

const MAX_TEST_EVENTS = 10_000;

const yamlBody = z.strictObject({ yaml: z.string().max(4 * 1024 * 1024), name: z.string().max(80).optional() });
const testBody = z.strictObject({
  events: z.array(z.unknown()).min(1).max(MAX_TEST_EVENTS, `at most ${MAX_TEST_EVENTS} events per call`),
  yaml: z.string().max(4 * 1024 * 1024).optional(),
  /** The local file `yaml` stands for: its saved copy is left out of the test. */
  name: z.string().max(80).optional(),
});

function parseBody<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  if (!req.is('application/json')) throw new BadRequest('request body: send JSON with Content-Type: application/json');
  const r = schema.safeParse(req.body);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') throw new BadRequest(`request body: unknown field '${issue.keys[0]}'`);
  throw new BadRequest(`request body${issue.path.length ? ` field '${issue.path.join('.')}'` : ''}: ${issue.message}`);
}

export function ruleRoutes(rules: RulesService): Router {
  const r = Router();
  r.get('/rules', (req, res) => {
    parseQuery(z.object({}), req);
    res.json({ rules: rules.rules(), issues: rules.issues() });
  });
  r.get('/rules/local', (req, res) => {
    parseQuery(z.object({}), req);
    res.json({ files: rules.listLocal() });
  });
  r.post('/rules/validate', (req, res) => {
    const body = parseBody(yamlBody, req);
    res.json(rules.validate(body.yaml, body.name));
  });
  r.post('/rules/test', (req, res) => {
    const body = parseBody(testBody, req);
    if (body.name !== undefined && body.yaml === undefined) throw new BadRequest("request body field 'name': give it with 'yaml' (the file's text under test)");
    let out;
    try {
      out = rules.test(body.events, body.yaml, body.name);
    } catch (err) {
      if (err instanceof RuleFileError) throw new BadRequest(`request body field 'name': ${err.message}`);
      throw err;
    }
    if (out.errors) {
      res.status(422).json({ error: 'the yaml given with the test does not load', ...out.errors });
      return;
    }
    res.json(out);
  });
  r.put('/rules/local/:name', (req, res) => {
    const body = parseBody(yamlBody.omit({ name: true }), req);
    try {
      const result = rules.saveLocal(String(req.params.name), body.yaml);
      res.json(result);
    } catch (err) {
      if (err instanceof RuleFileError) {
        res.status(err.status).json({ error: err.message, ...(err.validation ?? {}) });
        return;
      }
      throw err;
    }
  });
  r.delete('/rules/local/:name', (req, res) => {
    try {
      rules.deleteLocal(String(req.params.name));
      res.status(204).end();
    } catch (err) {
      if (err instanceof RuleFileError) {
        res.status(err.status).json({ error: err.message });
        return;
      }
      throw err;
    }
  });
  return r;
}
