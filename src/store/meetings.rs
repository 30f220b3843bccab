//! Meetings (møter) of a committee.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Date, Text, Timestamp};
use serde::{Deserialize, Serialize};

use super::history::HistoryEntry;
use super::schema::{cases, committees, meetings};
use super::{DbConnection, Page, StoreError, StoreResult, Visibility, now, parse_stored, utc};
use crate::domain::{ClockTime, CommitteeCode, MeetingId, MeetingKind, MeetingStatus};

#[derive(Queryable, Selectable)]
#[diesel(table_name = meetings)]
struct MeetingRow {
    id: String,
    meeting_date: NaiveDate,
    start_time: Option<NaiveTime>,
    end_time: Option<NaiveTime>,
    location: Option<String>,
    kind: MeetingKind,
    chair: Option<String>,
    minute_taker: Option<String>,
    status: MeetingStatus,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    updated_by: String,
    version: i32,
    deleted_at: Option<NaiveDateTime>,
}

/// A meeting (møte) of a committee. A committee holds at most one meeting on a date.
#[derive(Debug, Serialize)]
pub struct Meeting {
    pub id: MeetingId,
    pub committee: CommitteeCode,
    /// The meeting date (møtedato).
    pub date: NaiveDate,
    pub start_time: Option<ClockTime>,
    pub end_time: Option<ClockTime>,
    /// Where it is held (møtested).
    pub location: Option<String>,
    pub kind: MeetingKind,
    /// Who chairs it (møteleder).
    pub chair: Option<String>,
    /// Who takes the minutes (referent).
    pub minute_taker: Option<String>,
    pub status: MeetingStatus,
    /// How many cases are on its agenda (that the caller may see).
    pub case_count: i64,
    /// Increases with every change; the `ETag` of the meeting. Send it back in `If-Match`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The name of the token that made the last change.
    pub updated_by: String,
    /// Set on a tombstone; only lists asked with `updated_since` return tombstones.
    pub deleted_at: Option<DateTime<Utc>>,
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
    /// Only meetings changed at or after this time, deleted ones included as tombstones.
    pub updated_since: Option<NaiveDateTime>,
    pub visibility: Visibility,
}

fn to_meetings(
    conn: &mut DbConnection,
    rows: Vec<(MeetingRow, String)>,
    visibility: Visibility,
) -> StoreResult<Vec<Meeting>> {
    let ids: Vec<&str> = rows.iter().map(|(r, _)| r.id.as_str()).collect();
    let counts: HashMap<String, i64> = cases::table
        .filter(super::one_of(
            super::backend_of(conn),
            "cases.meeting_id",
            ids.iter().map(|id| (*id).to_owned()),
        ))
        .filter(cases::deleted_at.is_null())
        .filter(visibility.shown("cases.is_public"))
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
                kind: row.kind,
                chair: row.chair,
                minute_taker: row.minute_taker,
                status: row.status,
                version: row.version,
                created_at: utc(row.created_at),
                updated_at: utc(row.updated_at),
                updated_by: row.updated_by,
                deleted_at: row.deleted_at.map(utc),
            })
        })
        .collect()
}

/// A meeting as a filter offers it: which committee's, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingChoice {
    pub id: MeetingId,
    pub committee: CommitteeCode,
    pub date: NaiveDate,
}

/// The newest `limit` meetings, newest first, and the meeting `chosen` after them when it is
/// older: what a filter offers. Read from the date index without counting their cases, so that
/// a log of decades costs what a year's does.
pub fn choices(
    conn: &mut DbConnection,
    chosen: Option<MeetingId>,
    limit: i64,
) -> StoreResult<Vec<MeetingChoice>> {
    super::read_transaction(conn, |conn| {
        let live = || {
            meetings::table
                .inner_join(committees::table)
                .filter(meetings::deleted_at.is_null())
                .select((meetings::id, committees::code, meetings::meeting_date))
        };
        // The `limit`-th newest date first, from the date index: ordered by committee and id
        // as well, the planner sorted every meeting of the log (8 ms at 1M points).
        let oldest_shown: Option<NaiveDate> = meetings::table
            .filter(meetings::deleted_at.is_null())
            .select(meetings::meeting_date)
            .order(meetings::meeting_date.desc())
            .offset(limit.saturating_sub(1).max(0))
            .first(conn)
            .optional()?;
        let mut newest = live().into_boxed();
        if let Some(date) = oldest_shown {
            newest = newest.filter(meetings::meeting_date.ge(date));
        }
        let mut rows: Vec<(String, String, NaiveDate)> = newest
            .order((
                meetings::meeting_date.desc(),
                committees::code,
                meetings::id,
            ))
            .limit(limit)
            .load(conn)?;
        if let Some(chosen) = chosen.map(|id| id.to_string())
            && !rows.iter().any(|(id, _, _)| *id == chosen)
        {
            rows.extend(
                live()
                    .filter(meetings::id.eq(chosen))
                    .first::<(String, String, NaiveDate)>(conn)
                    .optional()?,
            );
        }
        rows.into_iter()
            .map(|(id, code, date)| {
                Ok(MeetingChoice {
                    id: parse_stored(&id, "meetings.id")?,
                    committee: parse_stored(&code, "committees.code")?,
                    date,
                })
            })
            .collect()
    })
}

/// Where a page of meetings ends: meetings are ordered by date, committee and id, or by the
/// time of their last change for a mirror.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum MeetingKey {
    Date {
        date: NaiveDate,
        committee: String,
        id: String,
    },
    Updated {
        updated_at: NaiveDateTime,
        id: String,
    },
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
            query = match filter.updated_since {
                // A mirror needs the deletions too: deleted meetings come as tombstones.
                Some(since) => query.filter(meetings::updated_at.ge(since)),
                None => query.filter(meetings::deleted_at.is_null()),
            };
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
        match after {
            Some(MeetingKey::Date {
                date,
                committee,
                id,
            }) => {
                query = query.filter(
                    sql::<Bool>("(meetings.meeting_date, committees.code, meetings.id) > (")
                        .bind::<Date, _>(*date)
                        .sql(", ")
                        .bind::<Text, _>(committee.clone())
                        .sql(", ")
                        .bind::<Text, _>(id.clone())
                        .sql(")"),
                );
            }
            Some(MeetingKey::Updated { updated_at, id }) => {
                query = query.filter(
                    sql::<Bool>("(meetings.updated_at, meetings.id) > (")
                        .bind::<Timestamp, _>(*updated_at)
                        .sql(", ")
                        .bind::<Text, _>(id.clone())
                        .sql(")"),
                );
            }
            None => {}
        }
        let by_change = filter.updated_since.is_some();
        let query = if by_change {
            query.order((meetings::updated_at, meetings::id))
        } else {
            query.order((meetings::meeting_date, committees::code, meetings::id))
        };
        let rows: Vec<(MeetingRow, String)> = query.limit(limit.saturating_add(1)).load(conn)?;
        let (rows, next) = super::split_page(rows, limit, |(row, code)| {
            if by_change {
                MeetingKey::Updated {
                    updated_at: row.updated_at,
                    id: row.id.clone(),
                }
            } else {
                MeetingKey::Date {
                    date: row.meeting_date,
                    committee: code.clone(),
                    id: row.id.clone(),
                }
            }
        });
        Ok(Page {
            items: to_meetings(conn, rows, filter.visibility)?,
            total: super::Count::exactly(total),
            next,
        })
    })
}

/// Marks these meetings changed now, without a new version or history entry: their count of
/// cases changed, and a mirror must fetch them again.
pub(crate) fn touch(conn: &mut DbConnection, ids: &[String]) -> StoreResult<()> {
    if !ids.is_empty() {
        let ids = super::one_of(super::backend_of(conn), "meetings.id", ids.iter().cloned());
        diesel::update(meetings::table.filter(ids))
            .set(meetings::updated_at.eq(now()))
            .execute(conn)?;
    }
    Ok(())
}

/// A meeting; a deleted one is `Gone`.
pub fn get(conn: &mut DbConnection, id: MeetingId, visibility: Visibility) -> StoreResult<Meeting> {
    let (row, code, deleted_at) = meetings::table
        .inner_join(committees::table)
        // By a unique id, so no `first()`: SQLite plans a statement with `LIMIT ?` for the
        // bound limit, which makes it prepare the kept statement anew at every run.
        .filter(meetings::id.eq(id.to_string()))
        .select((
            MeetingRow::as_select(),
            committees::code,
            meetings::deleted_at,
        ))
        .get_result::<(MeetingRow, String, Option<NaiveDateTime>)>(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("no meeting with id {id}")))?;
    if let Some(at) = deleted_at {
        return Err(StoreError::Gone(format!(
            "meeting {id} was deleted at {} by {}; its history remains",
            utc(at).to_rfc3339(),
            row.updated_by
        )));
    }
    Ok(to_meetings(conn, vec![(row, code)], visibility)?.remove(0))
}

/// The history of a meeting, oldest first; a deleted meeting keeps its history.
pub fn history(conn: &mut DbConnection, id: MeetingId) -> StoreResult<Vec<HistoryEntry>> {
    match get(conn, id, Visibility::All) {
        Ok(_) | Err(StoreError::Gone(_)) => super::history::of_record(conn, &id.to_string()),
        Err(other) => Err(other),
    }
}

/// The meeting a committee holds on a date, if it is recorded.
pub(crate) fn find_id(
    conn: &mut DbConnection,
    committee_id: &str,
    date: NaiveDate,
) -> StoreResult<Option<MeetingId>> {
    let id: Option<String> = meetings::table
        .filter(meetings::committee_id.eq(committee_id))
        .filter(meetings::meeting_date.eq(date))
        .filter(meetings::deleted_at.is_null())
        .select(meetings::id)
        .first(conn)
        .optional()?;
    id.map(|id| parse_stored(&id, "meetings.id")).transpose()
}

/// The row of a new meeting.
#[derive(Insertable)]
#[diesel(table_name = meetings)]
pub(crate) struct NewMeetingRow<'a> {
    pub id: MeetingId,
    pub committee_id: &'a str,
    pub meeting_date: NaiveDate,
    pub start_time: Option<NaiveTime>,
    pub end_time: Option<NaiveTime>,
    pub location: Option<String>,
    pub kind: MeetingKind,
    pub chair: Option<String>,
    pub minute_taker: Option<String>,
    pub status: MeetingStatus,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub updated_by: &'a str,
}

/// The columns a change of a meeting writes; every one is set, `None` to NULL.
#[derive(AsChangeset)]
#[diesel(table_name = meetings, treat_none_as_null = true)]
pub(crate) struct MeetingRowChanges<'a> {
    pub meeting_date: NaiveDate,
    pub start_time: Option<NaiveTime>,
    pub end_time: Option<NaiveTime>,
    pub location: Option<String>,
    pub kind: MeetingKind,
    pub chair: Option<String>,
    pub minute_taker: Option<String>,
    pub status: MeetingStatus,
    pub updated_at: NaiveDateTime,
    pub updated_by: &'a str,
}

pub(crate) fn insert(conn: &mut DbConnection, row: &NewMeetingRow<'_>) -> StoreResult<()> {
    diesel::insert_into(meetings::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Writes a change of a meeting as its next version.
pub(crate) fn change(
    conn: &mut DbConnection,
    id: MeetingId,
    changes: &MeetingRowChanges<'_>,
) -> StoreResult<()> {
    diesel::update(meetings::table.filter(meetings::id.eq(id)))
        .set((changes, meetings::version.eq(meetings::version + 1)))
        .execute(conn)?;
    Ok(())
}

/// Makes a meeting a tombstone, as its next version.
pub(crate) fn mark_deleted(
    conn: &mut DbConnection,
    id: MeetingId,
    actor: &str,
    at: NaiveDateTime,
) -> StoreResult<()> {
    diesel::update(meetings::table.filter(meetings::id.eq(id)))
        .set((
            meetings::deleted_at.eq(at),
            meetings::updated_at.eq(at),
            meetings::updated_by.eq(actor),
            meetings::version.eq(meetings::version + 1),
        ))
        .execute(conn)?;
    Ok(())
}

/// The (not deleted) meeting a committee holds on a date, other than `except`.
pub(crate) fn other_on_date(
    conn: &mut DbConnection,
    committee_id: &str,
    date: NaiveDate,
    except: Option<MeetingId>,
) -> StoreResult<Option<MeetingId>> {
    let mut query = meetings::table
        .filter(meetings::committee_id.eq(committee_id))
        .filter(meetings::meeting_date.eq(date))
        .filter(meetings::deleted_at.is_null())
        .select(meetings::id)
        .into_boxed();
    if let Some(except) = except {
        query = query.filter(meetings::id.ne(except));
    }
    Ok(query.first(conn).optional()?)
}

/// The meeting a committee, by code, holds on a date.
pub(crate) fn on_date(
    conn: &mut DbConnection,
    code: &CommitteeCode,
    date: NaiveDate,
) -> StoreResult<Option<MeetingId>> {
    Ok(meetings::table
        .inner_join(committees::table)
        .filter(committees::code.eq(code))
        .filter(meetings::meeting_date.eq(date))
        .filter(meetings::deleted_at.is_null())
        .select(meetings::id)
        .first(conn)
        .optional()?)
}
