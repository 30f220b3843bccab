//! Writes of meetings: one meeting per committee and date, times in order, and what a change
//! ripples into (the points that show the meeting's date).

use serde::Deserialize;
use utoipa::ToSchema;

use super::ripples;
use crate::domain::{
    CalendarDate, ClockTime, CommitteeCode, MeetingId, MeetingKind, MeetingStatus,
};
use crate::store::history::{Action, Change, Entity};
use crate::store::meetings::{self as rows, Meeting, MeetingRowChanges, NewMeetingRow};
use crate::store::{self, DbConnection, StoreError, StoreResult, Visibility, committees, now};

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
    #[serde(default, deserialize_with = "super::not_null::deserialize")]
    #[schema(nullable = false)]
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
    #[serde(default, deserialize_with = "super::not_null::deserialize")]
    #[schema(nullable = false)]
    pub kind: Option<MeetingKind>,
    #[serde(default, deserialize_with = "super::double_option::deserialize")]
    #[schema(value_type = Option<String>)]
    pub chair: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option::deserialize")]
    #[schema(value_type = Option<String>)]
    pub minute_taker: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::not_null::deserialize")]
    #[schema(nullable = false)]
    pub status: Option<MeetingStatus>,
}

fn check_times(start: Option<ClockTime>, end: Option<ClockTime>) -> StoreResult<()> {
    match (start, end) {
        (Some(start), Some(end)) if end < start => Err(StoreError::Invalid(format!(
            "end_time {end} is before start_time {start}"
        ))),
        _ => Ok(()),
    }
}

fn ensure_date_free(
    conn: &mut DbConnection,
    committee_id: &str,
    date: chrono::NaiveDate,
    except: Option<MeetingId>,
) -> StoreResult<()> {
    match rows::other_on_date(conn, committee_id, date, except)? {
        Some(other) => Err(StoreError::Conflict(format!(
            "the committee already has a meeting on {date} (id {other})"
        ))),
        None => Ok(()),
    }
}

pub fn create(conn: &mut DbConnection, new: NewMeeting, actor: &str) -> StoreResult<Meeting> {
    check_times(new.start_time, new.end_time)?;
    store::write_transaction(conn, |conn| {
        let committee_id = committees::find_id(conn, &new.committee)?
            .ok_or_else(|| StoreError::Invalid(format!("unknown committee '{}'", new.committee)))?
            .to_string();
        ensure_date_free(conn, &committee_id, new.date.get(), None)?;
        let id = MeetingId::new();
        let at = now();
        rows::insert(
            conn,
            &NewMeetingRow {
                id,
                committee_id: &committee_id,
                meeting_date: new.date.get(),
                start_time: new.start_time.map(ClockTime::to_naive),
                end_time: new.end_time.map(ClockTime::to_naive),
                location: super::trimmed(new.location),
                kind: new.kind,
                chair: super::trimmed(new.chair),
                minute_taker: super::trimmed(new.minute_taker),
                status: new.status,
                created_at: at,
                updated_at: at,
                updated_by: actor,
            },
        )?;
        let created = rows::get(conn, id, Visibility::All)?;
        Change::new(
            Entity::Meeting,
            id,
            created.version,
            Action::Created,
            actor,
            at,
        )
        .between(None, &created)?
        .record(conn)?;
        Ok(created)
    })
}

pub fn update(
    conn: &mut DbConnection,
    id: MeetingId,
    expected_version: Option<i32>,
    changes: MeetingChanges,
    actor: &str,
) -> StoreResult<Meeting> {
    store::write_transaction(conn, |conn| {
        let current = rows::get(conn, id, Visibility::All)?;
        store::check_version(expected_version, current.version)?;
        let at = now();
        let date = changes.date.map_or(current.date, CalendarDate::get);
        let start_time = changes.start_time.unwrap_or(current.start_time);
        let end_time = changes.end_time.unwrap_or(current.end_time);
        check_times(start_time, end_time)?;
        if date != current.date {
            let committee_id = committees::id_of(conn, &current.committee)?.to_string();
            ensure_date_free(conn, &committee_id, date, Some(id))?;
        }
        rows::change(
            conn,
            id,
            &MeetingRowChanges {
                meeting_date: date,
                start_time: start_time.map(ClockTime::to_naive),
                end_time: end_time.map(ClockTime::to_naive),
                location: changes
                    .location
                    .map_or(current.location.clone(), super::trimmed),
                kind: changes.kind.unwrap_or(current.kind),
                chair: changes.chair.map_or(current.chair.clone(), super::trimmed),
                minute_taker: changes
                    .minute_taker
                    .map_or(current.minute_taker.clone(), super::trimmed),
                status: changes.status.unwrap_or(current.status),
                updated_at: at,
                updated_by: actor,
            },
        )?;
        let updated = rows::get(conn, id, Visibility::All)?;
        ripples::meeting_updated(conn, &current, &updated)?;
        Change::new(
            Entity::Meeting,
            id,
            updated.version,
            Action::Updated,
            actor,
            at,
        )
        .between(Some(&current), &updated)?
        .record(conn)?;
        Ok(updated)
    })
}

/// Deletes a meeting with no cases on its agenda, leaving a tombstone and its history.
pub fn delete(
    conn: &mut DbConnection,
    id: MeetingId,
    expected_version: Option<i32>,
    actor: &str,
) -> StoreResult<()> {
    store::write_transaction(conn, |conn| {
        let meeting = rows::get(conn, id, Visibility::All)?;
        store::check_version(expected_version, meeting.version)?;
        if meeting.case_count > 0 {
            return Err(StoreError::Conflict(format!(
                "the meeting of {} has {} case(s); delete or move them first",
                meeting.date, meeting.case_count
            )));
        }
        let at = now();
        rows::mark_deleted(conn, id, actor, at)?;
        Change::new(
            Entity::Meeting,
            id,
            meeting.version + 1,
            Action::Deleted,
            actor,
            at,
        )
        .record(conn)
    })
}
