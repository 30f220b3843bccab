use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ParseError;

/// A closed set of values written as lower-case strings in JSON, in query strings and in the
/// database alike.
///
/// The OpenAPI schema is written here by hand from the same `$text` list that serde uses:
/// utoipa's derive cannot see a `#[serde(rename = ...)]` whose value comes from a macro
/// fragment, and would list the Rust variant names instead.
macro_rules! string_enum {
    ($(#[doc = $doc:literal])* $name:ident, $what:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[derive(diesel::AsExpression, diesel::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some(doc_text(&[$($doc),*])))
                    .enum_values(Some([$($text),+]))
                    .into()
            }
        }

        impl ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(&self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl FromStr for $name {
            type Err = ParseError;

            fn from_str(input: &str) -> Result<Self, ParseError> {
                match input.trim() {
                    $($text => Ok($name::$variant),)+
                    other => Err(ParseError::new(format!(
                        "unknown {} '{}': expected one of {}",
                        $what,
                        other,
                        [$($text),+].join(", ")
                    ))),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// A doc comment's lines as one description, as utoipa's derive writes it.
fn doc_text(lines: &[&str]) -> String {
    lines
        .iter()
        .map(|line| line.strip_prefix(' ').unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n")
}

string_enum!(
    /// Whether a meeting (møte) is ordinary or extraordinary (ekstraordinært).
    MeetingKind, "meeting kind" { Ordinary => "ordinary", Extraordinary => "extraordinary" }
);

string_enum!(
    /// `planned` before the meeting, `held` once it has taken place.
    MeetingStatus, "meeting status" { Planned => "planned", Held => "held" }
);

string_enum!(
    /// The state of a case (sak): `planned` on the agenda, `decided` (vedtatt), `postponed`
    /// (utsatt) to a later meeting, or `withdrawn` (trukket).
    CaseStatus, "case status" {
        Planned => "planned",
        Decided => "decided",
        Postponed => "postponed",
        Withdrawn => "withdrawn",
    }
);

string_enum!(
    /// What a decision point (vedtakspunkt) does. `orientation` ("ASU tar saken til
    /// orientering") and `approval` ("Innkalling og sakliste godkjennes") need no follow-up;
    /// `assignment` ("ASU ber sekretariatet ..."), `recommendation` ("ASU anbefaler at
    /// kommunene ..."), `postponement` ("Saken utsettes til ...") and `scheduling` ("ASU setter
    /// saken opp på sakskartet ...") do.
    DecisionKind, "decision kind" {
        Orientation => "orientation",
        Approval => "approval",
        Assignment => "assignment",
        Recommendation => "recommendation",
        Postponement => "postponement",
        Scheduling => "scheduling",
        Other => "other",
    }
);

impl DecisionKind {
    /// Orientation and approval points are closed when adopted; every other kind is work
    /// that someone must follow up.
    pub fn needs_follow_up(&self) -> bool {
        !matches!(self, DecisionKind::Orientation | DecisionKind::Approval)
    }
}

string_enum!(
    /// The follow-up status of a decision point: `open` (åpen), `in_progress` (pågår),
    /// `done` (utført) or `cancelled` (avbrutt); `proposed` (foreslått) for a point imported
    /// from a notice that no minutes have adopted yet, which is not open work.
    DecisionStatus, "decision status" {
        Proposed => "proposed",
        Open => "open",
        InProgress => "in_progress",
        Done => "done",
        Cancelled => "cancelled",
    }
);

impl DecisionStatus {
    /// Open work: the statuses that can become overdue.
    pub fn is_active(&self) -> bool {
        matches!(self, DecisionStatus::Open | DecisionStatus::InProgress)
    }
}

string_enum!(
    /// How one case relates to another: `follows_up` (oppfølging av), `postponed_to`
    /// (utsatt til) or `refers_to` (viser til).
    LinkKind, "link kind" {
        FollowsUp => "follows_up",
        PostponedTo => "postponed_to",
        RefersTo => "refers_to",
    }
);

string_enum!(
    /// What an owner is: a `body` of the health community (AU, Sekretariatet, a group, a
    /// fagråd), a `party` to the agreement (a municipality, the hospital), or a `person`.
    OwnerKind, "owner kind" { Body => "body", Party => "party", Person => "person" }
);

string_enum!(
    /// What a token may do: a `reader` (AU, integrations) reads; an `editor` (the secretariat)
    /// also records and changes meetings, cases, decision points, owners and links; an `admin`
    /// also manages tokens.
    Role, "role" { Reader => "reader", Editor => "editor", Admin => "admin" }
);

impl Role {
    /// Whether this role may do what `needed` may.
    pub fn allows(&self, needed: Role) -> bool {
        let rank = |role: &Role| match role {
            Role::Reader => 0,
            Role::Editor => 1,
            Role::Admin => 2,
        };
        rank(self) >= rank(&needed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_value() {
        for status in DecisionStatus::ALL {
            assert_eq!(status.as_str().parse::<DecisionStatus>().unwrap(), *status);
        }
        for kind in DecisionKind::ALL {
            assert_eq!(kind.as_str().parse::<DecisionKind>().unwrap(), *kind);
        }
    }

    #[test]
    fn unknown_values_name_the_allowed_ones() {
        let err = "finished".parse::<DecisionStatus>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown decision status 'finished': expected one of proposed, open, in_progress, done, cancelled"
        );
    }

    #[test]
    fn each_role_allows_what_the_roles_below_it_do() {
        assert!(Role::Admin.allows(Role::Editor) && Role::Editor.allows(Role::Reader));
        assert!(!Role::Reader.allows(Role::Editor) && !Role::Editor.allows(Role::Admin));
    }

    #[test]
    fn only_orientation_and_approval_need_no_follow_up() {
        let without: Vec<_> = DecisionKind::ALL
            .iter()
            .filter(|k| !k.needs_follow_up())
            .collect();
        assert_eq!(
            without,
            [&DecisionKind::Orientation, &DecisionKind::Approval]
        );
    }
}
