//! How the pages write values: Norwegian dates (19.06.2024), times in Norwegian time, and the
//! bokmål words for the log's codes.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};

use crate::domain::{
    CalendarDate, CaseStatus, DecisionKind, DecisionStatus, LinkKind, OwnerKind, Role, fold,
};
use crate::report::log::{kind_word, status_word};

/// `19.06.2024`.
pub fn date(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}

/// `19.06.2024 kl. 14.05`, in Norwegian time.
pub fn date_time(at: DateTime<Utc>) -> String {
    oslo(at).format("%d.%m.%Y kl. %H.%M").to_string()
}

/// A date as people type it: `19.06.2024`, `19.06.24` or `2024-06-19`.
pub fn parse_date(input: &str) -> Option<CalendarDate> {
    let input = input.trim();
    let iso = match input.split('.').collect::<Vec<_>>()[..] {
        [day, month, year] => {
            let year = match year.len() {
                2 => format!("20{year}"),
                _ => year.to_owned(),
            };
            format!("{year}-{month:0>2}-{day:0>2}")
        }
        _ => input.to_owned(),
    };
    iso.parse().ok()
}

/// A value as the history shows it: dates the Norwegian way, codes in words, lists of owners
/// by name, nothing as a dash.
pub fn history_value(field: &str, value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => "–".into(),
        Value::Bool(true) => "ja".into(),
        Value::Bool(false) => "nei".into(),
        Value::String(text) => {
            if let (true, Ok(status)) = (field == "status", text.parse::<DecisionStatus>()) {
                return status_word(status).into();
            }
            if let (true, Ok(kind)) = (field == "kind", text.parse::<DecisionKind>()) {
                return kind_word(kind).into();
            }
            match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                Ok(day) => date(day),
                Err(_) => text.clone(),
            }
        }
        Value::Array(items) if items.is_empty() => "–".into(),
        Value::Array(items) => items
            .iter()
            .map(|item| match item.get("name") {
                Some(name) => history_value(field, name),
                None => history_value(field, item),
            })
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(map) => match (map.get("case"), map.get("meeting_date")) {
            (Some(Value::String(case)), _) => format!("sak {case}"),
            (_, Some(day)) => format!("møtet {}", history_value(field, day)),
            _ => value.to_string(),
        },
        Value::Number(number) => number.to_string(),
    }
}

/// The last Sunday of a month, at 01:00 UTC: when summer time starts (March) and ends
/// (October) in Norway, as in the rest of the EU.
fn last_sunday_0100_utc(year: i32, month: u32) -> DateTime<Utc> {
    let mut day = NaiveDate::from_ymd_opt(year, month, 31).expect("March and October have 31 days");
    while day.weekday() != Weekday::Sun {
        day -= Duration::days(1);
    }
    Utc.from_utc_datetime(&day.and_hms_opt(1, 0, 0).expect("a valid time"))
}

/// The time in Norway (Europe/Oslo): UTC+1, UTC+2 in summer time. The rule is fixed by the EU
/// directive Norway follows, so it needs no time zone database.
pub fn oslo(at: DateTime<Utc>) -> NaiveDateTime {
    let summer =
        at >= last_sunday_0100_utc(at.year(), 3) && at < last_sunday_0100_utc(at.year(), 10);
    at.naive_utc() + Duration::hours(if summer { 2 } else { 1 })
}

/// Today's date in Norway.
pub fn today() -> NaiveDate {
    oslo(Utc::now()).date()
}

pub use crate::report::log::{kind_word as kind, status_word as status};

/// The colour of a status tag (a Designsystemet `data-color`).
pub fn status_color(status: DecisionStatus) -> &'static str {
    match status {
        DecisionStatus::Proposed => "neutral",
        DecisionStatus::Open => "info",
        DecisionStatus::InProgress => "warning",
        DecisionStatus::Done => "success",
        DecisionStatus::Cancelled => "neutral",
    }
}

/// `13.00`: a time of day the Norwegian way.
pub fn clock(time: crate::domain::ClockTime) -> String {
    time.to_string().replace(':', ".")
}

/// `kl. 13.00–17.00`, `kl. 13.00`, or nothing.
pub fn clock_span(
    start: Option<crate::domain::ClockTime>,
    end: Option<crate::domain::ClockTime>,
) -> Option<String> {
    match (start, end) {
        (Some(start), Some(end)) => Some(format!("kl. {}–{}", clock(start), clock(end))),
        (Some(start), None) => Some(format!("kl. {}", clock(start))),
        _ => None,
    }
}

/// A case's state in the users' words.
pub fn case_status(status: CaseStatus) -> &'static str {
    match status {
        CaseStatus::Planned => "Satt opp",
        CaseStatus::Decided => "Vedtatt",
        CaseStatus::Postponed => "Utsatt",
        CaseStatus::Withdrawn => "Trukket",
    }
}

/// What a link says, read from the case that makes it (`outgoing`) or from its target.
pub fn link_kind(kind: LinkKind, outgoing: bool) -> &'static str {
    match (kind, outgoing) {
        (LinkKind::FollowsUp, true) => "Følger opp",
        (LinkKind::FollowsUp, false) => "Fulgt opp i",
        (LinkKind::PostponedTo, true) => "Utsatt til",
        (LinkKind::PostponedTo, false) => "Utsatt fra",
        (LinkKind::RefersTo, true) => "Viser til",
        (LinkKind::RefersTo, false) => "Nevnt i",
    }
}

pub fn owner_kind(kind: OwnerKind) -> &'static str {
    match kind {
        OwnerKind::Body => "Organ eller gruppe",
        OwnerKind::Party => "Part",
        OwnerKind::Person => "Person",
    }
}

/// A key that sorts names as a Norwegian reader expects: æ, ø, å after z, in that order
/// (Unicode puts å before æ and ø), without regard to case.
pub fn sort_key(name: &str) -> String {
    fold(name)
        .chars()
        .map(|c| match c {
            'æ' | 'ä' => '\u{7b}',
            'ø' | 'ö' => '\u{7c}',
            'å' => '\u{7d}',
            other => other,
        })
        .collect()
}

pub fn role(role: Role) -> &'static str {
    match role {
        Role::Reader => "leser",
        Role::Editor => "redaktør",
        Role::Admin => "administrator",
    }
}

/// Norwegian words for the fields the history names.
pub fn field(name: &str) -> &str {
    match name {
        "status" => "Status",
        "status_note" => "Merknad",
        "deadline" => "Frist",
        "owners" => "Ansvarlige",
        "text" => "Tekst",
        "kind" => "Type",
        "position" => "Punkt",
        "public" => "Offentlig",
        "status_evidence" => "Rapportert i",
        "title" => "Tittel",
        "responsible" => "Saksansvarlig",
        "narrative" => "Referat",
        "start_time" => "Starttid",
        "end_time" => "Sluttid",
        "location" => "Sted",
        "chair" => "Møteleder",
        "minute_taker" => "Referent",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn dates_are_read_as_people_type_them() {
        let day = |s: &str| parse_date(s).map(|d| date(d.get()));
        assert_eq!(day("19.06.2024").as_deref(), Some("19.06.2024"));
        assert_eq!(day("9.6.24").as_deref(), Some("09.06.2024"));
        assert_eq!(day("2024-06-19").as_deref(), Some("19.06.2024"));
        assert_eq!(day("31.02.2024"), None);
        assert_eq!(day("i desember"), None);
    }

    #[test]
    fn names_sort_with_æ_ø_å_after_z() {
        let mut names = ["Åsen", "Øya", "Ærø", "Zeta", "analyse"];
        names.sort_by_key(|n| sort_key(n));
        assert_eq!(names, ["analyse", "Zeta", "Ærø", "Øya", "Åsen"]);
    }

    #[test]
    fn dates_are_written_the_norwegian_way() {
        assert_eq!(
            date(NaiveDate::from_ymd_opt(2024, 6, 19).unwrap()),
            "19.06.2024"
        );
    }

    #[test]
    fn times_are_norwegian_time_in_summer_and_winter() {
        assert_eq!(
            date_time(at("2024-06-19T12:05:00Z")),
            "19.06.2024 kl. 14.05"
        );
        assert_eq!(
            date_time(at("2024-01-10T23:30:00Z")),
            "11.01.2024 kl. 00.30"
        );
        // Summer time began 31.03.2024 at 01:00 UTC and ended 27.10.2024 at 01:00 UTC.
        assert_eq!(
            date_time(at("2024-03-31T00:59:00Z")),
            "31.03.2024 kl. 01.59"
        );
        assert_eq!(
            date_time(at("2024-03-31T01:00:00Z")),
            "31.03.2024 kl. 03.00"
        );
        assert_eq!(
            date_time(at("2024-10-27T00:59:00Z")),
            "27.10.2024 kl. 02.59"
        );
        assert_eq!(
            date_time(at("2024-10-27T01:00:00Z")),
            "27.10.2024 kl. 02.00"
        );
    }
}
