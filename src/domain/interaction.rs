//! A classified interaction: one visitor message as the widget hands it to a
//! site — the redacted text, what the in-browser classifier said about it, the
//! kinds of personal data taken out, the page and campaign it came from, and
//! how the visitor wants an answer. It is what the widget posts to a site's own
//! endpoint (`backend`), and what the page's `beforeSend` and `on('submit')`
//! receive. Versioned by `schema`, the `$id` of its JSON Schema
//! (`pkg/schema/classified-interaction.v1.json`; `tests/browser_schemas.rs`
//! checks these values against it).
//!
//! Which transport carries a message is decided here too (`Transport`).

use serde::{Deserialize, Serialize};

use super::attribution::campaign_of;
use super::classify::Classification;
use super::conversation::ReplyPreference;
use super::pii::{self, PiiFinding};
use super::url_privacy::{clean_referrer, mask_path};

/// The `$id` of the classified interaction's JSON Schema, sent as `schema`.
pub const SCHEMA_ID: &str = "urn:touchpoint:schema:classified-interaction:v1";
/// The `$id` of the touchpoint event's JSON Schema (`pkg/schema/touchpoint-event.v1.json`).
pub const EVENT_SCHEMA_ID: &str = "urn:touchpoint:schema:touchpoint-event:v1";

/// One visitor message, classified and redacted in the browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassifiedInteraction {
    /// `SCHEMA_ID`.
    pub schema: String,
    /// Unique per message, the same when a failed send is retried: a
    /// receiver de-duplicates on it.
    pub id: String,
    /// The Touchpoint site key.
    pub site: String,
    /// When the visitor sent it, ms since the epoch (browser clock).
    pub sent_at: i64,
    /// The panel's language (BCP 47).
    pub locale: String,
    /// The message with personal data replaced by tags such as `[card]`.
    pub text: String,
    /// What the in-browser classifier said; `None` (null) when its model
    /// could not be loaded (the text is redacted all the same).
    pub classification: Option<Labels>,
    /// Kinds of personal data taken out of `text`, each once, in order of
    /// appearance (`email`, `phone`, `card`, `iban`, `ssn`, `ip`).
    pub pii_removed: Vec<String>,
    pub page: Page,
    /// The page's UTM parameters, when it has any.
    pub campaign: Option<Campaign>,
    /// How the visitor wants an answer, with the contact they gave for it.
    pub contact: ReplyPreference,
}

/// The classifier's labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    pub topic: String,
    pub topic_confidence: f64,
    /// `model`, or `rule` when a site rule decided the topic.
    pub topic_source: String,
    /// `negative`, `neutral` or `positive`.
    pub tone: String,
    pub tone_confidence: f64,
    /// `question`, `request`, `problem`, `complaint`, `suggestion` or `praise`.
    pub kind: String,
    /// `low`, `normal` or `high`.
    pub urgency: String,
    /// The message says a promise or expectation was not met.
    pub expectation_gap: bool,
    /// ISO 639-1 code of the detected language.
    pub language: String,
    pub spam: bool,
}

/// The page the message was sent from, as private as the recorder keeps it:
/// the path with personal-looking segments masked (no query, no fragment),
/// the title redacted, the referrer's origin and masked path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    pub path: String,
    pub title: String,
    pub referrer: String,
}

/// UTM parameters (lower-cased, at most 100 bytes each; absent ones empty).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Campaign {
    pub source: String,
    pub medium: String,
    pub campaign: String,
    pub term: String,
    pub content: String,
}

/// What the page looked like when the visitor pressed send (raw, as the
/// browser reports it; `ClassifiedInteraction::new` keeps what may leave).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageFacts<'a> {
    pub pathname: &'a str,
    pub search: &'a str,
    pub title: &'a str,
    pub referrer: &'a str,
}

/// The rest of a message: who sends it where, when, and how to answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope<'a> {
    pub id: &'a str,
    pub site: &'a str,
    pub sent_at: i64,
    pub locale: &'a str,
    pub contact: ReplyPreference,
}

impl ClassifiedInteraction {
    /// The interaction for `draft`: the classifier's redaction and labels when
    /// it ran (`classification`), else the redactor's alone.
    pub fn new(
        draft: &str,
        classification: Option<&Classification>,
        envelope: Envelope<'_>,
        page: &PageFacts<'_>,
    ) -> Self {
        let (text, findings) = match classification {
            Some(c) => (c.redacted.clone(), c.pii.clone()),
            None => {
                let redaction = pii::redact(draft);
                (redaction.redacted, redaction.findings)
            }
        };
        let utm = campaign_of(page.search);
        let has_utm = [
            &utm.source,
            &utm.medium,
            &utm.campaign,
            &utm.term,
            &utm.content,
        ]
        .iter()
        .any(|value| !value.is_empty());
        ClassifiedInteraction {
            schema: SCHEMA_ID.into(),
            id: envelope.id.into(),
            site: envelope.site.into(),
            sent_at: envelope.sent_at,
            locale: envelope.locale.into(),
            text,
            classification: classification.map(|c| Labels {
                topic: c.topic.clone(),
                topic_confidence: c.topic_confidence,
                topic_source: c.topic_source.into(),
                tone: c.sentiment.clone(),
                tone_confidence: c.sentiment_confidence,
                kind: c.kind.into(),
                urgency: c.urgency.into(),
                expectation_gap: c.expectation_gap,
                language: c.language.into(),
                spam: c.spam,
            }),
            pii_removed: kinds_removed(&findings),
            // The path masked, then redacted as the worker does: a segment
            // can hold an IBAN that does not look like a token.
            page: Page {
                path: without_pii(&mask_path(page.pathname)),
                title: without_pii(page.title),
                referrer: clean_referrer(page.referrer),
            },
            // Campaign values are free text a link can fill with anything.
            campaign: has_utm.then(|| Campaign {
                source: without_pii(&utm.source),
                medium: without_pii(&utm.medium),
                campaign: without_pii(&utm.campaign),
                term: without_pii(&utm.term),
                content: without_pii(&utm.content),
            }),
            contact: envelope.contact,
        }
    }
}

fn without_pii(text: &str) -> String {
    pii::redact(text).redacted
}

/// Each kind of personal data found, once, in order of appearance.
fn kinds_removed(findings: &[PiiFinding]) -> Vec<String> {
    let mut kinds: Vec<String> = Vec::new();
    for finding in findings {
        let kind = finding.kind.as_str();
        if !kinds.iter().any(|k| k == kind) {
            kinds.push(kind.into());
        }
    }
    kinds
}

/// Where the widget's messages go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// The Touchpoint worker: a live thread with the site's staff.
    Worker,
    /// The site's own HTTPS endpoint (`backend` / `data-backend`): a
    /// classified contact form; a person answers by e-mail.
    Backend { url: String },
}

/// Why a `backend` setting cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// Not an absolute `https://` URL (plain `http://` only for localhost,
    /// where sites test).
    NotHttps,
}

impl Transport {
    /// The transport for a `backend` setting (absent or empty: the worker).
    pub fn choose(backend: Option<&str>) -> Result<Self, TransportError> {
        let Some(url) = backend.map(str::trim).filter(|url| !url.is_empty()) else {
            return Ok(Transport::Worker);
        };
        let lower = url.to_ascii_lowercase();
        let local = ["http://localhost", "http://127.0.0.1", "http://[::1]"]
            .iter()
            .any(|prefix| {
                lower.strip_prefix(prefix).is_some_and(|rest| {
                    rest.is_empty() || rest.starts_with(':') || rest.starts_with('/')
                })
            });
        let https = lower
            .strip_prefix("https://")
            .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'));
        if https || local {
            Ok(Transport::Backend { url: url.into() })
        } else {
            Err(TransportError::NotHttps)
        }
    }

    /// Whether the visitor can expect a live thread in the panel.
    pub fn is_live(&self) -> bool {
        matches!(self, Transport::Worker)
    }
}

/// What the page's `beforeSend` made of a payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Send the payload it returned (or, when it returned nothing, the
    /// payload as it may have changed it).
    Send,
    /// It returned `null` or `false`: nothing is sent, and the drop is logged.
    Drop,
}

impl Verdict {
    /// From what `beforeSend` returned: `None` for `undefined`, `Some(false)`
    /// for `null` or `false`, `Some(true)` for a payload.
    pub fn of(returned: Option<bool>) -> Self {
        match returned {
            Some(false) => Verdict::Drop,
            _ => Verdict::Send,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::classify::Classification;

    fn envelope(contact: ReplyPreference) -> Envelope<'static> {
        Envelope {
            id: "w-1",
            site: "shop",
            sent_at: 1_764_000_000_000,
            locale: "en",
            contact,
        }
    }

    fn classification() -> Classification {
        let redaction =
            pii::redact("card 4111 1111 1111 1111, mail me at a@b.example or 4111111111111111");
        Classification {
            topic: "billing".into(),
            topic_confidence: 0.81,
            topic_source: "model",
            sentiment: "negative".into(),
            sentiment_confidence: 0.7,
            kind: "complaint",
            expectation_gap: true,
            urgency: "high",
            language: "en",
            spam: false,
            pii: pii::find("card 4111 1111 1111 1111, mail me at a@b.example or 4111111111111111"),
            redacted: redaction.redacted,
        }
    }

    #[test]
    fn an_interaction_carries_the_redaction_labels_and_a_private_page() {
        let page = PageFacts {
            pathname: "/orders/alice@example.com",
            search: "?utm_source=Newsletter&utm_medium=email&gclid=SECRET",
            title: "Order for bob@example.com",
            referrer: "https://mail.example/inbox?id=42#x",
        };
        let contact = ReplyPreference::Email {
            email: "visitor@example.org".into(),
        };
        let c = classification();
        let it = ClassifiedInteraction::new("ignored", Some(&c), envelope(contact.clone()), &page);
        assert_eq!(it.schema, SCHEMA_ID);
        assert_eq!(it.text, c.redacted);
        assert!(!it.text.contains("4111"), "{}", it.text);
        assert_eq!(
            it.pii_removed,
            vec!["card", "email"],
            "each kind once, in order"
        );
        let labels = it.classification.clone().unwrap();
        assert_eq!(
            (labels.topic.as_str(), labels.tone.as_str()),
            ("billing", "negative")
        );
        assert!(labels.expectation_gap && labels.urgency == "high");
        assert!(!it.page.path.contains("alice"), "{}", it.page.path);
        assert_eq!(it.page.title, "Order for [email]");
        assert_eq!(it.page.referrer, "https://mail.example/inbox");
        let campaign = it.campaign.clone().unwrap();
        assert_eq!(
            (campaign.source.as_str(), campaign.medium.as_str()),
            ("newsletter", "email")
        );
        assert_eq!(it.contact, contact);
    }

    /// What an outside review saw posted to a site's own endpoint: personal
    /// data in campaign values and in a path segment no mask catches.
    #[test]
    fn campaign_values_and_path_segments_are_redacted() {
        let page = PageFacts {
            pathname: "/shop/iban/DE89370400440532013000/confirm",
            search: "?utm_source=mail&utm_term=4111+1111+1111+1111&utm_content=jane.doe%40example.com&utm_campaign=123-45-6789",
            title: "",
            referrer: "",
        };
        let it = ClassifiedInteraction::new("hello", None, envelope(ReplyPreference::Here), &page);
        assert_eq!(it.page.path, "/shop/iban/[iban]/confirm");
        let campaign = it.campaign.unwrap();
        assert_eq!(campaign.source, "mail");
        assert_eq!(campaign.term, "[card]");
        assert_eq!(campaign.content, "[email]");
        assert_eq!(campaign.campaign, "[ssn]");
    }

    #[test]
    fn without_the_model_the_text_is_still_redacted_and_unlabelled() {
        let it = ClassifiedInteraction::new(
            "call me on +49 30 1234567",
            None,
            envelope(ReplyPreference::Here),
            &PageFacts::default(),
        );
        assert!(it.classification.is_none());
        assert_eq!(it.text, "call me on [phone]");
        assert_eq!(it.pii_removed, vec!["phone"]);
        assert!(it.campaign.is_none(), "no UTM parameters, no campaign");
    }

    #[test]
    fn a_backend_must_be_https_except_on_this_machine() {
        assert_eq!(Transport::choose(None), Ok(Transport::Worker));
        assert_eq!(Transport::choose(Some("  ")), Ok(Transport::Worker));
        for url in [
            "https://crm.example/hooks/touchpoint",
            "HTTPS://CRM.example",
            "http://localhost:8080/in",
            "http://127.0.0.1:9/x",
        ] {
            assert_eq!(
                Transport::choose(Some(url)),
                Ok(Transport::Backend { url: url.into() }),
                "{url}"
            );
        }
        for url in [
            "http://crm.example/in",
            "https:///path",
            "//crm.example",
            "crm.example",
            "http://localhost.evil.example/",
            "javascript:alert(1)",
        ] {
            assert_eq!(
                Transport::choose(Some(url)),
                Err(TransportError::NotHttps),
                "{url}"
            );
        }
        assert!(Transport::Worker.is_live());
        assert!(!Transport::choose(Some("https://a.example")).is_ok_and(|t| t.is_live()));
    }

    #[test]
    fn only_null_or_false_drops() {
        assert_eq!(Verdict::of(None), Verdict::Send);
        assert_eq!(Verdict::of(Some(true)), Verdict::Send);
        assert_eq!(Verdict::of(Some(false)), Verdict::Drop);
    }
}
