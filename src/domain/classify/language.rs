//! Language identification from function words: each language's most common
//! short words, scored over the message. Compact, data-driven, and good enough
//! for routing and for choosing the visitor's language.

/// Languages the classifier names, with their most frequent function words.
const LEXICON: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "the", "and", "is", "my", "i", "you", "to", "it", "of", "not", "have", "was", "for",
            "with", "can", "what", "how", "this", "that", "please", "order", "when", "do", "does",
            "are", "a", "an", "your", "me", "hi", "hello", "thanks", "why", "where", "would",
            "need", "want",
        ],
    ),
    (
        "de",
        &[
            "der",
            "die",
            "das",
            "und",
            "ist",
            "ich",
            "nicht",
            "mein",
            "meine",
            "mit",
            "ein",
            "eine",
            "wie",
            "bitte",
            "sie",
            "es",
            "auf",
            "für",
            "wann",
            "warum",
            "habe",
            "noch",
            "kann",
            "wurde",
            "hallo",
            "danke",
            "bestellung",
            "ihr",
            "zu",
            "mir",
            "kein",
            "keine",
            "war",
            "sind",
            "wo",
        ],
    ),
    (
        "fr",
        &[
            "le", "la", "les", "et", "est", "je", "ne", "pas", "mon", "ma", "mes", "un", "une",
            "des", "pour", "avec", "vous", "il", "que", "qui", "comment", "merci", "bonjour",
            "commande", "j'ai", "c'est", "n'est", "du", "au", "sur", "quand", "pourquoi",
            "toujours", "votre", "suis",
        ],
    ),
    (
        "es",
        &[
            "el", "la", "los", "las", "y", "es", "yo", "no", "mi", "mis", "un", "una", "por",
            "para", "con", "que", "cómo", "como", "gracias", "hola", "pedido", "está", "esta",
            "del", "al", "cuando", "cuándo", "qué", "mi", "tengo", "sido", "su", "puedo",
            "todavía", "dónde",
        ],
    ),
    (
        "nl",
        &[
            "de",
            "het",
            "een",
            "en",
            "is",
            "ik",
            "niet",
            "mijn",
            "met",
            "voor",
            "van",
            "hoe",
            "wat",
            "waarom",
            "wanneer",
            "bedankt",
            "hallo",
            "bestelling",
            "nog",
            "geen",
            "heb",
            "kan",
            "u",
            "je",
            "op",
            "dat",
            "zijn",
            "wordt",
            "graag",
            "al",
            "waar",
            "bij",
            "ook",
            "maar",
        ],
    ),
    (
        "it",
        &[
            "il",
            "lo",
            "la",
            "gli",
            "le",
            "e",
            "è",
            "io",
            "non",
            "mio",
            "mia",
            "un",
            "una",
            "per",
            "con",
            "che",
            "come",
            "grazie",
            "ciao",
            "ordine",
            "sono",
            "del",
            "della",
            "quando",
            "perché",
            "ho",
            "ancora",
            "mi",
            "posso",
            "buongiorno",
            "dove",
            "questo",
            "stato",
            "ma",
        ],
    ),
    (
        "pt",
        &[
            "o", "a", "os", "as", "e", "é", "eu", "não", "meu", "minha", "um", "uma", "para",
            "com", "que", "como", "obrigado", "obrigada", "olá", "pedido", "do", "da", "no", "na",
            "quando", "porque", "ainda", "tenho", "foi", "posso", "está", "onde", "você", "ao",
            "seu",
        ],
    ),
];

/// Calls `f` with each function word and the set of languages (bit per
/// `LEXICON` entry) it belongs to: `rules` puts them in its word table.
pub(super) fn each_function_word(mut f: impl FnMut(&str, u8)) {
    for (index, (_, words)) in LEXICON.iter().enumerate() {
        for word in *words {
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
        let weight = 1.0 / languages.count_ones() as f32;
        for (index, score) in self.0.iter_mut().enumerate() {
            if languages & (1 << index) != 0 {
                *score += weight;
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
}
