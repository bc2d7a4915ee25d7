//! Which pages and campaigns stand out before trouble (complaints, negative
//! messages, expectation gaps). Raw counts only rank popular pages: the home
//! page precedes most complaints because most visitors see it. So each page
//! or campaign is judged by its *lift*: trouble conversations per visitor who
//! saw it, over trouble conversations per visitor on the whole site. A lift
//! of 3 means visitors who saw the page ended up in trouble three times as
//! often as visitors in general.
//!
//! How sure that is comes from a Wilson score interval on the page's share
//! (95%), divided by the baseline share; the baseline rests on every visitor,
//! so its own uncertainty is small beside the page's and is left out. Pages
//! seen by fewer than `MIN_SAMPLE` visitors, or before fewer than
//! `MIN_TROUBLE` trouble conversations, are listed after the others, marked
//! as too few to judge.

use serde::Serialize;

/// Fewest visitors who saw a page before its lift is ranked.
pub const MIN_SAMPLE: u32 = 20;
/// Fewest trouble conversations after a page before its lift is ranked.
pub const MIN_TROUBLE: u32 = 3;
/// The normal quantile of a two-sided 95% interval.
const Z_95: f64 = 1.96;

/// Visitors who saw something, and the trouble conversations that followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Exposure {
    /// Visitors who saw it.
    pub seen: u32,
    /// Trouble conversations whose journey included it (capped at `seen`).
    pub trouble: u32,
}

/// A page's or campaign's lift over the baseline, with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Lift {
    pub lift: f64,
    pub lift_low: f64,
    pub lift_high: f64,
    /// Seen by at least `MIN_SAMPLE` visitors, before at least `MIN_TROUBLE` trouble conversations.
    pub enough_data: bool,
}

/// The Wilson score interval of `successes` out of `trials` at quantile `z`.
pub fn wilson(successes: u32, trials: u32, z: f64) -> (f64, f64) {
    if trials == 0 {
        return (0.0, 1.0);
    }
    let n = f64::from(trials);
    let p = f64::from(successes.min(trials)) / n;
    let z2 = z * z;
    let centre = p + z2 / (2.0 * n);
    let spread = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    let denominator = 1.0 + z2 / n;
    (
        ((centre - spread) / denominator).max(0.0),
        ((centre + spread) / denominator).min(1.0),
    )
}

/// The lift of `item` over `baseline`, or `None` when either has no visitors
/// or the baseline has no trouble (there is nothing to be above).
pub fn lift(item: Exposure, baseline: Exposure) -> Option<Lift> {
    if item.seen == 0 || baseline.seen == 0 || baseline.trouble == 0 {
        return None;
    }
    let base = f64::from(baseline.trouble) / f64::from(baseline.seen);
    let rate = f64::from(item.trouble.min(item.seen)) / f64::from(item.seen);
    let (low, high) = wilson(item.trouble, item.seen, Z_95);
    Some(Lift {
        lift: round(rate / base),
        lift_low: round(low / base),
        lift_high: round(high / base),
        enough_data: item.seen >= MIN_SAMPLE && item.trouble >= MIN_TROUBLE,
    })
}

/// Rounded to two decimals, as shown (keeps the JSON short and stable).
fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The items with trouble, most telling first: those with enough data by the
/// low end of their interval (a lift that is surely above the baseline beats
/// a larger but shakier one), then lift, then trouble count; then those with
/// too few visitors or trouble, by trouble count. At most `limit` are kept.
pub fn rank<T>(
    items: Vec<(T, Exposure)>,
    baseline: Exposure,
    limit: usize,
) -> Vec<(T, Exposure, Lift)> {
    let mut ranked: Vec<(T, Exposure, Lift)> = items
        .into_iter()
        .filter(|(_, e)| e.trouble > 0)
        .filter_map(|(item, e)| lift(e, baseline).map(|l| (item, e, l)))
        .collect();
    ranked.sort_by(|(_, ea, a), (_, eb, b)| {
        b.enough_data
            .cmp(&a.enough_data)
            .then(if a.enough_data {
                b.lift_low
                    .total_cmp(&a.lift_low)
                    .then(b.lift.total_cmp(&a.lift))
            } else {
                core::cmp::Ordering::Equal
            })
            .then(eb.trouble.cmp(&ea.trouble))
    });
    ranked.truncate(limit);
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(seen: u32, trouble: u32) -> Exposure {
        Exposure { seen, trouble }
    }

    #[test]
    fn wilson_matches_the_published_values() {
        // 8 of 10 at 95%: 0.490 to 0.943 (Newcombe 1998, table I).
        let (low, high) = wilson(8, 10, Z_95);
        assert!((low - 0.4902).abs() < 1e-3, "{low}");
        assert!((high - 0.9433).abs() < 1e-3, "{high}");
        // Zero successes still have a positive upper bound; all successes a lower one below 1.
        let (low, high) = wilson(0, 20, Z_95);
        assert_eq!(low, 0.0);
        assert!(high > 0.1 && high < 0.2, "{high}");
        let (low, high) = wilson(20, 20, Z_95);
        assert!(low > 0.8 && low < 0.9, "{low}");
        assert!((high - 1.0).abs() < 1e-9);
        assert_eq!(wilson(0, 0, Z_95), (0.0, 1.0));
    }

    #[test]
    fn lift_is_the_share_over_the_baseline_share() {
        let l = lift(e(40, 8), e(1000, 50)).unwrap();
        assert_eq!(l.lift, 4.0);
        assert!(l.lift_low > 2.0 && l.lift_low < l.lift, "{l:?}");
        assert!(l.lift_high > l.lift, "{l:?}");
        assert!(l.enough_data);
        // A page as troubled as everything else has a lift of 1, its interval around it.
        let l = lift(e(200, 10), e(1000, 50)).unwrap();
        assert_eq!(l.lift, 1.0);
        assert!(l.lift_low < 1.0 && l.lift_high > 1.0);
        assert!(
            !lift(e(10, 5), e(1000, 50)).unwrap().enough_data,
            "too few visitors"
        );
        assert!(
            !lift(e(100, 2), e(1000, 50)).unwrap().enough_data,
            "too little trouble"
        );
        assert_eq!(lift(e(0, 0), e(1000, 50)), None);
        assert_eq!(lift(e(5, 0), e(1000, 0)), None);
        // More trouble than visitors (one visitor writing twice) is capped.
        assert!(lift(e(20, 30), e(1000, 50)).unwrap().lift <= 20.0);
    }

    #[test]
    fn a_popular_page_does_not_outrank_the_cause() {
        // The home page precedes most trouble, but no more than it precedes anything;
        // checkout precedes less trouble in all, but a large share of its visitors complain.
        let baseline = e(1000, 60);
        let ranked = rank(
            vec![
                ("/", e(800, 45)),
                ("/checkout", e(60, 20)),
                ("/cart", e(120, 22)),
                ("/careers", e(2, 2)),
                ("/docs", e(200, 0)),
            ],
            baseline,
            10,
        );
        let order: Vec<&str> = ranked.iter().map(|(p, _, _)| *p).collect();
        assert_eq!(order, ["/checkout", "/cart", "/", "/careers"]);
        let (_, _, checkout) = ranked[0];
        assert!(checkout.lift_low > 1.0, "{checkout:?}");
        let (_, _, home) = ranked[2];
        assert!(home.lift_low < 1.0 && home.lift_high > 1.0, "{home:?}");
        // Two pages with the same share: the one seen by more visitors is surer.
        let ranked = rank(vec![("a", e(30, 6)), ("b", e(300, 60))], baseline, 10);
        assert_eq!(ranked[0].0, "b");
        assert!(ranked[0].2.lift_low > ranked[1].2.lift_low);
    }

    #[test]
    fn few_visitors_come_last_and_the_limit_holds() {
        let baseline = e(1000, 50);
        let ranked = rank(
            vec![
                ("rare", e(1, 1)),
                ("common", e(500, 30)),
                ("also-rare", e(4, 2)),
            ],
            baseline,
            2,
        );
        let order: Vec<&str> = ranked.iter().map(|(p, _, _)| *p).collect();
        assert_eq!(order, ["common", "also-rare"]);
    }
}
