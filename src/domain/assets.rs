//! How the worker serves its static files to other origins.
//!
//! A customer's page loads `touchpoint.js`, the recorder's wasm, the widget
//! and the classifier model from the worker's origin, so those files must be
//! readable cross-origin (CORS for `fetch`, `import()` and SRI; CORP for
//! pages that isolate themselves). Files under `/v/<version>/` never change
//! while that version is deployed, so browsers may keep them for a year; the
//! unversioned names change at every deployment and are cached briefly.

/// What kind of file a static path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssetKind {
    /// Loaded by customers' pages: the script tag, the recorder, the widget, the model.
    Embeddable,
    /// The staff console: same-origin only, under its own security policy.
    Console,
    /// The demo company's pages, which a production deployment may turn off.
    Demo,
}

/// How long a browser or CDN may keep a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caching {
    /// Under a version prefix: the bytes never change at that URL.
    Immutable,
    /// The unversioned entry points: refreshed within minutes of a deployment.
    Short,
    /// Whatever the asset server decides (HTML pages, the console).
    Default,
}

impl Caching {
    /// The `Cache-Control` value, when the worker sets one.
    pub fn header(self) -> Option<&'static str> {
        match self {
            Caching::Immutable => Some("public, max-age=31536000, immutable"),
            Caching::Short => Some("public, max-age=300, stale-while-revalidate=86400"),
            Caching::Default => None,
        }
    }
}

/// What the worker does with a request for a static path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssetPlan {
    /// Fetch `path` from the static assets and answer it with these headers.
    Serve {
        path: String,
        kind: AssetKind,
        caching: Caching,
        /// Set when the asset server's guess could be wrong or missing.
        content_type: Option<&'static str>,
    },
    /// A version prefix of another release: that version is not deployed here.
    OtherVersion { requested: String },
    /// A demo page on a deployment that turned them off.
    DemoOff,
}

impl AssetPlan {
    /// Whether the answer carries `Access-Control-Allow-Origin: *` and
    /// `Cross-Origin-Resource-Policy: cross-origin`.
    pub fn cross_origin(&self) -> bool {
        matches!(
            self,
            AssetPlan::Serve {
                kind: AssetKind::Embeddable,
                ..
            }
        )
    }
}

/// The files a customer's page may load, relative to the script's folder.
fn is_embeddable(path: &str) -> bool {
    matches!(path, "/touchpoint.js" | "/touchpoint_recorder_bg.wasm")
        || path.starts_with("/widget/")
}

fn content_type(path: &str) -> Option<&'static str> {
    if path.ends_with(".wasm") {
        // The recorder compiles while it downloads, which needs this exact type.
        Some("application/wasm")
    } else if path.ends_with(".tpcm") {
        Some("application/octet-stream")
    } else if path.ends_with(".js") || path.ends_with(".mjs") {
        Some("text/javascript; charset=utf-8")
    } else {
        None
    }
}

/// Decides how to serve `path` for this worker's `version`, with the demo
/// pages on or off.
pub fn plan(path: &str, version: &str, demo_pages: bool) -> AssetPlan {
    let (path, versioned) = match path.strip_prefix("/v/") {
        Some(rest) => {
            let (requested, inner) = rest.split_once('/').unwrap_or((rest, ""));
            if requested != version {
                return AssetPlan::OtherVersion {
                    requested: requested.to_owned(),
                };
            }
            (["/", inner].concat(), true)
        }
        None => (path.to_owned(), false),
    };
    let kind = if is_embeddable(&path) {
        AssetKind::Embeddable
    } else if path == "/console" || path.starts_with("/console/") {
        AssetKind::Console
    } else {
        AssetKind::Demo
    };
    if kind == AssetKind::Demo && !demo_pages {
        return AssetPlan::DemoOff;
    }
    let caching = match (kind, versioned) {
        (AssetKind::Embeddable, true) => Caching::Immutable,
        (AssetKind::Embeddable, false) => Caching::Short,
        _ => Caching::Default,
    };
    AssetPlan::Serve {
        content_type: content_type(&path),
        path,
        kind,
        caching,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serve(path: &str) -> (String, AssetKind, Caching, Option<&'static str>) {
        match plan(path, "1.2.3", true) {
            AssetPlan::Serve {
                path,
                kind,
                caching,
                content_type,
            } => (path, kind, caching, content_type),
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn embeddable_files_are_cross_origin_with_the_right_types() {
        for (path, kind) in [
            ("/touchpoint.js", "text/javascript; charset=utf-8"),
            ("/touchpoint_recorder_bg.wasm", "application/wasm"),
            (
                "/widget/touchpoint_widget.js",
                "text/javascript; charset=utf-8",
            ),
            ("/widget/touchpoint_widget_bg.wasm", "application/wasm"),
            ("/widget/touchpoint.tpcm", "application/octet-stream"),
        ] {
            let plan = plan(path, "1.2.3", false);
            assert!(plan.cross_origin(), "{path}");
            assert_eq!(serve(path).3, Some(kind), "{path}");
            assert_eq!(serve(path).2, Caching::Short, "{path}");
        }
    }

    #[test]
    fn the_current_version_prefix_is_immutable_and_maps_to_the_plain_file() {
        let (path, kind, caching, _) = serve("/v/1.2.3/widget/touchpoint_widget_bg.wasm");
        assert_eq!(path, "/widget/touchpoint_widget_bg.wasm");
        assert_eq!(kind, AssetKind::Embeddable);
        assert_eq!(caching, Caching::Immutable);
        assert_eq!(
            Caching::Immutable.header(),
            Some("public, max-age=31536000, immutable")
        );
    }

    #[test]
    fn another_version_is_not_served_under_an_immutable_url() {
        assert_eq!(
            plan("/v/1.2.2/touchpoint.js", "1.2.3", true),
            AssetPlan::OtherVersion {
                requested: "1.2.2".into()
            }
        );
        assert_eq!(
            plan("/v/", "1.2.3", true),
            AssetPlan::OtherVersion {
                requested: "".into()
            }
        );
    }

    #[test]
    fn the_console_is_never_cross_origin() {
        let console = plan("/console/touchpoint_console_bg.wasm", "1.2.3", false);
        assert!(!console.cross_origin());
        assert_eq!(serve("/console/").1, AssetKind::Console);
        assert_eq!(serve("/console").1, AssetKind::Console);
    }

    #[test]
    fn demo_pages_can_be_turned_off() {
        assert_eq!(serve("/pricing.html").1, AssetKind::Demo);
        assert_eq!(plan("/", "1.2.3", false), AssetPlan::DemoOff);
        assert_eq!(plan("/demo.css", "1.2.3", false), AssetPlan::DemoOff);
        assert!(!plan("/", "1.2.3", true).cross_origin());
        // Look-alikes of embeddable names are demo files, not embeddable.
        assert_eq!(serve("/touchpoint.json").1, AssetKind::Demo);
        assert_eq!(serve("/widgets").1, AssetKind::Demo);
    }
}
