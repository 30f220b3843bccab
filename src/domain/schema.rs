//! OpenAPI schemas for the domain types that travel as strings.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::{PartialSchema, ToSchema};

use super::{CalendarDate, CaseNumber, ClockTime, CommitteeCode, NonEmptyText, Position};

fn string_schema(description: &str, pattern: Option<&str>, example: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .pattern(pattern)
        .examples([serde_json::Value::from(example)])
        .into()
}

macro_rules! string_schema {
    ($type:ty, $description:literal, $pattern:expr, $example:literal) => {
        impl PartialSchema for $type {
            fn schema() -> RefOr<Schema> {
                string_schema($description, $pattern, $example)
            }
        }
        impl ToSchema for $type {}
    };
}

string_schema!(
    CaseNumber,
    "A case number (saksnummer) NN/YY, unique per committee and year. A leading zero is optional (9/24 = 09/24); NN-YY is read too. Returned without a leading zero.",
    Some(
        r"^[^\S\u0000-\u001F\u007F-\u009F]*(0{0,3}[1-9]|0{0,2}[1-9]\d|0?[1-9]\d\d|[1-9]\d\d\d)[/-](\d{2}|20\d{2})[^\S\u0000-\u001F\u007F-\u009F]*$"
    ),
    "24/24"
);
string_schema!(
    CommitteeCode,
    "The short code of a committee (utvalg), case-insensitive, returned in upper case.",
    // Letters of the alphabets the committees write in; the service takes any letter.
    Some(
        r"^[^\S\u0000-\u001F\u007F-\u009F]*[A-Za-z0-9ÆØÅæøåÄÖÜäöü][A-Za-z0-9ÆØÅæøåÄÖÜäöü-]{0,15}[^\S\u0000-\u001F\u007F-\u009F]*$"
    ),
    "ASU"
);
string_schema!(
    Position,
    "The position of a decision point within the decision: a point (2), a lettered sub-point (2a) or a bullet under a point (2.1).",
    Some(
        r"^[^\S\u0000-\u001F\u007F-\u009F]*(0{0,2}[1-9]|0?[1-9]\d|[1-9]\d\d)([a-zA-Z]|\.(0?[1-9]|[1-9]\d))?[.)]?[^\S\u0000-\u001F\u007F-\u009F]*$"
    ),
    "2"
);
string_schema!(
    ClockTime,
    "A time of day, HH:MM (HH.MM is read too).",
    Some(r"^([01]?\d|2[0-3])[:.][0-5]\d(:[0-5]\d)?$"),
    "13:00"
);
string_schema!(
    NonEmptyText,
    "Text with at least one visible character; surrounding whitespace is trimmed. No control characters but tab and line breaks.",
    Some(
        r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$"
    ),
    "Status Handlingsplan"
);
/// The schema of an owner's name or alias (a [`NonEmptyText`] with a rule of its own), for
/// the spec only: it must have a character that is not punctuation, since names are matched
/// without their surrounding punctuation. Written with explicit ranges, which every pattern
/// dialect reads alike.
pub struct OwnerName;
string_schema!(
    OwnerName,
    "A name or alias of an owner: text with at least one character that is neither whitespace nor ASCII punctuation, at most 200 characters. No control characters but tab and line breaks.",
    Some(
        r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F!-/:-@\[-`{-~][^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$"
    ),
    "Sekretariatet"
);
// A real date (`format: date`, so not 2024-02-31) in the years the type takes.
impl PartialSchema for CalendarDate {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .description(Some("A date, YYYY-MM-DD, in the years 1900 to 2999."))
            .pattern(Some(r"^(19|2\d)\d{2}-"))
            .examples([serde_json::Value::from("2024-06-19")])
            .into()
    }
}
impl ToSchema for CalendarDate {}
