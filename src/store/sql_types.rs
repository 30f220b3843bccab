//! How domain types cross the database boundary: ids, closed sets and codes are stored as
//! text on both backends and come back typed, so rows, filters and forms use the domain types
//! themselves instead of strings parsed by hand.
//!
//! The domain types derive `AsExpression`/`FromSqlRow` for `Text`; this module gives them the
//! per-backend `ToSql`/`FromSql` and, through those, the ones of the connection that serves
//! both backends.

use std::io::Write;
use std::str::FromStr;

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::pg::Pg;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::Text;
use diesel::sqlite::Sqlite;

use super::DbConnection;
use crate::domain::{
    CaseId, CaseStatus, CommitteeCode, CommitteeId, DecisionId, DecisionKind, DecisionStatus,
    LinkId, LinkKind, MeetingId, MeetingKind, MeetingStatus, OwnerId, OwnerKind, Position, Role,
};

/// The backend of the connection that serves both databases.
type Either = <DbConnection as diesel::Connection>::Backend;

/// Reads a stored text into a domain type; a value that does not parse is a corrupt row.
fn parse<T>(text: String) -> deserialize::Result<T>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    text.parse()
        .map_err(|e: T::Err| format!("stored value '{text}': {e}").into())
}

macro_rules! text_column {
    ($($name:ty),+ $(,)?) => {$(
        impl ToSql<Text, Pg> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                write!(out, "{self}")?;
                Ok(IsNull::No)
            }
        }

        impl ToSql<Text, Sqlite> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                out.set_value(self.to_string());
                Ok(IsNull::No)
            }
        }

        impl ToSql<Text, Either> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Either>) -> serialize::Result {
                out.set_value((Text, self));
                Ok(IsNull::No)
            }
        }

        impl FromSql<Text, Pg> for $name {
            fn from_sql(bytes: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                parse(<String as FromSql<Text, Pg>>::from_sql(bytes)?)
            }
        }

        impl FromSql<Text, Sqlite> for $name {
            fn from_sql(bytes: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                parse(<String as FromSql<Text, Sqlite>>::from_sql(bytes)?)
            }
        }

        impl FromSql<Text, Either> for $name {
            fn from_sql(bytes: <Either as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                bytes.from_sql::<Self, Text>()
            }
        }
    )+};
}

text_column!(
    CommitteeId,
    MeetingId,
    CaseId,
    DecisionId,
    OwnerId,
    LinkId,
    MeetingKind,
    MeetingStatus,
    CaseStatus,
    DecisionKind,
    DecisionStatus,
    LinkKind,
    OwnerKind,
    Role,
    CommitteeCode,
    Position,
);
