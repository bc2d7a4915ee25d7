//! Routing: which handler a request goes to. Everything under `/v1/` is the
//! API; every other path is a static file (demo site, script tag, console).

/// What the worker does with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `GET /v1/health`.
    Health,
    /// `GET /v1/openapi.json`: the API description.
    OpenApi,
    /// `POST /v1/events`: a batch of touchpoints.
    IngestEvents,
    /// `GET /v1/journey`: one visitor's touchpoints, for staff.
    Journey,
    /// `GET /v1/availability`: who is there, per team.
    Availability,
    /// `GET /v1/sites/{site}/check`: may this page's origin record for the site.
    SiteCheck(String),
    /// `GET /v1/sites/{site}/model`: the site's classifier model, else the default.
    SiteModel(String),
    /// `POST /v1/conversations`: a visitor starts a conversation.
    StartConversation,
    /// `GET /v1/conversations/{id}/messages`: poll after a cursor.
    VisitorMessages(String),
    /// `POST /v1/conversations/{id}/messages`: the visitor writes.
    VisitorSend(String),
    /// `POST /v1/conversations/{id}/read`: the visitor has seen up to a message.
    VisitorRead(String),
    /// `DELETE /v1/conversations/{id}`: the visitor deletes the conversation.
    VisitorDelete(String),
    /// `GET /v1/conversations/{id}/live`: the visitor's WebSocket for pushes.
    VisitorLive(String),
    /// `GET /v1/availability/live?site=…`: an open widget's WebSocket for staff presence.
    AvailabilityLive,
    /// `POST /v1/identity/conversations`: a verified visitor's conversations on any device.
    VisitorHistory,
    /// `GET /v1/staff/me`.
    StaffMe,
    /// `PUT /v1/staff/presence`.
    StaffPresence,
    /// `GET /v1/staff/inbox`.
    StaffInbox,
    /// `GET /v1/staff/live`: a console's WebSocket for its teams' inbox changes.
    StaffInboxLive,
    /// `GET /v1/staff/conversations/{id}/live`: a console's WebSocket for one conversation.
    StaffConversationLive(String),
    /// `GET /v1/staff/conversations/{id}`.
    StaffConversation(String),
    /// `POST /v1/staff/conversations/{id}/messages`: a person replies.
    StaffReply(String),
    /// `POST /v1/staff/conversations/{id}/assign`: claim, assign or move.
    StaffAssign(String),
    /// `POST /v1/staff/conversations/{id}/close`.
    StaffClose(String),
    /// `POST /v1/staff/conversations/{id}/reopen`.
    StaffReopen(String),
    /// `POST /v1/staff/conversations/{id}/read`: the caller has read up to a message.
    StaffRead(String),
    /// `POST /v1/staff/messages/{id}/labels`: correct a message's labels.
    StaffCorrectLabels(String),
    /// `GET /v1/staff/corrections`: corrections as JSON lines for training.
    StaffCorrections,
    /// `GET /v1/staff/colleagues`: the site's staff and teams.
    StaffColleagues,
    /// `GET /v1/staff/insights`: what the conversations say, and what preceded them.
    StaffInsights,
    /// `GET /v1/staff/insights/conversations`: the conversations behind a chart's bar.
    StaffInsightsConversations,
    /// `GET /v1/staff/saved-replies`: the site's saved replies.
    StaffSavedReplies,
    /// `PUT /v1/admin/sites/{site}`.
    AdminSite(String),
    /// `GET /v1/admin/sites/{site}`: its settings and teams.
    AdminGetSite(String),
    /// `PUT /v1/admin/sites/{site}/teams/{team}`.
    AdminTeam(String, String),
    /// `POST /v1/admin/sites/{site}/staff`: a new staff account and its token.
    AdminCreateStaff(String),
    /// `GET /v1/admin/sites/{site}/saved-replies`.
    AdminSavedReplies(String),
    /// `PUT /v1/admin/sites/{site}/saved-replies/{shortcut}`: keep one.
    AdminPutSavedReply(String, String),
    /// `DELETE /v1/admin/sites/{site}/saved-replies/{shortcut}`.
    AdminDeleteSavedReply(String, String),
    /// `GET /v1/admin/sites/{site}/staff`: the site's staff accounts.
    AdminListStaff(String),
    /// `PATCH /v1/admin/sites/{site}/staff/{id}`: name, role or teams.
    AdminUpdateStaff(String, String),
    /// `DELETE /v1/admin/sites/{site}/staff/{id}`: revoke the account's token.
    AdminRevokeStaff(String, String),
    /// `POST /v1/admin/sites/{site}/staff/{id}/token`: a new token, the old one revoked.
    AdminStaffToken(String, String),
    /// `POST /v1/admin/sites/{site}/intake-key`: a new intake key.
    AdminIntakeKey(String),
    /// `GET /v1/admin/sites/{site}/webhook-deliveries`: the delivery log.
    AdminDeliveries(String),
    /// `GET /v1/admin/sites/{site}/visitors/{visitor}`: export one visitor's data.
    AdminExportVisitor(String, String),
    /// `DELETE /v1/admin/sites/{site}/visitors/{visitor}`: erase it.
    AdminEraseVisitor(String, String),
    /// `GET /v1/admin/sites/{site}/destinations`.
    AdminDestinations(String),
    /// `GET /v1/admin/sites/{site}/export/{stream}`: one page of a bulk export.
    AdminExport(String, String),
    /// `POST /v1/admin/sites/{site}/destinations`: add one.
    AdminCreateDestination(String),
    /// `PATCH /v1/admin/sites/{site}/destinations/{id}`.
    AdminUpdateDestination(String, String),
    /// `DELETE /v1/admin/sites/{site}/destinations/{id}`.
    AdminDeleteDestination(String, String),
    /// `GET /v1/admin/sites/{site}/destinations/{id}/deliveries`: its log.
    AdminDestinationDeliveries(String, String),
    /// `POST /v1/admin/sites/{site}/destinations/{id}/deliveries/{delivery}/replay`.
    AdminReplayDelivery(String, String, String),
    /// `GET /v1/admin/sites/{site}/model`: the site model's status.
    AdminModel(String),
    /// `POST /v1/admin/sites/{site}/model/examples`: labelled examples to train on.
    AdminModelExamples(String),
    /// `DELETE /v1/admin/sites/{site}/model/examples`: forget every uploaded example.
    AdminDeleteModelExamples(String),
    /// `POST /v1/admin/sites/{site}/model/train`: train the site model now.
    AdminTrainModel(String),
    /// `POST /v1/hooks/chatwoot/{destination}/{token}`: Chatwoot's webhook.
    ChatwootInbound(String, String),
    /// `POST /v1/intake`: a message from e-mail, social media or the phone.
    Intake,
    /// `OPTIONS` on an API path: a CORS preflight.
    Preflight,
    /// An API path that exists, with a method it does not take.
    MethodNotAllowed { allow: &'static str },
    /// An API path that does not exist.
    NotFound,
    /// Anything outside `/v1/`: served from the static assets.
    StaticAsset,
}

/// Who may call an endpoint. Each handler checks its caller itself; this
/// says the same for a request refused before its handler runs (an unknown
/// query parameter), so the wrong caller hears 401 or 403 whatever its
/// query says. Every route answers (no catch-all), so a new endpoint states
/// its caller where it is added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller<'a> {
    /// Anyone: public endpoints, and those whose credential travels in the
    /// request itself (the intake key, Chatwoot's token in its path).
    Anyone,
    /// The operator's admin secret.
    Operator,
    /// A staff account's token.
    Staff,
    /// The visitor token of conversation `id`.
    Visitor(&'a str),
    /// The operator's secret, or an admin of site `site`.
    SiteAdmin(&'a str),
}

impl Route {
    /// Who may call it (`Caller`).
    pub fn caller(&self) -> Caller<'_> {
        match self {
            Route::Health
            | Route::OpenApi
            | Route::IngestEvents
            | Route::Availability
            | Route::AvailabilityLive
            | Route::SiteCheck(_)
            | Route::SiteModel(_)
            | Route::StartConversation
            | Route::VisitorHistory
            | Route::ChatwootInbound(..)
            | Route::Intake
            | Route::Preflight
            | Route::MethodNotAllowed { .. }
            | Route::NotFound
            | Route::StaticAsset => Caller::Anyone,
            Route::Journey => Caller::Operator,
            Route::StaffMe
            | Route::StaffPresence
            | Route::StaffInbox
            | Route::StaffInboxLive
            | Route::StaffConversationLive(_)
            | Route::StaffConversation(_)
            | Route::StaffReply(_)
            | Route::StaffAssign(_)
            | Route::StaffClose(_)
            | Route::StaffReopen(_)
            | Route::StaffRead(_)
            | Route::StaffCorrectLabels(_)
            | Route::StaffCorrections
            | Route::StaffColleagues
            | Route::StaffInsights
            | Route::StaffInsightsConversations
            | Route::StaffSavedReplies => Caller::Staff,
            Route::VisitorMessages(id)
            | Route::VisitorSend(id)
            | Route::VisitorRead(id)
            | Route::VisitorDelete(id)
            | Route::VisitorLive(id) => Caller::Visitor(id),
            Route::AdminSite(site)
            | Route::AdminGetSite(site)
            | Route::AdminTeam(site, _)
            | Route::AdminSavedReplies(site)
            | Route::AdminPutSavedReply(site, _)
            | Route::AdminDeleteSavedReply(site, _)
            | Route::AdminCreateStaff(site)
            | Route::AdminListStaff(site)
            | Route::AdminUpdateStaff(site, _)
            | Route::AdminRevokeStaff(site, _)
            | Route::AdminStaffToken(site, _)
            | Route::AdminIntakeKey(site)
            | Route::AdminDeliveries(site)
            | Route::AdminExportVisitor(site, _)
            | Route::AdminEraseVisitor(site, _)
            | Route::AdminDestinations(site)
            | Route::AdminExport(site, _)
            | Route::AdminCreateDestination(site)
            | Route::AdminUpdateDestination(site, _)
            | Route::AdminDeleteDestination(site, _)
            | Route::AdminDestinationDeliveries(site, _)
            | Route::AdminReplayDelivery(site, _, _)
            | Route::AdminModel(site)
            | Route::AdminModelExamples(site)
            | Route::AdminDeleteModelExamples(site)
            | Route::AdminTrainModel(site) => Caller::SiteAdmin(site),
        }
    }

    /// The query parameters the endpoint reads (openapi.json lists the
    /// same; a test checks). Any other is refused, so a misspelt or
    /// made-up one (`?from=` for `?days=`) is an error, not silently ignored.
    pub fn parameters(&self) -> &'static [&'static str] {
        match self {
            Route::Journey => &["site", "visitor"],
            Route::Availability | Route::AvailabilityLive => &["site"],
            Route::VisitorMessages(_) => &["after"],
            Route::StaffInbox => &["team", "status", "limit", "assignee", "q"],
            Route::StaffInsights => &["days", "team"],
            Route::StaffInsightsConversations => &[
                "days",
                "team",
                "page",
                "campaign",
                "topic",
                "day",
                "sentiment",
            ],
            Route::AdminExportVisitor(..) => &["cursor"],
            Route::AdminExport(..) => &["since", "until", "limit", "cursor"],
            Route::AdminDestinationDeliveries(..) => &["limit", "cursor"],
            _ => &[],
        }
    }
}

/// Decides the route for `method` and `path`.
pub fn route(method: &str, path: &str) -> Route {
    let Some(rest) = path.strip_prefix("/v1") else {
        return Route::StaticAsset;
    };
    if !(rest.is_empty() || rest.starts_with('/')) {
        return Route::StaticAsset;
    }
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    // Ids arrive percent-encoded when they hold more than letters and
    // digits (the console encodes every segment it puts in a path).
    let id = |s: &str| super::attribution::decode_path_segment(s);
    // HEAD is a GET whose body the edge leaves out (RFC 9110 §9.3.2), so
    // every path that answers GET answers HEAD.
    let method = if method == "HEAD" { "GET" } else { method };
    // Each path: the methods it takes, and the route for each.
    let (allow, handler): (&'static str, Option<Route>) = match (method, segments.as_slice()) {
        (m, ["health"]) => ("GET", (m == "GET").then_some(Route::Health)),
        (m, ["openapi.json"]) => ("GET", (m == "GET").then_some(Route::OpenApi)),
        (m, ["events"]) => (
            "POST, OPTIONS",
            (m == "POST").then_some(Route::IngestEvents),
        ),
        (m, ["journey"]) => ("GET", (m == "GET").then_some(Route::Journey)),
        (m, ["availability"]) => ("GET, OPTIONS", (m == "GET").then_some(Route::Availability)),
        (m, ["availability", "live"]) => ("GET", (m == "GET").then_some(Route::AvailabilityLive)),
        (m, ["sites", site, "check"]) => (
            "GET, OPTIONS",
            (m == "GET").then(|| Route::SiteCheck(id(site))),
        ),
        (m, ["sites", site, "model"]) => ("GET", (m == "GET").then(|| Route::SiteModel(id(site)))),
        (m, ["admin", "sites", s, "model"]) => {
            ("GET", (m == "GET").then(|| Route::AdminModel(id(s))))
        }
        (m, ["admin", "sites", s, "model", "examples"]) => (
            "POST, DELETE",
            match m {
                "POST" => Some(Route::AdminModelExamples(id(s))),
                "DELETE" => Some(Route::AdminDeleteModelExamples(id(s))),
                _ => None,
            },
        ),
        (m, ["admin", "sites", s, "model", "train"]) => {
            ("POST", (m == "POST").then(|| Route::AdminTrainModel(id(s))))
        }
        (m, ["conversations"]) => (
            "POST, OPTIONS",
            (m == "POST").then_some(Route::StartConversation),
        ),
        (m, ["conversations", c]) => (
            "DELETE, OPTIONS",
            (m == "DELETE").then(|| Route::VisitorDelete(id(c))),
        ),
        (m, ["conversations", c, "messages"]) => (
            "GET, POST, OPTIONS",
            match m {
                "GET" => Some(Route::VisitorMessages(id(c))),
                "POST" => Some(Route::VisitorSend(id(c))),
                _ => None,
            },
        ),
        (m, ["conversations", c, "live"]) => {
            ("GET", (m == "GET").then(|| Route::VisitorLive(id(c))))
        }
        (m, ["conversations", c, "read"]) => (
            "POST, OPTIONS",
            (m == "POST").then(|| Route::VisitorRead(id(c))),
        ),
        (m, ["identity", "conversations"]) => (
            "POST, OPTIONS",
            (m == "POST").then_some(Route::VisitorHistory),
        ),
        (m, ["staff", "me"]) => ("GET", (m == "GET").then_some(Route::StaffMe)),
        (m, ["staff", "presence"]) => ("PUT", (m == "PUT").then_some(Route::StaffPresence)),
        (m, ["staff", "inbox"]) => ("GET", (m == "GET").then_some(Route::StaffInbox)),
        (m, ["staff", "corrections"]) => ("GET", (m == "GET").then_some(Route::StaffCorrections)),
        (m, ["staff", "insights"]) => ("GET", (m == "GET").then_some(Route::StaffInsights)),
        (m, ["staff", "insights", "conversations"]) => (
            "GET",
            (m == "GET").then_some(Route::StaffInsightsConversations),
        ),
        (m, ["staff", "colleagues"]) => ("GET", (m == "GET").then_some(Route::StaffColleagues)),
        (m, ["staff", "saved-replies"]) => {
            ("GET", (m == "GET").then_some(Route::StaffSavedReplies))
        }
        (m, ["staff", "conversations", c]) => {
            ("GET", (m == "GET").then(|| Route::StaffConversation(id(c))))
        }
        (m, ["staff", "live"]) => ("GET", (m == "GET").then_some(Route::StaffInboxLive)),
        (m, ["staff", "conversations", c, "live"]) => (
            "GET",
            (m == "GET").then(|| Route::StaffConversationLive(id(c))),
        ),
        (m, ["staff", "conversations", c, action]) => {
            let route = match *action {
                "messages" => Route::StaffReply(id(c)),
                "assign" => Route::StaffAssign(id(c)),
                "close" => Route::StaffClose(id(c)),
                "reopen" => Route::StaffReopen(id(c)),
                "read" => Route::StaffRead(id(c)),
                _ => return Route::NotFound,
            };
            ("POST", (m == "POST").then_some(route))
        }
        (m, ["staff", "messages", message, "labels"]) => (
            "POST",
            (m == "POST").then(|| Route::StaffCorrectLabels(id(message))),
        ),
        (m, ["admin", "sites", s]) => (
            "GET, PUT",
            match m {
                "GET" => Some(Route::AdminGetSite(id(s))),
                "PUT" => Some(Route::AdminSite(id(s))),
                _ => None,
            },
        ),
        (m, ["admin", "sites", s, "teams", t]) => {
            ("PUT", (m == "PUT").then(|| Route::AdminTeam(id(s), id(t))))
        }
        (m, ["admin", "sites", s, "saved-replies"]) => {
            ("GET", (m == "GET").then(|| Route::AdminSavedReplies(id(s))))
        }
        (m, ["admin", "sites", s, "saved-replies", k]) => (
            "PUT, DELETE",
            match m {
                "PUT" => Some(Route::AdminPutSavedReply(id(s), id(k))),
                "DELETE" => Some(Route::AdminDeleteSavedReply(id(s), id(k))),
                _ => None,
            },
        ),
        (m, ["admin", "sites", s, "staff"]) => (
            "GET, POST",
            match m {
                "GET" => Some(Route::AdminListStaff(id(s))),
                "POST" => Some(Route::AdminCreateStaff(id(s))),
                _ => None,
            },
        ),
        (m, ["admin", "sites", s, "staff", who]) => (
            "PATCH, DELETE",
            match m {
                "PATCH" => Some(Route::AdminUpdateStaff(id(s), id(who))),
                "DELETE" => Some(Route::AdminRevokeStaff(id(s), id(who))),
                _ => None,
            },
        ),
        (m, ["admin", "sites", s, "staff", who, "token"]) => (
            "POST",
            (m == "POST").then(|| Route::AdminStaffToken(id(s), id(who))),
        ),
        (m, ["admin", "sites", s, "intake-key"]) => {
            ("POST", (m == "POST").then(|| Route::AdminIntakeKey(id(s))))
        }
        (m, ["admin", "sites", s, "webhook-deliveries"]) => {
            ("GET", (m == "GET").then(|| Route::AdminDeliveries(id(s))))
        }
        (m, ["admin", "sites", s, "visitors", v]) => (
            "GET, DELETE",
            match m {
                "GET" => Some(Route::AdminExportVisitor(id(s), id(v))),
                "DELETE" => Some(Route::AdminEraseVisitor(id(s), id(v))),
                _ => None,
            },
        ),
        (m, ["admin", "sites", s, "export", stream]) => (
            "GET",
            (m == "GET").then(|| Route::AdminExport(id(s), id(stream))),
        ),
        (m, ["admin", "sites", s, "destinations"]) => (
            "GET, POST",
            match m {
                "GET" => Some(Route::AdminDestinations(id(s))),
                "POST" => Some(Route::AdminCreateDestination(id(s))),
                _ => None,
            },
        ),
        (m, ["admin", "sites", s, "destinations", d]) => (
            "PATCH, DELETE",
            match m {
                "PATCH" => Some(Route::AdminUpdateDestination(id(s), id(d))),
                "DELETE" => Some(Route::AdminDeleteDestination(id(s), id(d))),
                _ => None,
            },
        ),
        (m, ["admin", "sites", s, "destinations", d, "deliveries"]) => (
            "GET",
            (m == "GET").then(|| Route::AdminDestinationDeliveries(id(s), id(d))),
        ),
        (m, ["admin", "sites", s, "destinations", d, "deliveries", x, "replay"]) => (
            "POST",
            (m == "POST").then(|| Route::AdminReplayDelivery(id(s), id(d), id(x))),
        ),
        (m, ["hooks", "chatwoot", d, token]) => (
            "POST",
            (m == "POST").then(|| Route::ChatwootInbound(id(d), id(token))),
        ),
        (m, ["intake"]) => ("POST", (m == "POST").then_some(Route::Intake)),
        _ => return Route::NotFound,
    };
    match handler {
        Some(route) => route,
        None if method == "OPTIONS" && allow.contains("OPTIONS") => Route::Preflight,
        None => Route::MethodNotAllowed { allow },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every operation openapi.json describes is routed, reads exactly the
    /// query parameters it documents, and is checked for the caller its
    /// security names.
    #[test]
    fn the_documented_query_parameters_and_callers_are_the_ones_checked() {
        let spec: serde_json::Value =
            serde_json::from_str(include_str!("../../openapi.json")).expect("openapi.json");
        let shared = &spec["components"]["parameters"];
        let resolve = |p: &serde_json::Value| match p["$ref"].as_str() {
            Some(reference) => shared[reference.rsplit('/').next().unwrap_or_default()].clone(),
            None => p.clone(),
        };
        let mut operations = 0;
        for (template, item) in spec["paths"].as_object().expect("paths") {
            let path: String = template
                .split('/')
                .map(|s| if s.starts_with('{') { "x1" } else { s })
                .collect::<Vec<_>>()
                .join("/");
            for method in ["get", "post", "put", "patch", "delete"] {
                let Some(operation) = item.get(method) else {
                    continue;
                };
                operations += 1;
                let listed = [&item["parameters"], &operation["parameters"]];
                let mut documented: Vec<String> = listed
                    .iter()
                    .filter_map(|list| list.as_array())
                    .flatten()
                    .map(resolve)
                    .filter(|p| p["in"] == "query")
                    .filter_map(|p| p["name"].as_str().map(str::to_owned))
                    .collect();
                documented.sort();
                let routed = route(&method.to_uppercase(), &path);
                assert!(
                    !matches!(
                        routed,
                        Route::NotFound | Route::MethodNotAllowed { .. } | Route::StaticAsset
                    ),
                    "{method} {template} is documented but not routed"
                );
                let mut read: Vec<&str> = routed.parameters().to_vec();
                read.sort();
                assert_eq!(read, documented, "{method} {template}");
                // The caller checked before the handler is the one documented.
                let schemes: Vec<&str> = operation["security"]
                    .as_array()
                    .expect("every operation states its security")
                    .iter()
                    .filter_map(|scheme| scheme.as_object()?.keys().next().map(String::as_str))
                    .collect();
                let expected = match schemes.as_slice() {
                    [] | ["intakeKey"] => "anyone",
                    ["adminToken"] => "operator",
                    ["staffToken"] => "staff",
                    ["visitorToken"] => "visitor",
                    ["adminToken", "staffToken"] => "site admin",
                    other => panic!("{method} {template}: unexpected security {other:?}"),
                };
                let checked = match routed.caller() {
                    Caller::Anyone => "anyone",
                    Caller::Operator => "operator",
                    Caller::Staff => "staff",
                    Caller::Visitor(_) => "visitor",
                    Caller::SiteAdmin(_) => "site admin",
                };
                assert_eq!(checked, expected, "{method} {template}");
            }
        }
        assert!(operations > 40, "{operations} operations");
    }

    #[test]
    fn routes() {
        assert_eq!(route("GET", "/v1/health"), Route::Health);
        // HEAD goes wherever GET goes, and nowhere else.
        assert_eq!(route("HEAD", "/v1/health"), Route::Health);
        assert_eq!(route("HEAD", "/v1/availability"), Route::Availability);
        assert_eq!(
            route("HEAD", "/v1/conversations/c1/messages"),
            Route::VisitorMessages("c1".into())
        );
        assert_eq!(
            route("HEAD", "/v1/events"),
            Route::MethodNotAllowed {
                allow: "POST, OPTIONS"
            }
        );
        assert_eq!(
            route("PUT", "/v1/admin/sites/shop%20eu/teams/%C3%A9quipe+vente"),
            Route::AdminTeam("shop eu".into(), "\u{e9}quipe+vente".into())
        );
        assert_eq!(
            route("GET", "/v1/sites/demo/model"),
            Route::SiteModel("demo".into())
        );
        assert_eq!(
            route("POST", "/v1/admin/sites/demo/model/examples"),
            Route::AdminModelExamples("demo".into())
        );
        assert_eq!(
            route("DELETE", "/v1/admin/sites/demo/model/examples"),
            Route::AdminDeleteModelExamples("demo".into())
        );
        assert_eq!(
            route("POST", "/v1/admin/sites/demo/model/train"),
            Route::AdminTrainModel("demo".into())
        );
        assert_eq!(
            route("GET", "/v1/admin/sites/demo/model/train"),
            Route::MethodNotAllowed { allow: "POST" }
        );
        assert_eq!(
            route("GET", "/v1/admin/sites/demo/export/touchpoints"),
            Route::AdminExport("demo".into(), "touchpoints".into())
        );
        assert_eq!(
            route("POST", "/v1/admin/sites/demo/export/labels"),
            Route::MethodNotAllowed { allow: "GET" }
        );
        assert_eq!(route("POST", "/v1/events"), Route::IngestEvents);
        assert_eq!(route("OPTIONS", "/v1/events"), Route::Preflight);
        assert_eq!(
            route("GET", "/v1/events"),
            Route::MethodNotAllowed {
                allow: "POST, OPTIONS"
            }
        );
        assert_eq!(route("GET", "/v1/nope"), Route::NotFound);
        assert_eq!(route("GET", "/v1/journey"), Route::Journey);
        assert_eq!(
            route("GET", "/v1/sites/demo/check"),
            Route::SiteCheck("demo".into())
        );
        assert_eq!(
            route("POST", "/v1/admin/sites/demo/destinations"),
            Route::AdminCreateDestination("demo".into())
        );
        assert_eq!(
            route("PATCH", "/v1/admin/sites/demo/destinations/d1"),
            Route::AdminUpdateDestination("demo".into(), "d1".into())
        );
        assert_eq!(
            route("PUT", "/v1/admin/sites/demo/destinations/d1"),
            Route::MethodNotAllowed {
                allow: "PATCH, DELETE"
            }
        );
        assert_eq!(
            route(
                "POST",
                "/v1/admin/sites/demo/destinations/d1/deliveries/d1.e1/replay"
            ),
            Route::AdminReplayDelivery("demo".into(), "d1".into(), "d1.e1".into())
        );
        assert_eq!(
            route("POST", "/v1/hooks/chatwoot/d1/tok"),
            Route::ChatwootInbound("d1".into(), "tok".into())
        );
        assert_eq!(
            route("GET", "/v1/staff/insights/conversations"),
            Route::StaffInsightsConversations
        );
        assert_eq!(
            route("POST", "/v1/staff/insights/conversations"),
            Route::MethodNotAllowed { allow: "GET" }
        );
        assert_eq!(route("GET", "/"), Route::StaticAsset);
        assert_eq!(route("GET", "/console/"), Route::StaticAsset);
        assert_eq!(route("GET", "/v1x"), Route::StaticAsset);
    }

    #[test]
    fn live_sockets_have_their_own_paths() {
        assert_eq!(
            route("GET", "/v1/conversations/c9/live"),
            Route::VisitorLive("c9".into())
        );
        assert_eq!(route("GET", "/v1/staff/live"), Route::StaffInboxLive);
        assert_eq!(
            route("GET", "/v1/availability/live"),
            Route::AvailabilityLive
        );
        assert_eq!(
            route("GET", "/v1/staff/conversations/c9/live"),
            Route::StaffConversationLive("c9".into())
        );
        assert_eq!(
            route("POST", "/v1/staff/live"),
            Route::MethodNotAllowed { allow: "GET" }
        );
    }

    #[test]
    fn conversation_routes_carry_their_ids() {
        assert_eq!(
            route("GET", "/v1/conversations/c1/messages"),
            Route::VisitorMessages("c1".into())
        );
        assert_eq!(
            route("POST", "/v1/conversations/c1/messages"),
            Route::VisitorSend("c1".into())
        );
        assert_eq!(route("OPTIONS", "/v1/conversations/c1"), Route::Preflight);
        assert_eq!(
            route("POST", "/v1/staff/conversations/c9/close"),
            Route::StaffClose("c9".into())
        );
        assert_eq!(
            route("POST", "/v1/staff/conversations/c9/read"),
            Route::StaffRead("c9".into())
        );
        assert_eq!(
            route("POST", "/v1/staff/conversations/c9/explode"),
            Route::NotFound
        );
        assert_eq!(
            route("PUT", "/v1/admin/sites/demo/teams/billing"),
            Route::AdminTeam("demo".into(), "billing".into())
        );
        assert_eq!(
            route("PATCH", "/v1/admin/sites/demo/visitors/v1"),
            Route::MethodNotAllowed {
                allow: "GET, DELETE"
            }
        );
        // Staff endpoints are not for browsers on other origins: no preflight.
        assert_eq!(
            route("OPTIONS", "/v1/staff/inbox"),
            Route::MethodNotAllowed { allow: "GET" }
        );
    }

    #[test]
    fn staff_accounts_are_listed_changed_revoked_and_reissued() {
        let (site, who) = (String::from("demo"), String::from("s1"));
        assert_eq!(
            route("GET", "/v1/admin/sites/demo/staff"),
            Route::AdminListStaff(site.clone())
        );
        assert_eq!(
            route("POST", "/v1/admin/sites/demo/staff"),
            Route::AdminCreateStaff(site.clone())
        );
        assert_eq!(
            route("PATCH", "/v1/admin/sites/demo/staff/s1"),
            Route::AdminUpdateStaff(site.clone(), who.clone())
        );
        assert_eq!(
            route("DELETE", "/v1/admin/sites/demo/staff/s1"),
            Route::AdminRevokeStaff(site.clone(), who.clone())
        );
        assert_eq!(
            route("POST", "/v1/admin/sites/demo/staff/s1/token"),
            Route::AdminStaffToken(site, who)
        );
        assert_eq!(
            route("PUT", "/v1/admin/sites/demo/staff/s1"),
            Route::MethodNotAllowed {
                allow: "PATCH, DELETE"
            }
        );
        assert_eq!(
            route("GET", "/v1/admin/sites/demo/staff/s1/token"),
            Route::MethodNotAllowed { allow: "POST" }
        );
    }
}
