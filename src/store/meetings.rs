//! Meetings (møter) of a committee.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Date, Text};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::schema::{cases, committees, meetings};
use super::{DbConnection, Page, StoreError, StoreResult, now, parse_stored, utc};
use crate::domain::{
    CalendarDate, ClockTime, CommitteeCode, MeetingId, MeetingKind, MeetingStatus,
};

#[derive(Queryable, Selectable)]
#[diesel(table_name = meetings)]
struct MeetingRow {
    id: String,
    meeting_date: NaiveDate,
    start_time: Option<NaiveTime>,
    end_time: Option<NaiveTime>,
    location: Option<String>,
    kind: String,
    chair: Option<String>,
    minute_taker: Option<String>,
    status: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// A meeting (møte) of a committee. A committee holds at most one meeting on a date.
#[derive(Debug, Serialize, ToSchema)]
pub struct Meeting {
    pub id: MeetingId,
    pub committee: CommitteeCode,
    /// The meeting date (møtedato).
    #[schema(example = "2024-06-19")]
    pub date: NaiveDate,
    pub start_time: Option<ClockTime>,
    pub end_time: Option<ClockTime>,
    /// Where it is held (møtested).
    #[schema(example = "1930 M11")]
    pub location: Option<String>,
    pub kind: MeetingKind,
    /// Who chairs it (møteleder).
    #[schema(example = "Ingjerd Astad")]
    pub chair: Option<String>,
    /// Who takes the minutes (referent).
    #[schema(example = "Karina Haus Steinshylla")]
    pub minute_taker: Option<String>,
    pub status: MeetingStatus,
    /// How many cases are on its agenda.
    pub case_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A meeting to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMeeting {
    pub committee: CommitteeCode,
    #[schema(example = "2024-06-19")]
    pub date: CalendarDate,
    pub start_time: Option<ClockTime>,
    pub end_time: Option<ClockTime>,
    #[schema(example = "1930 M11")]
    pub location: Option<String>,
    /// Default `ordinary`.
    #[serde(default = "ordinary")]
    pub kind: MeetingKind,
    #[schema(example = "Ingjerd Astad")]
    pub chair: Option<String>,
    #[schema(example = "Karina Haus Steinshylla")]
    pub minute_taker: Option<String>,
    /// Default `planned`.
    #[serde(default = "planned")]
    pub status: MeetingStatus,
}

fn ordinary() -> MeetingKind {
    MeetingKind::Ordinary
}

fn planned() -> MeetingStatus {
    MeetingStatus::Planned
}

/// Changes to a meeting. A field left out is unchanged; `null` clears an optional field.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingChanges {
    pub date: Option<CalendarDate>,
    #[serde(default, deserialize_with = "super::double_option::deserialize")]
    #[schema(value_type = Option<ClockTime>)]
    pub start_time: Option<Option<ClockTime>>,
    #[serde(default, deserialize_with = "super::double_option::deserialize")]
    #[schema(value_type = Option<ClockTime>)]
    pub end_time: Option<Option<ClockTime>>,
    #[serde(default, deserialize_with = "super::double_option::deserialize")]
    #[schema(value_type = Option<String>)]
    pub location: Option<Option<String>>,
    pub kind: Option<MeetingKind>,
    #[serde(default, deserialize_with = "super::double_option::deserialize")]
    #[schema(value_type = Option<String>)]
    pub chair: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option::deserialize")]
    #[schema(value_type = Option<String>)]
    pub minute_taker: Option<Option<String>>,
    pub status: Option<MeetingStatus>,
}

/// Which meetings to list.
#[derive(Debug, Default)]
pub struct MeetingFilter {
    /// Only this committee's meetings.
    pub committee: Option<CommitteeCode>,
    /// Only meetings on or after this date.
    pub from: Option<NaiveDate>,
    /// Only meetings on or before this date.
    pub to: Option<NaiveDate>,
    pub status: Option<MeetingStatus>,
}

fn empty_to_none(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn check_times(start: Option<ClockTime>, end: Option<ClockTime>) -> StoreResult<()> {
    match (start, end) {
        (Some(start), Some(end)) if end < start => Err(StoreError::Invalid(format!(
            "end_time {end} is before start_time {start}"
        ))),
        _ => Ok(()),
    }
}

fn to_meetings(
    conn: &mut DbConnection,
    rows: Vec<(MeetingRow, String)>,
) -> StoreResult<Vec<Meeting>> {
    let ids: Vec<&str> = rows.iter().map(|(r, _)| r.id.as_str()).collect();
    let counts: HashMap<String, i64> = cases::table
        .filter(cases::meeting_id.eq_any(&ids))
        .group_by(cases::meeting_id)
        .select((cases::meeting_id, diesel::dsl::count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    rows.into_iter()
        .map(|(row, code)| {
            Ok(Meeting {
                case_count: counts.get(&row.id).copied().unwrap_or(0),
                id: parse_stored(&row.id, "meetings.id")?,
                committee: parse_stored(&code, "committees.code")?,
                date: row.meeting_date,
                start_time: row.start_time.map(ClockTime::from_naive),
                end_time: row.end_time.map(ClockTime::from_naive),
                location: row.location,
                kind: parse_stored(&row.kind, "meetings.kind")?,
                chair: row.chair,
                minute_taker: row.minute_taker,
                status: parse_stored(&row.status, "meetings.status")?,
                created_at: utc(row.created_at),
                updated_at: utc(row.updated_at),
            })
        })
        .collect()
}

/// Where a page of meetings ends: meetings are ordered by date, committee and id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingKey {
    date: NaiveDate,
    committee: String,
    id: String,
}

/// Lists meetings by date; returns one page and the total count.
pub fn list(
    conn: &mut DbConnection,
    filter: &MeetingFilter,
    after: Option<&MeetingKey>,
    limit: i64,
) -> StoreResult<Page<Meeting, MeetingKey>> {
    super::read_transaction(conn, |conn| {
        let filtered = || {
            let mut query = meetings::table.inner_join(committees::table).into_boxed();
            if let Some(code) = &filter.committee {
                query = query.filter(committees::code.eq(code.as_str()));
            }
            if let Some(from) = filter.from {
                query = query.filter(meetings::meeting_date.ge(from));
            }
            if let Some(to) = filter.to {
                query = query.filter(meetings::meeting_date.le(to));
            }
            if let Some(status) = filter.status {
                query = query.filter(meetings::status.eq(status.as_str()));
            }
            query
        };
        let total: i64 = filtered()
            .select(diesel::dsl::count_star())
            .get_result(conn)?;
        let mut query = filtered().select((MeetingRow::as_select(), committees::code));
        if let Some(key) = after {
            query = query.filter(
                sql::<Bool>("(meetings.meeting_date, committees.code, meetings.id) > (")
                    .bind::<Date, _>(key.date)
                    .sql(", ")
                    .bind::<Text, _>(key.committee.clone())
                    .sql(", ")
                    .bind::<Text, _>(key.id.clone())
                    .sql(")"),
            );
        }
        let rows: Vec<(MeetingRow, String)> = query
            .order((meetings::meeting_date, committees::code, meetings::id))
            .limit(limit.saturating_add(1))
            .load(conn)?;
        let (rows, next) = super::split_page(rows, limit, |(row, code)| MeetingKey {
            date: row.meeting_date,
            committee: code.clone(),
            id: row.id.clone(),
        });
        Ok(Page {
            items: to_meetings(conn, rows)?,
            total,
            next,
        })
    })
}

pub fn get(conn: &mut DbConnection, id: MeetingId) -> StoreResult<Meeting> {
    let row = meetings::table
        .inner_join(committees::table)
        .filter(meetings::id.eq(id.to_string()))
        .select((MeetingRow::as_select(), committees::code))
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("no meeting with id {id}")))?;
    Ok(to_meetings(conn, vec![row])?.remove(0))
}

fn ensure_date_free(
    conn: &mut DbConnection,
    committee_id: &str,
    date: NaiveDate,
    except: Option<MeetingId>,
) -> StoreResult<()> {
    let mut query = meetings::table
        .filter(meetings::committee_id.eq(committee_id))
        .filter(meetings::meeting_date.eq(date))
        .select(meetings::id)
        .into_boxed();
    if let Some(except) = except {
        query = query.filter(meetings::id.ne(except.to_string()));
    }
    match query.first::<String>(conn).optional()? {
        Some(other) => Err(StoreError::Conflict(format!(
            "the committee already has a meeting on {date} (id {other})"
        ))),
        None => Ok(()),
    }
}

pub fn create(conn: &mut DbConnection, new: NewMeeting) -> StoreResult<Meeting> {
    check_times(new.start_time, new.end_time)?;
    super::write_transaction(conn, |conn| {
        let committee_id = super::committees::find_id(conn, &new.committee)?
            .ok_or_else(|| StoreError::Invalid(format!("unknown committee '{}'", new.committee)))?
            .to_string();
        ensure_date_free(conn, &committee_id, new.date.get(), None)?;
        let id = MeetingId::new();
        let at = now();
        diesel::insert_into(meetings::table)
            .values((
                meetings::id.eq(id.to_string()),
                meetings::committee_id.eq(&committee_id),
                meetings::meeting_date.eq(new.date.get()),
                meetings::start_time.eq(new.start_time.map(ClockTime::to_naive)),
                meetings::end_time.eq(new.end_time.map(ClockTime::to_naive)),
                meetings::location.eq(empty_to_none(new.location)),
                meetings::kind.eq(new.kind.as_str()),
                meetings::chair.eq(empty_to_none(new.chair)),
                meetings::minute_taker.eq(empty_to_none(new.minute_taker)),
                meetings::status.eq(new.status.as_str()),
                meetings::created_at.eq(at),
                meetings::updated_at.eq(at),
            ))
            .execute(conn)?;
        get(conn, id)
    })
}

pub fn update(
    conn: &mut DbConnection,
    id: MeetingId,
    changes: MeetingChanges,
) -> StoreResult<Meeting> {
    super::write_transaction(conn, |conn| {
        let current = get(conn, id)?;
        let date = changes.date.map_or(current.date, CalendarDate::get);
        let start_time = changes.start_time.unwrap_or(current.start_time);
        let end_time = changes.end_time.unwrap_or(current.end_time);
        check_times(start_time, end_time)?;
        if date != current.date {
            let committee_id = super::committees::id_of(conn, &current.committee)?.to_string();
            ensure_date_free(conn, &committee_id, date, Some(id))?;
        }
        diesel::update(meetings::table.filter(meetings::id.eq(id.to_string())))
            .set((
                meetings::meeting_date.eq(date),
                meetings::start_time.eq(start_time.map(ClockTime::to_naive)),
                meetings::end_time.eq(end_time.map(ClockTime::to_naive)),
                meetings::location.eq(changes.location.map_or(current.location, empty_to_none)),
                meetings::kind.eq(changes.kind.unwrap_or(current.kind).as_str()),
                meetings::chair.eq(changes.chair.map_or(current.chair, empty_to_none)),
                meetings::minute_taker.eq(changes
                    .minute_taker
                    .map_or(current.minute_taker, empty_to_none)),
                meetings::status.eq(changes.status.unwrap_or(current.status).as_str()),
                meetings::updated_at.eq(now()),
                meetings::version.eq(meetings::version + 1),
            ))
            .execute(conn)?;
        get(conn, id)
    })
}

/// Deletes a meeting with no cases on its agenda.
pub fn delete(conn: &mut DbConnection, id: MeetingId) -> StoreResult<()> {
    super::write_transaction(conn, |conn| {
        let meeting = get(conn, id)?;
        if meeting.case_count > 0 {
            return Err(StoreError::Conflict(format!(
                "the meeting of {} has {} case(s); delete or move them first",
                meeting.date, meeting.case_count
            )));
        }
        diesel::delete(meetings::table.filter(meetings::id.eq(id.to_string()))).execute(conn)?;
        Ok(())
    })
}
