//! Domain types: values that cannot hold invalid states. Each has one way in (`FromStr`/`parse`)
//! and one way out (`Display`), and is used unchanged from the HTTP edge to the database.
//!
//! [`references`] finds the references to other cases and meetings in a case's texts; it
//! needs nothing but these types, so the store and the import both use it from here.

mod case_number;
mod clock_time;
mod committee_code;
mod date;
mod enums;
mod ids;
mod position;
pub mod references;
mod schema;
mod snippet;
mod text;

pub use case_number::CaseNumber;
pub use clock_time::ClockTime;
pub use committee_code::CommitteeCode;
pub use date::CalendarDate;
pub use enums::{
    CaseStatus, DecisionKind, DecisionStatus, LinkKind, MeetingKind, MeetingStatus, OwnerKind, Role,
};
pub use ids::{CaseId, CommitteeId, DecisionId, LinkId, MeetingId, OwnerId};
pub use position::Position;
pub use schema::OwnerName;
pub use snippet::{has_every_term, snippet, term_score};
pub use text::{NonEmptyText, fold, fold_text, sha256_hex};

/// A value that failed to parse, with a message fit for an API client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

impl ParseError {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// Implements `Serialize`/`Deserialize` through `Display`/`FromStr`, so JSON input is parsed by
/// the same rules as path and query input.
macro_rules! serde_via_str {
    ($type:ty, $expecting:literal) => {
        impl serde::Serialize for $type {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl serde::de::Visitor<'_> for Visitor {
                    type Value = $type;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$type, E> {
                        v.parse()
                            .map_err(|e: $crate::domain::ParseError| E::custom(e))
                    }
                }
                deserializer.deserialize_str(Visitor)
            }
        }
    };
}
pub(crate) use serde_via_str;
