//! Conversations between visitors and the people who staff a site: what a
//! request may contain, how a message is screened at the edge (redaction and
//! classification run again), which team receives it, and how its status moves.
//!
//! The product never speaks for a person. Messages have one of three authors:
//! the visitor, a staff member (only ever from an authenticated staff request),
//! or the system, whose notices are typed codes (`staff_joined`, `closed`, …)
//! rendered by the clients as facts, never as words of a person.

use serde::{Deserialize, Serialize};

use super::api::ApiError;
use super::classify::{Classification, Classifier};
use super::hours::OfficeHours;
use super::pii;
use super::zone::Zone;

/// Longest message, in characters as typed (`pii::typed_length`: a redaction
/// tag counts as one, so redacting a message never makes it too long).
pub const MAX_MESSAGE_CHARS: usize = 4000;
/// Longest name, team id, e-mail address or similar short field.
pub const MAX_SHORT_CHARS: usize = 120;
/// How far ahead a callback window may be asked for.
pub const MAX_CALLBACK_AHEAD_MS: i64 = 30 * 24 * 3_600_000;

/// `POST /v1/conversations`: a visitor starts a conversation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartConversation {
    pub site: String,
    /// The team the visitor picked; otherwise routing decides.
    #[serde(default)]
    pub team: Option<String>,
    pub message: NewMessage,
    #[serde(default)]
    pub reply: ReplyPreference,
    /// What the visitor wants to be called (optional).
    #[serde(default)]
    pub name: String,
    /// The consented random visitor id, linking the touchpoint journey.
    #[serde(default)]
    pub visitor_id: String,
    /// `identify(userId, hmac)`, verified with the site's identity secret.
    #[serde(default)]
    pub user: Option<Identity>,
    /// BCP 47 language tag of the page or browser.
    #[serde(default)]
    pub locale: String,
    /// The visitor opted out of tracking (Do Not Track or Global Privacy
    /// Control, as the page sees it): no touchpoint is linked to the
    /// conversation, and no visitor id is kept with it.
    #[serde(default)]
    pub dnt: bool,
}

/// A site user id and its HMAC from the site's server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    pub id: String,
    pub hmac: String,
}

/// A message as a client sends it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    /// Already redacted by the browser; redacted again here.
    pub text: String,
    /// What the browser's classifier said.
    #[serde(default)]
    pub labels: Option<Labels>,
    /// Chosen by the client, so that a retried send posts once.
    #[serde(default)]
    pub client_id: Option<String>,
}

/// Topic, tone and kind of a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    pub topic: String,
    #[serde(default)]
    pub sentiment: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub confidence: Option<f64>,
}

/// How the visitor wants to hear back.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "channel", rename_all = "lowercase", deny_unknown_fields)]
pub enum ReplyPreference {
    /// In the widget, while on the site or when they come back.
    #[default]
    Here,
    /// By e-mail.
    Email { email: String },
    /// A phone call back between two instants (ms since the epoch, UTC).
    Phone { phone: String, from: i64, to: i64 },
}

/// A reply preference as a conversation stores it (`reply_channel`,
/// `reply_email`, `reply_phone` in its one spelling, the callback window).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReply<'a> {
    pub channel: &'a str,
    pub email: &'a str,
    pub phone: String,
    pub from: i64,
    pub to: i64,
}

impl ReplyPreference {
    /// How this preference is stored.
    pub fn stored(&self) -> StoredReply<'_> {
        let (channel, email, phone, from, to) = match self {
            ReplyPreference::Here => ("here", "", "", 0, 0),
            ReplyPreference::Email { email } => ("email", email.as_str(), "", 0, 0),
            ReplyPreference::Phone { phone, from, to } => ("phone", "", phone.as_str(), *from, *to),
        };
        StoredReply {
            channel,
            email,
            phone: stored_phone(phone),
            from,
            to,
        }
    }
}

/// A first message sent again (its answer lost) must ask for the answer as
/// it did: one asking another way (another address, number or window) is a
/// new request, and is refused rather than answered with the old one.
pub fn check_retry_reply(stored: &StoredReply<'_>, sent: &StoredReply<'_>) -> Result<(), ApiError> {
    // A number is the same number however it is spelled.
    let same_number = phone_key(&stored.phone) == phone_key(&sent.phone);
    if same_number
        && (stored.channel, stored.email, stored.from, stored.to)
            == (sent.channel, sent.email, sent.from, sent.to)
    {
        Ok(())
    } else {
        Err(ApiError::Conflict(
            "this first message was already sent with another way to answer: start a new conversation, or send it as it was".into(),
        ))
    }
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Author {
    Visitor,
    Staff,
    System,
}

impl Author {
    pub fn as_str(self) -> &'static str {
        match self {
            Author::Visitor => "visitor",
            Author::Staff => "staff",
            Author::System => "system",
        }
    }

    pub fn parse(text: &str) -> Option<Author> {
        match text {
            "visitor" => Some(Author::Visitor),
            "staff" => Some(Author::Staff),
            "system" => Some(Author::System),
            _ => None,
        }
    }
}

/// A factual system notice; clients word it, and never as a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    StaffJoined,
    /// A staff member took the conversation (the notice names them).
    Assigned,
    /// It went back to its team; staff see this, the visitor is not told.
    Unassigned,
    MovedTeam,
    Closed,
    Reopened,
}

impl Notice {
    pub fn code(self) -> &'static str {
        // Indexed rather than matched: the worker has few bytes to spare.
        const CODES: [&str; 6] = [
            "staff_joined",
            "assigned",
            "unassigned",
            "moved_team",
            "closed",
            "reopened",
        ];
        CODES[self as usize]
    }
}

/// Where a conversation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The visitor is waiting for a person.
    Waiting,
    /// A person has answered; the conversation goes on.
    Open,
    Closed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Waiting => "waiting",
            Status::Open => "open",
            Status::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        match text {
            "waiting" => Some(Status::Waiting),
            "open" => Some(Status::Open),
            "closed" => Some(Status::Closed),
            _ => None,
        }
    }

    /// The status after a visitor writes: a closed conversation opens again,
    /// and the visitor is waiting for a person.
    pub fn after_visitor_message(self) -> Status {
        Status::Waiting
    }

    /// The status after a staff member replies.
    pub fn after_staff_reply(self) -> Status {
        Status::Open
    }

    /// The status after reopening: waiting unless a person already answered.
    pub fn reopened(staff_has_replied: bool) -> Status {
        if staff_has_replied {
            Status::Open
        } else {
            Status::Waiting
        }
    }
}

/// The most messages one read of a thread returns (the worker's `LIMIT`): a
/// full page means more follow, so the thread is still being loaded.
pub const THREAD_PAGE: usize = 200;

/// How often the widget should poll for new messages: often enough that a
/// reply reaches the visitor within about two seconds while someone is there
/// (online, or answering this conversation lately), less often otherwise.
pub fn poll_interval_ms(status: Status, someone_there: bool) -> u32 {
    match (status, someone_there) {
        (Status::Closed, _) => 60_000,
        (_, true) => 1_000,
        (_, false) => 5_000,
    }
}

/// The name a conversation is stored under, without the personal data the
/// redactor finds in it: a name is who wrote, but a field filled from a
/// form can hold an address or number too ("Jo Doe jo@example.com"), which
/// the reply channel alone may keep.
pub fn stored_name(name: &str) -> String {
    pii::redact(name).redacted
}

/// The language kept with a conversation: the page's or browser's tag as
/// sent, or nothing when it is not a language tag (a page's `lang` can be
/// anything, and refusing the message for it would lose what the visitor
/// wrote; free text there is never stored).
pub fn stored_locale(locale: &str) -> &str {
    if locale.len() <= 35 && super::ingest::is_language_tag(locale) {
        locale
    } else {
        ""
    }
}

/// Checks the visitor's request; the message text is checked by `check_text`.
pub fn check_start(request: &StartConversation, now_ms: i64) -> Result<(), ApiError> {
    check_short("site", &request.site, true)?;
    if let Some(team) = &request.team {
        check_short("team", team, true)?;
    }
    check_short("name", &request.name, false)?;
    if !super::ingest::is_visitor_id(&request.visitor_id) {
        return Err(ApiError::InvalidRequest(
            "visitor_id must be at most 64 URL-safe characters".into(),
        ));
    }
    check_short("locale", &request.locale, false)?;
    if let Some(user) = &request.user {
        check_short("user.id", &user.id, true)?;
        check_short("user.hmac", &user.hmac, true)?;
    }
    check_text("message.text", &request.message.text)?;
    check_message_extras(&request.message)?;
    check_reply(&request.reply, now_ms)
}

/// What a phone number may be written with between its digits: `phone_key`
/// drops them, and so does the SQL that reads a stored number's key
/// (`phone_key_sql`).
pub const PHONE_SEPARATORS: [char; 6] = [' ', '-', '(', ')', '.', '/'];

/// How an extension is stored after a number (`stored_phone`), where the
/// SQL of `phone_key_sql` cuts it off.
const STORED_EXTENSION: &str = " ext. ";

/// Words that put an extension after a phone number, lower case, in the
/// widget's seven languages (longest first: "ext" ends "text" too, so a
/// word must stand alone).
const EXTENSION_WORDS: [&str; 11] = [
    "extension",
    "durchwahl",
    "toestel",
    "interno",
    "poste",
    "ramal",
    "ext.",
    "ext",
    "dw",
    "x",
    "#",
];

/// A number typed with its extension ("+49 30 1234567 ext. 12", "… x12",
/// "… Durchwahl: 12", "…#12"): the number and the extension's digits,
/// or the whole text and nothing.
fn split_extension(text: &str) -> (&str, &str) {
    let trimmed = text.trim_end();
    let before = trimmed.trim_end_matches(|c: char| c.is_ascii_digit());
    let extension = trimmed.get(before.len()..).unwrap_or_default();
    let before = before.trim_end_matches([' ', ':']);
    if extension.is_empty() || extension.len() > 6 {
        return (text, "");
    }
    let lower = before.to_ascii_lowercase();
    for word in EXTENSION_WORDS {
        let Some(number) = lower.strip_suffix(word) else {
            continue;
        };
        // A word of letters stands alone: "x" after a digit or a space,
        // never the end of another word.
        let alone = !word.starts_with(|c: char| c.is_ascii_alphabetic())
            || !number.ends_with(|c: char| c.is_ascii_alphabetic());
        let number = before[..number.len()].trim_end();
        let ends_number = |c: char| c.is_ascii_digit() || c == '+' || PHONE_SEPARATORS.contains(&c);
        if alone && number.ends_with(ends_number) {
            return (number, extension);
        }
    }
    (text, "")
}

/// A visitor's phone number as it is stored: folded to ASCII digits and
/// spaces (`pii::folded`), an extension written one way (" ext. 12"), so
/// staff read it alike and `phone_key_sql` finds the number.
pub fn stored_phone(typed: &str) -> String {
    let folded = pii::folded(typed);
    match split_extension(&folded) {
        (number, "") => number.trim().to_owned(),
        (number, extension) => [number.trim(), STORED_EXTENSION, extension].concat(),
    }
}

/// An intake channel's reply address as it is stored: a phone number as
/// `stored_phone` writes one (so erasure finds it as it finds the widget's),
/// anything else (an e-mail address, a handle) as it came.
pub fn stored_address(address: &str) -> String {
    if phone_key(address).is_empty() {
        address.to_owned()
    } else {
        stored_phone(address)
    }
}

/// SQL for `column`'s phone key, as `phone_key` reads a number: the stored
/// number without a trunk `(0)` and `PHONE_SEPARATORS`, a leading `00` read
/// as `+`, its extension (stored as `STORED_EXTENSION`) kept after an `x`;
/// to compare with `phone_key` of what an operator typed.
pub fn phone_key_sql(column: &str) -> String {
    let digits = PHONE_SEPARATORS.iter().fold(
        format!("replace(replace({column}, '{STORED_EXTENSION}', 'x'), '(0)', '')"),
        |sql, separator| format!("replace({sql}, '{separator}', '')"),
    );
    format!(
        "CASE WHEN substr({digits}, 1, 2) = '00' THEN '+' || substr({digits}, 3) ELSE {digits} END"
    )
}

/// A phone number as its digits, after a leading `+` if it has one, so a
/// number given as "+49 (151) 1234-5678" is found by "+4915112345678" (an
/// operator answering an erasure request), as are "0049 151 12345678" (the
/// `00` that dials abroad is the `+`), "+49 (0)151 12345678" (the trunk
/// zero some write after the country code) and full-width digits; an
/// extension stays part of the key ("+49301234567x12"): a switchboard's
/// number alone is everyone's behind it, and erasing by it must not reach
/// a colleague's conversations. Empty for anything that is not a phone
/// number (an e-mail address, a visitor id), or not 6 to 20 digits as
/// written. A number written without its country code ("0151 12345678")
/// is a different key: which country it belongs to is not written anywhere.
pub fn phone_key(text: &str) -> String {
    let folded = pii::folded(text);
    let (number, extension) = split_extension(&folded);
    // A `+` only leads (after spaces, which the SQL side strips): inside a
    // number it would be kept there and never match.
    let body = number.trim_start_matches(' ');
    let international = body.strip_prefix('+');
    let phone_like = international
        .unwrap_or(body)
        .chars()
        .all(|c| c.is_ascii_digit() || PHONE_SEPARATORS.contains(&c));
    // Counted as written, as openapi's pattern counts them; the trunk zero
    // leaves the key only.
    let written = number.chars().filter(char::is_ascii_digit).count();
    if !phone_like || !(6..=20).contains(&written) {
        return String::new();
    }
    let digits: String = number
        .replace("(0)", "")
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let key = match (international, digits.strip_prefix("00")) {
        (Some(_), _) => ["+", &digits].concat(),
        (None, Some(abroad)) => ["+", abroad].concat(),
        (None, None) => digits,
    };
    if extension.is_empty() {
        key
    } else {
        [key.as_str(), "x", extension].concat()
    }
}

/// A message's text, named `field` in errors: not blank, not too long.
pub fn check_text(field: &str, text: &str) -> Result<(), ApiError> {
    if super::text::is_blank(text) {
        return Err(ApiError::InvalidRequest(format!(
            "{field} must not be empty"
        )));
    }
    if pii::typed_length(text) > MAX_MESSAGE_CHARS {
        return Err(ApiError::InvalidRequest(format!(
            "{field} is longer than 4000 characters"
        )));
    }
    Ok(())
}

/// The optional parts of a message: labels and the client's id.
pub fn check_message_extras(message: &NewMessage) -> Result<(), ApiError> {
    if let Some(id) = &message.client_id {
        if !super::ids::is_valid_client_id(id) {
            return Err(invalid(
                "message.client_id must be 16 to 64 characters of A-Z, a-z, 0-9, - and _",
            ));
        }
    }
    if let Some(labels) = &message.labels {
        check_labels(labels)?;
    }
    Ok(())
}

/// Labels: short strings and a confidence in [0, 1].
/// A message sent again with a `client_id` already stored in its
/// conversation is the same message retried: the stored one is answered.
/// The same id with another author or text is a client reusing ids, and
/// answering the old message would drop the new one without a word: 409.
pub fn check_retry(stored: (Author, &str), sent: (Author, &str)) -> Result<(), ApiError> {
    if stored == sent {
        Ok(())
    } else {
        Err(ApiError::Conflict(
            "client_id was already used for a different message in this conversation".into(),
        ))
    }
}

pub fn check_labels(labels: &Labels) -> Result<(), ApiError> {
    check_short("labels.topic", &labels.topic, true)?;
    check_short("labels.sentiment", &labels.sentiment, false)?;
    check_short("labels.kind", &labels.kind, false)?;
    if let Some(c) = labels.confidence {
        if !(0.0..=1.0).contains(&c) {
            return Err(invalid("labels.confidence must be between 0 and 1"));
        }
    }
    Ok(())
}

/// The reply channel: a plausible address, number and window.
pub fn check_reply(reply: &ReplyPreference, now_ms: i64) -> Result<(), ApiError> {
    match reply {
        ReplyPreference::Here => Ok(()),
        ReplyPreference::Email { email } => {
            if is_plausible_email(email) {
                Ok(())
            } else {
                Err(invalid("reply.email is not an e-mail address"))
            }
        }
        ReplyPreference::Phone { phone, from, to } => {
            if phone_key(phone).is_empty() {
                return Err(invalid("reply.phone is not a phone number"));
            }
            if from >= to {
                return Err(invalid("reply.from must be before reply.to"));
            }
            // Within the next 30 days, end too: a window to "next year"
            // is no window (the widget's inputs stop there as well).
            if *to < now_ms || *to > now_ms + MAX_CALLBACK_AHEAD_MS {
                return Err(invalid(
                    "the callback window must end in the future, within 30 days",
                ));
            }
            Ok(())
        }
    }
}

/// The least of a callback window that must fall in the team's hours (and
/// after now): less is a call nobody could promise.
pub const MIN_CALLBACK_OPEN_MS: i64 = 15 * 60_000;

/// A callback window against the hours of the team it goes to, in the
/// site's zone: at least `MIN_CALLBACK_OPEN_MS` of it, from now (or `from`,
/// if later) to `to`, must be open — a call promised on a Sunday night or in
/// a holiday closure is not kept. A team without weekly hours has not said
/// when it works, and hours that no longer read (a zone the runtime
/// dropped) cannot say: neither refuses a window.
pub fn check_callback_hours<Z: Zone>(
    hours: &OfficeHours,
    zone: Z,
    from: i64,
    to: i64,
) -> Result<(), ApiError> {
    if hours.weekly.is_empty() {
        return Ok(());
    }
    let Ok(schedule) = hours.schedule_in(zone) else {
        return Ok(());
    };
    if schedule.open_ms_within(from, to, MIN_CALLBACK_OPEN_MS) >= MIN_CALLBACK_OPEN_MS {
        Ok(())
    } else {
        Err(invalid(
            "the callback window must include at least 15 minutes, from now on, when the team is open (its hours and closures are in GET /v1/availability)",
        ))
    }
}

/// A reply input of the widget's that the worker can refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyInput {
    Email,
    Phone,
    /// The call-back window (both of its times).
    Window,
}

/// The input a refusal (422) of a first message is about, from the
/// worker's reason (`check_reply`: "invalid request: reply.phone is not …"),
/// so the widget can mark it and put the visitor there: the address or the
/// number it names; for a call back, its window when the reason is about
/// the window (the order of its times, the 30 days,
/// `check_callback_hours`), and nothing for any other refusal (a name, an
/// identity). Prefixes only: `contains` links a substring searcher into
/// the widget.
pub fn refused_input(reason: &str, callback: bool) -> Option<ReplyInput> {
    let reason = reason.strip_prefix("invalid request: ").unwrap_or(reason);
    if reason.starts_with("reply.phone") {
        Some(ReplyInput::Phone)
    } else if reason.starts_with("reply.email") {
        Some(ReplyInput::Email)
    } else {
        let window = reason.starts_with("reply.") || reason.starts_with("the callback window");
        (callback && window).then_some(ReplyInput::Window)
    }
}

/// A simple, permissive address check: one `@`, a dotted domain, no spaces,
/// and nothing unseen — control characters, or any `text::draws_nothing`
/// names (zero-width, soft hyphen, direction, fillers), which make an address
/// read as another in the console ("jo@\u{202e}moc.live\u{202c}.example.com"
/// shows as jo@evil.com…).
pub fn is_plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.chars().count() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.contains(char::is_whitespace)
        && !email.contains(|c: char| c.is_control() || super::text::draws_nothing(c))
        && !domain.contains('@')
}

/// A required (or optional) short text field.
pub fn check_short(field: &str, value: &str, required: bool) -> Result<(), ApiError> {
    if required && value.trim().is_empty() {
        let mut message = String::from(field);
        message.push_str(" is required");
        return Err(ApiError::InvalidRequest(message));
    }
    if value.chars().count() > MAX_SHORT_CHARS
        || value.contains(|c: char| c.is_control() || is_direction_override(c))
    {
        let mut message = String::from(field);
        message.push_str(
            " must be at most 120 characters, without control or direction-override characters",
        );
        return Err(ApiError::InvalidRequest(message));
    }
    Ok(())
}

/// Embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): in a
/// name or team they reorder what is shown after them, so "Ana" can read as
/// someone else; right-to-left names need none of them.
pub fn is_direction_override(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn invalid(message: &str) -> ApiError {
    ApiError::InvalidRequest(message.into())
}

/// A message as the edge stores it, after its own redaction and classification.
#[derive(Debug, Clone, PartialEq)]
pub struct Screened {
    /// The text to store: the browser's text with anything it missed redacted.
    pub text: String,
    /// Kinds of personal data the browser missed (empty when it caught all).
    pub missed: Vec<&'static str>,
    /// What the edge's classifier says.
    pub edge: Classification,
    /// What the browser said, kept beside the edge's labels.
    pub browser: Option<Labels>,
    /// Whether the browser and the edge agree on the topic.
    pub labels_agree: bool,
}

/// Redacts and classifies again what the browser sent.
pub fn screen(text: &str, browser: Option<&Labels>, classifier: &Classifier) -> Screened {
    let redaction = pii::redact(text);
    let mut missed: Vec<&'static str> = Vec::new();
    for finding in &redaction.findings {
        let kind = finding.kind.as_str();
        if !missed.contains(&kind) {
            missed.push(kind);
        }
    }
    let edge = classifier.classify(&redaction.redacted);
    let labels_agree = browser.is_none_or(|labels| labels.topic == edge.topic);
    Screened {
        text: redaction.redacted,
        missed,
        edge,
        browser: browser.cloned(),
        labels_agree,
    }
}

/// A stored message's text as it may leave Touchpoint: exports and
/// destinations (analytics, CRM, help desks). A visitor's text was redacted
/// before it was stored; staff text is stored as written, because the
/// visitor must read the reply as it was written, so it is redacted here.
/// A reply on its way to the visitor it answers (a team's `reply.outbound`
/// and `reply.unseen`) is not leaving but arriving, and keeps its words.
pub fn shared_text(author: Author, text: &str) -> String {
    match author {
        Author::Staff => pii::redact(text).redacted,
        Author::Visitor | Author::System => text.to_owned(),
    }
}

/// One routing rule of a site: messages about `topic` go to `team`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingRule {
    pub topic: String,
    pub team: String,
}

/// The team a new conversation goes to: the visitor's own choice when it is a
/// team they could see, else the site's rule for the topic, else the default.
pub fn route_to_team(
    topic: &str,
    visitor_choice: Option<&str>,
    rules: &[RoutingRule],
    visible_teams: &[String],
    default_team: &str,
) -> String {
    if let Some(choice) = visitor_choice {
        if visible_teams.iter().any(|team| team == choice) {
            return choice.to_owned();
        }
    }
    rules
        .iter()
        .find(|rule| rule.topic == topic && visible_teams.contains(&rule.team))
        .map(|rule| rule.team.clone())
        .unwrap_or_else(|| default_team.to_owned())
}

/// When the visitor picked another team than the one the classifier's topic
/// routes to, the topic their choice stands for (the first rule to that team):
/// kept as a label correction for training. `None` when the choice agrees or
/// no rule names that team.
pub fn visitor_correction<'a>(
    topic: &str,
    choice: &str,
    rules: &'a [RoutingRule],
    visible_teams: &[String],
    default_team: &str,
) -> Option<&'a str> {
    if route_to_team(topic, None, rules, visible_teams, default_team) == choice {
        return None;
    }
    rules
        .iter()
        .find(|rule| rule.team == choice)
        .map(|rule| rule.topic.as_str())
}

/// Secrets handed out by the API: visitor tokens, staff tokens, intake keys.
/// Only their SHA-256 is stored, so a copy of the database grants nothing.
pub mod secret {
    use sha2::{Digest, Sha256};

    /// A new secret: `prefix` and 128 random bits in hex.
    pub fn new(prefix: &str, random: [u8; 16]) -> String {
        let mut out = String::from(prefix);
        out.push_str(&super::super::ids::event_id(random));
        out
    }

    /// The stored form of a secret.
    pub fn hash(secret: &str) -> String {
        Sha256::digest(secret.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

#[cfg(test)]
mod phone_properties;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_text_is_redacted_when_it_leaves_and_visitor_text_is_left_as_stored() {
        let reply =
            "We refunded card 4111 1111 1111 1111; call 0170 1234567 or write jo.smith@example.com";
        let shared = shared_text(Author::Staff, reply);
        assert_eq!(
            shared,
            "We refunded card [card]; call [phone] or write [email]"
        );
        // Redacting what is already redacted changes nothing.
        assert_eq!(shared_text(Author::Staff, &shared), shared);
        assert_eq!(shared_text(Author::Staff, "Thanks, Jo!"), "Thanks, Jo!");
        // A visitor's stored text passed the edge's redactor already.
        for author in [Author::Visitor, Author::System] {
            assert_eq!(shared_text(author, "ticket 12345"), "ticket 12345");
        }
    }

    #[test]
    fn each_notice_has_its_own_code() {
        let codes = [
            Notice::StaffJoined,
            Notice::Assigned,
            Notice::Unassigned,
            Notice::MovedTeam,
            Notice::Closed,
            Notice::Reopened,
        ]
        .map(Notice::code);
        assert_eq!(
            codes,
            [
                "staff_joined",
                "assigned",
                "unassigned",
                "moved_team",
                "closed",
                "reopened"
            ]
        );
    }

    #[test]
    fn a_refusal_names_the_reply_input_to_mark() {
        let reason = |reply: &ReplyPreference| match check_reply(reply, 1_000) {
            Err(error) => error.to_string(),
            Ok(()) => String::new(),
        };
        let phone = |phone: &str, from: i64, to: i64| ReplyPreference::Phone {
            phone: phone.into(),
            from,
            to,
        };
        let cases = [
            (
                reason(&phone("12", 2_000, 3_000)),
                true,
                Some(ReplyInput::Phone),
            ),
            (
                reason(&phone("+49 30 1234567", 3_000, 2_000)),
                true,
                Some(ReplyInput::Window),
            ),
            (
                reason(&phone("+49 30 1234567", 0, 500)),
                true,
                Some(ReplyInput::Window),
            ),
            (
                reason(&ReplyPreference::Email { email: "jo".into() }),
                false,
                Some(ReplyInput::Email),
            ),
        ];
        for (reason, callback, input) in cases {
            assert!(reason.starts_with("invalid request: "), "{reason}");
            assert_eq!(refused_input(&reason, callback), input, "{reason}");
        }
        let hours =
            ApiError::InvalidRequest("the callback window must include at least 15 minutes".into());
        assert_eq!(
            refused_input(&hours.to_string(), true),
            Some(ReplyInput::Window)
        );
        // A refusal of the text says nothing about an input of the reply.
        let text = check_text("text", "")
            .map_err(|e| e.to_string())
            .err()
            .unwrap_or_default();
        assert_eq!(refused_input(&text, false), None, "{text}");
        // Nor does another field's, with a call back asked for.
        let name = check_short("name", &"x".repeat(500), false)
            .map_err(|e| e.to_string())
            .err()
            .unwrap_or_default();
        assert_eq!(refused_input(&name, true), None, "{name}");
    }

    #[test]
    fn a_callback_needs_fifteen_minutes_of_the_teams_hours() {
        use crate::domain::hours::Interval;
        use crate::domain::zone::{TimeZones, Tzdb};
        let weekday = |day: &str| Interval {
            day: day.into(),
            open: "09:00".into(),
            close: "17:00".into(),
        };
        let hours = OfficeHours {
            time_zone: "Europe/Berlin".into(),
            weekly: ["mon", "tue", "wed", "thu", "fri"].map(weekday).to_vec(),
            closures: vec![],
        };
        let ms =
            |at: &str| chrono::DateTime::parse_from_rfc3339(at).map_or(0, |t| t.timestamp_millis());
        let check = |hours: &OfficeHours, from: &str, to: &str| {
            let zone = Tzdb.zone(&hours.time_zone);
            zone.map(|zone| check_callback_hours(hours, zone, ms(from), ms(to)).is_ok())
        };
        // Wednesday 16:30–17:30 Berlin (CET) holds 30 minutes of hours.
        assert_eq!(
            check(&hours, "2026-01-14T15:30:00Z", "2026-01-14T16:30:00Z"),
            Some(true)
        );
        // 16:50–18:00 holds 10: refused; so is a Saturday.
        assert_eq!(
            check(&hours, "2026-01-14T15:50:00Z", "2026-01-14T17:00:00Z"),
            Some(false)
        );
        assert_eq!(
            check(&hours, "2026-01-17T09:00:00Z", "2026-01-17T12:00:00Z"),
            Some(false)
        );
        // A team that gave no weekly hours takes any window.
        let unstated = OfficeHours {
            weekly: vec![],
            ..hours
        };
        assert_eq!(
            check(&unstated, "2026-01-17T09:00:00Z", "2026-01-17T12:00:00Z"),
            Some(true)
        );
    }

    #[test]
    fn a_stored_name_keeps_the_name_and_loses_an_address_or_number() {
        assert_eq!(stored_name("Jo Doe"), "Jo Doe");
        assert_eq!(stored_name("Jo Doe jo.doe@example.com"), "Jo Doe [email]");
        assert_eq!(stored_name("Jo (Tel. 0170 1234567)"), "Jo (Tel. [phone])");
    }

    #[test]
    fn phone_keys_are_the_digits_and_a_leading_plus() {
        for (typed, key) in [
            ("+49 (151) 1234-5678", "+4915112345678"),
            ("+4915112345678", "+4915112345678"),
            (" 030/123 456.78 ", "03012345678"),
            (" +49 151 12345678", "+4915112345678"),
            ("0049+151 12345678", ""),
            ("0049 151 12345678", "+4915112345678"),
            ("+49 (0)151 12345678", "+4915112345678"),
            ("+49 (0) 151/12345678", "+4915112345678"),
            ("0151 12345678", "015112345678"),
            // Full-width digits, and an extension in any of its spellings.
            ("＋４９ １５１ １２３４５６７８", "+4915112345678"),
            // An extension is part of the key: the number alone is a
            // switchboard, everyone's behind it.
            ("+49 151 12345678 ext. 12", "+4915112345678x12"),
            ("+49 151 12345678 x12", "+4915112345678x12"),
            ("+49 151 12345678#12", "+4915112345678x12"),
            ("+49 (151) 12345678 Durchwahl: 123", "+4915112345678x123"),
            ("+49 151 12345678 poste 4", "+4915112345678x4"),
            ("+49 151 12345678. x12", "+4915112345678x12"),
            ("+49 151 12345678 text 12", ""),
            ("+49 151 12345678 ext. 1234567", ""),
            // Never a panic on letters of other scripts (an outside review).
            ("é", ""),
            ("030 1234567 📞", ""),
            ("José", ""),
            ("030 1234567 é12", ""),
            // Six digits as written, the trunk zero counted.
            ("(0)12345", "12345"),
            ("++49 151 12345678", ""),
            // Only what the stored number's SQL comparison strips; a
            // no-break space folds to a space (stored numbers are folded).
            ("\t+49 151 12345678\n", ""),
            ("\u{a0}+49 151 12345678", "+4915112345678"),
            ("jo@example.com", ""),
            ("v-2f1c9a", ""),
            ("12345", ""),
            ("+1 234 567 890 123 456 789 012", ""),
        ] {
            assert_eq!(phone_key(typed), key, "{typed}");
        }
    }

    #[test]
    fn stored_numbers_are_folded_with_one_spelling_of_an_extension() {
        assert_eq!(stored_phone(" +49 151 12345678 "), "+49 151 12345678");
        assert_eq!(
            stored_phone("＋４９ １５１ １２３４５６７８"),
            "+49 151 12345678"
        );
        assert_eq!(
            stored_phone("+49 151 12345678 X 12"),
            "+49 151 12345678 ext. 12"
        );
        assert_eq!(
            stored_phone("+49 151 12345678 Durchwahl: 12"),
            "+49 151 12345678 ext. 12"
        );
        assert_eq!(
            phone_key(&stored_phone("0049 151 12345678 ext 7")),
            "+4915112345678x7"
        );
        // An intake address is a number only when it reads as one.
        assert_eq!(
            stored_address("＋４９ ３０ １２３４５６７ x 3"),
            "+49 30 1234567 ext. 3"
        );
        assert_eq!(stored_address("jo@example.com"), "jo@example.com");
        assert_eq!(stored_address("@jo_doe"), "@jo_doe");
    }

    #[test]
    fn the_stored_numbers_key_in_sql_keeps_its_extension_and_loses_every_separator() {
        let digits = "replace(replace(replace(replace(replace(replace(replace(replace(reply_phone, ' ext. ', 'x'), '(0)', ''), \
                      ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '/', '')";
        assert_eq!(
            phone_key_sql("reply_phone"),
            format!(
                "CASE WHEN substr({digits}, 1, 2) = '00' THEN '+' || substr({digits}, 3) ELSE {digits} END"
            )
        );
    }

    fn request(json: &str) -> StartConversation {
        match super::super::api::parse_body(json) {
            Ok(r) => r,
            Err(e) => unreachable!("{e}"),
        }
    }

    #[test]
    fn short_fields_refuse_control_and_direction_override_characters() {
        assert!(check_short("name", "Ana", true).is_ok());
        assert!(check_short("name", "\u{645}\u{631}\u{64a}\u{645}", true).is_ok());
        assert!(check_short("name", "Ana\u{200f}", true).is_ok());
        for bad in [
            "Ana\u{202e}nimda",
            "\u{2067}Ana",
            "A\u{202a}na",
            "Ana\u{2069}",
            "A\nna",
        ] {
            assert!(
                matches!(
                    check_short("name", bad, true),
                    Err(ApiError::InvalidRequest(_))
                ),
                "{bad:?}"
            );
        }
        assert!(check_short("name", "", false).is_ok());
        assert!(check_short("name", " ", true).is_err());
        assert!(check_short("name", &"a".repeat(121), true).is_err());
    }

    #[test]
    fn a_language_is_kept_only_when_it_is_a_tag() {
        for tag in ["", "de", "pt-BR", "es-419", "de_DE", "zh-Hant-TW"] {
            assert_eq!(stored_locale(tag), tag);
        }
        for text in [
            "call 0170 1234567",
            "<b>x</b>",
            "en-US.UTF-8",
            "4111-1111-1111-1111",
            "english (US)",
            &"a".repeat(36),
        ] {
            assert_eq!(stored_locale(text), "", "{text}");
        }
    }

    #[test]
    fn start_requests_are_checked_field_by_field() {
        let now = 1_800_000_000_000;
        let ok = request(r#"{"site":"demo","message":{"text":"Where is my refund?"}}"#);
        assert_eq!(ok.reply, ReplyPreference::Here);
        assert!(check_start(&ok, now).is_ok());
        let blank = request(r#"{"site":"demo","message":{"text":"   "}}"#);
        assert!(check_start(&blank, now).is_err());
        let long = StartConversation {
            message: NewMessage {
                text: "x".repeat(4001),
                labels: None,
                client_id: None,
            },
            ..ok.clone()
        };
        assert!(check_start(&long, now).is_err());
        let email = request(
            r#"{"site":"demo","message":{"text":"hi"},"reply":{"channel":"email","email":"ana@example.com"}}"#,
        );
        assert!(check_start(&email, now).is_ok());
        let bad_email = request(
            r#"{"site":"demo","message":{"text":"hi"},"reply":{"channel":"email","email":"ana at example"}}"#,
        );
        assert!(check_start(&bad_email, now).is_err());
        // A visitor id is the recorder's label or nothing, never free text.
        for (visitor_id, fine) in [
            ("", true),
            ("a1b2c3d4-0000-4000-8000-00000000abcd", true),
            ("jo.smith@example.com", false),
            ("a b", false),
            (&"x".repeat(65), false),
        ] {
            let started = StartConversation {
                visitor_id: visitor_id.into(),
                ..ok.clone()
            };
            assert_eq!(check_start(&started, now).is_ok(), fine, "{visitor_id}");
        }
        let phone = |from: i64, to: i64| ReplyPreference::Phone {
            phone: "+49 30 1234567".into(),
            from,
            to,
        };
        assert!(check_reply(&phone(now + 3_600_000, now + 7_200_000), now).is_ok());
        assert!(check_reply(&phone(now + 7_200_000, now + 3_600_000), now).is_err());
        assert!(check_reply(&phone(now - 7_200_000, now - 3_600_000), now).is_err());
        // From tomorrow to a year on (a verifier's): the end is 30 days off at most.
        let day = 86_400_000;
        assert!(check_reply(&phone(now + day, now + 400 * day), now).is_err());
        assert!(check_reply(&phone(now + day, now + 30 * day), now).is_ok());
        let unknown_field = super::super::api::parse_body::<StartConversation>(
            r#"{"site":"demo","message":{"text":"hi"},"bot":true}"#,
        );
        assert!(matches!(unknown_field, Err(ApiError::InvalidRequest(_))));
        let broken = super::super::api::parse_body::<StartConversation>(r#"{"site":"#);
        assert!(matches!(broken, Err(ApiError::MalformedJson(_))));
    }

    #[test]
    fn the_edge_redacts_what_the_browser_missed_and_keeps_both_labels() {
        let classifier = match Classifier::builtin() {
            Ok(c) => c,
            Err(e) => unreachable!("{e}"),
        };
        let browser = Labels {
            topic: "delivery".into(),
            sentiment: "neutral".into(),
            kind: "question".into(),
            confidence: Some(0.4),
        };
        let screened = screen(
            "I was charged twice on card 4111 1111 1111 1111, please refund me",
            Some(&browser),
            &classifier,
        );
        assert!(!screened.text.contains("4111"));
        assert!(screened.text.contains("[card]"));
        assert_eq!(screened.missed, vec!["card"]);
        assert_eq!(screened.browser, Some(browser));
        assert_ne!(screened.edge.topic, "delivery");
        assert!(!screened.labels_agree);
        let clean = screen("Hello, is the shop open on Sunday?", None, &classifier);
        assert!(clean.missed.is_empty());
        assert!(clean.labels_agree);
    }

    #[test]
    fn routing_prefers_the_visitors_choice_then_rules_then_the_default() {
        let teams: Vec<String> = ["support", "billing", "sales"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let rules = vec![
            RoutingRule {
                topic: "refund".into(),
                team: "billing".into(),
            },
            RoutingRule {
                topic: "sales".into(),
                team: "hr".into(), // not a visible team: ignored
            },
        ];
        assert_eq!(
            route_to_team("refund", None, &rules, &teams, "support"),
            "billing"
        );
        assert_eq!(
            route_to_team("order", None, &rules, &teams, "support"),
            "support"
        );
        assert_eq!(
            route_to_team("sales", None, &rules, &teams, "support"),
            "support"
        );
        assert_eq!(
            route_to_team("refund", Some("sales"), &rules, &teams, "support"),
            "sales"
        );
        assert_eq!(
            route_to_team("refund", Some("secret-team"), &rules, &teams, "support"),
            "billing"
        );
    }

    #[test]
    fn a_visitors_other_team_is_a_topic_correction() {
        let teams: Vec<String> = ["support", "billing"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let rules = vec![RoutingRule {
            topic: "billing".into(),
            team: "billing".into(),
        }];
        assert_eq!(
            visitor_correction("delivery", "billing", &rules, &teams, "support"),
            Some("billing")
        );
        assert_eq!(
            visitor_correction("billing", "billing", &rules, &teams, "support"),
            None
        );
        assert_eq!(
            visitor_correction("billing", "support", &rules, &teams, "support"),
            None
        );
    }

    #[test]
    fn status_moves_and_polling_follows_it() {
        assert_eq!(Status::Closed.after_visitor_message(), Status::Waiting);
        assert_eq!(Status::Waiting.after_staff_reply(), Status::Open);
        assert_eq!(Status::reopened(false), Status::Waiting);
        assert_eq!(Status::reopened(true), Status::Open);
        assert!(poll_interval_ms(Status::Waiting, true) <= 1_000);
        assert!(poll_interval_ms(Status::Waiting, false) > 1_000);
        assert_eq!(Status::parse("open"), Some(Status::Open));
        assert_eq!(Status::parse("spam"), None);
    }

    #[test]
    fn secrets_are_prefixed_random_hex_and_stored_hashed() {
        let token = secret::new("tpv_", [7; 16]);
        assert_eq!(token.len(), 4 + 32);
        let hashed = secret::hash(&token);
        assert_eq!(hashed.len(), 64);
        assert_ne!(hashed, secret::hash(&secret::new("tpv_", [8; 16])));
        assert!(is_plausible_email("a.b+c@example.co.uk"));
        assert!(!is_plausible_email("a@b"));
        for unseen in [
            "a\u{202e}b@example.com",
            "jo@exam\u{200b}ple.com",
            "jo@exa\u{ad}mple.com",
            "jo\u{2066}x\u{2069}@example.com",
            "jo@\u{202e}moc.live\u{202c}.example.com",
            "\u{feff}jo@example.com",
            "jo@example.com\u{7f}",
        ] {
            assert!(!is_plausible_email(unseen), "{unseen:?}");
        }
        // Addresses in other scripts are addresses.
        assert!(is_plausible_email("josé@bücher.example"));
        assert!(is_plausible_email("用户@例子.广告"));
    }

    #[test]
    fn a_client_id_sent_again_must_be_the_same_message() {
        let stored = (Author::Staff, "Yes, from 100 pieces.");
        assert!(check_retry(stored, (Author::Staff, "Yes, from 100 pieces.")).is_ok());
        for sent in [
            (Author::Staff, "No, from 500."),
            (Author::Visitor, "Yes, from 100 pieces."),
        ] {
            assert!(matches!(
                check_retry(stored, sent),
                Err(ApiError::Conflict(_))
            ));
        }
    }

    #[test]
    fn a_first_message_sent_again_must_ask_for_the_answer_the_same_way() {
        let phone = |phone: &str, to| ReplyPreference::Phone {
            phone: phone.into(),
            from: 1,
            to,
        };
        let email = |email: &str| ReplyPreference::Email {
            email: email.into(),
        };
        let same = [
            (ReplyPreference::Here, ReplyPreference::Here),
            (email("jo@example.com"), email("jo@example.com")),
            (phone("+49 30 1234567", 9), phone("+49 (30) 123-4567", 9)),
            (
                phone("+49 30 1234567 ext. 12", 9),
                phone("+49301234567x12", 9),
            ),
        ];
        for (stored, sent) in &same {
            assert!(
                check_retry_reply(&stored.stored(), &sent.stored()).is_ok(),
                "{sent:?}"
            );
        }
        let other = [
            (ReplyPreference::Here, email("jo@example.com")),
            (email("jo@example.com"), email("ann@example.com")),
            (phone("+49 30 1234567", 9), phone("+49 30 1234568", 9)),
            (phone("+49 30 1234567", 9), phone("+49 30 1234567", 10)),
            (phone("+49 30 1234567", 9), ReplyPreference::Here),
        ];
        for (stored, sent) in &other {
            assert!(
                matches!(
                    check_retry_reply(&stored.stored(), &sent.stored()),
                    Err(ApiError::Conflict(_))
                ),
                "{sent:?}"
            );
        }
    }
}
