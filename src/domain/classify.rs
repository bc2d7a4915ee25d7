//! The on-device classifier: which team a message belongs to, its tone, what
//! kind of message it is, whether it reports an expectation gap, how urgent it
//! is, its language, whether it is spam — and its personal data, redacted.
//!
//! Every head is a trained linear model (`model`) over hashed features
//! (`features`); cue lists (`rules`) add to the expectation gap and spam, and
//! language comes from function words (`language`). The same code runs in
//! the visitor's browser, at the edge and in the CLI.

/// Text to hashed word and character n-gram features.
pub mod features;
/// Language identification from function words.
pub mod language;
/// The linear model and its versioned binary format.
pub mod model;
/// Cue lists for the gap and spam, the rules between heads and the site's topic override rules.
pub mod rules;
/// Training the heads: the default model from scratch, a site's by fine-tuning.
pub mod train;

use serde::Serialize;

use super::pii::{self, PiiFinding};
use features::Words;
use model::{Model, ModelError, PackedHeads, PackedSums, MAX_CLASSES};
use rules::TopicRule;

/// The default topic taxonomy, in model order.
pub const TOPICS: [&str; 11] = [
    "account",
    "order",
    "delivery",
    "billing",
    "refund",
    "product",
    "technical",
    "sales",
    "feedback",
    "contact",
    "other",
];
/// What a message is (the `kind` head's answers).
pub const KINDS: [&str; 6] = [
    "question",
    "request",
    "problem",
    "complaint",
    "suggestion",
    "praise",
];
/// How soon a message needs a person (the `urgency` head's answers).
pub const URGENCIES: [&str; 3] = ["low", "normal", "high"];
/// The `expectation_gap` head's answers.
pub const GAPS: [&str; 2] = ["false", "true"];
/// The `spam` head's answers.
pub const SPAMS: [&str; 2] = GAPS;
/// Sentiment classes, in model order.
pub const SENTIMENTS: [&str; 3] = ["negative", "neutral", "positive"];

/// The trained default model, committed in `model/` (see MODEL.md).
pub static BUILTIN_MODEL: &[u8] = include_bytes!("../../model/touchpoint.tpcm");

/// Everything the classifier says about one message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Classification {
    pub topic: String,
    /// Softmax probability of the topic, rounded to 3 decimals (1.0 for a site rule).
    pub topic_confidence: f64,
    /// `model` or `rule`.
    pub topic_source: &'static str,
    pub sentiment: String,
    pub sentiment_confidence: f64,
    pub kind: &'static str,
    pub expectation_gap: bool,
    pub urgency: &'static str,
    pub language: &'static str,
    pub spam: bool,
    /// Personal data found, with UTF-16 offsets into the original text.
    pub pii: Vec<PiiFinding>,
    /// The text with personal data replaced by tags such as `[card]`.
    pub redacted: String,
}

/// A model plus the site's topic rules.
#[derive(Debug, Clone)]
pub struct Classifier {
    model: Model,
    rules: Vec<TopicRule>,
    /// The model's heads packed for scoring all of them in one pass.
    packed: PackedHeads,
    /// Where the heads the classifier asks for are in `model.heads`.
    heads: HeadIndex,
}

/// Indexes into `Model::heads`, looked up once rather than per message.
#[derive(Debug, Clone, Copy)]
struct HeadIndex {
    topic: usize,
    sentiment: usize,
    kind: usize,
    urgency: usize,
    expectation_gap: Option<usize>,
    spam: Option<usize>,
}

/// Where `model`'s kind and urgency heads are: every model has them since
/// they were learned, and one without (a site model stored before) is
/// refused, as their cue lists are gone from the widget's bytes.
pub fn kind_and_urgency(model: &Model) -> Result<(usize, usize), ModelError> {
    let index = |name: &str| model.heads.iter().position(|h| h.name == name);
    match (index("kind"), index("urgency")) {
        (Some(kind), Some(urgency)) => Ok((kind, urgency)),
        _ => Err(ModelError::Malformed(
            "the model lacks a kind or urgency head (made before they were learned): train it again",
        )),
    }
}

/// Rounded in f64 so the number prints the same from serde_json and from JavaScript.
fn round3(x: f32) -> f64 {
    (f64::from(x) * 1000.0).round() / 1000.0
}

impl Classifier {
    /// A classifier over `model`, with a site's `rules` applied first (a
    /// model without kind and urgency heads is refused, `kind_and_urgency`).
    pub fn new(model: Model, rules: Vec<TopicRule>) -> Result<Self, ModelError> {
        let index = |name: &str| model.heads.iter().position(|h| h.name == name);
        let (Some(topic), Some(sentiment)) = (index("topic"), index("sentiment")) else {
            return Err(ModelError::Malformed(
                "the model lacks a topic or sentiment head",
            ));
        };
        let (kind, urgency) = kind_and_urgency(&model)?;
        let heads = HeadIndex {
            topic,
            sentiment,
            kind,
            urgency,
            expectation_gap: index("expectation_gap"),
            spam: index("spam"),
        };
        // The kind stack reads sentiment's and topic's probabilities, the
        // gap's p(true) and its cue, in that order, and adds to kind's scores.
        if let Some(stack) = &model.stack {
            let labels = |head: usize| model.heads.get(head).map_or(&[][..], |h| &h.labels);
            let kind = labels(heads.kind);
            let rows = labels(sentiment).len() + labels(topic).len() + 2;
            if kind != stack.labels || stack.weights.len() != rows * kind.len() {
                return Err(ModelError::Malformed(
                    "the kind stack does not fit the heads",
                ));
            }
        }
        Ok(Classifier {
            packed: PackedHeads::new(&model),
            model,
            rules,
            heads,
        })
    }

    /// The built-in model without site rules.
    pub fn builtin() -> Result<Self, ModelError> {
        Self::new(Model::from_bytes(BUILTIN_MODEL)?, Vec::new())
    }

    /// The model in use.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Classifies and redacts one message.
    pub fn classify(&self, text: &str) -> Classification {
        let redaction = pii::redact(text);
        // Learn from what will be stored: the redacted text.
        let words = Words::of(&redaction.redacted);
        let words = words.to_vec();
        let features = self.model.features_of_words(&words);
        let heads = self.heads;
        let mut sums = self.packed.sums(&features, heads.spam);
        let rule_topic = if self.rules.is_empty() {
            None
        } else {
            rules::override_topic(&rules::phrase_text(&words), &self.rules)
        };
        // The head's probabilities even when a rule answers: the kind stack reads them.
        let (label, confidence, topic_p) = self.predict(&sums, heads.topic, &[]);
        let (topic, topic_confidence, topic_source) = match rule_topic {
            Some(topic) => (topic.to_string(), 1.0, "rule"),
            None => (label, confidence, "model"),
        };
        let (sentiment, sentiment_confidence, sentiment_p) =
            self.predict(&sums, heads.sentiment, &[]);
        let (cues, language) = rules::cues_and_language(&words);
        let cue_gap = rules::expectation_gap(cues);
        // The gap's cue list is precise but misses most gaps: a learned
        // head, if present, may only add to it.
        let expectation_gap =
            cue_gap || self.learned(&sums, heads.expectation_gap, &GAPS, &[]) == Some("true");
        // The kind stack, where the model has one, learned what a gap says
        // about the kind; without it a gap leans toward complaint. Its
        // inputs, in order: sentiment's and topic's probabilities, the gap
        // head's p(true) and the gap's cue; each times its row of the
        // stack's weights (a head over dense inputs). The gap head is scored
        // again here rather than once above: one prediction for both cost
        // the widget about 200 B brotli.
        let stacked = self.model.stack.as_ref().and_then(|stack| {
            let gap = self.predict(&sums, heads.expectation_gap?, &[]).2;
            let (mut total, mut at) = ([0f32; MAX_CLASSES], 0);
            let mut input = |x: f32| {
                for sum in total.iter_mut().take(stack.labels.len()) {
                    *sum += x * f32::from(stack.weights.get(at).copied().unwrap_or(0));
                    at += 1;
                }
            };
            for &x in sentiment_p.as_slice().iter().chain(topic_p.as_slice()) {
                input(x);
            }
            input(gap.as_slice().get(1).copied().unwrap_or(0.0));
            input(f32::from(u8::from(cue_gap)));
            Some(model::finish_scores(&total, &stack.biases, stack.scale).0)
        });
        let add = stacked.unwrap_or_else(|| {
            let by = if expectation_gap {
                rules::GAP_LEANS_TO_COMPLAINT
            } else {
                0.0
            };
            self.lean(Some(heads.kind), "complaint", by)
        });
        let kind = self
            .learned(&sums, Some(heads.kind), &KINDS, &add)
            .unwrap_or_default();
        // A complaint is negative (data/README.md's rule); the sentiment head,
        // not knowing the kind, calls some of them neutral.
        let (sentiment, sentiment_confidence) = if kind == "complaint" {
            let lean = self.lean(
                Some(heads.sentiment),
                "negative",
                rules::COMPLAINT_LEANS_TO_NEGATIVE,
            );
            let (sentiment, confidence, _) = self.predict(&sums, heads.sentiment, &lean);
            (sentiment, confidence)
        } else {
            (sentiment, sentiment_confidence)
        };
        let urgency = self
            .learned(&sums, Some(heads.urgency), &URGENCIES, &[])
            .map_or("", |learned| rules::learned_urgency(learned, kind, &topic));
        // As for the gap: the cue list (a pitch with a link) is precise, the
        // learned head finds the pitches without one.
        let spam = rules::spam(cues, text)
            || rules::learned_spam(&topic, &words, || {
                if let Some(head) = heads.spam {
                    self.packed.add_sums_of(head, &features, &mut sums);
                }
                self.learned(&sums, heads.spam, &SPAMS, &[]) == Some("true")
            });
        Classification {
            topic,
            topic_confidence: round3(topic_confidence),
            topic_source,
            kind,
            expectation_gap,
            urgency,
            language,
            spam,
            sentiment,
            sentiment_confidence: round3(sentiment_confidence),
            pii: redaction.findings,
            redacted: redaction.redacted,
        }
    }

    /// A learned head's answer, as one of `labels`; `None` when the model has
    /// no such head (the gap's and spam's cue lists then answer alone). `add`, per class, is added
    /// to its scores (log-odds; `lean`).
    fn learned(
        &self,
        sums: &PackedSums,
        head: Option<usize>,
        labels: &[&'static str],
        add: &[f32],
    ) -> Option<&'static str> {
        let head = head?;
        let index = self.packed.best(&self.model, sums, head, add)?;
        let answer = self.model.heads.get(head)?.labels.get(index)?;
        labels.iter().copied().find(|label| label == answer)
    }

    /// A lean of `by` log-odds toward `label`, as an addition per class of
    /// head `head` (nothing when the head has no such label).
    fn lean(&self, head: Option<usize>, label: &str, by: f32) -> [f32; MAX_CLASSES] {
        let mut add = [0.0; MAX_CLASSES];
        if let Some(head) = head.and_then(|h| self.model.heads.get(h)) {
            for (add, l) in add.iter_mut().zip(&head.labels) {
                if l == label {
                    *add = by;
                }
            }
        }
        add
    }

    /// For fitting the kind stack (`train::fit_stack`): its inputs for
    /// `text` and the kind head's scores, as `classify` computes them
    /// (`None` without a kind or a gap head).
    pub fn stack_inputs_of(&self, text: &str) -> Option<(Vec<f32>, Vec<f32>)> {
        let redacted = pii::redact(text).redacted;
        let words = Words::of(&redacted);
        let words = words.to_vec();
        let features = self.model.features_of_words(&words);
        let sums = self.packed.sums(&features, self.heads.spam);
        let (cues, _) = rules::cues_and_language(&words);
        // As `classify` reads them.
        let gap = self.predict(&sums, self.heads.expectation_gap?, &[]).2;
        let mut inputs = Vec::new();
        for head in [self.heads.sentiment, self.heads.topic] {
            inputs.extend_from_slice(self.predict(&sums, head, &[]).2.as_slice());
        }
        inputs.push(gap.as_slice().get(1).copied().unwrap_or(0.0));
        inputs.push(f32::from(u8::from(rules::expectation_gap(cues))));
        let kind = self
            .packed
            .scores(&self.model, &sums, self.heads.kind, &[])?;
        Some((inputs, kind.as_slice().to_vec()))
    }

    /// Head `head`'s label, its probability and every class's (`add` as in
    /// `learned`; the probabilities by `model::softmax`, as the kind stack
    /// reads them).
    fn predict(&self, sums: &PackedSums, head: usize, add: &[f32]) -> (String, f32, model::Scores) {
        match (
            self.model.heads.get(head),
            self.packed.scores(&self.model, sums, head, add),
        ) {
            (Some(head), Some(scores)) => {
                let best = model::best_score(scores.as_slice()).0;
                let p = model::softmax(scores.as_slice());
                (
                    head.labels.get(best).cloned().unwrap_or_default(),
                    p.0.get(best).copied().unwrap_or(0.0),
                    p,
                )
            }
            _ => (String::new(), 0.0, model::softmax(&[])),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin() -> Classifier {
        match Classifier::builtin() {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        }
    }

    /// The heads' summed rows for `text`, as `classify` computes them.
    fn sums_of(classifier: &Classifier, text: &str) -> PackedSums {
        let words = Words::of(&pii::redact(text).redacted);
        let features = classifier.model.features_of_words(&words.to_vec());
        classifier.packed.sums(&features, None)
    }

    /// The built-in model without `head`.
    fn without(head: &str) -> Result<Classifier, ModelError> {
        let mut model = builtin().model().clone();
        model.heads.retain(|h| h.name != head);
        Classifier::new(model, Vec::new())
    }

    #[test]
    fn the_builtin_model_learns_spam_and_finds_pitches_without_links() {
        let model = builtin();
        let head = model.model().head("spam").expect("spam head");
        assert_eq!(head.labels, SPAMS);
        assert_eq!(head.bits, 11);
        // Written for this test, in the shape of the training data's pitches
        // (none has a link, so the cue list alone calls none of them spam).
        for pitch in [
            "We can get your website to the first page of Google in 30 days, reply for a free SEO audit",
            "Earn 5000 euros a week from home with crypto trading, guaranteed returns, message us now",
            "Wir bieten günstige Backlinks und SEO für Ihren Online-Shop, Platz 1 bei Google garantiert",
        ] {
            let c = model.classify(pitch);
            assert!(c.spam, "{pitch}: {c:?}");
        }
        for message in [
            "Thanks!",
            "hallo",
            "Hi, I'm a PhD student researching customer service, could I interview someone on your team?",
            "do you offer a discount for nonprofits on the yearly plan?",
            "my order never arrived and nobody answers my emails",
        ] {
            let c = model.classify(message);
            assert!(!c.spam, "{message}: {c:?}");
        }
    }

    #[test]
    fn the_builtin_model_learns_kind_urgency_and_expectation_gap() {
        let model = builtin();
        for (name, labels) in [
            ("kind", &KINDS[..]),
            ("urgency", &URGENCIES[..]),
            ("expectation_gap", &GAPS[..]),
        ] {
            let head = model.model().head(name).expect(name);
            assert_eq!(head.labels, labels);
            // They read the features modulo fewer rows than topic's; urgency
            // and kind have twice the gap's (their rarer words shared
            // buckets at 4,096).
            let expected = if name == "expectation_gap" { 12 } else { 13 };
            assert_eq!(head.bits, expected, "{name}: {} rows", 1u32 << head.bits);
            assert!(head.bits < model.model().bucket_bits);
        }
    }

    /// Messages of each kind as visitors type them, with the urgency a
    /// person would give (an angry tone alone is not urgent).
    const TYPED: [(&str, &str, &str); 12] = [
        (
            "the zip on my backpack came apart after two days",
            "problem",
            "normal",
        ),
        ("my parcel arrived broken", "problem", "normal"),
        ("do you ship to Norway?", "question", "normal"),
        (
            "please change the delivery address to 5 Main Street",
            "request",
            "normal",
        ),
        (
            "you lost my order and nobody answers, worst service ever",
            "complaint",
            "normal",
        ),
        (
            "it would be great if you added a dark mode",
            "suggestion",
            "low",
        ),
        (
            "the staff was super helpful, thank you so much",
            "praise",
            "low",
        ),
        (
            "the shop is down and we lose sales every minute, fix it now",
            "problem",
            "high",
        ),
        ("ordered 3 weeks ago still nothing!!", "complaint", "normal"),
        ("u should add paypal", "suggestion", "low"),
        (
            "Hi, my discount code doesnt work at checkout. Thanks",
            "problem",
            "normal",
        ),
        ("can the driver call me before coming", "request", "normal"),
    ];

    #[test]
    fn a_complaint_leans_the_sentiment_toward_negative() {
        // Without the kind stack, whose kinds for these messages differ;
        // the lean is the same with it.
        let classifier = unstacked();
        let sentiment_leaning = |text: &str, lean: &[f32]| {
            let sums = sums_of(&classifier, text);
            let (label, confidence, _) =
                classifier.predict(&sums, classifier.heads.sentiment, lean);
            (label, round3(confidence))
        };
        let lean = &classifier.lean(
            Some(classifier.heads.sentiment),
            "negative",
            rules::COMPLAINT_LEANS_TO_NEGATIVE,
        );
        // (complaints, other kinds) where the lean changes the sentiment head's answer.
        let mut changed = (0, 0);
        for text in [
            "customer service has gone downhill so much in the last year used to be brilliant",
            "ur support article about automations is out of date the buttons are different now",
            "5th reset email requested, none arrived. how am I supposed to get in to my own account??",
            "vos conseillers sont désagréables au téléphone, on a l'impression de déranger",
            // Not complaints, and close enough to negative that a lean would move them.
            "where is my stuff",
            "money back please",
            "thanks, the parcel came today",
            "este cargador es compatible con el iphone 15?",
        ] {
            let with = classifier.classify(text);
            let (plain, leaned) = (sentiment_leaning(text, &[]), sentiment_leaning(text, lean));
            // The lean moves an answer toward negative, or leaves its label.
            assert!(leaned.0 == plain.0 || leaned.0 == "negative", "{text}");
            // The confidence shown is the leaned answer's own probability.
            let shown = (with.sentiment.clone(), with.sentiment_confidence);
            if with.kind == "complaint" {
                assert_eq!(shown, leaned, "{text}");
                changed.0 += usize::from(leaned.0 != plain.0);
            } else {
                assert_eq!(shown, plain, "{text}");
                changed.1 += usize::from(leaned.0 != plain.0);
            }
        }
        assert!(
            changed.0 >= 1,
            "a complaint the head called otherwise is negative"
        );
        assert!(changed.1 >= 2, "other kinds are not leaned: {changed:?}");
    }

    /// The built-in model without its kind stack: what a model trained
    /// with `train --stack false` gives.
    fn unstacked() -> Classifier {
        let mut model = builtin().model().clone();
        model.stack = None;
        match Classifier::new(model, Vec::new()) {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn without_a_stack_an_expectation_gap_leans_the_kind_toward_complaint() {
        let classifier = unstacked();
        let kind_leaning = |text: &str, lean: &[f32]| {
            let sums = sums_of(&classifier, text);
            classifier.learned(&sums, Some(classifier.heads.kind), &KINDS, lean)
        };
        let lean = &classifier.lean(
            Some(classifier.heads.kind),
            "complaint",
            rules::GAP_LEANS_TO_COMPLAINT,
        );
        // (with a gap, without one) where the lean changes the kind head's answer.
        let mut changed = (0, 0);
        for text in [
            "the jacket was sold as waterproof and it leaked on the first walk",
            "you promised delivery on friday, it is tuesday and still nothing",
            "the app said the refund was sent a week ago but nothing is in my account",
            "the headphones you sell as 30h battery die after 6 hours",
            "I was told the upgrade was free and now I see a charge for it",
            "not as described: the table is much smaller than in the photos",
            "how do i change my delivery address?",
            // No gap, and close enough to complaint that a lean would move them.
            "is my order confirmed",
            "stop my order",
            "mattress topper zip broke first time I opened it",
            "why was i charged twice",
            "i am not happy with the repair",
        ] {
            let with = classifier.classify(text);
            let (plain, leaned) = (kind_leaning(text, &[]), kind_leaning(text, lean));
            assert!(leaned == plain || leaned == Some("complaint"), "{text}");
            if with.expectation_gap {
                assert_eq!(Some(with.kind), leaned, "{text}");
                changed.0 += usize::from(leaned != plain);
            } else {
                assert_eq!(Some(with.kind), plain, "{text}");
                changed.1 += usize::from(leaned != plain);
            }
        }
        assert!(
            changed.0 >= 1,
            "a gap turns at least one of these into a complaint"
        );
        assert!(
            changed.1 >= 2,
            "messages without a gap are not leaned: {changed:?}"
        );
    }

    /// Messages with a gap and without, kinds the stack's inputs could move.
    const STACKED: [&str; 11] = [
        "Parcel marked \"signed for by ALI\". Nobody called Ali lives here.",
        "the jacket was sold as waterproof and it leaked on the first walk",
        "you promised delivery on friday, it is tuesday and still nothing",
        "the app said the refund was sent a week ago but nothing is in my account",
        "I was told the upgrade was free and now I see a charge for it",
        "is my order confirmed",
        "stop my order",
        "why was i charged twice",
        "i am not happy with the repair",
        "can you send me the invoice again please",
        "please cancel my subscription, I was charged again",
    ];

    #[test]
    fn the_kind_stack_adds_its_term_to_the_kind_scores_instead_of_the_gap_lean() {
        let (stacked, plain) = (builtin(), unstacked());
        let stack = stacked.model().stack.as_ref().expect("a kind stack");
        assert_eq!(stack.labels, KINDS);
        assert_eq!(stack.bits, 4, "sentiment 3 + topic 11 + gap 1 + cue 1");
        let mut changed = 0;
        for text in STACKED {
            let (inputs, scores) = stacked.stack_inputs_of(text).expect("inputs");
            assert_eq!(inputs.len(), 16);
            // Probabilities: sentiment's and topic's sum to 1.
            for (from, to) in [(0, 3), (3, 14)] {
                let total: f32 = inputs[from..to].iter().sum();
                assert!((total - 1.0).abs() < 1e-5, "{text}: {inputs:?}");
            }
            let mut term = vec![0f32; KINDS.len()];
            for (x, row) in inputs.iter().zip(stack.weights.chunks(KINDS.len())) {
                for (t, w) in term.iter_mut().zip(row) {
                    *t += x * f32::from(*w);
                }
            }
            for (t, b) in term.iter_mut().zip(&stack.biases) {
                *t = b + *t * stack.scale;
            }
            let total: Vec<f32> = scores.iter().zip(term).map(|(s, t)| s + t).collect();
            let best = (0..total.len()).fold(0, |b, c| if total[c] > total[b] { c } else { b });
            let got = stacked.classify(text);
            assert_eq!(got.kind, KINDS[best], "{text}");
            // Everything but kind (and the sentiment a complaint leans) is the unstacked model's.
            let without = plain.classify(text);
            assert_eq!(
                (got.topic, got.expectation_gap, got.language),
                (without.topic, without.expectation_gap, without.language),
                "{text}"
            );
            changed += usize::from(got.kind != without.kind);
        }
        assert!(changed >= 1, "the stack changes some kind");
    }

    #[test]
    fn a_kind_stack_that_does_not_fit_the_heads_is_refused() {
        let model = builtin().model().clone();
        let refused = |model: Model| {
            assert!(matches!(
                Classifier::new(model, Vec::new()),
                Err(ModelError::Malformed(_))
            ));
        };
        let mut other_labels = model.clone();
        if let Some(stack) = &mut other_labels.stack {
            stack.labels.swap(0, 1);
        }
        refused(other_labels);
        let mut fewer_rows = model.clone();
        if let Some(stack) = &mut fewer_rows.stack {
            stack.bits = 3;
            stack.weights.truncate(8 * KINDS.len());
        }
        refused(fewer_rows);
        let mut no_kind = model.clone();
        no_kind.heads.retain(|h| h.name != "kind");
        refused(no_kind);
        // Written and read back, the stack is out of the heads again.
        let back = Model::from_bytes(&model.to_bytes()).expect("round trip");
        assert_eq!(back, model);
        assert!(back.head(model::STACK_HEAD).is_none());
    }

    #[test]
    fn learned_heads_answer_and_a_model_without_kind_or_urgency_is_refused() {
        let learned = builtin();
        let kinds = TYPED.iter().filter(|m| learned.classify(m.0).kind == m.1);
        assert!(kinds.count() >= 10);
        let urgencies = TYPED
            .iter()
            .filter(|m| learned.classify(m.0).urgency == m.2);
        assert!(urgencies.count() >= 10);
        // An old file (or a site model made before these heads) is refused
        // with a reason, and the widget and worker use the built-in model.
        for head in ["kind", "urgency"] {
            let refused = without(head).err().map(|e| e.to_string());
            assert_eq!(
                refused.as_deref(),
                Some("the model file is malformed: the model lacks a kind or urgency head (made before they were learned): train it again"),
                "{head}"
            );
        }
        let Ok(cues) = without("expectation_gap") else {
            panic!("the gap's cue list answers without its head");
        };
        // A learned gap only adds to the cue list's.
        let mut added = 0;
        for text in [
            "it was supposed to arrive in 2 days, it is now 2 weeks",
            "not as advertised",
            "you promised a refund within 5 days, that was a month ago",
            "the trial was meant to be free but you charged me",
            "do you ship to Norway?",
        ] {
            let (a, b) = (learned.classify(text), cues.classify(text));
            assert!(a.expectation_gap || !b.expectation_gap, "{text}");
            added += usize::from(a.expectation_gap && !b.expectation_gap);
        }
        assert!(added >= 1, "the learned head finds a gap the cues miss");
        assert!(!learned.classify("do you ship to Norway?").expectation_gap);
    }
}
