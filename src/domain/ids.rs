use std::fmt;
use std::str::FromStr;

use utoipa::ToSchema;
use uuid::Uuid;

use super::{ParseError, serde_via_str};

/// Id newtypes, so that the id of one table cannot be passed where another's is meant. They are
/// UUIDs (v4), stored as text on both backends.
macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ToSchema)]
        #[derive(diesel::AsExpression, diesel::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        #[schema(value_type = uuid::Uuid)]
        pub struct $name(Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl FromStr for $name {
            type Err = ParseError;

            fn from_str(input: &str) -> Result<Self, ParseError> {
                Uuid::parse_str(input.trim())
                    .map(Self)
                    .map_err(|_| ParseError::new(format!("invalid {} id '{}': expected a UUID", $what, input)))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.as_hyphenated().fmt(f)
            }
        }

        serde_via_str!($name, "a UUID");
    };
}

id_type!(
    /// The id of a committee (utvalg).
    CommitteeId, "committee"
);
id_type!(
    /// The id of a meeting (møte).
    MeetingId, "meeting"
);
id_type!(
    /// The id of a case (sak).
    CaseId, "case"
);
id_type!(
    /// The id of a decision point (vedtakspunkt).
    DecisionId, "decision"
);
id_type!(
    /// The id of an owner in the owner registry.
    OwnerId, "owner"
);
id_type!(
    /// The id of a follow-up link between cases.
    LinkId, "link"
);
