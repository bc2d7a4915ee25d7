// The widget's classify() and redact() in wasm (Node) give exactly what the
// native CLI gives for the same messages: one model, one result everywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root } from '../../scripts/artifacts.mjs';

export const MESSAGES = [
  'I was charged twice for my order, card 4111 1111 1111 1111 — please refund me!',
  'Where is my parcel? Tracking says delivered but nothing arrived.',
  'Can I get a quote for 200 jackets with our logo?',
  'The app crashes every time I open my invoices.',
  'Anna was amazing, thank you so much for the quick help!',
  'The jacket is not as advertised, I expected better quality.',
  'Wo ist meine Bestellung? Ich warte seit zwei Wochen. Tel. +49 30 1234567',
  'Je voudrais être remboursé, mon IBAN est FR14 2004 1010 0505 0001 3M02 606',
  '¿Puedo pagar con PayPal? Mi correo es ana.garcia@example.es',
  'My SSN 123-45-6789 was shown on the invoice from 192.168.0.12 🎉',
  'Can I speak to a real person please?',
  'We offer SEO services and backlinks, visit https://spam.example',
  '',
];

function loadWidget() {
  const module = join(root, 'dist', 'site', 'widget', 'touchpoint_widget.js');
  const wasm = readFileSync(join(root, 'dist', 'site', 'widget', 'touchpoint_widget_bg.wasm'));
  return import(module).then((widget) => {
    widget.initSync({ module: wasm });
    widget.setModel(readFileSync(join(root, 'dist', 'site', 'widget', 'touchpoint.tpcm')));
    return widget;
  });
}

// The CLI's answer per message. It refuses empty text with a numbered error
// (exit 1), where the library classifies it: that line is checked apart.
function nativeClassify(messages, model) {
  const input = messages.map((text) => JSON.stringify({ text })).join('\n');
  const args = ['run', '--quiet', '--features', 'cli', '--', 'classify', ...(model ? ['--model', model] : [])];
  const run = spawnSync('cargo', args, { cwd: root, input });
  assert.equal(run.status, messages.includes('') ? 1 : 0, run.stderr.toString());
  return run.stdout.toString().trim().split('\n').map((line) => JSON.parse(line));
}

test('wasm classify() equals the native CLI for every golden message', async () => {
  const widget = await loadWidget();
  const native = nativeClassify(MESSAGES);
  assert.equal(native.length, MESSAGES.length);
  MESSAGES.forEach((text, i) => {
    if (text === '') {
      assert.deepEqual(native[i], { error: `line ${i + 1}: text is empty` });
      assert.equal(typeof widget.classify(text).topic, 'string', 'the library still answers for empty text');
    } else {
      assert.deepEqual(widget.classify(text), native[i], text);
    }
  });
});

// Format version 4 (word pairs in rows of their own, read by one head and
// skipped by the others): the widget's packed sums and pair table agree with
// the native CLI to the bit, as for the built-in model. (Its kind and
// urgency heads are small random ones: a model without them is refused.)
test('wasm classify() equals the native CLI on a version 4 model with pair rows', async () => {
  const widget = await loadWidget();
  const model = join(root, 'fuzz', 'corpus', 'model', 'tiny_four_heads_v4_pairs.tpcm');
  const bytes = readFileSync(model);
  assert.equal(bytes.readUInt16LE(4), 4);
  try {
    widget.setModel(bytes);
    const native = nativeClassify(MESSAGES, model);
    const builtIn = nativeClassify(MESSAGES);
    assert.notDeepEqual(native, builtIn, 'the small model is really in use');
    MESSAGES.forEach((text, i) => {
      if (text !== '') assert.deepEqual(widget.classify(text), native[i], text);
    });
  } finally {
    widget.setModel(readFileSync(join(root, 'dist', 'site', 'widget', 'touchpoint.tpcm')));
  }
});

test('classify() answers what the CLI contract promises', async () => {
  const widget = await loadWidget();
  const result = widget.classify(MESSAGES[0]);
  for (const key of ['topic', 'topic_confidence', 'sentiment', 'kind', 'expectation_gap', 'urgency', 'language', 'spam', 'pii', 'redacted']) {
    assert.ok(key in result, key);
  }
  assert.equal(result.topic, 'billing');
  assert.equal(result.redacted, 'I was charged twice for my order, card [card] — please refund me!');
  // UTF-16 offsets: JavaScript's own slice finds the card number.
  const [card] = result.pii;
  assert.equal(MESSAGES[0].slice(card.start, card.end), '4111 1111 1111 1111');
});

test('redact() finds every kind with UTF-16 spans', async () => {
  const widget = await loadWidget();
  const text = MESSAGES[9];
  const { redacted, pii } = widget.redact(text);
  assert.equal(redacted, 'My SSN [ssn] was shown on the invoice from [ip] 🎉');
  assert.deepEqual(pii.map((p) => text.slice(p.start, p.end)), ['123-45-6789', '192.168.0.12']);
});
