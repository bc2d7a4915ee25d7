//! Staff accounts as the operator and a site's admins manage them: who may
//! be created, changed, revoked or given a new token, decided before the
//! edge touches the database.

use serde::Deserialize;

use super::api::ApiError;
use super::conversation::check_short;
use super::team::no_such_team;

/// A role: agents work in their teams; admins in every team, and they
/// manage the site.
pub const ROLES: [&str; 2] = ["agent", "admin"];

/// A `POST /v1/admin/sites/{site}/staff` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewStaff {
    pub name: String,
    #[serde(default)]
    pub role: Option<String>,
    pub teams: Vec<String>,
}

/// A `PATCH /v1/admin/sites/{site}/staff/{id}` body: fields left out (or
/// `null`, as in the other updates) keep their stored values.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StaffUpdate {
    pub name: Option<String>,
    pub role: Option<String>,
    pub teams: Option<Vec<String>>,
}

/// Who asks for a change to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor<'a> {
    /// The operator secret.
    Operator,
    /// A site admin, by staff id.
    Admin(&'a str),
}

impl Actor<'_> {
    /// Whether this is the account's own holder.
    fn is(&self, account: &str) -> bool {
        matches!(self, Actor::Admin(id) if *id == account)
    }
}

impl NewStaff {
    /// The role it asks for (agent when left out), once checked with its
    /// name and teams against the site's `known_teams`.
    pub fn check(&self, known_teams: &[String]) -> Result<&str, ApiError> {
        check_short("name", &self.name, true)?;
        let role = self.role.as_deref().unwrap_or("agent");
        check_role(role)?;
        check_teams(&self.teams, known_teams)?;
        Ok(role)
    }
}

impl StaffUpdate {
    /// Checks the fields given; an admin may not take away their own admin
    /// role (another admin or the operator can), so no site is left without
    /// the admin who was managing it by a slip.
    pub fn check(
        &self,
        account: &str,
        actor: Actor<'_>,
        known_teams: &[String],
    ) -> Result<(), ApiError> {
        if let Some(name) = &self.name {
            check_short("name", name, true)?;
        }
        if let Some(role) = &self.role {
            check_role(role)?;
            if role != "admin" && actor.is(account) {
                return Err(ApiError::Conflict(
                    "you cannot take away your own admin role; another admin or the operator can"
                        .into(),
                ));
            }
        }
        if let Some(teams) = &self.teams {
            check_teams(teams, known_teams)?;
        }
        Ok(())
    }
}

/// Whether `actor` may revoke `account`: not their own (they would lock
/// themselves out mid-session; another admin or the operator can).
pub fn check_revoke(account: &str, actor: Actor<'_>) -> Result<(), ApiError> {
    if actor.is(account) {
        return Err(ApiError::Conflict(
            "you cannot revoke your own account; another admin or the operator can".into(),
        ));
    }
    Ok(())
}

/// Whether `actor` may give `account` a new token: not their own from the
/// console (the new token would end the session it is shown in before it
/// is seen; another admin or the operator can).
pub fn check_new_token(account: &str, actor: Actor<'_>) -> Result<(), ApiError> {
    if actor.is(account) {
        return Err(ApiError::Conflict(
            "you cannot give yourself a new token while signed in with the old one; another admin or the operator can"
                .into(),
        ));
    }
    Ok(())
}

/// The staff id a staff token names (`tps_<id>.<secret>`), or `None` for
/// any other credential.
pub fn token_staff_id(token: &str) -> Option<&str> {
    token
        .strip_prefix("tps_")
        .and_then(|rest| rest.split_once('.'))
        .map(|(id, _)| id)
        .filter(|id| !id.is_empty())
}

fn check_role(role: &str) -> Result<(), ApiError> {
    if ROLES.contains(&role) {
        Ok(())
    } else {
        Err(ApiError::InvalidRequest(
            "role must be agent or admin".into(),
        ))
    }
}

/// Every team must be one of the site's (409 names the first that is not,
/// as for a conversation sent to a team the site does not have), and named
/// once (400: a list with repeats is a client's mistake, not a choice).
fn check_teams(teams: &[String], known_teams: &[String]) -> Result<(), ApiError> {
    if let Some(unknown) = teams.iter().find(|team| !known_teams.contains(team)) {
        return Err(no_such_team(unknown));
    }
    match teams
        .iter()
        .enumerate()
        .find(|(at, team)| teams.get(..*at).is_some_and(|before| before.contains(team)))
    {
        Some((_, repeated)) => Err(ApiError::InvalidRequest(format!(
            "teams names {repeated} more than once"
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn teams(names: &[&str]) -> Vec<String> {
        names.iter().map(|&n| n.to_owned()).collect()
    }

    fn update(json: &str) -> StaffUpdate {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_new_account_needs_a_name_a_known_role_and_known_teams() {
        let known = teams(&["sales", "support"]);
        let new = |json: &str| serde_json::from_str::<NewStaff>(json).unwrap();
        assert_eq!(
            new(r#"{"name":"Ana","teams":["sales"]}"#)
                .check(&known)
                .unwrap(),
            "agent"
        );
        assert_eq!(
            new(r#"{"name":"Ana","role":"admin","teams":[]}"#)
                .check(&known)
                .unwrap(),
            "admin"
        );
        assert!(matches!(
            new(r#"{"name":"Ana","role":"owner","teams":[]}"#).check(&known),
            Err(ApiError::InvalidRequest(_))
        ));
        assert!(matches!(
            new(r#"{"name":" ","teams":[]}"#).check(&known),
            Err(ApiError::InvalidRequest(_))
        ));
        assert!(matches!(
            new(r#"{"name":"Ana","teams":["sales","nosuch"]}"#).check(&known),
            Err(ApiError::Conflict(message)) if message == "no such team: nosuch"
        ));
        assert!(
            serde_json::from_str::<NewStaff>(r#"{"name":"Ana","teams":[],"token":"x"}"#).is_err()
        );
        assert!(matches!(
            new(r#"{"name":"Ana","teams":["sales","support","sales"]}"#).check(&known),
            Err(ApiError::InvalidRequest(message)) if message == "teams names sales more than once"
        ));
        assert!(matches!(
            update(r#"{"teams":["support","support"]}"#).check("s1", Actor::Operator, &known),
            Err(ApiError::InvalidRequest(_))
        ));
    }

    #[test]
    fn an_update_changes_what_it_names_and_checks_it() {
        let known = teams(&["sales", "support"]);
        let operator = Actor::Operator;
        assert!(update(r#"{"teams":["support"]}"#)
            .check("s1", operator, &known)
            .is_ok());
        assert!(update(r#"{"name":"Ana B.","role":"admin"}"#)
            .check("s1", operator, &known)
            .is_ok());
        // Nothing to change changes nothing.
        assert!(update(r#"{"name":null}"#)
            .check("s1", operator, &known)
            .is_ok());
        assert!(matches!(
            update(r#"{"role":"root"}"#).check("s1", operator, &known),
            Err(ApiError::InvalidRequest(_))
        ));
        assert!(matches!(
            update(r#"{"teams":["nosuch"]}"#).check("s1", operator, &known),
            Err(ApiError::Conflict(_))
        ));
        assert!(serde_json::from_str::<StaffUpdate>(r#"{"token_hash":""}"#).is_err());
    }

    #[test]
    fn an_admin_cannot_demote_or_revoke_themselves_but_others_can() {
        let known = teams(&["sales"]);
        let demote = update(r#"{"role":"agent"}"#);
        assert!(matches!(
            demote.check("s1", Actor::Admin("s1"), &known),
            Err(ApiError::Conflict(_))
        ));
        assert!(demote.check("s1", Actor::Admin("s2"), &known).is_ok());
        assert!(demote.check("s1", Actor::Operator, &known).is_ok());
        // Their own name and teams are theirs to change.
        assert!(update(r#"{"name":"Ana","teams":["sales"]}"#)
            .check("s1", Actor::Admin("s1"), &known)
            .is_ok());
        assert!(matches!(
            check_revoke("s1", Actor::Admin("s1")),
            Err(ApiError::Conflict(_))
        ));
        assert!(check_revoke("s1", Actor::Admin("s2")).is_ok());
        assert!(check_revoke("s1", Actor::Operator).is_ok());
        assert!(matches!(
            check_new_token("s1", Actor::Admin("s1")),
            Err(ApiError::Conflict(_))
        ));
        assert!(check_new_token("s1", Actor::Admin("s2")).is_ok());
        assert!(check_new_token("s1", Actor::Operator).is_ok());
    }

    #[test]
    fn a_staff_token_names_its_account() {
        assert_eq!(token_staff_id("tps_abc123.secret"), Some("abc123"));
        assert_eq!(token_staff_id("tps_.secret"), None);
        assert_eq!(token_staff_id("tps_abc123"), None);
        assert_eq!(token_staff_id("operator-secret-123456"), None);
    }
}
