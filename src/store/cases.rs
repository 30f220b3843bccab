//! Cases (saker) on a meeting's agenda, numbered NN/YY per committee and year.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Integer, Text, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::decisions::Decision;
use super::history::{Action, Change, Entity, HistoryEntry};
use super::links::CaseLinks;
use super::schema::{case_links, cases, committees, decisions, meetings};
use super::{DbConnection, Page, StoreError, StoreResult, Visibility, now, parse_stored, utc};
use crate::domain::{
    CalendarDate, CaseId, CaseNumber, CaseStatus, CommitteeCode, MeetingId, NonEmptyText,
};

#[derive(Queryable, Selectable)]
#[diesel(table_name = cases)]
struct CaseRow {
    id: String,
    meeting_id: String,
    case_year: i32,
    case_serial: i32,
    title: String,
    responsible: String,
    status: String,
    is_public: bool,
    narrative: Option<String>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    updated_by: String,
    version: i32,
    deleted_at: Option<NaiveDateTime>,
}

/// The meeting a case is on.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingRef {
    pub id: MeetingId,
    #[schema(example = "2024-06-19")]
    pub date: NaiveDate,
}

/// A case (sak) on a meeting's agenda.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Case {
    pub id: CaseId,
    pub committee: CommitteeCode,
    pub number: CaseNumber,
    pub meeting: MeetingRef,
    #[schema(example = "Status Handlingsplan")]
    pub title: String,
    /// Who is responsible for the case (saksansvarlig), as written in the documents.
    #[schema(example = json!(["Runar Asp"]))]
    pub responsible: Vec<String>,
    pub status: CaseStatus,
    /// Where the case was postponed to, if it was.
    pub postponed_to: Option<Postponement>,
    /// What the documents say about the case: the saksfremlegg, the minutes' narrative
    /// (referat) and input (innspill). References in it to other cases are proposed as links.
    pub narrative: Option<String>,
    /// How many decision points the case has (that the caller may see).
    pub decision_count: i64,
    /// False for a case exempt from public access (unntatt offentlighet): readers without a
    /// token never see it or its decision points.
    pub public: bool,
    /// Increases with every change; the `ETag` of the case. Send it back in `If-Match`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The name of the token that made the last change.
    pub updated_by: String,
    /// Set on a tombstone; only lists asked with `updated_since` return tombstones.
    pub deleted_at: Option<DateTime<Utc>>,
}

/// Where a postponed case went: the case it was postponed to (a `postponed_to` link).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Postponement {
    pub committee: CommitteeCode,
    #[schema(value_type = String, example = "19/24")]
    pub number: CaseNumber,
    /// The recorded case, or null while it is known only by its number.
    pub case_id: Option<CaseId>,
    /// Whether the case it went to has been decided. Until then the postponement is open
    /// work, and the case's postponement points stay open.
    pub taken_up: bool,
}

/// The postponements of these cases, by case id, in two queries whatever their number.
pub(crate) fn postponements_of(
    conn: &mut DbConnection,
    ids: &[&str],
    visibility: Visibility,
) -> StoreResult<HashMap<String, Postponement>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let links: Vec<(String, String, i32, i32, Option<String>)> = case_links::table
        .inner_join(committees::table.on(committees::id.eq(case_links::target_committee_id)))
        .filter(super::one_of(
            super::backend_of(conn),
            "case_links.source_case_id",
            ids.iter().map(|id| (*id).to_owned()),
        ))
        .filter(case_links::deleted_at.is_null())
        .filter(case_links::kind.eq("postponed_to"))
        .order((case_links::created_at, case_links::id))
        .select((
            case_links::source_case_id,
            committees::code,
            case_links::target_year,
            case_links::target_serial,
            case_links::target_case_id,
        ))
        .load(conn)?;
    let targets: Vec<&str> = links.iter().filter_map(|l| l.4.as_deref()).collect();
    let targets_seen: HashMap<String, (String, bool)> = cases::table
        .filter(super::one_of(
            super::backend_of(conn),
            "cases.id",
            targets.iter().map(|id| (*id).to_owned()),
        ))
        .select((cases::id, cases::status, cases::is_public))
        .load::<(String, String, bool)>(conn)?
        .into_iter()
        .map(|(id, status, public)| (id, (status, public)))
        .collect();
    let decided: HashMap<String, String> = targets_seen
        .iter()
        .map(|(id, (status, _))| (id.clone(), status.clone()))
        .collect();
    let mut found = HashMap::new();
    for (source, code, year, serial, target) in links {
        // A case hidden from the caller is not shown as where another case went.
        if visibility == Visibility::PublicOnly
            && target
                .as_ref()
                .is_some_and(|t| targets_seen.get(t).is_some_and(|(_, public)| !public))
        {
            continue;
        }
        let postponement = Postponement {
            committee: parse_stored(&code, "committees.code")?,
            number: CaseNumber::new(serial, year).map_err(|e| {
                StoreError::Corrupt(format!("case_links target {serial}/{year}: {e}"))
            })?,
            taken_up: target.as_ref().is_some_and(|t| {
                decided
                    .get(t)
                    .is_some_and(|s| s == CaseStatus::Decided.as_str())
            }),
            case_id: target
                .as_deref()
                .map(|t| parse_stored(t, "case_links.target_case_id"))
                .transpose()?,
        };
        // The latest postponement is where the case went.
        found.insert(source, postponement);
    }
    Ok(found)
}

/// Closes the open postponement points of the cases postponed to `case`, now that it is
/// decided, in the caller's transaction and with a history entry each.
pub(crate) fn close_postponements_to(
    conn: &mut DbConnection,
    case: &Case,
    actor: &str,
) -> StoreResult<()> {
    let sources: Vec<String> = case_links::table
        .filter(case_links::target_case_id.eq(case.id.to_string()))
        .filter(case_links::deleted_at.is_null())
        .filter(case_links::kind.eq("postponed_to"))
        .select(case_links::source_case_id)
        .load(conn)?;
    if sources.is_empty() {
        return Ok(());
    }
    // Their `postponed_to` now says taken up.
    touch(conn, &sources)?;
    let points: Vec<String> = decisions::table
        .filter(super::one_of(
            super::backend_of(conn),
            "decisions.case_id",
            sources.iter().cloned(),
        ))
        .filter(decisions::deleted_at.is_null())
        .filter(decisions::kind.eq("postponement"))
        .filter(decisions::status.eq_any(["open", "in_progress"]))
        .select(decisions::id)
        .load(conn)?;
    for point in points {
        super::decisions::close_as_taken_up(
            conn,
            parse_stored(&point, "decisions.id")?,
            case,
            actor,
        )?;
    }
    Ok(())
}

/// A case with its decision points and its links to other cases.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub case: Case,
    /// The decision points, in order of position.
    pub decisions: Vec<Decision>,
    pub links: CaseLinks,
}

/// A case to record on a meeting's agenda. Its committee is the meeting's. The meeting is
/// named by `meeting_id`, or by `committee` and `meeting_date`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCase {
    pub meeting_id: Option<MeetingId>,
    /// With `meeting_date`, instead of `meeting_id`.
    pub committee: Option<CommitteeCode>,
    /// With `committee`, instead of `meeting_id`.
    #[schema(example = "2024-06-19")]
    pub meeting_date: Option<CalendarDate>,
    pub number: CaseNumber,
    #[schema(value_type = NonEmptyText, example = "Status Handlingsplan")]
    pub title: NonEmptyText,
    #[serde(default)]
    #[schema(example = json!(["Runar Asp"]))]
    pub responsible: Vec<String>,
    /// Default `planned`.
    #[serde(default = "planned")]
    pub status: CaseStatus,
    /// What the documents say about the case; references in it are proposed as links.
    pub narrative: Option<String>,
    /// Default true; false exempts the case and its points from public access.
    #[serde(default = "public_by_default")]
    pub public: bool,
}

fn public_by_default() -> bool {
    true
}

fn planned() -> CaseStatus {
    CaseStatus::Planned
}

/// Changes to a case. A field left out is unchanged. A case can move to another meeting of
/// the same committee (when it is postponed, say) and be renumbered.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseChanges {
    #[serde(default, deserialize_with = "super::not_null::deserialize")]
    #[schema(nullable = false)]
    pub meeting_id: Option<MeetingId>,
    #[serde(default, deserialize_with = "super::not_null::deserialize")]
    #[schema(nullable = false)]
    pub number: Option<CaseNumber>,
    #[schema(value_type = NonEmptyText)]
    #[serde(default, deserialize_with = "super::not_null::deserialize")]
    pub title: Option<NonEmptyText>,
    #[serde(default, deserialize_with = "super::not_null::deserialize")]
    #[schema(nullable = false)]
    pub responsible: Option<Vec<String>>,
    #[serde(default, deserialize_with = "super::not_null::deserialize")]
    #[schema(nullable = false)]
    pub status: Option<CaseStatus>,
    #[serde(default, deserialize_with = "super::double_option::deserialize")]
    #[schema(value_type = Option<String>)]
    pub narrative: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::not_null::deserialize")]
    #[schema(nullable = false)]
    pub public: Option<bool>,
}

/// Which cases to list.
#[derive(Debug, Default)]
pub struct CaseFilter {
    /// Only this committee's cases.
    pub committee: Option<CommitteeCode>,
    /// Only the cases of this meeting.
    pub meeting: Option<MeetingId>,
    /// Only cases numbered in this year (four digits).
    pub year: Option<i32>,
    pub status: Option<CaseStatus>,
    /// Only cases changed at or after this time, deleted ones included as tombstones.
    pub updated_since: Option<NaiveDateTime>,
    pub visibility: Visibility,
}

fn clean_text(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

fn clean_names(names: Vec<String>) -> Vec<String> {
    names
        .into_iter()
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .collect()
}

fn to_cases(
    conn: &mut DbConnection,
    rows: Vec<(CaseRow, NaiveDate, String)>,
    visibility: Visibility,
) -> StoreResult<Vec<Case>> {
    let ids: Vec<&str> = rows.iter().map(|(r, _, _)| r.id.as_str()).collect();
    let counts: HashMap<String, i64> = decisions::table
        .filter(super::one_of(
            super::backend_of(conn),
            "decisions.case_id",
            ids.iter().map(|id| (*id).to_owned()),
        ))
        .filter(decisions::deleted_at.is_null())
        .filter(decisions::is_public.eq_any(visibility.public_values()))
        .group_by(decisions::case_id)
        .select((decisions::case_id, diesel::dsl::count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    let mut postponements = postponements_of(conn, &ids, visibility)?;
    rows.into_iter()
        .map(|(row, date, code)| {
            Ok(Case {
                postponed_to: postponements.remove(&row.id),
                decision_count: counts.get(&row.id).copied().unwrap_or(0),
                id: parse_stored(&row.id, "cases.id")?,
                committee: parse_stored(&code, "committees.code")?,
                number: CaseNumber::new(row.case_serial, row.case_year)
                    .map_err(|e| StoreError::Corrupt(format!("case {}: {e}", row.id)))?,
                meeting: MeetingRef {
                    id: parse_stored(&row.meeting_id, "cases.meeting_id")?,
                    date,
                },
                title: row.title,
                responsible: serde_json::from_str(&row.responsible).map_err(|e| {
                    StoreError::Corrupt(format!("cases.responsible of {}: {e}", row.id))
                })?,
                status: parse_stored(&row.status, "cases.status")?,
                narrative: row.narrative,
                public: row.is_public,
                version: row.version,
                created_at: utc(row.created_at),
                updated_at: utc(row.updated_at),
                updated_by: row.updated_by,
                deleted_at: row.deleted_at.map(utc),
            })
        })
        .collect()
}

/// Where a page of cases ends: cases are ordered by committee and number, or by the time of
/// their last change for a mirror.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum CaseKey {
    Number {
        committee: String,
        year: i32,
        serial: i32,
    },
    Updated {
        updated_at: NaiveDateTime,
        id: String,
    },
}

/// Lists cases by committee and number; returns one page and the total count.
pub fn list(
    conn: &mut DbConnection,
    filter: &CaseFilter,
    after: Option<&CaseKey>,
    limit: i64,
) -> StoreResult<Page<Case, CaseKey>> {
    super::read_transaction(conn, |conn| list_in(conn, filter, after, limit))
}

/// Every case that matches, inside the caller's transaction.
pub(crate) fn list_all(conn: &mut DbConnection, filter: &CaseFilter) -> StoreResult<Vec<Case>> {
    Ok(list_in(conn, filter, None, i64::from(i32::MAX))?.items)
}

fn list_in(
    conn: &mut DbConnection,
    filter: &CaseFilter,
    after: Option<&CaseKey>,
    limit: i64,
) -> StoreResult<Page<Case, CaseKey>> {
    {
        let filtered = || {
            let mut query = cases::table
                .inner_join(meetings::table)
                .inner_join(committees::table.on(committees::id.eq(cases::committee_id)))
                .filter(cases::is_public.eq_any(filter.visibility.public_values()))
                .into_boxed();
            query = match filter.updated_since {
                // A mirror needs the deletions too: deleted cases come as tombstones.
                Some(since) => query.filter(cases::updated_at.ge(since)),
                None => query.filter(cases::deleted_at.is_null()),
            };
            if let Some(code) = &filter.committee {
                query = query.filter(committees::code.eq(code.as_str()));
            }
            if let Some(meeting) = filter.meeting {
                query = query.filter(cases::meeting_id.eq(meeting.to_string()));
            }
            if let Some(year) = filter.year {
                query = query.filter(cases::case_year.eq(year));
            }
            if let Some(status) = filter.status {
                query = query.filter(cases::status.eq(status.as_str()));
            }
            query
        };
        let total: i64 = filtered()
            .select(diesel::dsl::count_star())
            .get_result(conn)?;
        let mut query = filtered().select((
            CaseRow::as_select(),
            meetings::meeting_date,
            committees::code,
        ));
        match after {
            Some(CaseKey::Number {
                committee,
                year,
                serial,
            }) => {
                query = query.filter(
                    sql::<Bool>("(committees.code, cases.case_year, cases.case_serial) > (")
                        .bind::<Text, _>(committee.clone())
                        .sql(", ")
                        .bind::<Integer, _>(*year)
                        .sql(", ")
                        .bind::<Integer, _>(*serial)
                        .sql(")"),
                );
            }
            Some(CaseKey::Updated { updated_at, id }) => {
                query = query.filter(
                    sql::<Bool>("(cases.updated_at, cases.id) > (")
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
            query.order((cases::updated_at, cases::id))
        } else {
            query.order((committees::code, cases::case_year, cases::case_serial))
        };
        let rows: Vec<(CaseRow, NaiveDate, String)> =
            query.limit(limit.saturating_add(1)).load(conn)?;
        let (rows, next) = super::split_page(rows, limit, |(row, _, code)| {
            if by_change {
                CaseKey::Updated {
                    updated_at: row.updated_at,
                    id: row.id.clone(),
                }
            } else {
                CaseKey::Number {
                    committee: code.clone(),
                    year: row.case_year,
                    serial: row.case_serial,
                }
            }
        });
        Ok(Page {
            items: to_cases(conn, rows, filter.visibility)?,
            total: super::Count::exactly(total),
            next,
        })
    }
}

/// A case. A deleted one is `Gone`; one exempt from public access is `NotFound` for those
/// who may see only what is public.
pub fn get(conn: &mut DbConnection, id: CaseId, visibility: Visibility) -> StoreResult<Case> {
    let (row, date, code, deleted_at) = cases::table
        .inner_join(meetings::table)
        .inner_join(committees::table.on(committees::id.eq(cases::committee_id)))
        .filter(cases::id.eq(id.to_string()))
        .select((
            CaseRow::as_select(),
            meetings::meeting_date,
            committees::code,
            cases::deleted_at,
        ))
        .first::<(CaseRow, NaiveDate, String, Option<NaiveDateTime>)>(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("no case with id {id}")))?;
    if visibility == Visibility::PublicOnly && !row.is_public {
        return Err(StoreError::NotFound(format!("no case with id {id}")));
    }
    if let Some(at) = deleted_at {
        return Err(StoreError::Gone(format!(
            "case {id} was deleted at {} by {}; its history remains",
            utc(at).to_rfc3339(),
            row.updated_by
        )));
    }
    Ok(to_cases(conn, vec![(row, date, code)], visibility)?.remove(0))
}

/// Marks these cases changed now, without a new version or history entry: what they show
/// (their count of points, where they were postponed to) changed, and a mirror must fetch
/// them again.
pub(crate) fn touch(conn: &mut DbConnection, ids: &[String]) -> StoreResult<()> {
    if !ids.is_empty() {
        let ids = super::one_of(super::backend_of(conn), "cases.id", ids.iter().cloned());
        diesel::update(cases::table.filter(ids))
            .set(cases::updated_at.eq(now()))
            .execute(conn)?;
    }
    Ok(())
}

/// The cases with these ids that the caller may see, deleted ones left out.
pub(crate) fn by_ids(
    conn: &mut DbConnection,
    ids: &[String],
    visibility: Visibility,
) -> StoreResult<Vec<Case>> {
    let rows: Vec<(CaseRow, NaiveDate, String)> = cases::table
        .inner_join(meetings::table)
        .inner_join(committees::table.on(committees::id.eq(cases::committee_id)))
        .filter(super::one_of(
            super::backend_of(conn),
            "cases.id",
            ids.iter().cloned(),
        ))
        .filter(cases::deleted_at.is_null())
        .filter(cases::is_public.eq_any(visibility.public_values()))
        .select((
            CaseRow::as_select(),
            meetings::meeting_date,
            committees::code,
        ))
        .load(conn)?;
    to_cases(conn, rows, visibility)
}

/// The history of a case and of the links it makes, oldest first.
pub fn history(
    conn: &mut DbConnection,
    id: CaseId,
    visibility: Visibility,
) -> StoreResult<Vec<HistoryEntry>> {
    match get(conn, id, visibility) {
        Ok(_) | Err(StoreError::Gone(_)) => {
            let entries = super::history::of_case(conn, &id.to_string())?;
            // Link entries name other cases, some of which may be hidden from the caller.
            Ok(match visibility {
                Visibility::All => entries,
                Visibility::PublicOnly => {
                    entries.into_iter().filter(|e| e.entity != "link").collect()
                }
            })
        }
        Err(other) => Err(other),
    }
}

/// The id of a committee's case with this number, if it is recorded.
pub(crate) fn find_id(
    conn: &mut DbConnection,
    committee_id: &str,
    number: CaseNumber,
) -> StoreResult<Option<CaseId>> {
    let id: Option<String> = cases::table
        .filter(cases::committee_id.eq(committee_id))
        .filter(cases::case_year.eq(number.year()))
        .filter(cases::case_serial.eq(number.serial()))
        .filter(cases::deleted_at.is_null())
        .select(cases::id)
        .first(conn)
        .optional()?;
    id.map(|id| parse_stored(&id, "cases.id")).transpose()
}

/// The case with a committee's number, such as ASU 37/23.
pub fn get_by_number(
    conn: &mut DbConnection,
    code: &CommitteeCode,
    number: CaseNumber,
    visibility: Visibility,
) -> StoreResult<Case> {
    let not_found = || StoreError::NotFound(format!("{code} has no case {number}"));
    let committee_id = super::committees::id_of(conn, code)?.to_string();
    let id = find_id(conn, &committee_id, number)?.ok_or_else(not_found)?;
    // A case hidden from the caller answers as if it did not exist, id and all.
    get(conn, id, visibility).map_err(|error| match error {
        StoreError::NotFound(_) => not_found(),
        other => other,
    })
}

/// A case with its decision points and links.
pub fn detail(
    conn: &mut DbConnection,
    case: Case,
    visibility: Visibility,
) -> StoreResult<CaseDetail> {
    let decisions = super::decisions::of_case(conn, case.id, visibility)?;
    let links = super::links::of_case(conn, case.id, visibility)?;
    Ok(CaseDetail {
        case,
        decisions,
        links,
    })
}

fn ensure_number_free(
    conn: &mut DbConnection,
    committee_id: &str,
    code: &CommitteeCode,
    number: CaseNumber,
) -> StoreResult<()> {
    match find_id(conn, committee_id, number)? {
        Some(other) => Err(StoreError::Conflict(format!(
            "{code} already has a case {number} (id {other})"
        ))),
        None => Ok(()),
    }
}

/// Points the links that name this case by number at it, and detaches those that named it
/// by a number it no longer has.
fn attach_links(
    conn: &mut DbConnection,
    id: CaseId,
    committee_id: &str,
    number: CaseNumber,
) -> StoreResult<()> {
    diesel::update(case_links::table.filter(case_links::target_case_id.eq(id.to_string())))
        .set(case_links::target_case_id.eq(None::<String>))
        .execute(conn)?;
    diesel::update(
        case_links::table
            .filter(case_links::deleted_at.is_null())
            .filter(case_links::target_committee_id.eq(committee_id))
            .filter(case_links::target_year.eq(number.year()))
            .filter(case_links::target_serial.eq(number.serial())),
    )
    .set(case_links::target_case_id.eq(id.to_string()))
    .execute(conn)?;
    let sources: Vec<String> = case_links::table
        .filter(case_links::target_case_id.eq(id.to_string()))
        .select(case_links::source_case_id)
        .load(conn)?;
    touch(conn, &sources)?;
    Ok(())
}

/// The committee (id, code) of a meeting given in a request body.
fn committee_of_meeting(
    conn: &mut DbConnection,
    meeting: MeetingId,
) -> StoreResult<(String, CommitteeCode)> {
    let (id, code): (String, String) = meetings::table
        .inner_join(committees::table)
        .filter(meetings::id.eq(meeting.to_string()))
        .filter(meetings::deleted_at.is_null())
        .select((committees::id, committees::code))
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::Invalid(format!("meeting_id: no meeting with id {meeting}")))?;
    Ok((id, parse_stored(&code, "committees.code")?))
}

/// The meeting a new case names, by id or by committee and date.
fn meeting_of(conn: &mut DbConnection, new: &NewCase) -> StoreResult<MeetingId> {
    match (new.meeting_id, &new.committee, new.meeting_date) {
        (Some(id), None, None) => Ok(id),
        (None, Some(code), Some(date)) => {
            let id: Option<String> = meetings::table
                .inner_join(committees::table)
                .filter(committees::code.eq(code.as_str()))
                .filter(meetings::meeting_date.eq(date.get()))
                .filter(meetings::deleted_at.is_null())
                .select(meetings::id)
                .first(conn)
                .optional()?;
            let id = id.ok_or_else(|| {
                StoreError::Invalid(format!("meeting_date: {code} has no meeting on {date}"))
            })?;
            parse_stored(&id, "meetings.id")
        }
        _ => Err(StoreError::Invalid(
            "name the meeting by meeting_id, or by committee and meeting_date".into(),
        )),
    }
}

pub fn create(conn: &mut DbConnection, new: NewCase, actor: &str) -> StoreResult<Case> {
    super::write_transaction(conn, |conn| {
        let meeting_id = meeting_of(conn, &new)?;
        let (committee_id, code) = committee_of_meeting(conn, meeting_id)?;
        ensure_number_free(conn, &committee_id, &code, new.number)?;
        let id = CaseId::new();
        let at = now();
        let responsible = serde_json::to_string(&clean_names(new.responsible))
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        diesel::insert_into(cases::table)
            .values((
                cases::id.eq(id.to_string()),
                cases::committee_id.eq(&committee_id),
                cases::meeting_id.eq(meeting_id.to_string()),
                cases::case_year.eq(new.number.year()),
                cases::case_serial.eq(new.number.serial()),
                cases::title.eq(new.title.as_str()),
                cases::responsible.eq(responsible),
                cases::status.eq(new.status.as_str()),
                cases::is_public.eq(new.public),
                cases::narrative.eq(clean_text(new.narrative)),
                cases::created_at.eq(at),
                cases::updated_at.eq(at),
                cases::updated_by.eq(actor),
            ))
            .execute(conn)?;
        super::meetings::touch(conn, &[meeting_id.to_string()])?;
        attach_links(conn, id, &committee_id, new.number)?;
        super::proposals::detect(conn, id)?;
        let created = get(conn, id, Visibility::All)?;
        if created.status == CaseStatus::Decided {
            close_postponements_to(conn, &created, actor)?;
        }
        Change::new(
            Entity::Case,
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

/// Changes a case. `expected_version` is the version the change was made against; the
/// change is refused when the case has moved on since.
pub fn update(
    conn: &mut DbConnection,
    id: CaseId,
    expected_version: Option<i32>,
    changes: CaseChanges,
    actor: &str,
) -> StoreResult<Case> {
    super::write_transaction(conn, |conn| {
        let current = get(conn, id, Visibility::All)?;
        super::check_version(expected_version, current.version)?;
        let at = now();
        let committee_id = super::committees::id_of(conn, &current.committee)?.to_string();
        if let Some(meeting) = changes.meeting_id {
            let (target_committee, target_code) = committee_of_meeting(conn, meeting)?;
            if target_committee != committee_id {
                return Err(StoreError::Invalid(format!(
                    "meeting_id: the meeting belongs to {target_code}, but case {} is {}'s; a case cannot change committee",
                    current.number, current.committee
                )));
            }
        }
        let number = changes.number.unwrap_or(current.number);
        if number != current.number {
            ensure_number_free(conn, &committee_id, &current.committee, number)?;
        }
        let responsible = match changes.responsible {
            Some(names) => clean_names(names),
            None => current.responsible.clone(),
        };
        let responsible =
            serde_json::to_string(&responsible).map_err(|e| StoreError::Invalid(e.to_string()))?;
        diesel::update(cases::table.filter(cases::id.eq(id.to_string())))
            .set((
                cases::meeting_id.eq(changes.meeting_id.unwrap_or(current.meeting.id).to_string()),
                cases::case_year.eq(number.year()),
                cases::case_serial.eq(number.serial()),
                cases::title.eq(changes
                    .title
                    .as_ref()
                    .map_or(current.title.as_str(), NonEmptyText::as_str)),
                cases::responsible.eq(responsible),
                cases::status.eq(changes.status.unwrap_or(current.status).as_str()),
                cases::is_public.eq(changes.public.unwrap_or(current.public)),
                cases::narrative.eq(changes
                    .narrative
                    .clone()
                    .map_or(current.narrative.clone(), clean_text)),
                cases::updated_at.eq(at),
                cases::updated_by.eq(actor),
                cases::version.eq(cases::version + 1),
            ))
            .execute(conn)?;
        if number != current.number {
            attach_links(conn, id, &committee_id, number)?;
            // The points carry their case's number for the order by case.
            diesel::update(decisions::table.filter(decisions::case_id.eq(id.to_string())))
                .set((
                    decisions::case_year.eq(number.year()),
                    decisions::case_serial.eq(number.serial()),
                ))
                .execute(conn)?;
        }
        if changes.title.is_some() {
            let points: Vec<String> = decisions::table
                .filter(decisions::case_id.eq(id.to_string()))
                .select(decisions::id)
                .load(conn)?;
            super::decisions::refresh_search_text(conn, &points)?;
        }
        if let Some(meeting) = changes.meeting_id.filter(|m| *m != current.meeting.id) {
            super::meetings::touch(conn, &[meeting.to_string(), current.meeting.id.to_string()])?;
        }
        let updated = get(conn, id, Visibility::All)?;
        if updated.title != current.title || updated.narrative != current.narrative {
            super::proposals::detect(conn, id)?;
        }
        if updated.title != current.title
            || updated.number != current.number
            || updated.meeting.id != current.meeting.id
            || updated.public != current.public
        {
            let points = super::decisions::ids_of_cases(conn, &[id.to_string()])?;
            super::decisions::touch(conn, &points)?;
        }
        if updated.status == CaseStatus::Decided
            && (current.status != CaseStatus::Decided || updated.number != current.number)
        {
            close_postponements_to(conn, &updated, actor)?;
        }
        Change::new(
            Entity::Case,
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

/// Deletes a case that has no decision points, leaving a tombstone and its history. Its own
/// links go with it; links to it fall back to naming it by number.
pub fn delete(
    conn: &mut DbConnection,
    id: CaseId,
    expected_version: Option<i32>,
    actor: &str,
) -> StoreResult<()> {
    super::write_transaction(conn, |conn| {
        let case = get(conn, id, Visibility::All)?;
        super::check_version(expected_version, case.version)?;
        if case.decision_count > 0 {
            return Err(StoreError::Conflict(format!(
                "case {} has {} decision point(s); delete them first",
                case.number, case.decision_count
            )));
        }
        let at = now();
        let own_links: Vec<String> = case_links::table
            .filter(case_links::source_case_id.eq(id.to_string()))
            .filter(case_links::deleted_at.is_null())
            .select(case_links::id)
            .load(conn)?;
        for link in own_links {
            super::links::soft_delete(conn, &link, actor, at)?;
        }
        diesel::update(case_links::table.filter(case_links::target_case_id.eq(id.to_string())))
            .set(case_links::target_case_id.eq(None::<String>))
            .execute(conn)?;
        diesel::update(cases::table.filter(cases::id.eq(id.to_string())))
            .set((
                cases::deleted_at.eq(at),
                cases::updated_at.eq(at),
                cases::updated_by.eq(actor),
                cases::version.eq(cases::version + 1),
            ))
            .execute(conn)?;
        super::meetings::touch(conn, &[case.meeting.id.to_string()])?;
        Change::new(
            Entity::Case,
            id,
            case.version + 1,
            Action::Deleted,
            actor,
            at,
        )
        .record(conn)
    })
}
