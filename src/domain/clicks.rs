//! Which clicks are touchpoints: links to other sites and file downloads
//! (elements tagged `data-touchpoint-event` are handled by the recorder).

/// File extensions whose links count as downloads (text rather than a
/// table of strings: smaller in the recorder's wasm).
const DOWNLOAD_EXTENSIONS: &str =
    "pdf zip dmg exe msi pkg apk csv xlsx xls docx doc pptx ppt odt ods \
    txt rtf epub mp3 mp4 mov avi gz tgz 7z rar iso deb rpm json xml ics";

/// `outbound` or `download` for a link to `href` clicked on a page of `page_host`.
pub fn link_kind(href: &str, page_host: &str) -> Option<&'static str> {
    let host = super::attribution::host_of(href);
    let path_end = href
        .bytes()
        .position(|b| b == b'?' || b == b'#')
        .unwrap_or(href.len());
    let path = href.get(..path_end).unwrap_or_default();
    // Byte positions rather than `rsplit`: its searcher is sizeable in wasm.
    let after = |byte: u8| path.bytes().rposition(|b| b == byte).map(|at| at + 1);
    let extension = match (after(b'/'), after(b'.')) {
        (slash, Some(dot)) if dot > slash.unwrap_or(0) => path.get(dot..),
        _ => None,
    };
    if let Some(extension) = extension {
        if super::text::split(DOWNLOAD_EXTENSIONS, b' ')
            .any(|e| !e.is_empty() && e.eq_ignore_ascii_case(extension))
        {
            return Some("download");
        }
    }
    let page = page_host
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("www."))
        .map_or(page_host, |_| page_host.get(4..).unwrap_or_default());
    let is_web = href.starts_with("http://") || href.starts_with("https://");
    (is_web && !host.is_empty() && !host.eq_ignore_ascii_case(page)).then_some("outbound")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outbound_links_and_downloads() {
        assert_eq!(
            link_kind("https://partner.example/offer", "shop.example"),
            Some("outbound")
        );
        assert_eq!(
            link_kind("https://shop.example/pricing", "shop.example"),
            None
        );
        assert_eq!(
            link_kind("https://www.shop.example/pricing", "shop.example"),
            None
        );
        assert_eq!(
            link_kind("https://shop.example/catalogue.PDF?v=2", "www.shop.example"),
            Some("download")
        );
        assert_eq!(
            link_kind("https://cdn.example/app.dmg", "shop.example"),
            Some("download")
        );
        assert_eq!(link_kind("mailto:help@shop.example", "shop.example"), None);
        assert_eq!(
            link_kind("https://shop.example/v1.2/notes", "shop.example"),
            None
        );
    }
}
