//! Cases (saker) on a meeting's agenda, numbered NN/YY per committee and year.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::dsl::sql;
use diesel::expression::SqlLiteral;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Integer, Text, Timestamp};
use serde::{Deserialize, Serialize};

use super::decisions::Decision;
use super::history::HistoryEntry;
use super::links::CaseLinks;
use super::schema::{case_links, cases, committees, decisions, meetings};
use super::{DbConnection, Page, StoreError, StoreResult, Visibility, now, parse_stored, utc};
use crate::domain::{CaseId, CaseNumber, CaseStatus, CommitteeCode, MeetingId};

#[derive(Queryable, Selectable)]
#[diesel(table_name = cases)]
struct CaseRow {
    id: String,
    meeting_id: MeetingId,
    case_year: i32,
    case_serial: i32,
    title: String,
    responsible: String,
    status: CaseStatus,
    is_public: bool,
    narrative: Option<String>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    updated_by: String,
    version: i32,
    deleted_at: Option<NaiveDateTime>,
}

/// The meeting a case is on.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingRef {
    pub id: MeetingId,
    pub date: NaiveDate,
}

/// A case (sak) on a meeting's agenda.
#[derive(Debug, Clone, Serialize)]
pub struct Case {
    pub id: CaseId,
    pub committee: CommitteeCode,
    pub number: CaseNumber,
    pub meeting: MeetingRef,
    pub title: String,
    /// Who is responsible for the case (saksansvarlig), as written in the documents.
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
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Postponement {
    pub committee: CommitteeCode,
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
        // The latest that the caller may see is where the case went.
        .filter(sql::<Bool>(&format!(
            "case_links.id = {}",
            latest_postponement(visibility, "case_links.source_case_id", "l.id")
        )))
        .select((
            case_links::source_case_id,
            committees::code,
            case_links::target_year,
            case_links::target_serial,
            case_links::target_case_id,
        ))
        .load(conn)?;
    let targets: Vec<&str> = links.iter().filter_map(|l| l.4.as_deref()).collect();
    let decided: HashSet<String> = cases::table
        .filter(super::one_of(
            super::backend_of(conn),
            "cases.id",
            targets.iter().map(|id| (*id).to_owned()),
        ))
        .filter(cases::status.eq(CaseStatus::Decided.as_str()))
        .select(cases::id)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let mut found = HashMap::new();
    for (source, code, year, serial, target) in links {
        let postponement = Postponement {
            committee: parse_stored(&code, "committees.code")?,
            number: CaseNumber::new(serial, year).map_err(|e| {
                StoreError::Corrupt(format!("case_links target {serial}/{year}: {e}"))
            })?,
            taken_up: target.as_ref().is_some_and(|t| decided.contains(t)),
            case_id: target
                .as_deref()
                .map(|t| parse_stored(t, "case_links.target_case_id"))
                .transpose()?,
        };
        found.insert(source, postponement);
    }
    Ok(found)
}

/// A case with its decision points and its links to other cases.
#[derive(Debug, Serialize)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub case: Case,
    /// The decision points, in order of position.
    pub decisions: Vec<Decision>,
    pub links: CaseLinks,
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
    /// Only cases of meetings on or before this date.
    pub meeting_to: Option<NaiveDate>,
    /// Only cases whose postponement has not been taken up: the case they were last
    /// postponed to (as far as the caller may see) is not decided, or there is none.
    pub not_taken_up: bool,
    /// Only cases changed at or after this time, deleted ones included as tombstones.
    pub updated_since: Option<NaiveDateTime>,
    pub visibility: Visibility,
}

/// The latest `postponed_to` link of the case `source` (an SQL expression naming its id) that
/// the caller may see, as a subquery returning `select` of it (`l` is the link, `target` the
/// case it went to). Both [`postponements_of`] and the list of waiting cases read it, so
/// that they agree on where a case went.
fn latest_postponement(visibility: Visibility, source: &str, select: &str) -> String {
    // A case hidden from the caller is not shown as where another case went.
    let shown = match visibility {
        Visibility::All => "",
        Visibility::PublicOnly => "AND (target.id IS NULL OR target.is_public) ",
    };
    format!(
        "(SELECT {select} FROM case_links l \
         LEFT JOIN cases target ON target.id = l.target_case_id \
         WHERE l.source_case_id = {source} AND l.kind = 'postponed_to' \
         AND l.deleted_at IS NULL {shown}\
         ORDER BY l.created_at DESC, l.id DESC LIMIT 1)"
    )
}

/// Whether a case's latest postponement (that the caller may see) is not taken up: the case
/// it went to is not decided, or is not recorded, or there is none.
fn not_taken_up(visibility: Visibility) -> SqlLiteral<Bool> {
    sql::<Bool>(&format!(
        "COALESCE({}, '') <> '{}'",
        latest_postponement(visibility, "cases.id", "target.status"),
        CaseStatus::Decided.as_str()
    ))
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
        .filter(visibility.shown("decisions.is_public"))
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
                    id: row.meeting_id,
                    date,
                },
                title: row.title,
                responsible: serde_json::from_str(&row.responsible).map_err(|e| {
                    StoreError::Corrupt(format!("cases.responsible of {}: {e}", row.id))
                })?,
                status: row.status,
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
    super::read_transaction(conn, |conn| list_in(conn, filter, after, limit, true))
}

/// Every case that matches, inside the caller's transaction.
pub(crate) fn list_all(conn: &mut DbConnection, filter: &CaseFilter) -> StoreResult<Vec<Case>> {
    Ok(list_in(conn, filter, None, i64::from(i32::MAX), false)?.items)
}

/// One page of the cases that match; `counted` asks for the count of every match, which a
/// caller that takes them all has already.
fn list_in(
    conn: &mut DbConnection,
    filter: &CaseFilter,
    after: Option<&CaseKey>,
    limit: i64,
    counted: bool,
) -> StoreResult<Page<Case, CaseKey>> {
    {
        let filtered = || {
            let mut query = cases::table
                .inner_join(meetings::table)
                .inner_join(committees::table.on(committees::id.eq(cases::committee_id)))
                .filter(filter.visibility.shown("cases.is_public"))
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
            if let Some(to) = filter.meeting_to {
                query = query.filter(meetings::meeting_date.le(to));
            }
            if filter.not_taken_up {
                // The cases known to be taken up, found from the index, are not tested again.
                query = query
                    .filter(cases::postponement_settled.eq(false))
                    .filter(not_taken_up(filter.visibility));
            }
            query
        };
        let total: Option<i64> = if counted {
            Some(
                filtered()
                    .select(diesel::dsl::count_star())
                    .get_result(conn)?,
            )
        } else {
            None
        };
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
        let items = to_cases(conn, rows, filter.visibility)?;
        let total = total.unwrap_or_else(|| i64::try_from(items.len()).unwrap_or(i64::MAX));
        Ok(Page {
            items,
            total: super::Count::exactly(total),
            next,
        })
    }
}

/// A case. A deleted one is `Gone`; one exempt from public access is `NotFound` for those
/// who may see only what is public.
pub fn get(conn: &mut DbConnection, id: CaseId, visibility: Visibility) -> StoreResult<Case> {
    let row = row_of(conn, id, visibility)?;
    Ok(to_cases(conn, vec![row], visibility)?.remove(0))
}

/// What reference detection reads of a case after each write: its number and what it says in
/// words. Read as [`get`] reads the case, without what is counted and linked around it.
pub(crate) struct CaseTexts {
    pub committee: CommitteeCode,
    pub number: CaseNumber,
    pub title: String,
    pub narrative: Option<String>,
}

pub(crate) fn texts_of(conn: &mut DbConnection, id: CaseId) -> StoreResult<CaseTexts> {
    let (row, _, code) = row_of(conn, id, Visibility::All)?;
    Ok(CaseTexts {
        committee: parse_stored(&code, "committees.code")?,
        number: CaseNumber::new(row.case_serial, row.case_year)
            .map_err(|e| StoreError::Corrupt(format!("case {}: {e}", row.id)))?,
        title: row.title,
        narrative: row.narrative,
    })
}

/// The row of a case the caller may see, with its meeting's date and committee's code.
fn row_of(
    conn: &mut DbConnection,
    id: CaseId,
    visibility: Visibility,
) -> StoreResult<(CaseRow, NaiveDate, String)> {
    let (row, date, code, deleted_at) = cases::table
        .inner_join(meetings::table)
        .inner_join(committees::table.on(committees::id.eq(cases::committee_id)))
        // By a unique id, so no `first()`: SQLite plans a statement with `LIMIT ?` for the
        // bound limit, which makes it prepare the kept statement anew at every run.
        .filter(cases::id.eq(id.to_string()))
        .select((
            CaseRow::as_select(),
            meetings::meeting_date,
            committees::code,
            cases::deleted_at,
        ))
        .get_result::<(CaseRow, NaiveDate, String, Option<NaiveDateTime>)>(conn)
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
    Ok((row, date, code))
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
        .filter(visibility.shown("cases.is_public"))
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

/// The committee (id, code) of a meeting given in a request body.
pub(crate) fn committee_of_meeting(
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

/// The row of a new case.
#[derive(Insertable)]
#[diesel(table_name = cases)]
pub(crate) struct NewCaseRow<'a> {
    pub id: CaseId,
    pub committee_id: &'a str,
    pub meeting_id: MeetingId,
    pub case_year: i32,
    pub case_serial: i32,
    pub title: &'a str,
    /// The names, as a JSON array.
    pub responsible: String,
    pub status: CaseStatus,
    pub is_public: bool,
    pub narrative: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub updated_by: &'a str,
}

/// The columns a change of a case writes; every one is set, `None` to NULL.
#[derive(AsChangeset)]
#[diesel(table_name = cases, treat_none_as_null = true)]
pub(crate) struct CaseRowChanges<'a> {
    pub meeting_id: MeetingId,
    pub case_year: i32,
    pub case_serial: i32,
    pub title: &'a str,
    /// The names, as a JSON array.
    pub responsible: String,
    pub status: CaseStatus,
    pub is_public: bool,
    pub narrative: Option<String>,
    pub updated_at: NaiveDateTime,
    pub updated_by: &'a str,
}

/// Names as they are stored: a JSON array.
pub(crate) fn names_json(names: &[String]) -> StoreResult<String> {
    serde_json::to_string(names).map_err(|e| StoreError::Invalid(e.to_string()))
}

pub(crate) fn insert(conn: &mut DbConnection, row: &NewCaseRow<'_>) -> StoreResult<()> {
    diesel::insert_into(cases::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Writes a change of a case as its next version.
pub(crate) fn change(
    conn: &mut DbConnection,
    id: CaseId,
    changes: &CaseRowChanges<'_>,
) -> StoreResult<()> {
    diesel::update(cases::table.filter(cases::id.eq(id)))
        .set((changes, cases::version.eq(cases::version + 1)))
        .execute(conn)?;
    Ok(())
}

/// Makes a case a tombstone, as its next version.
pub(crate) fn mark_deleted(
    conn: &mut DbConnection,
    id: CaseId,
    actor: &str,
    at: NaiveDateTime,
) -> StoreResult<()> {
    diesel::update(cases::table.filter(cases::id.eq(id)))
        .set((
            cases::deleted_at.eq(at),
            cases::updated_at.eq(at),
            cases::updated_by.eq(actor),
            cases::version.eq(cases::version + 1),
        ))
        .execute(conn)?;
    Ok(())
}

/// Whether a (not deleted) case has this id.
pub(crate) fn exists(conn: &mut DbConnection, id: CaseId) -> StoreResult<bool> {
    let found: i64 = cases::table
        .filter(cases::id.eq(id))
        .filter(cases::deleted_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(found > 0)
}

/// A case's committee and number.
pub(crate) fn number_of(
    conn: &mut DbConnection,
    id: CaseId,
) -> StoreResult<(CommitteeCode, CaseNumber)> {
    let (code, year, serial): (CommitteeCode, i32, i32) = cases::table
        .inner_join(committees::table.on(committees::id.eq(cases::committee_id)))
        .filter(cases::id.eq(id))
        .select((committees::code, cases::case_year, cases::case_serial))
        .first(conn)?;
    let number = CaseNumber::new(serial, year)
        .map_err(|e| StoreError::Corrupt(format!("cases {serial}/{year}: {e}")))?;
    Ok((code, number))
}

/// The ids of the cases on a meeting's agenda, deleted ones included.
pub(crate) fn ids_of_meeting(
    conn: &mut DbConnection,
    meeting: MeetingId,
) -> StoreResult<Vec<String>> {
    Ok(cases::table
        .filter(cases::meeting_id.eq(meeting))
        .select(cases::id)
        .load(conn)?)
}
