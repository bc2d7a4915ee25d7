//! Where a visit came from: UTM parameters, ad click ids, and the referrer,
//! mapped to a channel (with the search engine or social network named). The
//! lists are data; the functions only look things up. Written without `format!`
//! or serde because it runs in the recorder on every page.

use alloc::string::String;
use alloc::vec::Vec;

use super::text::{find, split};

/// Marketing channel of a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Direct,
    OrganicSearch,
    PaidSearch,
    OrganicSocial,
    PaidSocial,
    Email,
    Referral,
    Display,
    Affiliate,
    Internal,
    /// From an AI assistant's answer (ChatGPT, Perplexity, Gemini, …). Only
    /// the edge decides it, from its lists (see `referrers`), so the recorder
    /// (built without `std`) does not carry it.
    #[cfg(feature = "std")]
    AiAssistant,
    /// A text message's link (`utm_medium=sms` or `utm_source=sms`). Like
    /// the three below, only the edge decides it from the campaign.
    #[cfg(feature = "std")]
    Sms,
    /// A push notification's link (a medium ending in `push`, or naming
    /// `mobile` or `notification`; `utm_source=firebase`).
    #[cfg(feature = "std")]
    MobilePush,
    /// A link read out in a podcast or radio ad (`utm_medium=audio`).
    #[cfg(feature = "std")]
    Audio,
    /// A link tagged with a campaign whose source and medium name no channel
    /// (`utm_medium=qr`, `print`, a campaign name alone): counted apart, so
    /// a tagging mistake shows instead of hiding among direct visits
    /// (Google Analytics' "Unassigned").
    #[cfg(feature = "std")]
    OtherCampaign,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Direct => "direct",
            Channel::OrganicSearch => "organic_search",
            Channel::PaidSearch => "paid_search",
            Channel::OrganicSocial => "organic_social",
            Channel::PaidSocial => "paid_social",
            Channel::Email => "email",
            Channel::Referral => "referral",
            Channel::Display => "display",
            Channel::Affiliate => "affiliate",
            Channel::Internal => "internal",
            #[cfg(feature = "std")]
            Channel::AiAssistant => "ai_assistant",
            #[cfg(feature = "std")]
            Channel::Sms => "sms",
            #[cfg(feature = "std")]
            Channel::MobilePush => "mobile_push",
            #[cfg(feature = "std")]
            Channel::Audio => "audio",
            #[cfg(feature = "std")]
            Channel::OtherCampaign => "other_campaign",
        }
    }

    /// Parses the wire name.
    pub fn parse(name: &str) -> Option<Self> {
        ALL_CHANNELS.iter().copied().find(|c| c.as_str() == name)
    }
}

#[cfg(feature = "std")]
const CHANNEL_COUNT: usize = 15;
#[cfg(not(feature = "std"))]
const CHANNEL_COUNT: usize = 10;

/// Every channel, in the order reports list them.
pub const ALL_CHANNELS: [Channel; CHANNEL_COUNT] = [
    Channel::Direct,
    Channel::OrganicSearch,
    Channel::PaidSearch,
    Channel::OrganicSocial,
    Channel::PaidSocial,
    Channel::Email,
    Channel::Referral,
    Channel::Display,
    Channel::Affiliate,
    Channel::Internal,
    #[cfg(feature = "std")]
    Channel::AiAssistant,
    #[cfg(feature = "std")]
    Channel::Sms,
    #[cfg(feature = "std")]
    Channel::MobilePush,
    #[cfg(feature = "std")]
    Channel::Audio,
    #[cfg(feature = "std")]
    Channel::OtherCampaign,
];

/// Search engines, one per line: a label of the referrer's host (as in
/// `www.google.co.uk`), a space, the engine's name. Kept as text rather than
/// a table of string pairs: the recorder ships on every page, and text is
/// smaller in wasm than pointers.
const SEARCH_ENGINES: &str = "google Google
bing Bing
duckduckgo DuckDuckGo
yahoo Yahoo
yandex Yandex
baidu Baidu
ecosia Ecosia
qwant Qwant
startpage Startpage
brave Brave Search
naver Naver
seznam Seznam
kagi Kagi";

/// Social networks, by a label of the referrer's host, as above.
const SOCIAL_NETWORKS: &str = "facebook Facebook
fb Facebook
instagram Instagram
t X
twitter X
x X
linkedin LinkedIn
lnkd LinkedIn
reddit Reddit
pinterest Pinterest
tiktok TikTok
youtube YouTube
snapchat Snapchat
threads Threads
bsky Bluesky
mastodon Mastodon
xing XING
vk VK
whatsapp WhatsApp
telegram Telegram";

/// Webmail hosts, by their first label: a visit from them came from an email.
const WEBMAIL: &str = "mail outlook webmail gmx web yahoo";

/// Ad click ids, by the channel they imply (space-separated, as text for size).
/// E-mail tools' ids (Mailchimp, HubSpot, Marketo) mark a newsletter's link,
/// and affiliate networks' (Impact, Awin, CJ) a partner's.
const CLICK_IDS: [(Channel, &str); 6] = [
    (Channel::PaidSearch, "gclid gbraid wbraid msclkid yclid"),
    (Channel::Display, "dclid"),
    (Channel::OrganicSocial, "fbclid"),
    (
        Channel::PaidSocial,
        "ttclid li_fat_id twclid epik sccid rdt_cid",
    ),
    (Channel::Email, "mc_cid _hsenc mkt_tok"),
    (Channel::Affiliate, "irclickid awc cjevent"),
];

/// The channel a click id implies, if `key` is one, in any case (Snapchat
/// writes `ScCid`).
pub(crate) fn click_id_channel(key: &str) -> Option<Channel> {
    CLICK_IDS
        .iter()
        .find(|(_, ids)| split(ids, b' ').any(|id| id.eq_ignore_ascii_case(key)))
        .map(|(channel, _)| *channel)
}

/// Campaign parameters of a landing URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Campaign {
    pub source: String,
    pub medium: String,
    pub campaign: String,
    pub term: String,
    pub content: String,
    /// The name (never the value) of the ad click id present, e.g. `gclid`.
    pub click_id: String,
}

impl Campaign {
    pub fn is_empty(&self) -> bool {
        self.source.is_empty()
            && self.medium.is_empty()
            && self.campaign.is_empty()
            && self.click_id.is_empty()
    }
}

/// Splits a query string (with or without the leading `?`) into raw pairs.
pub fn query_pairs(query: &str) -> impl Iterator<Item = (&str, &str)> {
    split(query.strip_prefix('?').unwrap_or(query), b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.bytes().position(|b| b == b'=') {
            Some(at) => (
                pair.get(..at).unwrap_or_default(),
                pair.get(at + 1..).unwrap_or_default(),
            ),
            None => (pair, ""),
        })
}

/// Decodes `%XX` escapes and `+` as space; invalid escapes are kept as text.
pub fn percent_decode(value: &str) -> String {
    decode_escapes(value, true)
}

/// Decodes a URL path segment's `%XX` escapes (a path's `+` is a plus).
pub fn decode_path_segment(value: &str) -> String {
    decode_escapes(value, false)
}

fn decode_escapes(value: &str, plus_is_space: bool) -> String {
    let out = unescape(value, plus_is_space);
    // Escapes that do not decode to UTF-8 are kept as they were sent.
    let mut text = String::with_capacity(out.len());
    if super::text::push_utf8(&mut text, &out) {
        text
    } else {
        value.into()
    }
}

/// The bytes `value`'s `%XX` escapes (and, in a query, `+`) stand for; an
/// escape that is not one stays as text. The API refuses what is not UTF-8
/// (`api::check_path`, `api::check_parameters`). Inlined: the recorder's
/// one caller stays the code it was (a call cost it 32 B).
#[inline(always)]
pub(crate) fn unescape(value: &str, plus_is_space: bool) -> Vec<u8> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'+' if plus_is_space => out.push(b' '),
            b'%' => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (
                    bytes.get(at + 1).and_then(|&b| hex(b)),
                    bytes.get(at + 2).and_then(|&b| hex(b)),
                ) {
                    (Some(high), Some(low)) => {
                        out.push((high * 16 + low) as u8);
                        at += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        at += 1;
    }
    out
}

/// Longest value kept for a campaign parameter, in bytes: the edge refuses
/// longer labels.
pub const MAX_PARAM_BYTES: usize = 100;

/// Cuts `value` to `MAX_PARAM_BYTES` at a character boundary.
pub(crate) fn clip(value: String) -> String {
    if value.len() <= MAX_PARAM_BYTES {
        return value;
    }
    let end = (0..=MAX_PARAM_BYTES)
        .rev()
        .find(|&at| value.is_char_boundary(at))
        .unwrap_or(0);
    value.get(..end).unwrap_or_default().into()
}

/// Reads UTM parameters and click ids from a query string.
pub fn campaign_of(query: &str) -> Campaign {
    let mut campaign = Campaign::default();
    for (key, value) in query_pairs(query) {
        let slot = match key {
            "utm_source" => &mut campaign.source,
            "utm_medium" => &mut campaign.medium,
            "utm_campaign" => &mut campaign.campaign,
            "utm_term" => &mut campaign.term,
            "utm_content" => &mut campaign.content,
            _ => {
                if campaign.click_id.is_empty() && click_id_channel(key).is_some() {
                    campaign.click_id = key.to_ascii_lowercase();
                }
                continue;
            }
        };
        // ASCII lower-casing: full Unicode case tables would triple the recorder.
        *slot = clip(percent_decode(value).to_ascii_lowercase());
    }
    campaign
}

/// The host of an absolute URL, without port or a leading `www.`.
pub fn host_of(url: &str) -> &str {
    let rest = match find(url, "://") {
        Some(at) => url.get(at + 3..).unwrap_or_default(),
        None => return "",
    };
    let end = rest
        .bytes()
        .position(|b| matches!(b, b'/' | b'?' | b'#' | b':'))
        .unwrap_or(rest.len());
    let host = rest.get(..end).unwrap_or_default();
    if host
        .get(..4)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("www."))
    {
        host.get(4..).unwrap_or_default()
    } else {
        host
    }
}

/// Whether any dot-separated label of `host` is `label`.
fn host_has_label(host: &str, label: &str) -> bool {
    split(host, b'.').any(|part| part.eq_ignore_ascii_case(label))
}

/// The name of the first entry of `table` (lines of `label name`) whose
/// label is a label of `host`.
fn lookup(host: &str, table: &'static str) -> Option<&'static str> {
    split(table, b'\n').find_map(|line| {
        let space = line.bytes().position(|b| b == b' ')?;
        let label = line.get(..space)?;
        host_has_label(host, label).then(|| line.get(space + 1..).unwrap_or_default())
    })
}

/// The visit's channel and, when known, the engine or network's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribution {
    pub channel: Channel,
    pub source_name: &'static str,
}

pub(crate) fn medium_channel(medium: &str, social_source: bool) -> Option<Channel> {
    // "paid…" takes in paid, paidsearch and paid_search, and paid_social and
    // paidsocial too: paid social only from a social source.
    let paid = matches!(medium, "cpc" | "ppc" | "sem") || medium.starts_with("paid");
    Some(match medium {
        _ if paid && social_source => Channel::PaidSocial,
        _ if paid || find(medium, "cpc").is_some() => Channel::PaidSearch,
        "social_paid" => Channel::PaidSocial,
        "social" | "social-network" | "social_network" | "sm" => Channel::OrganicSocial,
        "email" | "e-mail" | "e_mail" | "newsletter" => Channel::Email,
        "display" | "banner" | "cpm" | "programmatic" => Channel::Display,
        "affiliate" | "affiliates" | "partner" => Channel::Affiliate,
        "referral" => Channel::Referral,
        "organic" => Channel::OrganicSearch,
        _ => return None,
    })
}

/// Decides the channel from the landing URL's campaign, the referrer and the
/// site's own host (a referrer from the same site is an internal navigation).
pub fn attribute(campaign: &Campaign, referrer: &str, site_host: &str) -> Attribution {
    let referrer_host = host_of(referrer);
    let search = lookup(referrer_host, SEARCH_ENGINES);
    let social_from_referrer = lookup(referrer_host, SOCIAL_NETWORKS);
    let social_from_source = lookup(&campaign.source, SOCIAL_NETWORKS);
    let source_name = social_from_source
        .or(social_from_referrer)
        .or(search)
        .unwrap_or("");
    let social = social_from_source.is_some() || social_from_referrer.is_some();
    if let Some(channel) = medium_channel(&campaign.medium, social) {
        return Attribution {
            channel,
            source_name,
        };
    }
    if !campaign.click_id.is_empty() {
        let implied = click_id_channel(&campaign.click_id).unwrap_or(Channel::PaidSearch);
        return Attribution {
            channel: implied,
            source_name,
        };
    }
    if !campaign.source.is_empty() && social {
        return Attribution {
            channel: Channel::OrganicSocial,
            source_name,
        };
    }
    if referrer_host.is_empty() {
        return Attribution {
            channel: Channel::Direct,
            source_name: "",
        };
    }
    if !site_host.is_empty()
        && referrer_host.eq_ignore_ascii_case(site_host.strip_prefix("www.").unwrap_or(site_host))
    {
        return Attribution {
            channel: Channel::Internal,
            source_name: "",
        };
    }
    // Webmail first: mail.google.com is an email, not a search.
    let first_label = split(referrer_host, b'.').next().unwrap_or_default();
    if split(WEBMAIL, b' ').any(|label| label == first_label) {
        return Attribution {
            channel: Channel::Email,
            source_name: "",
        };
    }
    if let Some(name) = search {
        return Attribution {
            channel: Channel::OrganicSearch,
            source_name: name,
        };
    }
    if let Some(name) = social_from_referrer {
        return Attribution {
            channel: Channel::OrganicSocial,
            source_name: name,
        };
    }
    Attribution {
        channel: Channel::Referral,
        source_name: "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel(url_query: &str, referrer: &str) -> (&'static str, &'static str) {
        let a = attribute(&campaign_of(url_query), referrer, "shop.example");
        (a.channel.as_str(), a.source_name)
    }

    #[test]
    fn channels_from_referrers() {
        assert_eq!(channel("", ""), ("direct", ""));
        assert_eq!(
            channel("", "https://www.google.co.uk/"),
            ("organic_search", "Google")
        );
        assert_eq!(
            channel("", "https://duckduckgo.com/"),
            ("organic_search", "DuckDuckGo")
        );
        assert_eq!(
            channel("", "https://l.facebook.com/l.php"),
            ("organic_social", "Facebook")
        );
        assert_eq!(channel("", "https://t.co/abc"), ("organic_social", "X"));
        assert_eq!(
            channel("", "https://www.linkedin.com/feed/"),
            ("organic_social", "LinkedIn")
        );
        assert_eq!(
            channel("", "https://shop.example/pricing"),
            ("internal", "")
        );
        assert_eq!(channel("", "https://mail.google.com/"), ("email", ""));
        assert_eq!(channel("", "https://outlook.live.com/mail/"), ("email", ""));
        assert_eq!(
            channel("", "https://blog.someone.example/post"),
            ("referral", "")
        );
    }

    #[test]
    fn channels_from_campaigns_and_click_ids() {
        assert_eq!(
            channel(
                "?utm_source=google&utm_medium=cpc&utm_campaign=spring",
                "https://www.google.com/"
            ),
            ("paid_search", "Google")
        );
        assert_eq!(
            channel("?utm_source=facebook&utm_medium=paid", ""),
            ("paid_social", "Facebook")
        );
        assert_eq!(
            channel("?utm_source=newsletter&utm_medium=email", ""),
            ("email", "")
        );
        assert_eq!(
            channel("?utm_source=partnerco&utm_medium=affiliate", ""),
            ("affiliate", "")
        );
        assert_eq!(channel("?utm_medium=display", ""), ("display", ""));
        assert_eq!(channel("?gclid=abc123", ""), ("paid_search", ""));
        assert_eq!(
            channel("?msclkid=x", "https://www.bing.com/"),
            ("paid_search", "Bing")
        );
        assert_eq!(channel("?ttclid=x", ""), ("paid_social", ""));
        assert_eq!(
            channel("?utm_source=instagram", ""),
            ("organic_social", "Instagram")
        );
        // Reddit's ads, Snapchat's capitalised id, e-mail tools' and
        // affiliate networks' ids (they were plain direct visits).
        assert_eq!(channel("?rdt_cid=x", ""), ("paid_social", ""));
        assert_eq!(channel("?ScCid=x", ""), ("paid_social", ""));
        assert_eq!(campaign_of("?ScCid=x").click_id, "sccid");
        assert_eq!(channel("?mc_cid=a1&mc_eid=b2", ""), ("email", ""));
        assert_eq!(channel("?_hsenc=p2&_hsmi=9", ""), ("email", ""));
        assert_eq!(channel("?irclickid=x", ""), ("affiliate", ""));
        assert_eq!(channel("?awc=123_456", ""), ("affiliate", ""));
    }

    #[test]
    fn campaign_values_are_decoded_lowercased_and_click_id_values_dropped() {
        let c = campaign_of("?utm_source=News%20Letter&utm_campaign=Black+Friday&gclid=SECRET&x=1");
        assert_eq!(c.source, "news letter");
        assert_eq!(c.campaign, "black friday");
        assert_eq!(c.click_id, "gclid");
        assert!(!format!("{c:?}").contains("SECRET"));
    }

    #[test]
    fn percent_decoding_is_total() {
        let long = campaign_of(&["?utm_campaign=", &"%C3%A9".repeat(80)].concat());
        assert!(long.campaign.len() <= MAX_PARAM_BYTES && long.campaign.starts_with("éé"));
        assert_eq!(long.campaign.len(), 100, "cut at a character boundary");
        assert_eq!(percent_decode("a%20b%2"), "a b%2");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
        assert_eq!(percent_decode("%"), "%");
        assert_eq!(decode_path_segment("%C3%A9quipe+1"), "\u{e9}quipe+1");
        assert_eq!(decode_path_segment("a%2Fb%zz"), "a/b%zz");
        assert_eq!(host_of("https://WWW.Example.com:8080/x"), "Example.com");
        assert_eq!(host_of("not a url"), "");
    }
}
