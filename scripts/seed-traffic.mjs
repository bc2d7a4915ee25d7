// A living demo: a few days of simulated traffic for the demo site, so the
// inbox, a conversation's journey and every Insights chart show something the
// first time `make dev` runs. Sent through the real API by the visitor
// simulator (bench/simulate.mjs), with its two planted causes; then each
// conversation is dated back to when its visitor wrote (the worker stamps
// conversations with its own clock), and each answer to a realistic delay.
import { simulate } from '../bench/simulate.mjs';

/** Seeds once per database: simulated events carry ids starting `sim-`. */
export async function seedDemoTraffic(runtime, staffToken, { visitors = 300, days = 3, seed = 42, log = console.log } = {}) {
  const seeded = await runtime.d1.prepare("SELECT 1 FROM events WHERE site_id = 'demo' AND id LIKE 'sim-%' LIMIT 1").first();
  if (seeded) {
    log('▶ demo traffic already seeded (TOUCHPOINT_SEED=0 skips this step)');
    return null;
  }
  log(`▶ seeding ${days} days of simulated traffic for the demo site (${visitors} visitors; TOUCHPOINT_SEED=0 skips this)`);
  const stats = await simulate({ url: runtime.url, staffToken, visitors, days, seed });
  const statements = [];
  for (const c of stats.conversations) {
    const shift = c.pastMs;
    const replyShift = c.answered ? Math.max(0, shift - c.replyMinutes * 60_000) : 0;
    statements.push(
      runtime.d1.prepare(
        `UPDATE conversations SET created_at = created_at - ?2, last_visitor_at = last_visitor_at - ?2,
           first_response_at = CASE WHEN first_response_at > 0 THEN first_response_at - ?3 ELSE 0 END,
           last_staff_at = CASE WHEN last_staff_at > 0 THEN last_staff_at - ?3 ELSE 0 END,
           updated_at = updated_at - CASE WHEN first_response_at > 0 THEN ?3 ELSE ?2 END
         WHERE id = ?1`,
      ).bind(c.id, shift, replyShift),
      runtime.d1.prepare(
        "UPDATE messages SET created_at = created_at - CASE WHEN author = 'visitor' THEN ?2 ELSE ?3 END WHERE conversation_id = ?1",
      ).bind(c.id, shift, replyShift),
      runtime.d1.prepare('UPDATE conversation_tokens SET created_at = created_at - ?2 WHERE conversation_id = ?1').bind(c.id, shift),
    );
  }
  if (statements.length) await runtime.d1.batch(statements);
  const answered = stats.conversations.filter((c) => c.answered).length;
  log(`  ${stats.events} events, ${stats.conversations.length} conversations (${answered} answered, `
    + `${stats.conversations.length - answered} waiting, ${stats.conversations.filter((c) => c.corrected).length} labels corrected)`);
  for (const failure of stats.failures.slice(0, 3)) log(`  failed: ${failure}`);
  return stats;
}
