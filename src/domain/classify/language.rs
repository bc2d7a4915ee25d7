//! Language identification from function words: each language's most common
//! short words, scored over the message. Compact, data-driven, and good enough
//! for routing and for choosing the visitor's language.

/// Languages the classifier names, with their most frequent function words
/// (accented and unaccented, as visitors type them) and common support words.
/// Each list is one string, words separated by spaces: smaller in the widget's
/// wasm than tables of string pointers.
const LEXICON: &[(&str, &str)] = &[
    (
        "en",
        "the and is my i you to it of not have was for with can what how this that \
please order when do does are a an your me hi hello thanks thank why where \
would need want we our there be on at if from just but or so get got still any \
will did has been all they them which could should yet about after again hey \
yes ok okay thx pls price shipping cost returns return reset password site \
website broken account refund delivery help received sent doesnt dont cant wont \
isnt im ive",
    ),
    (
        "de",
        "der die das und ist ich nicht mein meine mit ein eine wie bitte sie es auf für \
wann warum habe noch kann wurde hallo danke bestellung ihr zu mir kein keine \
war sind wo den dem des im vom zum zur bei nach aus über wir uns ihnen mich \
dass nur wenn gibt können könnt haben hatte wird werden mehr moin gerne guten \
tag einen einem einer mal doch jetzt immer leider geht sehr ganz großes lob \
euren euer eure hat heute schnell ihre ihren ihrem auch aber oder schon seit \
paket konto rechnung hab sich woche wochen tage",
    ),
    (
        "fr",
        "le la les et est je ne pas mon ma mes un une des pour avec vous il que qui \
comment merci bonjour commande j'ai c'est n'est du au sur quand pourquoi \
toujours votre suis bonsoir salut elle nous on ce cette ces mais ou où dans par \
plus tout très aussi déjà depuis après avant été fait avez avons sont vos nos \
leur s'il aux peut pouvez puis moi rien seul seule peine mois jours livraison \
colis compte à ça qu'il d'un d'une j'attends n'ai",
    ),
    (
        "es",
        "el la los las y es yo no mi mis un una por para con que cómo como gracias hola \
pedido está esta del al cuando cuándo qué tengo sido su puedo todavía dónde \
donde de en se lo le les me nos hay tiene tienen tenéis teneis podéis podeis \
hacéis haceis vuestro vuestra muy pero ya sí también tambien esto este eso \
ese estoy estaré he ha han hace desde hasta sin más mas buenos buenas días dias \
quiero necesito sería seria estaría estaria cuánto cuanto cuesta aquí aqui nada \
nunca siempre todo todos mil llamar envío envíos envio envios pago pagar cuenta \
correo dirección direccion contraseña factura cambiar puede pueden aplicación \
aplicacion tarjeta usted ustedes vez dos tres hacer queda lleva llevo nadie",
    ),
    (
        "nl",
        "de het een en is ik niet mijn met voor van hoe wat waarom wanneer bedankt hallo \
bestelling nog geen heb kan u je op dat zijn wordt graag al waar bij ook maar \
goedemiddag goedemorgen goedenavond dag die deze dit er ze we wij jullie uw hij \
zij werd worden hebben heeft hebt had kunnen kunt moet moeten wil wilt willen \
zou zal naar om uit aan over door tot nu dan echt eens heel erg niets niks \
alles iets wel toch even weer alleen mij medewerker telefoon bezorging pakket \
factuur als of dank alvast welke hoeveel kost gisteren vandaag morgen dagen \
weken sinds zonder",
    ),
    (
        "it",
        "il lo la gli le e è io non mio mia un una per con che come grazie ciao ordine \
sono del della quando perché ho ancora mi posso buongiorno dove questo stato ma \
di da in si anche più già gia solo ed nel nella alla ai dei delle degli dal \
dalla sul sulla questa quello quella cosa ci vi ti loro voi noi vostro vostra \
vostre vostri potete possiamo può puo avete abbiamo hanno fatto spedite \
spedizione consegna quanto quanti costa sarebbe poter ogni poi ora oggi ieri \
domani giorno giorni settimane mesi buonasera salve mille vorrei serve \
servirebbe funziona pagare carta fattura preferisco cercando perde acqua uno \
c'è dov'è dello molto tutto tutti sempre niente nessuno senza dopo prima fino \
adesso appena mai qui qualcuno voglio hai sto avevo stata rimborso pacco \
prodotto quale quali perche ha \
c'e dov'e piu miei mie nostro nostra sei agli alle sulle dovrebbero accettate fate cercate prezzo sconti",
    ),
    (
        "pt",
        "o a os as e é eu não meu minha um uma para com que como obrigado obrigada olá \
pedido do da no na quando porque ainda tenho foi posso está onde você ao seu de \
em se me nos lhe há mas ou já só também tambem muito mais pelo pela pelos num \
numa dos das nas às isso isto este esta esse essa estou estava fui tem têm \
temos vocês voces podem pode preciso queria quero gostaria encomenda morada \
entrega compra cartão cartao conta reembolso versão versao teste gratuita \
gratuito dá até ate sem depois antes hoje ontem amanhã dias semanas meses vezes \
duas dois três bom boa tarde noite oi aceitam aceita vou vai vão são estão \
então nao nunca sempre ninguém nada mesmo mesma aqui qual quanto custa espera \
receber cobrada cobrado \
por outro outra fazem chegou trocar devolucao devolução quem paga devo uso cancelem",
    ),
];

/// Language bits, as `each_function_word` numbers `LEXICON`.
const EN: u8 = 1;
const DE: u8 = 2;
const FR: u8 = 4;
const ES: u8 = 8;
const NL: u8 = 16;
const IT: u8 = 32;
const PT: u8 = 64;

/// How far ahead (in function words) the leader must be for the spelling
/// not to be consulted.
const DECISIVE: f32 = 2.0;

/// Word endings typical of one language (or two), with their weight.
const ENDINGS: &[(&str, u8, f32)] = &[
    ("ción", ES, 1.0),
    ("cion", ES, 0.5),
    ("ciones", ES, 1.0),
    ("ção", PT, 1.0),
    ("ções", PT, 1.0),
    ("zione", IT, 1.0),
    ("zioni", IT, 1.0),
    ("ungen", DE, 1.0),
    ("ung", DE, 0.5),
    ("keit", DE, 1.0),
    ("lich", DE, 0.5),
    ("lijk", NL, 1.0),
    ("heid", NL, 1.0),
    ("tje", NL, 1.0),
    ("ing", EN, 0.5),
    ("tion", EN | FR, 0.5),
    ("eux", FR, 1.0),
    ("eur", FR, 0.5),
    ("mente", ES | IT | PT, 0.5),
    ("etto", IT, 0.5),
    ("ette", IT | FR, 0.5),
    ("agem", PT, 1.0),
    ("ou", PT, 0.5),
    ("em", PT, 0.5),
    ("ado", ES | PT, 0.5),
    ("ato", IT, 0.5),
    ("ata", IT, 0.5),
];

/// Up to three pieces of evidence from one word's spelling.
fn spelling_cues(word: &str) -> [Option<(u8, f32)>; 3] {
    let mut letters = None;
    let mut has_ij = false;
    let mut previous = ' ';
    for ch in word.chars() {
        let cue = match ch {
            'ñ' => Some((ES, 1.0)),
            'ã' | 'õ' => Some((PT, 1.0)),
            'ç' => Some((FR | PT, 1.0)),
            'ß' | 'ä' | 'ö' | 'ü' => Some((DE, 1.0)),
            'ì' | 'ò' => Some((IT, 1.0)),
            'è' | 'ù' => Some((IT | FR, 1.0)),
            'à' => Some((FR | IT | PT, 1.0)),
            'ê' | 'â' | 'ô' => Some((FR | PT, 1.0)),
            'î' | 'û' | 'ë' | 'ï' => Some((FR, 0.5)),
            'á' | 'í' | 'ó' | 'ú' => Some((ES | PT, 1.0)),
            _ => None,
        };
        if cue.is_some() {
            letters = cue;
        }
        has_ij |= previous == 'i' && ch == 'j';
        previous = ch;
    }
    let ending = ENDINGS
        .iter()
        .find(|(ending, _, _)| word.len() > ending.len() + 1 && word.ends_with(ending))
        .map(|&(_, languages, weight)| (languages, weight));
    let elision = match word.split_once('\'') {
        Some(("dell" | "all" | "nell" | "dall" | "sull" | "un" | "po", _)) => Some((IT, 1.0)),
        Some(("l", _)) => Some((FR | IT, 1.0)),
        Some(("d" | "j" | "n" | "s" | "qu" | "c" | "m" | "t", _)) => Some((FR, 1.0)),
        _ => None,
    };
    let ij = has_ij.then_some((NL, 1.0));
    [letters.or(ij), ending, elision]
}

/// Calls `f` with each function word and the set of languages (bit per
/// `LEXICON` entry) it belongs to: `rules` puts them in its word table.
pub(super) fn each_function_word(mut f: impl FnMut(&str, u8)) {
    for (index, (_, words)) in LEXICON.iter().enumerate() {
        for word in words.split(' ').filter(|word| !word.is_empty()) {
            f(word, 1 << index);
        }
    }
}

/// Evidence for each language, word by word.
#[derive(Default)]
pub(super) struct Tally([f32; LEXICON.len()]);

impl Tally {
    /// A word that is a function word of `languages` (bits as in `each_function_word`).
    pub(super) fn add(&mut self, languages: u8) {
        if languages == 0 {
            return;
        }
        // A word shared by several languages is weaker evidence for each.
        self.add_weighted(languages, 1.0 / languages.count_ones() as f32);
    }

    /// Adds `weight` to each language of `languages`.
    fn add_weighted(&mut self, languages: u8, weight: f32) {
        for (index, score) in self.0.iter_mut().enumerate() {
            if languages & (1 << index) != 0 {
                *score += weight;
            }
        }
    }

    /// Whether the function words alone leave no doubt: the leader is ahead
    /// of the runner-up by `DECISIVE` words or more.
    fn decisive(&self) -> bool {
        let (mut first, mut second) = (0.0f32, 0.0f32);
        for &score in &self.0 {
            if score > first {
                second = first;
                first = score;
            } else if score > second {
                second = score;
            }
        }
        first - second >= DECISIVE
    }

    /// When the function words leave doubt (short messages, few of them),
    /// the spelling decides: letters and endings each language has and its
    /// neighbours do not (ñ, ã, ß, -ção, -zione, ij…). Skipped for messages
    /// the words already settle, so the common case pays nothing.
    pub(super) fn settle_by_spelling<W: AsRef<str>>(&mut self, words: &[W]) {
        if self.decisive() {
            return;
        }
        for word in words {
            for &(languages, weight) in spelling_cues(word.as_ref()).iter().flatten() {
                self.add_weighted(languages, weight);
            }
        }
    }

    /// The most likely language code, or `"und"` (undetermined) with no evidence.
    pub(super) fn best(&self) -> &'static str {
        let mut best = ("und", 0.0f32);
        for (index, &score) in self.0.iter().enumerate() {
            if score > best.1 {
                best = (LEXICON[index].0, score);
            }
        }
        best.0
    }
}

/// The most likely language code, or `"und"` (undetermined) with no evidence.
pub fn detect<W: AsRef<str>>(words: &[W]) -> &'static str {
    super::rules::cues_and_language(words).1
}

#[cfg(test)]
mod tests {
    use super::super::features::words;
    use super::*;

    #[test]
    fn detects_the_supported_languages() {
        let cases = [
            ("en", "Where is my order? I have been waiting for two weeks"),
            (
                "de",
                "Wo ist meine Bestellung? Ich warte schon seit zwei Wochen",
            ),
            (
                "fr",
                "Où est ma commande ? J'attends depuis deux semaines et je ne sais pas",
            ),
            (
                "es",
                "¿Dónde está mi pedido? Llevo dos semanas esperando y no tengo noticias",
            ),
            (
                "nl",
                "Waar is mijn bestelling? Ik wacht al twee weken en heb nog niets",
            ),
            (
                "it",
                "Dov'è il mio ordine? Sono due settimane che aspetto e non ho notizie",
            ),
            (
                "pt",
                "Onde está o meu pedido? Estou esperando há duas semanas e não tenho notícias",
            ),
        ];
        for (code, text) in cases {
            assert_eq!(detect(&words(text)), code, "{text}");
        }
        assert_eq!(detect(&words("12345 ???")), "und");
    }

    /// Every hand-written visitor core (data/visitor/*.txt, one language
    /// per file) is detected as its file's language, nearly always.
    #[test]
    fn visitor_cores_are_detected_as_their_language() {
        let files = [
            ("en", include_str!("../../../data/visitor/en.txt")),
            ("de", include_str!("../../../data/visitor/de.txt")),
            ("fr", include_str!("../../../data/visitor/fr.txt")),
            ("es", include_str!("../../../data/visitor/es.txt")),
            ("nl", include_str!("../../../data/visitor/nl.txt")),
            ("it", include_str!("../../../data/visitor/it.txt")),
            ("pt", include_str!("../../../data/visitor/pt.txt")),
        ];
        for (code, file) in files {
            let cores: Vec<&str> = file
                .lines()
                .filter(|line| !line.starts_with('#'))
                .filter_map(|line| line.split_once('|').map(|(_, text)| text.trim()))
                .collect();
            assert!(cores.len() > 500, "{code}: {} cores", cores.len());
            let right = cores
                .iter()
                .filter(|text| detect(&words(text)) == code)
                .count();
            let share = right as f64 / cores.len() as f64;
            assert!(share >= 0.94, "{code}: {right} of {} cores", cores.len());
        }
    }

    #[test]
    fn spelling_settles_short_messages() {
        assert_eq!(detect(&words("aceitam mbway?")), "pt");
        assert_eq!(detect(&words("la app tiene versión en español?")), "es");
        assert_eq!(detect(&words("c'e qualcuno?")), "it");
        assert_eq!(detect(&words("Straße gesperrt")), "de");
        assert_eq!(
            detect(&words("¿Cómo cambio la dirección de correo de mi cuenta?")),
            "es"
        );
    }
}
