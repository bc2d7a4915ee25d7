// HINT3's train split mapped to Touchpoint's topics — MODEL.md's reviewed
// mapping, as src/cli/visitor_sources.rs (hint3_topic) applies it — for the
// site-model test and the site-adaptation benchmark. Read from
// ../shared/datasets at run time, never committed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../../scripts/artifacts.mjs';

export const HINT3 = join(root, '..', 'shared', 'datasets', 'hint3', 'hint3_v2_train.jsonl');

const LEFT_OUT = new Set(['WINNINGS', 'LESS_WINNINGS_AMOUNT', 'TAXES_ON_WINNINGS', 'WITHDRAWAL_INTRO', 'WITHDRAWAL_STATUS',
  'WITHDRAWAL_TIME', 'INSTANT_WITHDRAWAL', 'WITHDRAW_CASH_BONUS', 'UNUTILIZED_MONEY']);
const TOPICS = new Set(['account', 'order', 'delivery', 'billing', 'refund', 'product', 'technical', 'sales', 'feedback', 'contact', 'other']);

function hint3Topic(row) {
  if (LEFT_OUT.has(row.label)) return null;
  if (row.label === 'CHAT_WITH_AN_AGENT' && row.text.trim().split(/\s+/).length < 3) return null;
  if (row.label === 'THANKS') return 'feedback';
  return TOPICS.has(row.topic) ? row.topic : null;
}

/** HINT3's train split as site examples `{text, topic}`, in file order. */
export function hint3Examples() {
  return readFileSync(HINT3, 'utf8').trim().split('\n').map((line) => JSON.parse(line))
    .map((row) => ({ text: row.text, topic: hint3Topic(row) })).filter((e) => e.topic);
}

/** The HINT3-style message files: 90 written first, 300 more in a second
 * round (December 2026, by a writer who had not read the first, every
 * intent of the three bots at least twice, none within a word-set Jaccard of
 * 0.7 of a HINT3 train line or of the first file). */
export const HINT3_STYLE_FILES = ['hint3-style.jsonl', 'hint3-style-2.jsonl'].map((name) => join(root, 'e2e', 'edge', 'data', name));

/** The 390 messages written for the site-model test in HINT3's bots' style, `{text, topic}`. */
export function hint3StyleMessages() {
  return HINT3_STYLE_FILES.flatMap((file) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l)));
}
