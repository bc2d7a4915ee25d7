// A visitor simulator: realistic traffic for a site, sent through the real
// API of a running worker — touchpoints in batches as the recorder sends them,
// conversations as the widget starts them, staff answers as the console posts
// them — with causes planted so that Insights can be checked to find them.
//
// Deterministic: the same seed gives the same visitors, journeys and messages.
//
//   node bench/simulate.mjs --url http://127.0.0.1:8787 --staff-token tps_… [--visitors 300] [--seed 1] [--days 1]
//
// Planted causes (both on unless --no-causes):
//   checkout-fee    an unexpected shipping fee on /checkout: a share of the
//                   visitors who reach it write to complain about delivery costs;
//   coupon          the e-mail campaign `spring-sale` carries a broken coupon:
//                   a share of its visitors complain that the code does not work.

/** mulberry32: a small, fast, seedable PRNG (uniform in [0, 1)). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = (random, items) => items[Math.floor(random() * items.length)];
/** Picks from `[weight, value]` pairs. */
function weighted(random, pairs) {
  const total = pairs.reduce((sum, [w]) => sum + w, 0);
  let r = random() * total;
  for (const [w, value] of pairs) {
    if ((r -= w) < 0) return value;
  }
  return pairs[pairs.length - 1][1];
}

export const BROWSER_USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0',
  'Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36',
];

/**
 * How visitors arrive, in plausible proportions, with the fields the recorder
 * puts on the first page view (attribution decided in the browser).
 */
export const CHANNELS = [
  [30, { channel: 'organic_search', source: 'Google', referrer: 'https://www.google.com/' }],
  [4, { channel: 'organic_search', source: 'Bing', referrer: 'https://www.bing.com/' }],
  [22, { channel: 'direct' }],
  [12, { channel: 'paid_search', source: 'Google', utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'brand-jackets', click_id: 'gclid' }],
  [8, { channel: 'organic_social', source: 'Instagram', referrer: 'https://l.instagram.com/' }],
  [6, { channel: 'paid_social', source: 'Facebook', utm_source: 'facebook', utm_medium: 'paid_social', utm_campaign: 'autumn-boots', click_id: 'fbclid' }],
  [10, { channel: 'email', utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'spring-sale' }],
  [5, { channel: 'email', utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'weekly-digest' }],
  [5, { channel: 'referral', source: 'outdoorgear-blog.example', referrer: 'https://outdoorgear-blog.example/best-jackets' }],
];

/** The site's pages by type: Northwind Outfitters, an outdoor clothing shop. */
export const PAGES = {
  home: [['/', 'Northwind Outfitters']],
  category: [['/shop/jackets', 'Jackets'], ['/shop/boots', 'Boots'], ['/shop/base-layers', 'Base layers']],
  product: [['/products/alpine-shell-jacket', 'Alpine shell jacket'], ['/products/trail-runner-boots', 'Trail runner boots'],
    ['/products/merino-base-layer', 'Merino base layer'], ['/products/down-parka', 'Down parka']],
  pricing: [['/pricing', 'Membership plans']],
  cart: [['/cart', 'Your cart']],
  checkout: [['/checkout', 'Checkout']],
  docs: [['/docs/size-guide', 'Size guide'], ['/docs/care-instructions', 'Care instructions']],
  support: [['/support', 'Help centre'], ['/support/returns', 'Returns']],
  account: [['/account', 'Your account'], ['/account/orders', 'Your orders']],
};

/** Where a visitor goes next from a page type (`null`: leaves). */
const NEXT = {
  home: [[35, 'category'], [15, 'product'], [10, 'pricing'], [8, 'support'], [6, 'account'], [4, 'docs'], [22, null]],
  category: [[55, 'product'], [10, 'category'], [5, 'home'], [30, null]],
  product: [[25, 'cart'], [20, 'product'], [10, 'category'], [10, 'docs'], [35, null]],
  pricing: [[25, 'cart'], [15, 'support'], [10, 'home'], [50, null]],
  cart: [[60, 'checkout'], [10, 'product'], [30, null]],
  checkout: [[25, 'account'], [75, null]],
  docs: [[25, 'product'], [15, 'support'], [60, null]],
  support: [[25, 'support'], [15, 'account'], [60, null]],
  account: [[30, 'account'], [15, 'support'], [55, null]],
};
/** Where each channel lands. */
const LANDING = {
  organic_search: [[30, 'product'], [25, 'category'], [20, 'home'], [15, 'docs'], [10, 'support']],
  direct: [[60, 'home'], [25, 'account'], [15, 'support']],
  paid_search: [[60, 'category'], [40, 'product']],
  organic_social: [[50, 'product'], [50, 'home']],
  paid_social: [[70, 'product'], [30, 'category']],
  email: [[70, 'category'], [30, 'product']],
  referral: [[80, 'product'], [20, 'home']],
};

export const LANGUAGES = [[55, 'en'], [12, 'de'], [8, 'fr'], [8, 'es'], [6, 'nl'], [6, 'it'], [5, 'pt']];

/**
 * What visitors write, by what happened on their journey. Complaints are worded
 * so the edge classifier labels them negative complaints (checked with
 * `touchpoint classify`); the others are everyday questions.
 */
export const MESSAGES = {
  // Planted: an unexpected shipping fee on /checkout.
  checkout_fee: {
    en: ['This is unacceptable: free delivery was promised but checkout added a shipping fee of 9.90. Very disappointed.',
      'Terrible experience, the delivery costs only appeared at checkout. Nobody said there was a shipping fee. I expected better.'],
    de: ['Das ist eine Frechheit: Es hieß kostenloser Versand, aber an der Kasse kamen 9,90 Versandkosten dazu. Sehr enttäuscht.'],
    fr: ['C\'est inacceptable : la livraison devait être gratuite mais des frais de port de 9,90 sont apparus au paiement. Très déçu.'],
    es: ['Es inaceptable: prometían envío gratis y en el pago aparecieron 9,90 de gastos de envío. Muy decepcionado.'],
    nl: ['Dit is onacceptabel: gratis verzending beloofd en bij het afrekenen 9,90 verzendkosten erbij. Zeer teleurgesteld.'],
    it: ['È inaccettabile: la spedizione doveva essere gratuita ma al pagamento sono comparsi 9,90 di spese di spedizione. Molto deluso.'],
    pt: ['É inaceitável: prometeram envio grátis e no pagamento apareceram 9,90 de portes. Muito desiludido.'],
  },
  // Planted: the `spring-sale` newsletter's coupon does not work.
  coupon: {
    en: ['Your newsletter coupon SPRING20 does not work, checkout says invalid code. This is really annoying and misleading.',
      'Terrible: the discount code from your spring sale email is rejected. I expected the 20% off you promised.'],
    de: ['Das ist eine Frechheit: der Rabattcode SPRING20 aus dem Newsletter wird abgelehnt. Sehr enttäuscht.'],
    fr: ['C\'est inacceptable : le code promo SPRING20 de votre newsletter ne fonctionne pas. Très déçu.'],
    es: ['El cupón SPRING20 de vuestro newsletter no funciona, dice código no válido. Es muy molesto y engañoso.'],
    nl: ['Dit is onacceptabel: de kortingscode SPRING20 uit jullie nieuwsbrief werkt niet. Zeer teleurgesteld.'],
    it: ['Il codice sconto SPRING20 della vostra newsletter non funziona, codice non valido. Molto fastidioso e ingannevole.'],
    pt: ['O cupão SPRING20 da vossa newsletter não funciona, diz código inválido. Muito irritante e enganador.'],
  },
  // Background trouble anywhere: a late parcel.
  late: {
    en: ['My order still has not arrived after two weeks and nobody answers. This is unacceptable.'],
    de: ['Das ist eine Frechheit: meine Bestellung ist nach zwei Wochen immer noch nicht da. Sehr enttäuscht.'],
    fr: ['C\'est inacceptable : ma commande n\'est toujours pas arrivée après deux semaines. Très déçu.'],
    es: ['Mi pedido aún no ha llegado después de dos semanas y nadie responde. Inaceptable.'],
    nl: ['Mijn bestelling is na twee weken nog steeds niet aangekomen en niemand reageert. Onacceptabel.'],
    it: ['Il mio ordine non è ancora arrivato dopo due settimane e nessuno risponde. Inaccettabile.'],
    pt: ['A minha encomenda ainda não chegou passadas duas semanas e ninguém responde. Inaceitável.'],
  },
  product: {
    en: ['Is the alpine shell jacket waterproof enough for hiking in the rain? Which size would you recommend for 180 cm?',
      'Do the trail runner boots come in wide fit?'],
    de: ['Ist die Alpine-Shell-Jacke wasserdicht genug zum Wandern im Regen? Welche Größe bei 180 cm?'],
    fr: ['La veste alpine shell est-elle assez imperméable pour la randonnée ? Quelle taille pour 1m80 ?'],
    es: ['¿La chaqueta alpine shell es impermeable para hacer senderismo? ¿Qué talla para 1,80?'],
    nl: ['Is de alpine shell jas waterdicht genoeg om te wandelen? Welke maat bij 1,80 m?'],
    it: ['La giacca alpine shell è abbastanza impermeabile per le escursioni? Che taglia per 1,80?'],
    pt: ['O casaco alpine shell é impermeável para caminhadas? Que tamanho para 1,80?'],
  },
  pricing: {
    en: ['Do you offer a discount for a club order of 25 jackets? Could you send us a quote?'],
    de: ['Gibt es einen Rabatt für eine Vereinsbestellung von 25 Jacken? Können Sie uns ein Angebot schicken?'],
    fr: ['Proposez-vous une remise pour une commande de 25 vestes pour notre club ? Pouvez-vous nous faire un devis ?'],
    es: ['¿Ofrecen descuento para un pedido de 25 chaquetas para nuestro club? ¿Nos pueden enviar un presupuesto?'],
    nl: ['Geven jullie korting op een clubbestelling van 25 jassen? Kunnen jullie een offerte sturen?'],
    it: ['Fate uno sconto per un ordine di 25 giacche per il nostro club? Potete inviarci un preventivo?'],
    pt: ['Fazem desconto para uma encomenda de 25 casacos para o nosso clube? Podem enviar um orçamento?'],
  },
  account: {
    en: ['How do I change the email address on my account?'],
    de: ['Wie ändere ich die E-Mail-Adresse in meinem Konto?'],
    fr: ['Comment changer l\'adresse e-mail de mon compte ?'],
    es: ['¿Cómo cambio la dirección de correo de mi cuenta?'],
    nl: ['Hoe wijzig ik het e-mailadres van mijn account?'],
    it: ['Come cambio l\'indirizzo email del mio account?'],
    pt: ['Como altero o endereço de email da minha conta?'],
  },
  support: {
    en: ['How do I return boots that are too small? Do I need to print a label?'],
    de: ['Wie schicke ich zu kleine Stiefel zurück? Muss ich ein Etikett drucken?'],
    fr: ['Comment retourner des chaussures trop petites ? Dois-je imprimer une étiquette ?'],
    es: ['¿Cómo devuelvo unas botas que me quedan pequeñas? ¿Tengo que imprimir una etiqueta?'],
    nl: ['Hoe stuur ik schoenen terug die te klein zijn? Moet ik een label printen?'],
    it: ['Come restituisco degli scarponi troppo piccoli? Devo stampare un\'etichetta?'],
    pt: ['Como devolvo umas botas que ficaram pequenas? Tenho de imprimir uma etiqueta?'],
  },
  docs: {
    en: ['Can the merino base layer go in the dryer? The care guide does not say.'],
    de: ['Darf das Merino-Unterhemd in den Trockner? In der Pflegeanleitung steht nichts.'],
    fr: ['Le sous-vêtement en mérinos passe-t-il au sèche-linge ?'],
    es: ['¿La camiseta térmica de merino se puede meter en la secadora?'],
    nl: ['Mag de merino onderlaag in de droger?'],
    it: ['Lo strato base in merino si può mettere in asciugatrice?'],
    pt: ['A camada base de merino pode ir à máquina de secar?'],
  },
};

/** Staff answers, as the console would post them. */
const ANSWERS = [
  'Thanks for writing — I have looked into it and will get back to you today.',
  'Sorry about that! I have passed this to the right colleague and we will sort it out.',
  'Good question — yes, that works. Let me know if you need anything else.',
];

/** The topic staff would give each kind of message, for the few labels they correct. */
const INTENDED_TOPIC = { checkout_fee: 'delivery', coupon: 'billing', late: 'delivery', product: 'product', pricing: 'sales',
  account: 'account', support: 'refund', docs: 'product' };

/** The default planted causes. */
export const CAUSES = {
  // Share of visitors who reach /checkout and then complain about the fee.
  checkoutFee: { path: '/checkout', share: 0.35 },
  // Share of `spring-sale` visitors who complain that the coupon does not work.
  coupon: { campaign: 'spring-sale', share: 0.3 },
};

/**
 * One visitor, decided from the PRNG alone: arrival, journey, language, and
 * what (if anything) they write. `causes` may be `null` (no planted causes).
 */
export function planVisitor(random, index, { causes = CAUSES, start, spreadMs }) {
  const arrival = weighted(random, CHANNELS);
  const language = weighted(random, LANGUAGES);
  const consented = random() < 0.4;
  const userAgent = pick(random, BROWSER_USER_AGENTS);
  // Visits spread over the period, ending at least 10 minutes before `start + spreadMs`.
  let at = start + Math.floor(random() * (spreadMs - 30 * 60_000));
  const journey = [];
  let type = weighted(random, LANDING[arrival.channel]);
  const seenTypes = new Set();
  while (type && journey.length < 12) {
    const [path, title] = pick(random, PAGES[type]);
    const engagedMs = 3000 + Math.floor(random() * 60_000);
    journey.push({ type, path, title, at, engagedMs, scroll: 25 * (1 + Math.floor(random() * 4)) });
    seenTypes.add(type);
    at += engagedMs + 2000 + Math.floor(random() * 20_000);
    type = weighted(random, NEXT[type]);
  }
  // What they write: a planted cause first, then everyday questions driven by the journey.
  let topic = null;
  if (causes?.coupon && arrival.utm_campaign === causes.coupon.campaign && random() < causes.coupon.share) topic = 'coupon';
  else if (causes?.checkoutFee && journey.some((p) => p.path === causes.checkoutFee.path) && random() < causes.checkoutFee.share) topic = 'checkout_fee';
  else if (random() < 0.015) topic = 'late';
  else if (random() < 0.12) {
    const last = journey[journey.length - 1].type;
    topic = { product: 'product', category: 'product', pricing: 'pricing', account: 'account', support: 'support', docs: 'docs',
      cart: 'product', checkout: 'support', home: pick(random, ['product', 'support']) }[last];
  }
  const texts = topic ? MESSAGES[topic][language] : null;
  return {
    index,
    arrival,
    language,
    consented,
    userAgent,
    ip: `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`,
    journey,
    writesAt: topic ? at + 5000 : null,
    topic,
    text: texts ? pick(random, texts) : null,
    answered: topic ? random() < 0.6 : false,
    answer: pick(random, ANSWERS),
    // Minutes staff took to answer (the demo dates its conversations back by them).
    replyMinutes: 2 + Math.floor(random() * random() * 180),
    corrects: random() < 0.2,
  };
}

/** The recorder's events for one visitor: the landing view carries the acquisition. */
export function eventsOf(visitor, runId) {
  const events = [];
  visitor.journey.forEach((page, n) => {
    const base = { ts: page.at, path: page.path, title: page.title, lang: visitor.language, vw: 1280, vh: 800 };
    const view = { id: eventId(runId, visitor.index, n, 'v'), type: 'pageview', ...base };
    if (n === 0) {
      const { channel, source, referrer, utm_source, utm_medium, utm_campaign, click_id } = visitor.arrival;
      Object.assign(view, clean({ channel, source, referrer, utm_source, utm_medium, utm_campaign, click_id }));
    }
    events.push(view);
    events.push({ id: eventId(runId, visitor.index, n, 'e'), type: 'engagement', ...base, ts: page.at + page.engagedMs,
      engaged_ms: page.engagedMs, scroll: page.scroll });
  });
  return events;
}

const clean = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ''));
/** 16–64 URL-safe characters, unique per run, visitor, page and kind. */
const eventId = (runId, index, n, kind) => `sim-${runId}-${index.toString(36)}-${n}${kind}`.padEnd(16, '0');

/** Runs `task` over `items` with at most `limit` in flight. */
async function pool(items, limit, task) {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++];
      await task(item);
    }
  });
  await Promise.all(workers);
}

/**
 * Sends `visitors` simulated visitors to the worker at `url`. Visits are spread
 * over the `days` before now (events may be up to 30 days old; the worker
 * stamps conversations with its own clock, so each result carries how far
 * its visit lay in the past). Returns counts and the conversations started.
 */
export async function simulate({
  url, staffToken, origin = url, seed = 1, visitors = 300, days = 1, causes = CAUSES,
  concurrency = 8, now = Date.now(), log = () => {},
}) {
  const random = prng(seed);
  const spreadMs = days * 86_400_000;
  // Conversations are created now, and Insights looks at the 24 hours before: keep single-day runs within them.
  const start = now - spreadMs + (days <= 1 ? 60 * 60_000 : 0);
  const runId = `${seed.toString(36)}${(now % 1e8).toString(36)}`;
  const plans = Array.from({ length: visitors }, (_, i) => planVisitor(random, i, { causes, start, spreadMs: now - start }));
  const stats = { visitors, events: 0, requests: 0, latencyMs: {}, conversations: [], rejected: 0, failures: [] };
  const post = async (path, body, headers) => {
    stats.requests += 1;
    const sentAt = performance.now();
    const response = await fetch(`${url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const json = await response.json().catch(() => null);
    // Latency per endpoint kind (ids stripped), for the scale measurements.
    const kind = path.replace(/\/(?:conversations|messages)\/[^/]+/, (m) => m.replace(/[^/]+$/, '{id}'));
    (stats.latencyMs[kind] ??= []).push(performance.now() - sentAt);
    if (!response.ok) stats.failures.push(`${path}: ${response.status} ${JSON.stringify(json)}`);
    return { status: response.status, json };
  };
  await pool(plans, concurrency, async (v) => {
    const browser = { origin, 'user-agent': v.userAgent, 'cf-connecting-ip': v.ip };
    const visitorId = v.consented ? `sim-visitor-${runId}-${v.index}` : '';
    const events = eventsOf(v, runId);
    const res = await post('/v1/events', { v: 1, site: 'demo', sent_at: Date.now(), dropped: 0, visitor: visitorId || undefined,
      tz: 'Europe/Berlin', events }, { ...browser, 'content-type': 'text/plain;charset=UTF-8' });
    stats.events += res.json?.accepted ?? 0;
    stats.rejected += res.json?.rejected?.length ?? 0;
    if (!v.text) return;
    const started = await post('/v1/conversations', {
      site: 'demo', visitor_id: visitorId, locale: v.language,
      message: { text: v.text, client_id: `sim-msg-${runId}-${v.index}`.padEnd(16, '0') },
    }, { ...browser, 'content-type': 'application/json' });
    if (started.status !== 201) return;
    const conversation = { id: started.json.conversation.id, topic: v.topic, language: v.language, answered: false,
      pastMs: now - v.writesAt, campaign: v.arrival.utm_campaign ?? '', reachedCheckout: v.journey.some((p) => p.path === '/checkout') };
    const asStaff = { authorization: `Bearer ${staffToken}`, 'content-type': 'application/json' };
    if (v.answered && staffToken) {
      const reply = await post(`/v1/staff/conversations/${conversation.id}/messages`, { text: v.answer }, asStaff);
      conversation.answered = reply.status === 201;
      conversation.replyMinutes = v.replyMinutes;
      // Now and then staff correct the label the classifier gave (training feedback).
      if (v.corrects) {
        const corrected = await post(`/v1/staff/messages/${started.json.message.id}/labels`, { topic: INTENDED_TOPIC[v.topic] }, asStaff);
        conversation.corrected = corrected.status < 300;
      }
    }
    stats.conversations.push(conversation);
  });
  stats.conversations.sort((a, b) => a.id.localeCompare(b.id));
  log(`simulated ${visitors} visitors: ${stats.events} events, ${stats.conversations.length} conversations`
    + ` (${stats.conversations.filter((c) => c.answered).length} answered), ${stats.failures.length} failed requests`);
  return stats;
}

// As a command: node bench/simulate.mjs --url … --staff-token … [--visitors N] [--seed N] [--days N] [--no-causes]
if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const flag = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const started = Date.now();
  const stats = await simulate({
    url: flag('url', 'http://127.0.0.1:8787'),
    staffToken: flag('staff-token', process.env.STAFF_TOKEN),
    visitors: Number(flag('visitors', 300)),
    seed: Number(flag('seed', 1)),
    days: Number(flag('days', 1)),
    causes: args.includes('--no-causes') ? null : CAUSES,
    log: console.log,
  });
  const seconds = (Date.now() - started) / 1000;
  console.log(`${(stats.events / seconds).toFixed(0)} events/s, ${(stats.conversations.length / seconds).toFixed(1)} conversations/s over ${seconds.toFixed(1)} s`);
  for (const failure of stats.failures.slice(0, 5)) console.error(failure);
  process.exitCode = stats.failures.length ? 1 : 0;
}
