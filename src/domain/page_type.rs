//! Page types (pricing, checkout, support, docs...) from the site owner's URL
//! rules, with defaults from keywords in the path. Decided at the edge, where
//! the site's rules live, so the recorder stays small.

use serde::Deserialize;

/// One site rule: paths starting with `prefix` are of type `type`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageRule {
    pub prefix: String,
    #[serde(rename = "type")]
    pub page_type: String,
}

/// Keywords of path segments and the page type they imply, in priority order.
const DEFAULTS: &[(&[&str], &str)] = &[
    (
        &[
            "checkout",
            "cart",
            "basket",
            "kasse",
            "warenkorb",
            "panier",
            "carrito",
            "winkelwagen",
            "carrello",
        ],
        "checkout",
    ),
    (
        &[
            "pricing", "prices", "plans", "preise", "tarifs", "precios", "prijzen", "prezzi",
            "precos",
        ],
        "pricing",
    ),
    (
        &[
            "support", "help", "faq", "contact", "hilfe", "kontakt", "aide", "ayuda", "aiuto",
            "ajuda",
        ],
        "support",
    ),
    (
        &[
            "docs",
            "documentation",
            "guide",
            "guides",
            "manual",
            "api",
            "reference",
        ],
        "docs",
    ),
    (
        &[
            "careers",
            "jobs",
            "karriere",
            "emplois",
            "empleo",
            "vacatures",
            "lavora-con-noi",
        ],
        "careers",
    ),
    (&["blog", "news", "articles", "magazine", "press"], "blog"),
    (
        &[
            "account", "login", "signin", "sign-in", "signup", "register", "profile", "konto",
        ],
        "account",
    ),
    (
        &[
            "product",
            "products",
            "shop",
            "store",
            "item",
            "p",
            "produkt",
            "produit",
            "producto",
            "catalog",
            "collections",
        ],
        "product",
    ),
    (
        &[
            "legal",
            "privacy",
            "terms",
            "imprint",
            "impressum",
            "datenschutz",
            "cookies",
        ],
        "legal",
    ),
    (
        &["about", "company", "team", "ueber-uns", "about-us"],
        "about",
    ),
];

/// The page type of `path`: the first matching site rule (longest prefix
/// wins), else the first default keyword found in a segment, else `home` for
/// `/` and `other` for the rest.
pub fn page_type(path: &str, rules: &[PageRule]) -> String {
    if let Some(rule) = rules
        .iter()
        .filter(|rule| path.starts_with(&rule.prefix))
        .max_by_key(|rule| rule.prefix.len())
    {
        return rule.page_type.clone();
    }
    if path == "/" || path.is_empty() || path.eq_ignore_ascii_case("/index.html") {
        return "home".into();
    }
    let segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_end_matches(".html").to_ascii_lowercase())
        .collect();
    for (keywords, kind) in DEFAULTS {
        if segments
            .iter()
            .any(|segment| keywords.contains(&segment.as_str()))
        {
            return (*kind).into();
        }
    }
    "other".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_site_rules() {
        assert_eq!(page_type("/", &[]), "home");
        assert_eq!(page_type("/pricing", &[]), "pricing");
        assert_eq!(page_type("/de/kasse/schritt-2", &[]), "checkout");
        assert_eq!(page_type("/help/returns", &[]), "support");
        assert_eq!(page_type("/docs/api/events", &[]), "docs");
        assert_eq!(page_type("/products/trail-jacket", &[]), "product");
        assert_eq!(page_type("/careers.html", &[]), "careers");
        assert_eq!(page_type("/something-else", &[]), "other");
        let rules = vec![
            PageRule {
                prefix: "/plans".into(),
                page_type: "pricing".into(),
            },
            PageRule {
                prefix: "/help/returns".into(),
                page_type: "returns".into(),
            },
        ];
        assert_eq!(page_type("/plans/business", &rules), "pricing");
        assert_eq!(page_type("/help/returns/label", &rules), "returns");
        assert_eq!(page_type("/help/other", &rules), "support");
    }
}
