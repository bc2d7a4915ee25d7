//! The public sets that look like visitors (issue 15): HINT3, MultiDoGO,
//! DSTC11, XED, RSiCS and CuCom in `../shared/datasets/`. Each folder's
//! NOTES.md proposes a mapping; the functions below are the mapping actually
//! used, reviewed against MODEL.md's topic definitions — where they differ from
//! the proposal, a comment says why.

use std::path::Path;

use serde::Deserialize;

use super::datasets::{hashed_split, Example, Split};

/// The fields the converted JSON lines share (each file has a subset).
#[derive(Debug, Deserialize)]
struct Row {
    text: String,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    split: Option<String>,
    #[serde(default)]
    domain: Option<String>,
    #[serde(default)]
    topic: Option<String>,
    #[serde(default)]
    sentiment: Option<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    user_turn: Option<u32>,
}

fn rows(dir: &Path, file: &str) -> Result<Vec<Row>, String> {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(number, line)| {
            serde_json::from_str(line)
                .map_err(|e| format!("{}:{}: {e}", path.display(), number + 1))
        })
        .collect()
}

fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

/// Keeps one text in `n` (by a hash of the text, so the choice is stable).
fn one_in(text: &str, n: u32, salt: u8) -> bool {
    let mut bytes = vec![salt];
    bytes.extend_from_slice(text.trim().to_lowercase().as_bytes());
    crate::domain::classify::model::fnv1a(&bytes) % n == 0
}

/// HINT3 (train split only; held out 1 in 5 by hash). The proposed topic is
/// kept except where MODEL.md decides otherwise.
fn hint3_topic(row: &Row) -> Option<&'static str> {
    let label = row.label.as_deref()?;
    let topic = match label {
        // MODEL.md: "praise, thanks" are feedback, not other.
        "THANKS" => "feedback",
        // Withdrawing fantasy-sports winnings is no shop or SaaS payment; left out
        // rather than teaching "withdraw" and "winnings" as billing words.
        "WINNINGS"
        | "LESS_WINNINGS_AMOUNT"
        | "TAXES_ON_WINNINGS"
        | "WITHDRAWAL_INTRO"
        | "WITHDRAWAL_STATUS"
        | "WITHDRAWAL_TIME"
        | "INSTANT_WITHDRAWAL"
        | "WITHDRAW_CASH_BONUS"
        | "UNUTILIZED_MONEY" => return None,
        _ => match row.topic.as_deref()? {
            "account" => "account",
            "order" => "order",
            "delivery" => "delivery",
            "billing" => "billing",
            "refund" => "refund",
            "product" => "product",
            "technical" => "technical",
            "sales" => "sales",
            "feedback" => "feedback",
            "contact" => "contact",
            "other" => "other",
            _ => return None,
        },
    };
    // CHAT_WITH_AN_AGENT holds bare "No"/"Nope" answers: no topic in them.
    if label == "CHAT_WITH_AN_AGENT" && word_count(&row.text) < 3 {
        return None;
    }
    Some(topic)
}

/// MultiDoGO's customer turns. Dialogue acts that mean nothing without the
/// conversation (yes, no, names, numbers) are left out, and so are turns of
/// fewer than three words under a domain intent (often a bare "ok").
fn multidogo_topic(domain: &str, label: &str) -> Option<&'static str> {
    Some(match (domain, label) {
        (_, "openinggreeting" | "closinggreeting") => "other",
        // MODEL.md: thanks are feedback.
        (_, "thankyou") => "feedback",
        ("airline", "bookflight" | "changeseatassignment" | "getboardingpass" | "getseatinfo") => {
            "order"
        }
        ("fastfood", l) if l.starts_with("order") && !l.contains("<div>") => "order",
        (
            "finance",
            "reportlostcard" | "updateaddress" | "checkbalance" | "replacecard" | "closeaccount"
            | "getroutingnumber" | "openaccount",
        ) => "account",
        ("finance", "disputecharge") => "billing",
        ("finance", "checkoffereligibility") => "sales",
        ("finance", "orderchecks") => "order",
        ("insurance", "getproofofinsurance") => "account",
        // A broken phone to be fixed is a fault (technical), not a product question.
        ("insurance", "reportbrokenphone") => "technical",
        ("media", "startserviceintent" | "getinformationintent") => "sales",
        // Changing or cancelling a paid plan is billing (MODEL.md), not sales or account.
        ("media", "upgradeserviceintent" | "cancelserviceintent" | "viewbillsintent") => "billing",
        ("media", "viewdatausageintent" | "updateaccountinfo") => "account",
        ("media", "getchannelpackageintent") => "product",
        ("software", "reportbrokensoftware" | "softwareupdate" | "checkserverstatus") => {
            "technical"
        }
        ("software", "startorder" | "changeorder" | "stoporder") => "order",
        ("software", "providereceipt") => "billing",
        ("software", "getpromotions") => "sales",
        _ => return None,
    })
}

/// MultiDoGO turns carry no sentiment; thanks are positive, reports of
/// something broken, lost or wrongly charged are negative (MODEL.md's rule:
/// a visitor reporting what went wrong is negative, even politely), other
/// requests neutral, greetings none.
fn multidogo_sentiment(label: &str) -> Option<&'static str> {
    match label {
        "openinggreeting" | "closinggreeting" => None,
        "thankyou" => Some("positive"),
        "reportbrokensoftware" | "reportbrokenphone" | "reportlostcard" | "disputecharge" => {
            Some("negative")
        }
        _ => Some("neutral"),
    }
}

/// HINT3 intents that report something gone wrong are negative (MODEL.md's
/// rule); the source's own proposal (criticism, thanks) is kept otherwise.
fn hint3_sentiment(row: &Row) -> Option<String> {
    match row.label.as_deref()? {
        "DELAY_IN_DELIVERY"
        | "DELAY_IN_PARCEL"
        | "PORTAL_ISSUE"
        | "DEDUCTED_AMOUNT_NOT_RECEIVED"
        | "ACCOUNT_BALANCE_DEDUCTED"
        | "POINTS_NOT_UPDATED"
        | "WRONG_SCORES"
        | "CANNOT_SEE_JOINED_CONTESTS"
        | "PAN_VERIFICATION_FAILED"
        | "NO_EMAIL_CONFIRMATION"
        | "REFUND_OF_WRONG_AMOUNT" => Some("negative".into()),
        _ => sentiment_label(row.sentiment.as_deref()),
    }
}

/// DSTC11 first requests; the proposal is kept except for plan changes.
fn dstc11_topic(row: &Row) -> Option<&'static str> {
    match row.label.as_deref()? {
        // Changing or cancelling a paid plan is billing (MODEL.md).
        "CancelPlan" | "ChangePlan" => return Some("billing"),
        _ => {}
    }
    Some(match row.topic.as_deref()? {
        "account" => "account",
        "billing" => "billing",
        "sales" => "sales",
        "contact" => "contact",
        "product" => "product",
        "order" => "order",
        _ => return None,
    })
}

fn sentiment_label(label: Option<&str>) -> Option<String> {
    match label? {
        "negative" => Some("negative".into()),
        "neutral" => Some("neutral".into()),
        "positive" => Some("positive".into()),
        _ => None,
    }
}

/// Replaces order numbers such as `#406-3187654-9870123` with a plain word, so
/// CuCom's templated IDs do not become a shortcut for "negative".
fn strip_order_ids(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            if word.chars().filter(char::is_ascii_digit).count() >= 6 {
                "123"
            } else {
                word
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Loads every visitor-like public source under `dir`.
pub fn load(dir: &Path) -> Result<Vec<Example>, String> {
    let mut out = Vec::new();
    for row in rows(dir, "hint3/hint3_v2_train.jsonl")? {
        if let Some(topic) = hint3_topic(&row) {
            out.push(Example {
                labels: Default::default(),
                split: hashed_split(&row.text),
                sentiment: hint3_sentiment(&row),
                topic: Some(topic.into()),
                text: row.text,
                source: "hint3",
            });
        }
    }
    for row in rows(dir, "multidogo/multidogo_turn_level.jsonl")? {
        let (Some(domain), Some(label)) = (row.domain.as_deref(), row.label.as_deref()) else {
            continue;
        };
        let Some(topic) = multidogo_topic(domain, label) else {
            continue;
        };
        let dialogue_act = matches!(label, "openinggreeting" | "closinggreeting" | "thankyou");
        if !dialogue_act && word_count(&row.text) < 3 {
            continue;
        }
        // Greetings, thanks and fast-food orders are a third of the set and
        // very repetitive: one in eight is enough.
        if (dialogue_act || domain == "fastfood") && !one_in(&row.text, 8, b'm') {
            continue;
        }
        let split = match row.split.as_deref() {
            Some("test") => Split::Test,
            Some("dev") => Split::Valid,
            _ => Split::Train,
        };
        out.push(Example {
            labels: Default::default(),
            sentiment: multidogo_sentiment(label).map(String::from),
            topic: Some(topic.into()),
            split,
            text: row.text,
            source: "multidogo",
        });
    }
    for row in rows(dir, "dstc11/dstc11_labelled_utterances.jsonl")? {
        if let Some(topic) = dstc11_topic(&row) {
            out.push(Example {
                labels: Default::default(),
                split: hashed_split(&row.text),
                topic: Some(topic.into()),
                // First requests to an agent: neutral, except reports of a
                // wrong charge or a lost card (negative by MODEL.md's rule).
                sentiment: Some(
                    match row.label.as_deref() {
                        Some("ReportBillingIssue" | "DisputeCharge" | "ReportLostStolenCard") => {
                            "negative"
                        }
                        _ => "neutral",
                    }
                    .into(),
                ),
                text: row.text,
                source: "dstc11",
            });
        }
    }
    // XED: the proposed emotion → sentiment grouping (mixed left out). Movie
    // lines, and non-English ones projected, so the trainer weighs them low.
    for row in rows(dir, "xed/xed_sentiment.jsonl")? {
        let Some(sentiment) = sentiment_label(row.sentiment.as_deref()) else {
            continue;
        };
        // English has three times the lines of any other language: keep one in three.
        if row.lang.as_deref() == Some("en") && !one_in(&row.text, 3, b'x') {
            continue;
        }
        out.push(Example {
            labels: Default::default(),
            split: hashed_split(&row.text),
            sentiment: Some(sentiment),
            topic: None,
            text: row.text,
            source: "xed",
        });
    }
    // RSiCS: only "Rant" / "Express Emotion" holds up as a label (negative). The
    // proposed positive ("Gratitude") is mostly "thanks in advance" on a
    // request, neutral by our rules, and the untagged rest includes many
    // fault reports, negative by our rules: both left out. Forum posts are
    // not widget-like.
    for row in rows(dir, "rsics/rsics_requests_weak_sentiment.jsonl")? {
        if row.source.as_deref() == Some("tripadvisor_airline_forum")
            || row.sentiment.as_deref() != Some("negative")
        {
            continue;
        }
        out.push(Example {
            labels: Default::default(),
            split: hashed_split(&row.text),
            sentiment: Some("negative".into()),
            topic: None,
            text: row.text.replace("------", "").replace("###", ""),
            source: "rsics",
        });
    }
    // CuCom: opening messages of complaint chats, negative by construction
    // (a reviewed sample of 60: every one reports a missing, wrong, damaged or
    // fake item, a failed payment or a late refund — negative by MODEL.md's
    // sentiment rule); no topic,
    // since its keyword topics contradict MODEL.md (defective goods → product).
    for row in rows(dir, "cucom-ecommerce/cucom_ecommerce_user_turns.jsonl")? {
        if row.user_turn != Some(0) || !one_in(&row.text, 4, b'c') {
            continue;
        }
        out.push(Example {
            labels: Default::default(),
            split: hashed_split(&row.text),
            sentiment: Some("negative".into()),
            topic: None,
            text: strip_order_ids(&row.text),
            source: "cucom",
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mappings_follow_the_topic_definitions() {
        assert_eq!(
            multidogo_topic("media", "cancelserviceintent"),
            Some("billing")
        );
        assert_eq!(
            multidogo_topic("insurance", "reportbrokenphone"),
            Some("technical")
        );
        assert_eq!(multidogo_topic("airline", "thankyou"), Some("feedback"));
        assert_eq!(multidogo_topic("finance", "transfermoney"), None);
        assert_eq!(
            multidogo_topic("fastfood", "orderpizzaintent<div>orderdrinkintent"),
            None
        );
        assert_eq!(
            multidogo_sentiment("reportbrokensoftware"),
            Some("negative")
        );
        assert_eq!(multidogo_sentiment("thankyou"), Some("positive"));
        assert_eq!(multidogo_sentiment("openinggreeting"), None);
        let row = |label: &str, topic: &str, text: &str| Row {
            text: text.into(),
            label: Some(label.into()),
            topic: Some(topic.into()),
            split: None,
            domain: None,
            sentiment: None,
            source: None,
            lang: None,
            user_turn: None,
        };
        assert_eq!(
            hint3_topic(&row("THANKS", "other", "thanks a lot")),
            Some("feedback")
        );
        assert_eq!(
            hint3_topic(&row("WITHDRAWAL_STATUS", "billing", "withdrawal")),
            None
        );
        assert_eq!(
            hint3_topic(&row("CHAT_WITH_AN_AGENT", "contact", "Nope")),
            None
        );
        assert_eq!(
            hint3_topic(&row("NO_NODES_DETECTED", "LEAVE_OUT", "x")),
            None
        );
        assert_eq!(
            dstc11_topic(&row("CancelPlan", "account", "cancel my plan")),
            Some("billing")
        );
        assert_eq!(
            strip_order_ids("order #406-3187654-9870123 late"),
            "order 123 late"
        );
    }
}
