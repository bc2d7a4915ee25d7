// An API client for the tests that checks every answer against the committed
// OpenAPI 3.1 document: the path, method and status must be documented and
// the JSON body must match the documented schema, or the call throws.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { root } from '../../scripts/artifacts.mjs';

export const openapi = JSON.parse(readFileSync(join(root, 'openapi.json'), 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema({ $id: 'touchpoint', components: openapi.components });

const templates = Object.keys(openapi.paths).map((template) => ({
  template,
  pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
}));
const validators = new Map();
/** Operations and statuses the tests have seen, e.g. "POST /v1/conversations 201". */
export const seen = new Set();

function validatorFor(schema) {
  const key = JSON.stringify(schema);
  if (!validators.has(key)) {
    const absolute = JSON.parse(key.replaceAll('"#/components/', '"touchpoint#/components/'));
    validators.set(key, ajv.compile(absolute));
  }
  return validators.get(key);
}

/** Checks one answer against the document; throws with the reason when it does not match. */
export function checkResponse(method, path, status, contentType, json) {
  const match = templates.find((t) => t.pattern.test(path));
  if (!match) throw new Error(`${method} ${path}: the path is not in openapi.json`);
  const operation = openapi.paths[match.template][method.toLowerCase()];
  if (!operation && status !== 405) throw new Error(`${method} ${match.template}: the method is not in openapi.json`);
  // Every status must be listed for its operation (there is no catch-all
  // `default`); a method the path does not have is 405, described once.
  const response = operation ? operation.responses[String(status)] : openapi.components.responses.MethodNotAllowed;
  if (!response) throw new Error(`${method} ${match.template}: status ${status} is not documented in openapi.json`);
  const resolved = response.$ref ? openapi.components.responses[response.$ref.split('/').pop()] : response;
  seen.add(`${method} ${match.template} ${status}`);
  const media = Object.keys(resolved.content ?? {})[0];
  if (!media) return;
  if (!contentType?.startsWith(media)) throw new Error(`${method} ${match.template} ${status}: content type ${contentType}, documented ${media}`);
  if (media !== 'application/json') return;
  const validate = validatorFor(resolved.content[media].schema);
  if (!validate(json)) {
    throw new Error(`${method} ${match.template} ${status}: the body does not match openapi.json: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(json).slice(0, 500)}`);
  }
}

/** `api(method, path, { headers, body })` → `{ status, json, headers }`, checked against the document. */
export function apiClient(base) {
  return async (method, path, { headers = {}, body } = {}) => {
    const init = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      init.headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${base}${path}`, init);
    const text = await response.text();
    const contentType = response.headers.get('content-type') ?? '';
    const json = contentType.includes('json') && !contentType.includes('ndjson') && text ? JSON.parse(text) : null;
    const pathname = new URL(path, base).pathname;
    checkResponse(method, pathname, response.status, contentType, json);
    // Staff and operator tokens are for the console's origin and the
    // operator's own tools: no answer with data invites another origin to
    // read it (errors say only what went wrong).
    if (/^\/v1\/(staff|admin)\//.test(pathname) && response.ok) {
      assert.equal(response.headers.get('access-control-allow-origin'), null, `${method} ${path} answers other origins`);
    }
    return { status: response.status, json, headers: response.headers, text };
  };
}

/** Whether openapi.json accepts `body` as the request body of `method template`. */
export function specAcceptsBody(method, template, body) {
  const media = openapi.paths[template][method.toLowerCase()].requestBody.content['application/json'];
  return validatorFor(media.schema)(body);
}

/** Whether openapi.json accepts `value` for the parameter `name` of `method template`. */
export function specAcceptsParameter(method, template, name, value) {
  const parameter = openapi.paths[template][method.toLowerCase()].parameters.find((p) => p.name === name);
  return validatorFor(parameter.schema)(value);
}
