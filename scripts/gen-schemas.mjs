// Writes the JSON Schemas the npm package ships (pkg/schema/): the classified
// interaction (written here, with the Rust type domain::interaction beside it)
// and the touchpoint event, taken from openapi.json's WireEvent and EventBatch
// so the two descriptions of the recorder's wire format cannot drift.
// `make test` regenerates them and fails on a difference
// (tests/browser_schemas.rs checks real Rust values against them).
// Usage: node scripts/gen-schemas.mjs [--check]
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './artifacts.mjs';

const DIALECT = 'https://json-schema.org/draft/2020-12/schema';
const spec = JSON.parse(readFileSync(join(root, 'openapi.json'), 'utf8'));
const schemas = spec.components.schemas;

// openapi's `#/components/schemas/X` references become `#/$defs/X`, with X copied in.
function localize(node, defs) {
  if (Array.isArray(node)) return node.map((item) => localize(item, defs));
  if (!node || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')) {
      const name = value.slice('#/components/schemas/'.length);
      if (!defs[name]) {
        defs[name] = {};
        defs[name] = localize(schemas[name], defs);
      }
      out.$ref = `#/$defs/${name}`;
    } else out[key] = localize(value, defs);
  }
  return out;
}

const eventDefs = {};
const event = localize(schemas.WireEvent, eventDefs);
eventDefs.EventBatch = localize(schemas.EventBatch, eventDefs);
const touchpointEvent = {
  $schema: DIALECT,
  $id: 'urn:touchpoint:schema:touchpoint-event:v1',
  title: 'Touchpoint event',
  ...event,
  description: `${event.description} This is the object the page's \`beforeSendEvent(event)\` receives and may return changed; the batch the recorder posts to the worker's POST /v1/events is \`$defs/EventBatch\`.`,
  $defs: eventDefs,
};

const short = (maxLength) => ({ type: 'string', maxLength });
const interaction = {
  $schema: DIALECT,
  $id: 'urn:touchpoint:schema:classified-interaction:v1',
  title: 'Classified interaction',
  description: 'One visitor message as the Touchpoint widget hands it to a site: classified and redacted in the visitor\'s browser before it leaves. The widget POSTs it as JSON to the site\'s own endpoint (`backend` / `data-backend`), and the page\'s `beforeSend(payload)` and `on(\'submit\')` receive it. Only redacted text and the contact the visitor gave leave the browser.',
  type: 'object',
  additionalProperties: false,
  required: ['schema', 'id', 'site', 'sent_at', 'locale', 'text', 'classification', 'pii_removed', 'page', 'campaign', 'contact'],
  properties: {
    schema: { const: 'urn:touchpoint:schema:classified-interaction:v1', description: 'This schema\'s $id: the payload\'s type and version.' },
    id: { type: 'string', pattern: schemas.ClientId.pattern, description: 'Unique per message and the same when a failed send is retried: de-duplicate on it.' },
    site: { type: 'string', minLength: 1, maxLength: 64, description: 'The Touchpoint site key.' },
    sent_at: { type: 'integer', minimum: 0, description: 'When the visitor sent it, ms since the epoch (browser clock).' },
    locale: { ...short(35), description: 'The panel\'s language (BCP 47).' },
    text: { ...localize(schemas.MessageText, {}), description: 'The message with personal data replaced by tags such as [card], [email], [phone]; at most 4000 characters (code points), each tag counting as one.' },
    classification: {
      description: 'What the in-browser classifier said; null when its model could not be loaded (the text is redacted all the same).',
      anyOf: [{ $ref: '#/$defs/Labels' }, { type: 'null' }],
    },
    pii_removed: {
      type: 'array', uniqueItems: true, items: { $ref: '#/$defs/PiiKind' },
      description: 'Kinds of personal data taken out of text, each once, in order of appearance.',
    },
    page: { $ref: '#/$defs/Page' },
    campaign: { description: 'The page\'s UTM parameters; null when it has none.', anyOf: [{ $ref: '#/$defs/Campaign' }, { type: 'null' }] },
    contact: { $ref: '#/$defs/Contact' },
  },
  $defs: {
    PiiKind: { enum: ['email', 'phone', 'card', 'iban', 'ssn', 'ip'] },
    Labels: {
      type: 'object',
      additionalProperties: false,
      required: ['topic', 'topic_confidence', 'topic_source', 'tone', 'tone_confidence', 'kind', 'urgency', 'expectation_gap', 'language', 'spam'],
      properties: {
        topic: { ...short(64), description: 'account, order, delivery, billing, refund, product, technical, sales, feedback, contact, other (a site\'s own model may add others).' },
        topic_confidence: { type: 'number', minimum: 0, maximum: 1 },
        topic_source: { enum: ['model', 'rule'], description: 'rule: one of the site\'s keyword rules decided the topic.' },
        tone: { enum: ['negative', 'neutral', 'positive'] },
        tone_confidence: { type: 'number', minimum: 0, maximum: 1 },
        kind: { enum: ['question', 'request', 'problem', 'complaint', 'suggestion', 'praise'] },
        urgency: { enum: ['low', 'normal', 'high'] },
        expectation_gap: { type: 'boolean', description: 'The message says a promise or expectation was not met (late, not as described, charged wrongly…).' },
        language: { type: 'string', pattern: '^[a-z]{2}$', description: 'ISO 639-1 code of the detected language.' },
        spam: { type: 'boolean' },
      },
    },
    Page: {
      type: 'object',
      additionalProperties: false,
      required: ['path', 'title', 'referrer'],
      description: 'The page the message was sent from: the path with personal-looking segments masked (no query, no fragment), the title redacted, the referrer\'s origin and masked path (empty when none).',
      properties: { path: short(2048), title: short(512), referrer: short(2048) },
    },
    Campaign: {
      type: 'object',
      additionalProperties: false,
      required: ['source', 'medium', 'campaign', 'term', 'content'],
      description: 'utm_source, utm_medium, utm_campaign, utm_term, utm_content, lower-cased; absent ones empty.',
      properties: { source: short(100), medium: short(100), campaign: short(100), term: short(100), content: short(100) },
    },
    Contact: {
      description: 'How the visitor wants an answer, with the contact they gave for it. A site\'s own endpoint always gets `email` (the widget asks for the address and says a person will answer by e-mail).',
      ...localize(schemas.ReplyPreference, {}),
    },
  },
};

const check = process.argv.includes('--check');
let stale = false;
mkdirSync(join(root, 'pkg', 'schema'), { recursive: true });
for (const [file, schema] of [['classified-interaction.v1.json', interaction], ['touchpoint-event.v1.json', touchpointEvent]]) {
  const path = join(root, 'pkg', 'schema', file);
  const text = `${JSON.stringify(schema, null, 2)}\n`;
  let current = '';
  try { current = readFileSync(path, 'utf8'); } catch { /* not written yet */ }
  if (current === text) continue;
  if (check) {
    console.error(`✘ pkg/schema/${file} is out of date: run node scripts/gen-schemas.mjs`);
    stale = true;
  } else {
    writeFileSync(path, text);
    console.log(`  → pkg/schema/${file}`);
  }
}
if (stale) process.exit(1);
