//! Reads the public labeled sets in `../shared/datasets/` (never committed into
//! the project; MODEL.md says where to get them) and the project's own example
//! file, maps their labels onto Touchpoint's taxonomy, and splits them into
//! train and held-out test sets.

use std::path::Path;

use serde::Deserialize;

/// Which split an example belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    Train,
    /// Carved out of training data to tune settings on; never trained on.
    Valid,
    Test,
}

/// One text with the labels its source provides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub text: String,
    pub topic: Option<String>,
    pub sentiment: Option<String>,
    pub source: &'static str,
    pub split: Split,
    /// Kind, urgency, expectation gap and spam, where the source labels them.
    pub labels: MoreLabels,
}

/// The labels only our own files carry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct MoreLabels {
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub urgency: Option<String>,
    #[serde(default)]
    pub expectation_gap: Option<bool>,
    #[serde(default)]
    pub spam: Option<bool>,
}

/// A labeled JSON line: the project's example file, staff corrections, eval files.
#[derive(Debug, Deserialize)]
pub struct LabeledLine {
    pub text: String,
    #[serde(default)]
    pub topic: Option<String>,
    #[serde(default)]
    pub sentiment: Option<String>,
    #[serde(flatten)]
    pub labels: MoreLabels,
    /// `train`, `valid` or `test`, for files that carry their own split.
    #[serde(default)]
    pub split: Option<String>,
}

/// The hash a text's split is cut by (trimmed, lower-cased, FNV-1a).
pub fn split_hash(text: &str) -> u32 {
    crate::domain::classify::model::fnv1a(text.trim().to_lowercase().as_bytes())
}

/// Deterministic 1-in-5 held-out test split for sources without one, and a
/// validation split of one in eight of the rest.
pub fn hashed_split(text: &str) -> Split {
    let hash = split_hash(text);
    if hash % 5 == 0 {
        Split::Test
    } else {
        carve_valid(hash / 5)
    }
}

/// One in eight training examples goes to validation (by hash, so stable).
fn carve_valid(hash: u32) -> Split {
    if hash % 8 == 0 {
        Split::Valid
    } else {
        Split::Train
    }
}

/// A source's own training split, less its validation share.
fn train_or_valid(text: &str) -> Split {
    carve_valid(crate::domain::classify::model::fnv1a(text.trim().to_lowercase().as_bytes()) / 5)
}

/// Parses RFC 4180 CSV (quoted fields, doubled quotes, newlines in quotes).
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    while let Some(ch) = chars.next() {
        match (quoted, ch) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, '\r') => {}
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

fn bitext_topic(category: &str) -> Option<&'static str> {
    Some(match category {
        "ACCOUNT" => "account",
        "ORDER" => "order",
        "DELIVERY" | "SHIPPING_ADDRESS" => "delivery",
        "INVOICE" | "PAYMENT" | "CANCELLATION_FEE" => "billing",
        "REFUND" => "refund",
        "FEEDBACK" => "feedback",
        "CONTACT" => "contact",
        "NEWSLETTER" => "other",
        _ => return None,
    })
}

/// Banking77 intents that belong to a Touchpoint topic; the rest are left out.
fn banking_topic(intent: &str) -> Option<&'static str> {
    Some(match intent {
        "passcode_forgotten"
        | "edit_personal_details"
        | "terminate_account"
        | "verify_my_identity"
        | "unable_to_verify_identity"
        | "why_verify_identity"
        | "change_pin"
        | "pin_blocked"
        | "lost_or_stolen_phone" => "account",
        "card_payment_fee_charged"
        | "extra_charge_on_statement"
        | "transaction_charged_twice"
        | "declined_card_payment"
        | "card_payment_not_recognised"
        | "direct_debit_payment_not_recognised"
        | "pending_card_payment"
        | "card_payment_wrong_exchange_rate"
        | "top_up_by_card_charge"
        | "transfer_fee_charged"
        | "supported_cards_and_currencies"
        | "visa_or_mastercard"
        | "apple_pay_or_google_pay"
        | "card_acceptance" => "billing",
        "request_refund" | "Refund_not_showing_up" => "refund",
        "card_arrival" | "card_delivery_estimate" => "delivery",
        "card_not_working"
        | "contactless_not_working"
        | "virtual_card_not_working"
        | "card_swallowed" => "technical",
        "order_physical_card" => "order",
        "country_support"
        | "fiat_currency_support"
        | "top_up_limits"
        | "disposable_card_limits"
        | "getting_virtual_card"
        | "get_disposable_virtual_card"
        | "automatic_top_up" => "product",
        _ => return None,
    })
}

/// CLINC150 intents that belong to a Touchpoint topic; out-of-scope queries are `other`.
fn clinc_topic(intent: &str) -> Option<&'static str> {
    Some(match intent {
        "oos"
        | "greeting"
        | "goodbye"
        | "thank_you"
        | "tell_joke"
        | "fun_fact"
        | "meaning_of_life"
        | "who_made_you"
        | "what_is_your_name"
        | "are_you_a_bot"
        | "how_old_are_you"
        | "where_are_you_from"
        | "do_you_have_pets"
        | "what_are_your_hobbies"
        | "who_do_you_work_for" => "other",
        "pay_bill" | "bill_due" | "bill_balance" | "min_payment" | "card_declined"
        | "international_fees" => "billing",
        "pin_change" | "account_blocked" | "freeze_account" | "change_user_name" | "user_name" => {
            "account"
        }
        "order_status" => "order",
        "ingredients_list" | "calories" | "nutrition_info" => "product",
        "damaged_card" => "technical",
        _ => return None,
    })
}

/// A source's own split, with validation carved out of its training part.
fn own_split(split: Split, text: &str) -> Split {
    if split == Split::Train {
        train_or_valid(text)
    } else {
        split
    }
}

fn read(dir: &Path, file: &str) -> Result<String, String> {
    let path = dir.join(file);
    std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Loads every public source under `dir`.
pub fn load_public(dir: &Path) -> Result<Vec<Example>, String> {
    let mut out = Vec::new();
    // Bitext: customer-service utterances by category (no split given).
    for row in parse_csv(&read(dir, "bitext-customer-service/bitext_sample.csv")?)
        .into_iter()
        .skip(1)
    {
        let [_, text, category, intent] = row.as_slice() else {
            continue;
        };
        if let Some(topic) = bitext_topic(category) {
            out.push(Example {
                labels: Default::default(),
                split: hashed_split(text),
                text: text.clone(),
                topic: Some(topic.into()),
                sentiment: (intent == "complaint").then(|| "negative".into()),
                source: "bitext",
            });
        }
    }
    // Banking77: its own train/test split.
    for (file, split) in [
        ("banking77/train.csv", Split::Train),
        ("banking77/test.csv", Split::Test),
    ] {
        for row in parse_csv(&read(dir, file)?).into_iter().skip(1) {
            let [text, intent] = row.as_slice() else {
                continue;
            };
            if let Some(topic) = banking_topic(intent) {
                out.push(Example {
                    labels: Default::default(),
                    split: own_split(split, text),
                    text: text.clone(),
                    topic: Some(topic.into()),
                    sentiment: None,
                    source: "banking77",
                });
            }
        }
    }
    // CLINC150: train and validation for training, test held out; in-scope and out-of-scope.
    let clinc: serde_json::Value = serde_json::from_str(&read(dir, "clinc150/data_full.json")?)
        .map_err(|e| format!("clinc150: {e}"))?;
    for (key, split) in [
        ("train", Split::Train),
        ("oos_train", Split::Train),
        ("val", Split::Train),
        ("oos_val", Split::Train),
        ("test", Split::Test),
        ("oos_test", Split::Test),
    ] {
        for pair in clinc[key].as_array().into_iter().flatten() {
            let (Some(text), Some(intent)) = (pair[0].as_str(), pair[1].as_str()) else {
                continue;
            };
            if let Some(topic) = clinc_topic(intent) {
                out.push(Example {
                    labels: Default::default(),
                    split: own_split(split, text),
                    text: text.into(),
                    topic: Some(topic.into()),
                    sentiment: None,
                    // Out-of-scope queries are reported apart: a contact
                    // widget's prior makes `other` rare on purpose.
                    source: if intent == "oos" {
                        "clinc150-oos"
                    } else {
                        "clinc150"
                    },
                });
            }
        }
    }
    // GoEmotions grouped into sentiment (train and dev for training, test held
    // out); ambiguous and mixed labels left out.
    for (file, split) in [
        ("goemotions-sentiment/train.tsv", Split::Train),
        ("goemotions-sentiment/dev.tsv", Split::Train),
        ("goemotions-sentiment/test.tsv", Split::Test),
    ] {
        for line in read(dir, file)?.lines() {
            let mut parts = line.split('\t');
            let (Some(text), Some(labels)) = (parts.next(), parts.next()) else {
                continue;
            };
            let sentiment = match labels {
                "1" => "negative",
                "2" => "neutral",
                "3" => "positive",
                _ => continue,
            };
            out.push(Example {
                labels: Default::default(),
                split: own_split(split, text),
                text: text.into(),
                topic: None,
                sentiment: Some(sentiment.into()),
                source: "goemotions",
            });
        }
    }
    out.extend(super::visitor_sources::load(dir)?);
    Ok(out)
}

/// Loads labeled JSON lines. `split` of `None` means a hashed 1-in-5 test split.
pub fn load_jsonl(
    path: &Path,
    source: &'static str,
    split: Option<Split>,
) -> Result<Vec<Example>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut out = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.trim_start().starts_with("//") {
            continue;
        }
        let labeled: LabeledLine = serde_json::from_str(line)
            .map_err(|e| format!("{}:{}: {e}", path.display(), number + 1))?;
        let own = match labeled.split.as_deref() {
            None => None,
            Some("train") => Some(Split::Train),
            Some("valid") => Some(Split::Valid),
            Some("test") => Some(Split::Test),
            Some(other) => {
                return Err(format!(
                    "{}:{}: unknown split {other:?} (expected train, valid or test)",
                    path.display(),
                    number + 1
                ))
            }
        };
        out.push(Example {
            labels: labeled.labels,
            split: split.or(own).unwrap_or_else(|| hashed_split(&labeled.text)),
            text: labeled.text,
            topic: labeled.topic,
            sentiment: labeled.sentiment,
            source,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_labeled_lines_load_as_training_data() {
        let path =
            std::env::temp_dir().join(format!("touchpoint-extra-{}.jsonl", std::process::id()));
        std::fs::write(
            &path,
            "// staff corrections\n{\"text\":\"gift card empty\",\"topic\":\"billing\"}\n\n{\"text\":\"love it\",\"sentiment\":\"positive\"}\n",
        )
        .unwrap();
        let examples = load_jsonl(&path, "extra", Some(Split::Train)).unwrap();
        assert_eq!(examples.len(), 2);
        assert!(examples
            .iter()
            .all(|e| e.split == Split::Train && e.source == "extra"));
        assert_eq!(examples[0].topic.as_deref(), Some("billing"));
        assert_eq!(examples[1].sentiment.as_deref(), Some("positive"));
        std::fs::write(&path, "{\"no_text\":1}\n").unwrap();
        assert!(load_jsonl(&path, "extra", None)
            .unwrap_err()
            .contains(":1:"));
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn csv_handles_quotes_commas_and_newlines() {
        let rows = parse_csv("\u{feff}a,b\n\"x, \"\"y\"\"\",\"line\nbreak\"\nlast,row");
        assert_eq!(
            rows,
            vec![
                vec!["a", "b"],
                vec!["x, \"y\"", "line\nbreak"],
                vec!["last", "row"]
            ]
        );
    }
}
