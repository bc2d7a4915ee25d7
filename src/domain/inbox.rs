//! The staff inbox's decisions: which conversations a status, assignee or
//! search filter shows, how long a visitor has waited against the team's
//! target, and which team a conversation falls back to.

use super::api::ApiError;
use super::conversation::Status;

/// The statuses a `status` query shows; none (or `active`) means the ones
/// that still need someone.
pub fn statuses(filter: Option<&str>) -> Result<&'static [Status], ApiError> {
    match filter {
        None | Some("") | Some("active") => Ok(&[Status::Waiting, Status::Open]),
        Some("waiting") => Ok(&[Status::Waiting]),
        Some("open") => Ok(&[Status::Open]),
        Some("closed") => Ok(&[Status::Closed]),
        Some("all") => Ok(&[Status::Waiting, Status::Open, Status::Closed]),
        Some(_) => Err(ApiError::InvalidRequest(
            "status must be waiting, open, closed, active or all".into(),
        )),
    }
}

/// Whose conversations an `assignee` query shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignee {
    /// Anyone's, and nobody's (none, or empty).
    Anyone,
    /// The caller's own (`me`).
    Me,
    /// Those nobody has taken yet (`unassigned`).
    Nobody,
}

impl Assignee {
    /// The `assignee` query: empty or left out, `me` or `unassigned`.
    pub fn parse(filter: Option<&str>) -> Result<Self, ApiError> {
        match filter {
            None | Some("") => Ok(Self::Anyone),
            Some("me") => Ok(Self::Me),
            Some("unassigned") => Ok(Self::Nobody),
            Some(_) => Err(ApiError::InvalidRequest(
                "assignee must be me, unassigned or empty".into(),
            )),
        }
    }

    /// The assignee id a conversation must have, `None` for any: the
    /// caller's, or the empty id of nobody.
    pub fn required_id(self, me: &str) -> Option<&str> {
        match self {
            Self::Anyone => None,
            Self::Me => Some(me),
            Self::Nobody => Some(""),
        }
    }
}

/// The longest search an inbox takes, in characters.
pub const SEARCH_MAX_CHARS: usize = 100;

/// The `q` query: trimmed; empty searches nothing. Longer than
/// [`SEARCH_MAX_CHARS`]: 400.
pub fn search(text: Option<&str>) -> Result<String, ApiError> {
    let text = text.unwrap_or_default().trim();
    if text.chars().count() > SEARCH_MAX_CHARS {
        return Err(ApiError::InvalidRequest(
            "q must be at most 100 characters".into(),
        ));
    }
    Ok(text.to_owned())
}

/// The forms of a search the store is looked through for, each as
/// SQLite's `lower()` leaves a text (A–Z folded, nothing else): in lower
/// case, in upper case and with each word capitalised. SQLite cannot fold
/// "É", so "élodie" must also be looked for as "Élodie" and "ÉLODIE" (the
/// store folds that to "Élodie" too) to find a name however it was typed;
/// a mix within a word ("ÉloDIE" for "élodie") is not found. Empty for no
/// search; no form twice.
pub fn search_forms(search: &str) -> Vec<String> {
    if search.is_empty() {
        return Vec::new();
    }
    let capitalised = search
        .split_inclusive(|c: char| !c.is_alphanumeric())
        .flat_map(|word| {
            let mut letters = word.chars();
            letters
                .next()
                .into_iter()
                .flat_map(char::to_uppercase)
                .chain(letters.flat_map(char::to_lowercase))
        })
        .collect::<String>();
    let mut forms: Vec<String> = Vec::with_capacity(3);
    for form in [search.to_lowercase(), search.to_uppercase(), capitalised] {
        let form = form.to_ascii_lowercase();
        if !forms.contains(&form) {
            forms.push(form);
        }
    }
    forms
}

/// Letters that names and addresses are searched without: each with the
/// letters it is found as — those of the widget's seven languages and the
/// Nordic ones, in both cases, since SQLite's `lower()` folds only A–Z.
/// Kept to what one SQL expression can hold: D1 refuses an expression
/// nested deeper than 100, and each letter is one `replace` (so ł, š, ğ and
/// the like are found only as typed).
const FOLDS: &[(&str, &str)] = &[
    ("a", "àáâãäåÀÁÂÃÄÅ"),
    ("c", "çÇ"),
    ("e", "èéêëÈÉÊË"),
    ("i", "ìíîïÌÍÎÏ"),
    ("n", "ñÑ"),
    ("o", "òóôõöøÒÓÔÕÖØ"),
    ("u", "ùúûüÙÚÛÜ"),
    ("y", "ýÿÝŸ"),
    ("ss", "ß"),
    ("ae", "æÆ"),
    ("oe", "œŒ"),
];

/// `text` as names and addresses are searched: in lower case, without the
/// accents of [`FOLDS`] ("Élodie Müller" → "elodie muller", "Straße" →
/// "strasse"), exactly as [`folded_sql`] leaves a stored text.
pub fn folded(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match FOLDS.iter().find(|(_, accented)| accented.contains(c)) {
            Some((base, _)) => out.push_str(base),
            None => out.push(c.to_ascii_lowercase()),
        }
    }
    out
}

/// SQL that folds the text of `expression` as [`folded`] does: `lower()`
/// for A–Z, then a `replace` for each accented letter. Built from constants
/// only (never the caller's text).
pub fn folded_sql(expression: &str) -> String {
    let mut sql = format!("lower({expression})");
    for (base, accented) in FOLDS {
        for c in accented.chars() {
            sql = format!("replace({sql},'{c}','{base}')");
        }
    }
    sql
}

/// A search that is a phone number or a part of one ("030 123-4567",
/// "+49 30 1234567", "1234567"): its digits without leading zeros, to find
/// in a stored number's digits however either was written (the trunk zero
/// of "030" is not among a number stored with its country code, "+49 30 …").
/// Empty for anything else, or fewer than four digits.
pub fn search_digits(search: &str) -> String {
    let folded = super::pii::folded(search);
    let phone_like = folded.chars().all(|c| {
        c.is_ascii_digit() || c == '+' || super::conversation::PHONE_SEPARATORS.contains(&c)
    });
    let digits: String = folded.chars().filter(char::is_ascii_digit).collect();
    if !phone_like || digits.len() < 4 {
        return String::new();
    }
    digits.trim_start_matches('0').to_owned()
}

/// The filters a console shows its inbox with, as the staff API's query
/// string reads them (`team`, `status`, `assignee`, `q`; empty: all my
/// teams, waiting and open, anyone's, no search).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InboxFilter {
    pub team: String,
    pub status: String,
    pub assignee: String,
    pub search: String,
}

impl InboxFilter {
    /// These filters searching for `search` as typed. A search started
    /// from the default status looks through closed conversations too (the
    /// status then reads All): a name or address is looked up whatever
    /// became of the conversation.
    pub fn searching(&self, search: &str) -> InboxFilter {
        let mut filter = self.clone();
        filter.search = search.to_owned();
        if filter.status.is_empty() && !search.trim().is_empty() {
            filter.status = "all".into();
        }
        filter
    }

    /// `/v1/staff/inbox?…` for these filters and the first `limit` rows,
    /// each value made a query value by `encoded` (the browser's
    /// `encodeURIComponent` in the console).
    pub fn path(&self, limit: i64, encoded: impl Fn(&str) -> String) -> String {
        let mut path = String::from("/v1/staff/inbox?limit=");
        path.push_str(&limit.to_string());
        for (name, value) in [
            ("team", &self.team),
            ("status", &self.status),
            ("assignee", &self.assignee),
            ("q", &self.search),
        ] {
            if !value.is_empty() {
                path.push('&');
                path.push_str(name);
                path.push('=');
                path.push_str(&encoded(value));
            }
        }
        path
    }
}

/// How many conversations an inbox answer holds unless `limit` asks for
/// more; the console's "Show more" asks for this many more each time.
pub const INBOX_ROWS: i64 = 200;

/// The most one inbox answer holds.
pub const INBOX_ROWS_MAX: i64 = 2000;

/// The `limit` query: 1 to [`INBOX_ROWS_MAX`]; none means [`INBOX_ROWS`].
pub fn limit(text: Option<&str>) -> Result<i64, ApiError> {
    match text {
        None => Ok(INBOX_ROWS),
        Some(text) => super::api::query_number(text)
            .filter(|n| (1..=INBOX_ROWS_MAX).contains(n))
            .ok_or_else(|| ApiError::InvalidRequest("limit must be 1 to 2000".into())),
    }
}

/// The `limit` a console asks for after "Show more" was pressed `more`
/// times: [`INBOX_ROWS`] more each time, up to [`INBOX_ROWS_MAX`].
pub fn limit_after_more(more: u32) -> i64 {
    INBOX_ROWS
        .saturating_mul(i64::from(more).saturating_add(1))
        .min(INBOX_ROWS_MAX)
}

/// Seconds a waiting visitor has waited since their last message, and
/// whether that is past the team's target; nothing for other statuses.
pub fn waited(
    status: Option<Status>,
    last_visitor_at_ms: i64,
    now_ms: i64,
    target_minutes: i64,
) -> Option<(i64, bool)> {
    (status == Some(Status::Waiting)).then(|| {
        let waited_s = (now_ms - last_visitor_at_ms).max(0) / 1000;
        (waited_s, waited_s > target_minutes.saturating_mul(60))
    })
}

/// A waiting row's wait `elapsed_s` after the worker measured it, and
/// whether that is past the target: the console ticks waiting times between
/// refreshes instead of asking D1 (issue 18).
pub fn waited_later(waited_s: i64, elapsed_s: i64, target_minutes: i64) -> (i64, bool) {
    let waited_s = waited_s.saturating_add(elapsed_s.max(0));
    (waited_s, waited_s > target_minutes.saturating_mul(60))
}

/// The team a conversation goes to when routing names none: the site's
/// default when visitors may see it, else the first visible team.
pub fn default_team<'a>(visible: &'a [String], configured: &str) -> Option<&'a str> {
    visible
        .iter()
        .find(|team| *team == configured)
        .or_else(|| visible.first())
        .map(String::as_str)
}

/// The teams a `team` filter (inbox, insights) shows a staff member: the
/// one named, when the site has it (409 when it does not, as anywhere a
/// request names a team the site lacks) and they work in it (403 when not);
/// without one, every team of the site they work in (admins: all).
pub fn team_scope(
    filter: &str,
    works_in: impl Fn(&str) -> bool,
    site_teams: &[String],
) -> Result<Vec<String>, ApiError> {
    if filter.is_empty() {
        return Ok(site_teams.iter().filter(|t| works_in(t)).cloned().collect());
    }
    if !site_teams.iter().any(|t| t == filter) {
        return Err(super::team::no_such_team(filter));
    }
    if !works_in(filter) {
        return Err(ApiError::Forbidden);
    }
    Ok(vec![filter.to_owned()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_searched_without_their_accents() {
        assert_eq!(folded("Élodie MÜLLER"), "elodie muller");
        assert_eq!(folded("Straße 5, Århus"), "strasse 5, arhus");
        // Beyond the table, a letter is found only as typed.
        assert_eq!(folded("Łódź"), "Łodź");
        assert_eq!(folded("Æsa Œuvre ÇA"), "aesa oeuvre ca");
        assert_eq!(folded("Ñandú #4711"), "nandu #4711");
        // Letters without a fold stay as they are (no A–Z form to find them by).
        assert_eq!(folded("Ωμέγα 東京"), "Ωμέγα 東京");
        // No letter is folded twice, and every fold is to ASCII.
        let mut seen = Vec::new();
        for (base, accented) in FOLDS {
            assert!(base.bytes().all(|b| b.is_ascii_lowercase()), "{base}");
            for c in accented.chars() {
                assert!(!seen.contains(&c), "{c} twice");
                assert!(!c.is_ascii(), "{c}");
                seen.push(c);
                // Both cases of each letter are listed (the store keeps either).
                for cased in [
                    c.to_lowercase().collect::<Vec<_>>(),
                    c.to_uppercase().collect(),
                ] {
                    if let [other] = cased[..] {
                        if !other.is_ascii() {
                            assert!(accented.contains(other), "{c}: {other} missing");
                        }
                    }
                }
            }
        }
    }

    /// How many `replace` calls `folded_sql` may nest: under D1's limit of
    /// 100 with room for the query around it.
    const FOLDS_MAX_DEPTH: usize = 70;

    #[test]
    fn the_folding_sql_is_built_from_the_table_only() {
        let sql = folded_sql("c.visitor_name");
        assert!(sql.starts_with("replace(") && sql.contains("lower(c.visitor_name)"));
        let replaces = FOLDS.iter().map(|(_, a)| a.chars().count()).sum::<usize>();
        assert_eq!(sql.matches("replace(").count(), replaces);
        assert!(
            replaces < FOLDS_MAX_DEPTH,
            "{replaces} replaces nest too deep for D1"
        );
        assert!(!sql.contains('?') && !sql.contains(';'));
    }

    #[test]
    fn a_search_from_the_default_status_covers_every_status_and_one_chosen_is_kept() {
        let default = InboxFilter::default();
        assert_eq!(default.searching("ana").status, "all");
        assert_eq!(default.searching("ana").search, "ana");
        assert_eq!(default.searching("  ").status, "", "blanks are no search");
        let waiting = InboxFilter {
            status: "waiting".into(),
            ..InboxFilter::default()
        };
        assert_eq!(waiting.searching("ana").status, "waiting");
        assert_eq!(default.searching("").search, "");
    }

    #[test]
    fn an_inbox_holds_200_unless_asked_for_up_to_2000() {
        assert_eq!(limit(None), Ok(200));
        assert_eq!(limit(Some("400")), Ok(400));
        assert_eq!(limit(Some("2000")), Ok(2000));
        assert_eq!(limit_after_more(0), 200);
        assert_eq!(limit_after_more(1), 400);
        assert_eq!(limit_after_more(9), 2000);
        assert_eq!(
            limit_after_more(u32::MAX),
            2000,
            "never past what the worker answers"
        );
        for more in 0..12 {
            assert_eq!(
                limit(Some(&limit_after_more(more).to_string())),
                Ok(limit_after_more(more))
            );
        }
        for bad in ["0", "2001", "-5", "", "20.5", "1e3", " 400", "٤٠٠"] {
            assert!(
                matches!(limit(Some(bad)), Err(ApiError::InvalidRequest(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_wait_ticks_on_between_refreshes_and_crosses_its_target() {
        assert_eq!(waited_later(290, 5, 5), (295, false));
        assert_eq!(waited_later(290, 11, 5), (301, true));
        // A clock that went back never shortens a wait.
        assert_eq!(waited_later(120, -30, 5), (120, false));
        assert_eq!(waited_later(i64::MAX, 10, 5), (i64::MAX, true));
    }

    #[test]
    fn the_default_filter_shows_what_still_needs_someone() {
        assert_eq!(statuses(None), Ok(&[Status::Waiting, Status::Open][..]));
        assert_eq!(statuses(Some("")), statuses(Some("active")));
        assert_eq!(statuses(Some("closed")), Ok(&[Status::Closed][..]));
        assert_eq!(statuses(Some("all")).map(<[Status]>::len), Ok(3));
        assert!(matches!(
            statuses(Some("Waiting")),
            Err(ApiError::InvalidRequest(_))
        ));
    }

    #[test]
    fn only_waiting_visitors_have_a_wait_and_it_is_judged_against_the_target() {
        let minute = 60_000;
        assert_eq!(
            waited(Some(Status::Waiting), 0, 31 * minute, 30),
            Some((31 * 60, true))
        );
        assert_eq!(
            waited(Some(Status::Waiting), 0, 30 * minute, 30),
            Some((30 * 60, false))
        );
        // A clock behind the stored time never makes a negative wait.
        assert_eq!(
            waited(Some(Status::Waiting), 5_000, 1_000, 30),
            Some((0, false))
        );
        assert_eq!(waited(Some(Status::Open), 0, 31 * minute, 30), None);
        assert_eq!(waited(None, 0, 31 * minute, 30), None);
    }

    #[test]
    fn the_default_team_is_the_sites_choice_when_visible() {
        let visible = vec!["support".to_owned(), "billing".to_owned()];
        assert_eq!(default_team(&visible, "billing"), Some("billing"));
        assert_eq!(default_team(&visible, "hidden"), Some("support"));
        assert_eq!(default_team(&visible, ""), Some("support"));
        assert_eq!(default_team(&[], "support"), None);
    }

    #[test]
    fn a_team_filter_names_a_team_of_the_site_the_staff_member_works_in() {
        let site: Vec<String> = ["billing", "sales", "support"].map(String::from).to_vec();
        let agent = |team: &str| team == "sales";
        let admin = |_: &str| true;
        assert_eq!(team_scope("", agent, &site).unwrap(), ["sales"]);
        assert_eq!(team_scope("", admin, &site).unwrap(), site);
        assert_eq!(team_scope("sales", agent, &site).unwrap(), ["sales"]);
        assert_eq!(
            team_scope("billing", agent, &site),
            Err(ApiError::Forbidden)
        );
        assert_eq!(team_scope("billing", admin, &site).unwrap(), ["billing"]);
        for works_in in [&agent as &dyn Fn(&str) -> bool, &admin] {
            assert!(matches!(
                team_scope("nosuch", works_in, &site),
                Err(ApiError::Conflict(message)) if message == "no such team: nosuch"
            ));
        }
    }

    #[test]
    fn the_assignee_filter_is_anyone_me_or_nobody_and_nothing_else() {
        assert_eq!(Assignee::parse(None), Ok(Assignee::Anyone));
        assert_eq!(Assignee::parse(Some("")), Ok(Assignee::Anyone));
        assert_eq!(Assignee::parse(Some("me")), Ok(Assignee::Me));
        assert_eq!(Assignee::parse(Some("unassigned")), Ok(Assignee::Nobody));
        for wrong in ["Me", "none", "stf_1", " me"] {
            assert!(
                matches!(
                    Assignee::parse(Some(wrong)),
                    Err(ApiError::InvalidRequest(_))
                ),
                "{wrong}"
            );
        }
        assert_eq!(Assignee::Anyone.required_id("stf_1"), None);
        assert_eq!(Assignee::Me.required_id("stf_1"), Some("stf_1"));
        assert_eq!(Assignee::Nobody.required_id("stf_1"), Some(""));
    }

    #[test]
    fn a_search_is_trimmed_and_at_most_100_characters() {
        assert_eq!(search(None).as_deref(), Ok(""));
        assert_eq!(search(Some("   ")).as_deref(), Ok(""));
        assert_eq!(search(Some(" Refund ")).as_deref(), Ok("Refund"));
        let longest = "é".repeat(100);
        assert_eq!(search(Some(&longest)).as_deref(), Ok(longest.as_str()));
        assert!(matches!(
            search(Some(&"a".repeat(101))),
            Err(ApiError::InvalidRequest(_))
        ));
    }

    /// SQLite's `lower()`: A–Z only.
    fn sqlite_lower(text: &str) -> String {
        text.to_ascii_lowercase()
    }

    #[test]
    fn a_search_finds_a_name_in_any_case_its_letters_share() {
        assert_eq!(search_forms(""), Vec::<String>::new());
        assert_eq!(search_forms("Refund"), ["refund"]);
        assert_eq!(search_forms("élodie"), ["élodie", "Élodie"]);
        let finds = |typed: &str, stored: &str| {
            let forms = search_forms(typed);
            assert!(
                forms
                    .iter()
                    .any(|f| sqlite_lower(stored).contains(f.as_str())),
                "{typed} finds {stored} ({forms:?})"
            );
        };
        for stored in [
            "Élodie Dupont",
            "ÉLODIE DUPONT",
            "élodie dupont",
            "Élodie DUPONT",
        ] {
            for typed in [
                "élodie",
                "ÉLODIE",
                "Élodie",
                "élodie dupont",
                "ÉLODIE DUPONT",
            ] {
                finds(typed, stored);
            }
        }
        for (typed, stored) in [
            ("märta quist", "Märta Quist"),
            ("MÄRTA", "märta"),
            ("øre", "Øre"),
            ("ñandú", "ÑANDÚ"),
            ("straße", "STRASSE"),
        ] {
            finds(typed, stored);
        }
        // Words are capitalised after any separator; digits stay as typed.
        assert!(search_forms("anne-sophie o'brien")
            .contains(&"Anne-Sophie O'Brien".to_ascii_lowercase()));
        assert!(search_forms("#4711 é").contains(&"#4711 É".to_owned()));
    }

    #[test]
    fn a_search_for_a_number_is_its_digits_however_it_was_written() {
        assert_eq!(search_digits("030 123-4567"), "301234567");
        assert_eq!(search_digits("+49 (30) 1234567"), "49301234567");
        assert_eq!(search_digits("１２３４５６７"), "1234567");
        assert_eq!(search_digits("7946 0958"), "79460958");
        for not_a_number in ["123", "order 1234567", "jo@example.com", "", "12/2025 x"] {
            assert_eq!(search_digits(not_a_number), "", "{not_a_number}");
        }
    }

    #[test]
    fn a_console_asks_for_the_filters_it_shows_and_only_those() {
        // encodeURIComponent's rule, for the test.
        let encoded = |value: &str| {
            value
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z'
                    | b'a'..=b'z'
                    | b'0'..=b'9'
                    | b'-'
                    | b'_'
                    | b'.'
                    | b'!'
                    | b'~'
                    | b'*'
                    | b'\''
                    | b'('
                    | b')' => char::from(b).to_string(),
                    _ => format!("%{b:02X}"),
                })
                .collect::<String>()
        };
        assert_eq!(
            InboxFilter::default().path(200, encoded),
            "/v1/staff/inbox?limit=200"
        );
        let filter = InboxFilter {
            team: "billing".into(),
            status: "closed".into(),
            assignee: "me".into(),
            search: "a&b=c #1 é".into(),
        };
        assert_eq!(
            filter.path(400, encoded),
            "/v1/staff/inbox?limit=400&team=billing&status=closed&assignee=me&q=a%26b%3Dc%20%231%20%C3%A9"
        );
    }
}
