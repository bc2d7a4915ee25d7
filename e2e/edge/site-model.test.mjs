// Site models (issue 15, part 4) against the real worker (workerd + D1): a
// site uploads labelled examples through the operator API, the worker
// fine-tunes the default model on them (on demand and from the scheduled
// job), scores it on the held-out share, and serves it at the model URL the
// widget fetches; a bad stored file is refused and the default served. The
// HINT3 test trains a site on HINT3's train split (read from
// ../shared/datasets at test time, never committed) and scores the served
// model, in the widget's wasm, on HINT3-style messages written for this test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startTestRuntime, ADMIN_TOKEN, BROWSER_USER_AGENT } from '../support.mjs';
import { seedContactChannel } from '../../scripts/runtime.mjs';
import { brotliCompressSync, constants as zlib } from 'node:zlib';
import { root, loadDataFiles } from '../../scripts/artifacts.mjs';
import { apiClient, checkResponse } from './openapi.mjs';
import { HINT3, hint3Examples, hint3StyleMessages } from './hint3.mjs';

// The checksum tests/golden.rs expects of a model trained on tests/data/site-examples.jsonl,
// natively and in wasm: the worker must make the very same file.
const GOLDEN_CHECKSUM = 'f5ba3f41';
const DEFAULT_MODEL = readFileSync(join(root, 'model', 'touchpoint.tpcm'));
const defaultChecksum = DEFAULT_MODEL.subarray(DEFAULT_MODEL.length - 4).readUInt32LE(0).toString(16).padStart(8, '0');

let runtime, api, worker, channel, agent;
before(async () => {
  runtime = await startTestRuntime();
  channel = await seedContactChannel(runtime.url, ADMIN_TOKEN);
  agent = await channel.createStaff('Bo Agent', ['sales']);
  api = apiClient(runtime.url);
  worker = await runtime.mf.getWorker();
  for (const site of ['golden', 'hint3shop', 'limits', 'cron', 'formats', 'older']) {
    await channel.call('PUT', `/v1/admin/sites/${site}`, { name: site, allowed_origins: ['https://shop.example'] });
  }
});
after(async () => { await runtime?.close(); });

/** P(at least `fixed` of the `fixed + broken` disagreements go the site model's way | a fair coin). */
function mcNemarOneSided(fixed, broken) {
  const n = fixed + broken;
  let logChoose = 0; // log C(n, k), built up from k = 0
  let p = 0;
  for (let k = 0; k <= n; k++) {
    if (k > 0) logChoose += Math.log(n - k + 1) - Math.log(k);
    if (k >= fixed) p += Math.exp(logChoose - n * Math.log(2));
  }
  return p;
}

const asAdmin = (method, path, body, headers = {}) =>
  api(method, path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...headers }, body });

/** GET the model URL as the widget does; checked against openapi.json. */
async function fetchModel(site, headers = {}) {
  const response = await fetch(`${runtime.url}/v1/sites/${site}/model`, { headers });
  const bytes = Buffer.from(await response.arrayBuffer());
  const type = response.headers.get('content-type') ?? '';
  checkResponse('GET', `/v1/sites/${site}/model`, response.status, type, type.includes('json') ? JSON.parse(bytes.toString()) : null);
  return { status: response.status, headers: response.headers, bytes };
}

function assertError(res, status, code) {
  assert.equal(res.status, status, JSON.stringify(res.json));
  assert.equal(res.json?.error?.code, code, JSON.stringify(res.json));
}

test('without a site model the model URL serves the default model, cached by its checksum', async () => {
  const first = await fetchModel('demo');
  assert.equal(first.status, 200);
  assert.ok(first.bytes.equals(DEFAULT_MODEL), 'the default model, byte for byte');
  assert.equal(first.headers.get('x-touchpoint-model'), 'default');
  assert.equal(first.headers.get('etag'), `"${defaultChecksum}"`);
  assert.equal(first.headers.get('access-control-allow-origin'), '*');
  assert.match(first.headers.get('cache-control'), /max-age=300/);
  const again = await fetchModel('demo', { 'if-none-match': `"${defaultChecksum}"` });
  assert.equal(again.status, 304);
  assert.equal(again.bytes.length, 0);
  const unknown = await fetchModel('no-such-site');
  assert.equal(unknown.status, 404);
  assert.equal(JSON.parse(unknown.bytes.toString()).error.code, 'unknown_site');
});

test('a site model trains in the worker to the same bytes as natively, is served, and a corrupt one is refused', async () => {
  const lines = readFileSync(join(root, 'tests', 'data', 'site-examples.jsonl'), 'utf8');
  const added = await asAdmin('POST', '/v1/admin/sites/golden/model/examples', lines, { 'content-type': 'application/x-ndjson' });
  assert.equal(added.status, 201, JSON.stringify(added.json));
  assert.deepEqual(added.json, { added: 40, duplicates: 0, examples: 40 });
  const before = await asAdmin('GET', '/v1/admin/sites/golden/model');
  assert.deepEqual(before.json, { model: null, serving: 'default', refused: null, examples: 40, corrections: 0, stale: true, needs_more: false });
  // The personal data in an example is stored redacted.
  const stored = await runtime.d1.prepare("SELECT text FROM model_examples WHERE site_id = 'golden' AND text LIKE '%recliner motor%'").all();
  assert.deepEqual(stored.results.map((r) => r.text).sort(), ['the recliner motor makes a grinding noise', 'write to me at [email] about the recliner motor']);

  const trained = await asAdmin('POST', '/v1/admin/sites/golden/model/train');
  assert.equal(trained.status, 200, JSON.stringify(trained.json));
  const model = trained.json.model;
  assert.equal(model.checksum, GOLDEN_CHECKSUM, 'the worker (wasm) trains the same file as tests/golden.rs');
  assert.equal(model.examples, 40);
  assert.equal(model.topic.trained_on + model.topic.held_out, 38);
  assert.equal(model.sentiment.trained_on + model.sentiment.held_out, 15);
  assert.equal(model.kind.trained_on + model.kind.held_out, 10);
  assert.equal(trained.json.stale, false);
  assert.equal(trained.json.serving, 'site');
  assert.equal(trained.json.refused, null);

  const served = await fetchModel('golden');
  assert.equal(served.headers.get('x-touchpoint-model'), 'site');
  assert.equal(served.headers.get('etag'), `"${GOLDEN_CHECKSUM}"`);
  assert.equal(served.bytes.subarray(0, 4).toString('latin1'), 'TPCM');
  assert.ok(!served.bytes.equals(DEFAULT_MODEL));
  assert.equal((await fetchModel('golden', { 'if-none-match': `W/"${GOLDEN_CHECKSUM}"` })).status, 304);

  // One flipped byte: the checksum no longer matches; the default is served, saying why.
  await runtime.d1.prepare("UPDATE site_models SET model = CAST(substr(model, 1, 99) || X'5A' || substr(model, 101) AS BLOB) WHERE site_id = 'golden'").run();
  // The console sees it first, before any visitor asks: not served, and due for retraining.
  const flippedFirst = (await asAdmin('GET', '/v1/admin/sites/golden/model')).json;
  assert.deepEqual([flippedFirst.serving, flippedFirst.refused, flippedFirst.stale], ['default', 'the model file is corrupt (checksum mismatch)', true]);
  const flipped = await fetchModel('golden');
  assert.equal(flipped.status, 200);
  assert.ok(flipped.bytes.equals(DEFAULT_MODEL));
  assert.equal(flipped.headers.get('x-touchpoint-model'), 'default');
  assert.equal(flipped.headers.get('x-touchpoint-model-refused'), 'the model file is corrupt (checksum mismatch)');
  // The console reads the same from the status: the report stays, but visitors get the default.
  const flippedStatus = (await asAdmin('GET', '/v1/admin/sites/golden/model')).json;
  assert.equal(flippedStatus.model.checksum, GOLDEN_CHECKSUM);
  assert.deepEqual([flippedStatus.serving, flippedStatus.refused], ['default', 'the model file is corrupt (checksum mismatch)']);
  await runtime.d1.prepare("UPDATE site_models SET model = X'00010203' WHERE site_id = 'golden'").run();
  const garbage = await fetchModel('golden');
  assert.equal(garbage.headers.get('x-touchpoint-model-refused'), 'not a Touchpoint model (bad magic bytes)');
  assert.ok(garbage.bytes.equals(DEFAULT_MODEL));
  // A refused file makes the site due: the status says stale, and the
  // scheduled job (which takes due sites in id order; no other site is due
  // yet in this file) trains a good one over it.
  assert.equal((await asAdmin('GET', '/v1/admin/sites/golden/model')).json.stale, true);
  await worker.scheduled({ cron: '* * * * *', scheduledTime: new Date() });
  const retrained = (await asAdmin('GET', '/v1/admin/sites/golden/model')).json;
  assert.equal(retrained.stale, false);
  assert.equal(retrained.model.checksum, GOLDEN_CHECKSUM);
  assert.equal((await fetchModel('golden')).headers.get('x-touchpoint-model'), 'site');
  // Training again on demand gives the same file.
  assert.equal((await asAdmin('POST', '/v1/admin/sites/golden/model/train')).json.model.checksum, GOLDEN_CHECKSUM);
  assert.equal((await fetchModel('golden')).headers.get('x-touchpoint-model'), 'site');

  // Its held-out score is a little under the default's (two labels of 19),
  // which is chance: it is served. One clearly worse (its report written as
  // such a training writes it; domain::site_model has the rule) is kept but not served.
  assert.equal(model.worse_than_default, false);
  await runtime.d1.prepare("UPDATE site_models SET report = json_set(report, '$.worse_than_default', json('true')) WHERE site_id = 'golden'").run();
  const worse = await fetchModel('golden');
  assert.ok(worse.bytes.equals(DEFAULT_MODEL));
  assert.equal(worse.headers.get('x-touchpoint-model'), 'default');
  const WORSE = "the site model is worse than the default model on the site's held-out examples";
  assert.equal(worse.headers.get('x-touchpoint-model-refused'), WORSE);
  const worseStatus = (await asAdmin('GET', '/v1/admin/sites/golden/model')).json;
  assert.deepEqual([worseStatus.serving, worseStatus.refused, worseStatus.stale], ['default', WORSE, false], 'not trained again: it is not broken');
  assert.equal((await asAdmin('POST', '/v1/admin/sites/golden/model/train')).json.serving, 'site', 'trained again, its real report');
});

test('a site model stored in format version 5 by an earlier worker is served as it is, and written as version 6 at its next training', async () => {
  const lines = readFileSync(join(root, 'tests', 'data', 'site-examples.jsonl'), 'utf8');
  assert.equal((await asAdmin('POST', '/v1/admin/sites/older/model/examples', lines, { 'content-type': 'application/x-ndjson' })).status, 201);
  assert.equal((await asAdmin('POST', '/v1/admin/sites/older/model/train')).json.model.checksum, GOLDEN_CHECKSUM);
  // Real version 5 bytes (the built-in model as that coder wrote it), stored
  // as the earlier worker stored a site model: the file, its checksum, its report.
  const v5 = readFileSync(join(root, 'fuzz', 'corpus', 'model', 'builtin_v5.tpcm'));
  assert.equal(v5.readUInt16LE(4), 5);
  const v5Checksum = v5.subarray(v5.length - 4).readUInt32LE(0).toString(16).padStart(8, '0');
  await runtime.d1.prepare("UPDATE site_models SET model = ?1, checksum = ?2, report = json_set(report, '$.checksum', ?2) WHERE site_id = 'older'")
    .bind(v5.buffer.slice(v5.byteOffset, v5.byteOffset + v5.length), v5Checksum).run();
  const status = (await asAdmin('GET', '/v1/admin/sites/older/model')).json;
  assert.deepEqual([status.serving, status.refused, status.stale, status.model.checksum], ['site', null, false, v5Checksum]);
  const served = await fetchModel('older');
  assert.equal(served.headers.get('x-touchpoint-model'), 'site');
  assert.equal(served.headers.get('x-touchpoint-model-refused'), null);
  assert.equal(served.headers.get('etag'), `"${v5Checksum}"`);
  assert.ok(served.bytes.equals(v5), 'served byte for byte, still version 5');
  // Nothing new to learn: the scheduled job leaves it as it is.
  await worker.scheduled({ cron: '* * * * *', scheduledTime: new Date() });
  const kept = await runtime.d1.prepare("SELECT hex(substr(model, 5, 2)) AS version, checksum FROM site_models WHERE site_id = 'older'").first();
  assert.deepEqual(kept, { version: '0500', checksum: v5Checksum });
  // Its next training writes version 6.
  assert.equal((await asAdmin('POST', '/v1/admin/sites/older/model/train')).json.model.checksum, GOLDEN_CHECKSUM);
  const rewritten = await fetchModel('older');
  assert.equal(rewritten.bytes.readUInt16LE(4), 6);
  assert.equal(rewritten.headers.get('etag'), `"${GOLDEN_CHECKSUM}"`);
});

test('bad uploads are refused line by line, nothing stored; limits answer 413 with the numbers', async () => {
  const upload = (body, headers) => asAdmin('POST', '/v1/admin/sites/limits/model/examples', body, headers);
  const bad = [
    '{"text":"where is my sofa","topic":"delivery"}',
    '{"text":"not closed"',
    '{"text":"ship it","topic":"shipping"}',
    '',
    '{"text":"hello"}',
    '{"text":"fine","sentiment":"meh"}',
    '{"text":"you never answer","kind":"rant"}',
  ].join('\n');
  const refused = await upload(bad, { 'content-type': 'application/x-ndjson' });
  assertError(refused, 422, 'invalid_request');
  assert.equal(refused.json.error.message, '5 line(s) refused; nothing was stored');
  assert.deepEqual(refused.json.error.lines.map((l) => l.line), [2, 3, 5, 6, 7]);
  assert.match(refused.json.error.lines[1].message, /unknown topic "shipping" \(one of account, order/);
  assert.match(refused.json.error.lines[2].message, /no label/);
  assert.match(refused.json.error.lines[3].message, /unknown sentiment "meh"/);
  assert.match(refused.json.error.lines[4].message, /unknown kind "rant" \(one of question, request, problem, complaint, suggestion, praise\)/);
  const array = await upload([{ text: 'ok', topic: 'order' }, { text: 'x', topic: 'order', lang: 'en' }]);
  assertError(array, 422, 'invalid_request');
  assert.equal(array.json.error.message, '1 item(s) refused; nothing was stored');
  assert.deepEqual(array.json.error.lines.map((l) => [l.item, l.line]), [[2, undefined]]);
  // Where an array stops being JSON is a line (it may span many).
  const broken = await upload('[\n{"text":"ok","topic":"order"},\n{"text":', { 'content-type': 'application/json' });
  assert.deepEqual(broken.json.error.lines.map((l) => [l.item, l.line]), [[undefined, 3]]);
  // Text a reader sees as empty (zero-width characters) is no example.
  const invisible = await upload([{ text: '\u200b\u200d', topic: 'order' }, { text: '\u2060 \ufeff', topic: 'order' }]);
  assert.deepEqual(invisible.json.error.lines, [{ item: 1, message: 'text is empty' }, { item: 2, message: 'text is empty' }]);
  assert.match(array.json.error.lines[0].message, /unknown field `lang`/);
  assert.equal((await asAdmin('GET', '/v1/admin/sites/limits/model')).json.examples, 0, 'nothing was stored');
  assertError(await upload([]), 422, 'invalid_request');
  // A flood of bad lines: each one counted, the first 100 listed.
  const flood = await upload('x\n'.repeat(20_000), { 'content-type': 'application/x-ndjson' });
  assertError(flood, 422, 'invalid_request');
  assert.equal(flood.json.error.message, '20000 lines refused, the first 100 listed; nothing was stored');
  assert.deepEqual(flood.json.error.lines.map((l) => l.line), Array.from({ length: 100 }, (_, i) => i + 1));
  // A line that is a JSON array of the fields is not an example, though a
  // lenient reader would take one; serde's positions name the column only.
  const tuple = await upload('["Tuple form line here","order",null,"question"]\n{"text": 5}', { 'content-type': 'application/x-ndjson' });
  assertError(tuple, 422, 'invalid_request');
  assert.match(tuple.json.error.lines[0].message, /^expected a JSON object/);
  assert.match(tuple.json.error.lines[1].message, /expected a string \(column \d+\)$/);
  assert.equal((await asAdmin('GET', '/v1/admin/sites/limits/model')).json.examples, 0, 'nothing was stored');

  assertError(await asAdmin('POST', '/v1/admin/sites/limits/model/train'), 409, 'conflict');
  const big = 'x'.repeat(1024 * 1024);
  const tooBig = await upload(JSON.stringify([{ text: big, topic: 'order' }]));
  assertError(tooBig, 413, 'payload_too_large');
  assert.equal(tooBig.json.error.message, 'the request body is larger than 1048576 bytes');
  const many = (n, tag) => Array.from({ length: n }, (_, i) => ({ text: `${tag} question ${i}`, topic: 'product' }));
  const tooMany = await upload(many(5001, 'a'));
  assertError(tooMany, 413, 'payload_too_large');
  assert.equal(tooMany.json.error.message, '5001 examples in one request; at most 5000: send them in parts');
  for (const tag of ['b', 'c', 'd']) assert.equal((await upload(many(5000, tag))).status, 201);
  assert.equal((await upload(many(4990, 'e'))).json.examples, 19990);
  const over = await upload(many(11, 'f'));
  assertError(over, 413, 'payload_too_large');
  assert.equal(over.json.error.message, 'the site has 19990 examples stored and this adds 11; a site keeps at most 20000 (10 more fit)');
  // Examples the site already has do not count against it: a file sent again fits.
  assert.deepEqual((await upload(many(5000, 'd'))).json, { added: 0, duplicates: 5000, examples: 19990 });
  const mixed = await upload([...many(5, 'd'), ...many(11, 'f')]);
  assertError(mixed, 413, 'payload_too_large');
  assert.equal(mixed.json.error.message, 'the site has 19990 examples stored and this adds 11; a site keeps at most 20000 (10 more fit)');

  // Who may call: the operator or the site's admins; not agents, not strangers.
  assertError(await api('POST', '/v1/admin/sites/limits/model/train'), 401, 'unauthorized');
  assertError(await api('GET', '/v1/admin/sites/demo/model', { headers: { authorization: `Bearer ${agent.token}` } }), 403, 'forbidden');
  assertError(await asAdmin('GET', '/v1/admin/sites/nowhere/model'), 404, 'unknown_site');
});

test('the scheduled job trains a site with new corrections or examples, one site per run', async () => {
  const lines = [
    { text: 'can you deliver on a sunday', topic: 'delivery' },
    { text: 'my invoice shows the wrong VAT number', topic: 'billing' },
    { text: 'I love the new app', topic: 'feedback', sentiment: 'positive', kind: 'praise' },
    { text: 'why does nobody ever call back', kind: 'complaint' },
  ];
  assert.equal((await asAdmin('POST', '/v1/admin/sites/cron/model/examples', lines)).status, 201);
  // A staff correction as the console stores it (POST /v1/staff/messages/{id}/labels).
  await runtime.d1.prepare("INSERT INTO label_corrections (site_id, message_id, staff_id, text, topic, sentiment, kind, created_at) VALUES ('cron', 1, 's', 'the parcel came broken', 'delivery', 'negative', 'complaint', 1)").run();
  const cron = () => worker.scheduled({ cron: '* * * * *', scheduledTime: new Date() });
  await cron();
  const status = (await asAdmin('GET', '/v1/admin/sites/cron/model')).json;
  // Sites are taken in id order: 'cron' comes before 'limits' (too many examples
  // to matter here) and after none that is due.
  assert.ok(status.model, JSON.stringify(status));
  assert.equal(status.model.corrections, 1);
  assert.equal(status.model.examples, 4);
  // Kinds are learned from both: the examples' (one has nothing but a kind)
  // and the staff correction's.
  assert.equal(status.model.kind.trained_on + status.model.kind.held_out, 3);
  // A report stored before kinds were learned answers with an empty kind
  // (the API client checks every answer against openapi.json).
  await runtime.d1.prepare("UPDATE site_models SET report = json_remove(report, '$.kind') WHERE site_id = 'cron'").run();
  const older = await asAdmin('GET', '/v1/admin/sites/cron/model');
  assert.equal(older.status, 200, JSON.stringify(older.json));
  assert.deepEqual(older.json.model.kind, { trained_on: 0, held_out: 0, accuracy: null, default_accuracy: null });
  assert.equal(older.json.model.topic.trained_on + older.json.model.topic.held_out, 4);
  assert.equal(status.stale, false);
  const trainedAt = status.model.trained_at;
  await cron(); // 'limits' is due, 'cron' is not: trained again only when something is new.
  assert.equal((await asAdmin('GET', '/v1/admin/sites/cron/model')).json.model.trained_at, trainedAt);
});

test('a site trained on HINT3\'s train split beats the default model on HINT3-style messages and keeps its reading of other visitors', { skip: !existsSync(HINT3) && 'needs ../shared/datasets' }, async () => {
  const examples = hint3Examples();
  assert.ok(examples.length > 1000);
  const added = await asAdmin('POST', '/v1/admin/sites/hint3shop/model/examples', examples);
  assert.equal(added.status, 201, JSON.stringify(added.json));
  const started = performance.now();
  const trained = await asAdmin('POST', '/v1/admin/sites/hint3shop/model/train');
  const trainMs = performance.now() - started;
  assert.equal(trained.status, 200, JSON.stringify(trained.json));
  const { topic } = trained.json.model;
  console.log(`# HINT3 site model: ${examples.length} examples, trained in ${trainMs.toFixed(0)} ms (request round trip); ` +
    `held-out topic accuracy ${(topic.accuracy * 100).toFixed(1)}% vs default ${(topic.default_accuracy * 100).toFixed(1)}% on ${topic.held_out}`);
  assert.ok(topic.accuracy >= topic.default_accuracy, 'no worse than the default on its own held-out share');

  // Score the served file in the widget's wasm against the default, on messages written for this test.
  const served = await fetchModel('hint3shop');
  assert.equal(served.headers.get('x-touchpoint-model'), 'site');
  // The widget fetches this file instead of the default one: it has the same budget.
  const budget = loadDataFiles().find((d) => d.name === 'model').budget_brotli;
  const brotli = brotliCompressSync(served.bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }).length;
  console.log(`# HINT3 site model: ${served.bytes.length} B, ${brotli} B brotli (budget ${budget} B)`);
  assert.ok(brotli <= budget, `site model ${brotli} B brotli, over the model budget of ${budget} B`);
  const widget = await import(join(root, 'dist', 'site', 'widget', 'touchpoint_widget.js'));
  widget.initSync({ module: readFileSync(join(root, 'dist', 'site', 'widget', 'touchpoint_widget_bg.wasm')) });
  const messages = hint3StyleMessages();
  assert.equal(messages.length, 390);
  const scoreOn = (model, set) => {
    widget.setModel(model);
    return set.filter((m) => widget.classify(m.text).topic === m.topic).length / set.length;
  };
  const score = (model) => scoreOn(model, messages);
  const site = score(served.bytes);
  const standard = score(DEFAULT_MODEL);
  // Which messages each model gets right, for McNemar's exact test below.
  const rightBy = (model) => {
    widget.setModel(model);
    return messages.map((m) => widget.classify(m.text).topic === m.topic);
  };
  const [siteRight, defaultRight] = [rightBy(served.bytes), rightBy(DEFAULT_MODEL)];
  const fixed = messages.filter((_, i) => siteRight[i] && !defaultRight[i]).length;
  const broken = messages.filter((_, i) => !siteRight[i] && defaultRight[i]).length;
  const p = mcNemarOneSided(fixed, broken);
  console.log(`# HINT3-style messages (${messages.length}): site model ${(site * 100).toFixed(1)}%, default model ${(standard * 100).toFixed(1)}%; ` +
    `the site model fixes ${fixed} and breaks ${broken} (McNemar's exact test, one-sided p = ${p.toFixed(4)})`);
  // Not luck: the messages the two models disagree on go the site model's way
  // far more often than a coin would (model 396540e6: 36 against 17, p = 0.006).
  assert.ok(p < 0.05, `the site model fixes ${fixed} and breaks ${broken}: p = ${p}`);
  // A wide margin as a share of the default's errors rather than a fixed number of
  // points: the default model improves on these messages as the default data grows
  // (85.6% -> 87.8% with the second round of visitor cores), which narrows a fixed
  // gap while the site model is no worse (91.1%); figures on the first 90 messages.
  // A few of those 90 decided the bar either way, so 300 more joined them
  // (model 396540e6: default 77.7%, site model 82.6%, 68 errors where 69.6 pass).
  assert.ok(1 - site <= 0.8 * (1 - standard), `site ${site} vs default ${standard}: at least a fifth fewer errors`);

  // The site's other visitors still write messages like everyone's: the site
  // model must keep the default's reading of them. It fell from 91.9% to
  // 82.6% on the natural dev set before the prune took new weights first and
  // the weights were mixed half-way back to the default's; now 88.3%.
  const natural = readFileSync(join(root, 'data', 'natural-dev.jsonl'), 'utf8').trim().split('\n')
    .map((line) => JSON.parse(line)).filter((m) => m.topic);
  const naturalSite = scoreOn(served.bytes, natural);
  const naturalDefault = scoreOn(DEFAULT_MODEL, natural);
  console.log(`# natural dev messages (${natural.length}): site model ${(naturalSite * 100).toFixed(1)}%, default model ${(naturalDefault * 100).toFixed(1)}%`);
  assert.ok(naturalSite >= naturalDefault - 0.05, `site ${naturalSite} vs default ${naturalDefault} on other visitors' messages: at most 5 points lost`);

  // The edge classifies the site's incoming messages with the same model:
  // where the two models disagree, the stored topic (which routes the
  // conversation) is the site model's.
  const team = await asAdmin('PUT', '/v1/admin/sites/hint3shop/teams/support', { name: 'Support' });
  assert.ok(team.status < 300, JSON.stringify(team.json));
  widget.setModel(served.bytes);
  const bySite = messages.map((m) => widget.classify(m.text).topic);
  widget.setModel(DEFAULT_MODEL);
  const differing = messages.map((m, i) => ({ text: m.text, site: bySite[i], standard: widget.classify(m.text).topic }))
    .filter((m) => m.site !== m.standard);
  assert.ok(differing.length >= 3, 'the two models disagree somewhere');
  let ip = 0;
  for (const m of differing.slice(0, 3)) {
    const started = await api('POST', '/v1/conversations', {
      headers: { origin: 'https://shop.example', 'user-agent': BROWSER_USER_AGENT, 'cf-connecting-ip': `198.51.100.${++ip}` },
      body: { site: 'hint3shop', message: { text: m.text }, reply: { channel: 'here' } },
    });
    assert.equal(started.status, 201, JSON.stringify(started.json));
    const stored = await runtime.d1.prepare('SELECT topic FROM conversations WHERE id = ?1').bind(started.json.conversation.id).first();
    assert.equal(stored.topic, m.site, `"${m.text}": the site model says ${m.site}, the default ${m.standard}`);
  }
});

test('erasing a visitor retrains the site models their corrections shaped, or removes one left with nothing', async () => {
  const admin = await channel.createStaff('Cy Admin', ['support', 'billing', 'sales', 'product'], 'admin');
  const asCy = (method, path, body) => api(method, path, { headers: { authorization: `Bearer ${admin.token}` }, body });
  const headers = { origin: runtime.url, 'user-agent': BROWSER_USER_AGENT };
  /** A consenting visitor writes `texts` (one conversation each); staff correct each one's label. */
  async function correctedVisitor(visitor, texts, topic) {
    const ids = [];
    for (const [i, text] of texts.entries()) {
      const started = await api('POST', '/v1/conversations', {
        headers: { ...headers, 'cf-connecting-ip': `198.51.100.${visitor.length * 10 + i}` },
        body: { site: 'demo', message: { text }, visitor_id: visitor },
      });
      assert.equal(started.status, 201, JSON.stringify(started.json));
      const [message] = (await asCy('GET', `/v1/staff/conversations/${started.json.conversation.id}`)).json.messages;
      assert.equal((await asCy('POST', `/v1/staff/messages/${message.id}/labels`, { topic })).status, 201);
      ids.push(message.id);
    }
    return ids;
  }
  const status = async () => (await asAdmin('GET', '/v1/admin/sites/demo/model')).json;

  // Only corrections: erasing their visitor leaves nothing to learn from, so the model goes.
  const [lamp] = await correctedVisitor('erase-me-visitor-1', ['the lamp flickers since monday', 'my sofa cushion tore open', 'the kettle leaks at the base'], 'product');
  // Corrected twice: one message, and its latest label is what the model learns.
  assert.equal((await asCy('POST', `/v1/staff/messages/${lamp}/labels`, { topic: 'technical' })).status, 201);
  assert.equal((await status()).corrections, 3, 'corrections count messages, as the model does');
  const trained = await asAdmin('POST', '/v1/admin/sites/demo/model/train');
  assert.equal(trained.status, 200, JSON.stringify(trained.json));
  assert.equal(trained.json.model.corrections, 3);
  assert.equal((await fetchModel('demo')).headers.get('x-touchpoint-model'), 'site');
  assert.equal((await asAdmin('DELETE', '/v1/admin/sites/demo/visitors/erase-me-visitor-1')).status, 200);
  assert.equal((await status()).stale, true, 'due for retraining once their corrections are gone');
  assertError(await asAdmin('POST', '/v1/admin/sites/demo/model/train'), 409, 'conflict');
  assert.deepEqual(await status(), { model: null, serving: 'default', refused: null, examples: 0, corrections: 0, stale: false, needs_more: false });
  const served = await fetchModel('demo');
  assert.equal(served.headers.get('x-touchpoint-model'), 'default');
  assert.ok(served.bytes.equals(DEFAULT_MODEL));

  // With examples left, it retrains without the erased corrections (on demand here;
  // the scheduled job takes it up the same way, as 'stale' says).
  assert.equal((await asAdmin('POST', '/v1/admin/sites/demo/model/examples', [
    { text: 'do you ship sofas to norway', topic: 'delivery' },
    { text: 'which fabric is the grey armchair made of', topic: 'product' },
    { text: 'can i get a quote for forty office chairs', topic: 'sales' },
  ])).status, 201);
  await correctedVisitor('erase-me-visitor-2', ['the chair arrived with a cracked leg', 'one of the lamps never came'], 'delivery');
  const before = (await asAdmin('POST', '/v1/admin/sites/demo/model/train')).json.model;
  assert.equal(before.corrections, 2);
  assert.equal((await asAdmin('DELETE', '/v1/admin/sites/demo/visitors/erase-me-visitor-2')).status, 200);
  assert.equal((await status()).stale, true);
  const after = (await asAdmin('POST', '/v1/admin/sites/demo/model/train')).json.model;
  assert.equal(after.corrections, 0);
  assert.equal(after.examples, 3);
  assert.notEqual(after.checksum, before.checksum, 'a new file, learned without them');
  assert.equal((await status()).stale, false);
});

test('uploads as spreadsheets and tools write them: a byte-order mark, JSON Lines types, any letter case', async () => {
  const upload = (body, type) => asAdmin('POST', '/v1/admin/sites/formats/model/examples', body, { 'content-type': type });
  const line = (text) => JSON.stringify({ text, topic: 'order', kind: 'request' });
  assert.equal((await upload(`\uFEFF${line('bom first line')}\r\n${line('second line')}\r\n`, 'application/x-ndjson')).json.added, 2);
  assert.equal((await upload(`${line('jsonl one')}\n${line('jsonl two')}`, 'application/jsonl')).json.added, 2);
  assert.equal((await upload(`\uFEFF[${line('array after a mark')}]`, 'Application/JSON; charset=utf-8')).json.added, 1);
  // Any other type is refused whole (415), not read as lines that fail one by one.
  for (const type of ['text/csv', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
    assertError(await upload(line('not stored'), type), 415, 'unsupported_media_type');
  }
  const stored = await runtime.d1.prepare("SELECT text FROM model_examples WHERE site_id = 'formats' ORDER BY id").all();
  assert.deepEqual(stored.results.map((r) => r.text), ['bom first line', 'second line', 'jsonl one', 'jsonl two', 'array after a mark']);

  // The same file again changes nothing; a line given twice in one upload
  // counts twice (visitors' frequent messages weigh more); the same text
  // with other labels is another example.
  const again = await upload(`${line('jsonl one')}\n${line('jsonl two')}`, 'application/jsonl');
  assert.equal(again.status, 201);
  assert.deepEqual(again.json, { added: 0, duplicates: 2, examples: 5 });
  const relabelled = JSON.stringify({ text: 'jsonl one', topic: 'delivery' });
  assert.deepEqual((await upload(`${line('twice')}\n${line('twice')}\n${relabelled}`, 'application/x-ndjson')).json, { added: 3, duplicates: 0, examples: 8 });

  // Forgetting the uploads: the wrong callers first, then the operator.
  assertError(await api('DELETE', '/v1/admin/sites/formats/model/examples'), 401, 'unauthorized');
  assertError(await api('DELETE', '/v1/admin/sites/formats/model/examples', { headers: { authorization: `Bearer ${agent.token}` } }), 403, 'forbidden');
  assertError(await asAdmin('DELETE', '/v1/admin/sites/nowhere/model/examples'), 404, 'unknown_site');
  // The scheme of Authorization is case-insensitive (RFC 9110), as HTTP clients may write it.
  assert.equal((await api('GET', '/v1/admin/sites/formats/model', { headers: { authorization: `bearer ${ADMIN_TOKEN}` } })).status, 200);
  assertError(await api('GET', '/v1/admin/sites/formats/model', { headers: { authorization: `Basic ${ADMIN_TOKEN}` } }), 401, 'unauthorized');
  assert.equal((await asAdmin('GET', '/v1/admin/sites/formats/model')).json.examples, 8);
  const deleted = await asAdmin('DELETE', '/v1/admin/sites/formats/model/examples');
  assert.equal(deleted.status, 200);
  assert.deepEqual(deleted.json, { deleted: 8, status: { model: null, serving: 'default', refused: null, examples: 0, corrections: 0, stale: false, needs_more: false } });
});

test('sites with nothing to learn from yet do not hold up the scheduled training of others', async () => {
  // Eleven sites, more than one run looks at, each with one example: all of
  // it is held out, so there is nothing to train on. They sort before the
  // site that has something to learn.
  const idle = Array.from({ length: 11 }, (_, i) => `idle${String(i).padStart(2, '0')}`);
  for (const site of [...idle, 'zzready']) {
    await channel.call('PUT', `/v1/admin/sites/${site}`, { name: site, allowed_origins: ['https://shop.example'] });
  }
  // train::held_out: 1 in 5 texts, by their 32-bit FNV-1a hash.
  const heldOut = (text) => Buffer.from(text.trim()).reduce((h, b) => Math.imul(h ^ b, 0x01000193) >>> 0, 0x811c9dc5) % 5 === 0;
  const heldOutTexts = Array.from({ length: 200 }, (_, i) => `Please add feature number ${i}`).filter(heldOut);
  for (const [i, site] of idle.entries()) {
    const added = await asAdmin('POST', `/v1/admin/sites/${site}/model/examples`, [{ text: heldOutTexts[i], topic: 'feedback', kind: 'suggestion' }]);
    assert.equal(added.status, 201);
  }
  assertError(await asAdmin('POST', '/v1/admin/sites/idle00/model/train'), 409, 'conflict');
  // Not "trained within a minute" forever: the status says it waits for more.
  const waiting = (await asAdmin('GET', '/v1/admin/sites/idle00/model')).json;
  assert.deepEqual([waiting.stale, waiting.needs_more], [false, true]);
  const ready = readFileSync(join(root, 'tests', 'data', 'site-examples.jsonl'), 'utf8');
  assert.equal((await asAdmin('POST', '/v1/admin/sites/zzready/model/examples', ready, { 'content-type': 'application/x-ndjson' })).status, 201);
  const cron = () => worker.scheduled({ cron: '* * * * *', scheduledTime: new Date() });
  // Each run trains at most one site; the idle ones are tried once and then
  // passed by, so within a few runs the ready site has its model.
  let runs = 0;
  while (!(await asAdmin('GET', '/v1/admin/sites/zzready/model')).json.model && runs < 8) {
    await cron();
    runs += 1;
  }
  assert.ok((await asAdmin('GET', '/v1/admin/sites/zzready/model')).json.model, `trained within ${runs} runs`);
  const passed = await runtime.d1.prepare("SELECT site_id, last_example_id FROM site_model_untrainable WHERE site_id LIKE 'idle%' ORDER BY site_id").all();
  assert.deepEqual(passed.results.map((r) => r.site_id), idle);
  // A newer example makes an idle site due again: the next run tries it.
  const before = passed.results[3].last_example_id;
  await asAdmin('POST', '/v1/admin/sites/idle03/model/examples', [{ text: heldOutTexts[20], topic: 'feedback' }]);
  await cron();
  const again = await runtime.d1.prepare("SELECT last_example_id FROM site_model_untrainable WHERE site_id = 'idle03'").first();
  const idle03 = (await asAdmin('GET', '/v1/admin/sites/idle03/model')).json;
  assert.ok(again.last_example_id > before, 'tried again');
  assert.equal(idle03.model, null);
  assert.deepEqual([idle03.stale, idle03.needs_more], [false, true]);

  // A site tried once with nothing to learn and trained since is not
  // passed by again: a mark left over (here written as an erasure that
  // lowered its newest ids would leave it) does not outrank a refused file.
  const zzModel = (await asAdmin('GET', '/v1/admin/sites/zzready/model')).json.model;
  await runtime.d1.prepare("INSERT OR REPLACE INTO site_model_untrainable (site_id, last_example_id, last_correction_id, tried_at) VALUES ('zzready', 1000000000, 1000000000, 1)").run();
  await runtime.d1.prepare("UPDATE site_models SET model = X'00010203' WHERE site_id = 'zzready'").run();
  assert.equal((await fetchModel('zzready')).headers.get('x-touchpoint-model'), 'default');
  await cron();
  const restored = (await asAdmin('GET', '/v1/admin/sites/zzready/model')).json;
  assert.equal(restored.stale, false);
  assert.equal(restored.model.checksum, zzModel.checksum);
  assert.equal((await fetchModel('zzready')).headers.get('x-touchpoint-model'), 'site');
  assert.equal(await runtime.d1.prepare("SELECT 1 FROM site_model_untrainable WHERE site_id = 'zzready'").first(), null, 'trained: the mark goes');

  // Its uploads forgotten, a site with no corrections has nothing left: the
  // status says stale, the next run removes the model, the default is served.
  const forgot = await asAdmin('DELETE', '/v1/admin/sites/zzready/model/examples');
  assert.equal(forgot.json.deleted, 40);
  assert.equal(forgot.json.status.stale, true);
  assert.ok(forgot.json.status.model, 'still served until the next run');
  await cron();
  const gone = (await asAdmin('GET', '/v1/admin/sites/zzready/model')).json;
  assert.deepEqual(gone, { model: null, serving: 'default', refused: null, examples: 0, corrections: 0, stale: false, needs_more: false });
  assert.equal((await fetchModel('zzready')).headers.get('x-touchpoint-model'), 'default');
});
