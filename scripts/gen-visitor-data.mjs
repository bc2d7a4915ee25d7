// Generates data/visitor-train.jsonl: messages written the way visitors type
// into a contact widget, in seven languages, labelled for every head (issue 15).
//
// Input: data/visitor/<lang>.txt — hand-written message cores, one per line,
// `topic flags | text` (the flags are explained at the top of en.txt). Each core
// is written out in several tones (plain, terse, polite, angry, urgent, with an
// order number, with typos, opening with praise), deterministically, and its
// labels follow the tone (an angry message is a negative complaint; a question
// that opens with praise is positive), by the rules in data/README.md.
// Every variant of a core lands in the same split (train / valid / test, by a
// hash of the core), so the validation and test splits hold unseen cores.
//
// Usage: node scripts/gen-visitor-data.mjs          (writes the file)
//        node scripts/gen-visitor-data.mjs --check  (exit 1 if it differs from a regeneration)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const OUT = join(root, 'data/visitor-train.jsonl');
const LANGS = ['en', 'de', 'fr', 'es', 'nl', 'pt', 'it'];

// Per-language words the tones are made of. Written for this file, in our own words.
const TONE = {
  en: {
    hello: ['hi', 'hello', 'hey', 'hi there', 'good morning', 'hello team'],
    thanks: ['thanks', 'thank you', 'thanks in advance', 'cheers', 'thx', 'many thanks'],
    please: ['please', 'pls', 'could you please help'],
    angry: ['this is ridiculous', 'unacceptable', 'third time i am writing about this', 'i am so annoyed', 'worst service ever', 'what a joke', 'i am really fed up', 'sort it out'],
    urgent: ['i need this today', 'asap please', 'urgent', 'need an answer right now'],
    praise: ['love your shop', 'big fan of your products', 'you guys are great', 'love the app'],
    excited: ['you are the best', 'so happy', 'amazing'],
    context: ['order {n}', 'my order number is {n}', 'i ordered {d} days ago', 'customer since 2019', 'ref {n}'],
    items: ['jacket', 'sofa', 'headphones', 'mattress', 'coffee machine', 'tent', 'sneakers', 'lamp', 'desk chair', 'kettle', 'backpack', 'watch'],
    plans: ['pro', 'basic', 'team', 'business', 'premium'],
  },
  de: {
    hello: ['hallo', 'hi', 'guten tag', 'moin', 'servus'],
    thanks: ['danke', 'vielen dank', 'danke im voraus', 'lg', 'mfg'],
    please: ['bitte', 'bitte helfen sie mir'],
    angry: ['das ist eine frechheit', 'unmöglich', 'ich schreibe schon zum dritten mal', 'ich bin echt sauer', 'so ein schlechter service', 'langsam reicht es'],
    urgent: ['ich brauche das heute noch', 'dringend', 'bitte sofort'],
    praise: ['ich liebe euren shop', 'eure produkte sind toll'],
    excited: ['ihr seid die besten', 'super', 'klasse'],
    context: ['bestellung {n}', 'meine bestellnummer ist {n}', 'ich habe vor {d} tagen bestellt'],
    items: ['jacke', 'sofa', 'kopfhörer', 'matratze', 'kaffeemaschine', 'zelt', 'lampe', 'rucksack'],
    plans: ['pro', 'basis', 'team', 'business'],
  },
  fr: {
    hello: ['bonjour', 'salut', 'bonsoir', 'bonjour à vous'],
    thanks: ['merci', 'merci beaucoup', 'merci d\'avance', 'cordialement'],
    please: ['svp', 's\'il vous plaît', 'merci de m\'aider'],
    angry: ['c\'est inadmissible', 'inacceptable', 'troisième fois que j\'écris', 'je suis vraiment énervée', 'service lamentable', 'c\'est une blague'],
    urgent: ['j\'en ai besoin aujourd\'hui', 'urgent', 'au plus vite svp'],
    praise: ['j\'adore votre boutique', 'vos produits sont top'],
    excited: ['vous êtes géniaux', 'trop bien', 'parfait'],
    context: ['commande {n}', 'mon numéro de commande est {n}', 'j\'ai commandé il y a {d} jours'],
    items: ['veste', 'canapé', 'casque', 'matelas', 'machine à café', 'tente', 'lampe', 'sac à dos'],
    plans: ['pro', 'basic', 'équipe', 'business'],
  },
  es: {
    hello: ['hola', 'buenas', 'buenos dias', 'hola que tal'],
    thanks: ['gracias', 'muchas gracias', 'gracias de antemano', 'saludos'],
    please: ['por favor', 'porfa', 'ayuda por favor'],
    angry: ['es una vergüenza', 'inaceptable', 'es la tercera vez que escribo', 'estoy muy enfadada', 'pesimo servicio', 'que desastre'],
    urgent: ['lo necesito hoy', 'urgente', 'cuanto antes por favor'],
    praise: ['me encanta su tienda', 'sus productos son geniales'],
    excited: ['son los mejores', 'genial', 'que bien'],
    context: ['pedido {n}', 'mi numero de pedido es {n}', 'pedi hace {d} dias'],
    items: ['chaqueta', 'sofa', 'auriculares', 'colchon', 'cafetera', 'tienda de campaña', 'lampara', 'mochila'],
    plans: ['pro', 'basico', 'equipo', 'business'],
  },
  nl: {
    hello: ['hoi', 'hallo', 'goedemorgen', 'hey'],
    thanks: ['bedankt', 'dank je', 'alvast bedankt', 'groetjes', 'mvg'],
    please: ['aub', 'alsjeblieft', 'graag hulp'],
    angry: ['dit is belachelijk', 'onacceptabel', 'ik mail nu voor de derde keer', 'ik ben er echt klaar mee', 'slechte service', 'wat een grap'],
    urgent: ['ik heb het vandaag nodig', 'dringend', 'zo snel mogelijk aub'],
    praise: ['ik vind jullie winkel geweldig', 'fijne producten'],
    excited: ['jullie zijn top', 'super', 'geweldig'],
    context: ['bestelling {n}', 'mijn bestelnummer is {n}', 'ik heb {d} dagen geleden besteld'],
    items: ['jas', 'bank', 'koptelefoon', 'matras', 'koffiemachine', 'tent', 'lamp', 'rugzak'],
    plans: ['pro', 'basis', 'team', 'business'],
  },
  pt: {
    hello: ['ola', 'oi', 'bom dia', 'boa tarde'],
    thanks: ['obrigado', 'obrigada', 'obrigado desde ja', 'cumprimentos'],
    please: ['por favor', 'pf', 'ajudem por favor'],
    angry: ['isto e uma vergonha', 'inaceitavel', 'e a terceira vez que escrevo', 'estou muito chateada', 'pessimo servico', 'que palhaçada'],
    urgent: ['preciso disto hoje', 'urgente', 'o mais rapido possivel'],
    praise: ['adoro a vossa loja', 'os vossos produtos sao otimos'],
    excited: ['sao os maiores', 'perfeito', 'adorei'],
    context: ['encomenda {n}', 'o numero do pedido e {n}', 'encomendei ha {d} dias'],
    items: ['casaco', 'sofa', 'auscultadores', 'colchao', 'maquina de cafe', 'tenda', 'candeeiro', 'mochila'],
    plans: ['pro', 'basico', 'equipa', 'business'],
  },
  it: {
    hello: ['ciao', 'buongiorno', 'salve', 'buonasera'],
    thanks: ['grazie', 'grazie mille', 'grazie in anticipo', 'saluti'],
    please: ['per favore', 'vi prego', 'aiutatemi per favore'],
    angry: ['e una vergogna', 'inaccettabile', 'e la terza volta che scrivo', 'sono davvero arrabbiata', 'servizio pessimo', 'che schifo'],
    urgent: ['mi serve oggi', 'urgente', 'il prima possibile'],
    praise: ['adoro il vostro negozio', 'i vostri prodotti sono ottimi'],
    excited: ['siete i migliori', 'fantastico', 'perfetto'],
    context: ['ordine {n}', 'il mio numero d\'ordine e {n}', 'ho ordinato {d} giorni fa'],
    items: ['giacca', 'divano', 'cuffie', 'materasso', 'macchina del caffè', 'tenda', 'lampada', 'zaino'],
    plans: ['pro', 'base', 'team', 'business'],
  },
};

const KINDS = { q: 'question', r: 'request', p: 'problem', c: 'complaint', s: 'suggestion', t: 'praise' };

/** 32-bit FNV-1a, the same hash the trainer uses for splits. */
function fnv(text) {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(text, 'utf8')) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h >>> 0;
}

/** A small deterministic generator seeded per core. */
function rng(seed) {
  let s = seed || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

const pick = (r, list) => list[Math.floor(r() * list.length)];

function fill(text, r, tone) {
  return text
    .replaceAll('{item}', () => pick(r, tone.items))
    .replaceAll('{plan}', () => pick(r, tone.plans))
    .replaceAll('{n}', () => String(10000 + Math.floor(r() * 890000)))
    .replaceAll('{d}', () => String(2 + Math.floor(r() * 19)))
    .replaceAll('{m}', () => `${5 + Math.floor(r() * 300)}.${Math.floor(r() * 90) + 10}`);
}

/** One or two typos: a swapped, dropped or doubled letter inside a longer word. */
function typo(text, r) {
  const words = text.split(' ');
  const long = words.map((w, i) => [w, i]).filter(([w]) => /^[\p{L}]{5,}$/u.test(w));
  if (!long.length) return text;
  const [word, index] = pick(r, long);
  const chars = [...word];
  const at = 1 + Math.floor(r() * (chars.length - 3));
  const how = Math.floor(r() * 3);
  if (how === 0) [chars[at], chars[at + 1]] = [chars[at + 1], chars[at]];
  else if (how === 1) chars.splice(at, 1);
  else chars.splice(at, 0, chars[at]);
  words[index] = chars.join('');
  return words.join(' ');
}

const capitalise = (s) => s.charAt(0).toUpperCase() + s.slice(1);
const terse = (s) => s.replace(/[,.?!]/g, '').replace(/\s+/g, ' ').trim();

function parse(lang) {
  const cores = [];
  const text = readFileSync(join(root, 'data/visitor', `${lang}.txt`), 'utf8');
  text.split('\n').forEach((line, number) => {
    if (!line.trim() || line.startsWith('#')) return;
    const match = line.match(/^(\w+) ([a-z+\-0]+) \| (.+)$/);
    if (!match) throw new Error(`data/visitor/${lang}.txt:${number + 1}: expected "topic flags | text"`);
    const [, topic, flags, core] = match;
    const kind = KINDS[flags[0]];
    if (!kind) throw new Error(`data/visitor/${lang}.txt:${number + 1}: unknown kind ${flags[0]}`);
    let sentiment = flags[0] === 'p' || flags[0] === 'c' ? 'negative' : flags[0] === 't' ? 'positive' : 'neutral';
    if (flags.includes('-')) sentiment = 'negative';
    if (flags.includes('+')) sentiment = 'positive';
    const low = flags.includes('l') || flags[0] === 't' || flags[0] === 's' || topic === 'other';
    cores.push({
      topic, kind, sentiment, core,
      gap: flags.includes('g'),
      urgency: flags.includes('h') ? 'high' : low ? 'low' : 'normal',
      spam: flags.includes('x'),
    });
  });
  return cores;
}

/** The tones a core can take: praise is never angry, a greeting never has an order number. */
function tones(c) {
  if (c.topic === 'other') return ['plain', 'terse', 'polite', 'typo'];
  if (c.kind === 'praise') return ['plain', 'terse', 'excited', 'typo', 'polite'];
  if (c.kind === 'suggestion') return ['plain', 'terse', 'polite', 'typo', 'praise'];
  // Anger and urgency fit problems, complaints, requests and status questions,
  // not "is it waterproof".
  const status = ['order', 'delivery', 'refund', 'contact', 'billing'].includes(c.topic);
  if (c.kind === 'question') {
    return ['plain', 'terse', 'polite', 'context', 'typo', 'praise', ...(status ? ['angry'] : [])];
  }
  return ['plain', 'terse', 'polite', 'angry', 'context', 'typo', ...(urgentTone(c) ? ['urgent'] : [])];
}

/**
 * Whether a core may also be written with "asap" / "i need this today" added
 * (which makes it `high`). The core's own urgency wins: a low-urgency core never
 * gets it, a high one always may (its urgency is in its own words, the template
 * only repeats it), and only one normal core in four gets it — when every
 * problem and request had an "asap" twin, the learned urgency head learned the
 * template words instead of what makes a message urgent (deadlines, outages,
 * money being lost), and missed high urgency written in a visitor's own words.
 */
function urgentTone(c) {
  if (c.urgency === 'low') return false;
  if (c.urgency === 'high') return true;
  return fnv(`urgent|${c.core}`) % 4 === 0;
}

function variant(c, tone, lang, r) {
  const t = TONE[lang];
  const core = fill(c.core, r, t);
  const end = c.kind === 'question' ? '?' : '.';
  const out = { text: '', kind: c.kind, sentiment: c.sentiment, urgency: c.urgency, gap: c.gap };
  switch (tone) {
    case 'plain':
      out.text = capitalise(core) + end;
      break;
    case 'terse':
      out.text = terse(core);
      break;
    case 'polite': {
      const please = c.kind === 'request' && r() < 0.5 ? `${pick(r, t.please)} ` : '';
      out.text = `${capitalise(pick(r, t.hello))}, ${please}${core}${end} ${capitalise(pick(r, t.thanks))}`;
      break;
    }
    case 'angry': {
      const shout = r() < 0.3;
      const body = `${core}${r() < 0.5 ? '??' : '.'} ${pick(r, t.angry)}${r() < 0.6 ? '!!!' : '!'}`;
      out.text = shout ? body.toUpperCase() : body;
      out.sentiment = 'negative';
      out.kind = 'complaint';
      break;
    }
    case 'urgent':
      out.text = `${core}, ${pick(r, t.urgent)}${r() < 0.5 ? '!' : ''}`;
      out.urgency = 'high';
      break;
    case 'context': {
      const ctx = fill(pick(r, t.context), r, t);
      out.text = r() < 0.5 ? `${capitalise(ctx)}. ${core}${end}` : `${core}${end} ${ctx}`;
      break;
    }
    case 'typo':
      out.text = typo(r() < 0.5 ? terse(core) : core, r);
      break;
    case 'excited':
      out.text = `${capitalise(core)}!! ${pick(r, t.excited)}`;
      break;
    case 'praise':
      // A question or suggestion that opens with praise is positive (data/README.md).
      out.text = `${capitalise(pick(r, t.praise))}! ${core}${end}`;
      out.sentiment = 'positive';
      break;
    default:
      throw new Error(tone);
  }
  return out;
}

function split(lang, core) {
  const h = fnv(`${lang}|${core}`) % 10;
  return h === 0 ? 'test' : h === 1 ? 'valid' : 'train';
}

function generate() {
  const lines = [];
  const seen = new Set();
  for (const lang of LANGS) {
    for (const c of parse(lang)) {
      const r = rng(fnv(`${lang}|${c.core}`));
      for (const tone of tones(c)) {
        // Greetings and other one-word cores yield fewer distinct variants; duplicates are dropped.
        const v = variant(c, tone, lang, r);
        const key = v.text.toLowerCase();
        if (seen.has(key)) continue;
        seen.add(key);
        lines.push(JSON.stringify({
          text: v.text, language: lang, topic: c.topic, sentiment: v.sentiment, kind: v.kind,
          urgency: v.urgency, expectation_gap: v.gap, spam: c.spam, split: split(lang, c.core),
        }));
      }
    }
  }
  return '// Generated by scripts/gen-visitor-data.mjs from data/visitor/*.txt — edit those, not this file.\n' +
    lines.join('\n') + '\n';
}

const text = generate();
if (process.argv.includes('--check')) {
  if (readFileSync(OUT, 'utf8') !== text) {
    console.error('data/visitor-train.jsonl differs from a regeneration: run node scripts/gen-visitor-data.mjs');
    process.exit(1);
  }
  console.log('data/visitor-train.jsonl matches data/visitor/*.txt');
} else {
  writeFileSync(OUT, text);
  console.log(`wrote data/visitor-train.jsonl: ${text.split('\n').length - 2} messages`);
}
