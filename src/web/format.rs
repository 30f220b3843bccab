//! How the pages write values: Norwegian dates (19.06.2024), times in Norwegian time, and the
//! bokmål words for the log's codes.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};

use crate::domain::{DecisionKind, DecisionStatus, Role};

/// `19.06.2024`.
pub fn date(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}

/// `19.06.2024 kl. 14.05`, in Norwegian time.
pub fn date_time(at: DateTime<Utc>) -> String {
    oslo(at).format("%d.%m.%Y kl. %H.%M").to_string()
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
    let summer = at >= last_sunday_0100_utc(at.year(), 3) && at < last_sunday_0100_utc(at.year(), 10);
    at.naive_utc() + Duration::hours(if summer { 2 } else { 1 })
}

/// Today's date in Norway.
pub fn today() -> NaiveDate {
    oslo(Utc::now()).date()
}

pub fn status(status: DecisionStatus) -> &'static str {
    match status {
        DecisionStatus::Proposed => "Foreslått",
        DecisionStatus::Open => "Åpen",
        DecisionStatus::InProgress => "Pågår",
        DecisionStatus::Done => "Utført",
        DecisionStatus::Cancelled => "Avbrutt",
    }
}

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

pub fn kind(kind: DecisionKind) -> &'static str {
    match kind {
        DecisionKind::Orientation => "Til orientering",
        DecisionKind::Approval => "Godkjenning",
        DecisionKind::Assignment => "Oppdrag",
        DecisionKind::Recommendation => "Anbefaling",
        DecisionKind::Postponement => "Utsettelse",
        DecisionKind::Scheduling => "Satt på sakskartet",
        DecisionKind::Other => "Annet",
    }
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
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn dates_are_written_the_norwegian_way() {
        assert_eq!(date(NaiveDate::from_ymd_opt(2024, 6, 19).unwrap()), "19.06.2024");
    }

    #[test]
    fn times_are_norwegian_time_in_summer_and_winter() {
        assert_eq!(date_time(at("2024-06-19T12:05:00Z")), "19.06.2024 kl. 14.05");
        assert_eq!(date_time(at("2024-01-10T23:30:00Z")), "11.01.2024 kl. 00.30");
        // Summer time began 31.03.2024 at 01:00 UTC and ended 27.10.2024 at 01:00 UTC.
        assert_eq!(date_time(at("2024-03-31T00:59:00Z")), "31.03.2024 kl. 01.59");
        assert_eq!(date_time(at("2024-03-31T01:00:00Z")), "31.03.2024 kl. 03.00");
        assert_eq!(date_time(at("2024-10-27T00:59:00Z")), "27.10.2024 kl. 02.59");
        assert_eq!(date_time(at("2024-10-27T01:00:00Z")), "27.10.2024 kl. 02.00");
    }
}
