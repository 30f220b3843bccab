//! Follow-up links between cases: 37/23 follows up 31/23; 15/24 was postponed to 19/24.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::schema::{case_links, cases, committees};
use super::{DbConnection, StoreError, StoreResult, Visibility, parse_stored, utc};
use crate::domain::{CaseId, CaseNumber, CommitteeCode, LinkId, LinkKind, Position};

#[derive(Queryable, Selectable)]
#[diesel(table_name = case_links)]
struct LinkRow {
    id: LinkId,
    source_case_id: String,
    kind: LinkKind,
    target_committee_id: String,
    target_year: i32,
    target_serial: i32,
    target_position: Option<Position>,
    target_case_id: Option<String>,
    note: Option<String>,
    created_at: NaiveDateTime,
    created_by: String,
    deleted_at: Option<NaiveDateTime>,
}

/// A case as one end of a link.
#[derive(Debug, Serialize)]
pub struct LinkEnd {
    pub committee: CommitteeCode,
    pub number: CaseNumber,
    /// A specific decision point of the case, when the link names one.
    pub position: Option<Position>,
    /// The recorded case, or null while the case is known only by its number (such as 53/22
    /// before it is entered); it is filled in when the case is recorded.
    pub case_id: Option<CaseId>,
}

/// A link from one case to another.
#[derive(Debug, Serialize)]
pub struct Link {
    pub id: LinkId,
    pub kind: LinkKind,
    pub source: LinkEnd,
    pub target: LinkEnd,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The name of the token that made the link.
    pub created_by: String,
}

/// The links of a case: those it makes, and those made to it.
#[derive(Debug, Serialize)]
pub struct CaseLinks {
    pub outgoing: Vec<Link>,
    pub incoming: Vec<Link>,
}

/// Turns rows into links, leaving out those that touch a case the caller may not see.
fn to_links(
    conn: &mut DbConnection,
    rows: Vec<LinkRow>,
    visibility: Visibility,
) -> StoreResult<Vec<Link>> {
    let codes: HashMap<String, String> = committees::table
        .select((committees::id, committees::code))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let case_ids: Vec<&str> = rows
        .iter()
        .flat_map(|r| std::iter::once(r.source_case_id.as_str()).chain(r.target_case_id.as_deref()))
        .collect();
    let cases: HashMap<String, (String, i32, i32, bool)> = cases::table
        .filter(super::one_of(
            super::backend_of(conn),
            "cases.id",
            case_ids.iter().map(|id| (*id).to_owned()),
        ))
        .select((
            cases::id,
            cases::committee_id,
            cases::case_year,
            cases::case_serial,
            cases::is_public,
        ))
        .load::<(String, String, i32, i32, bool)>(conn)?
        .into_iter()
        .map(|(id, committee, year, serial, public)| (id, (committee, year, serial, public)))
        .collect();
    let code_of = |committee_id: &str| -> StoreResult<CommitteeCode> {
        let code = codes
            .get(committee_id)
            .ok_or_else(|| StoreError::Corrupt(format!("no committee {committee_id}")))?;
        parse_stored(code, "committees.code")
    };
    let number = |serial: i32, year: i32| {
        CaseNumber::new(serial, year)
            .map_err(|e| StoreError::Corrupt(format!("case number {serial}/{year}: {e}")))
    };
    let visible = |case_id: Option<&str>| {
        visibility == Visibility::All
            || case_id.is_none_or(|id| cases.get(id).is_some_and(|(_, _, _, public)| *public))
    };
    rows.into_iter()
        .filter(|row| visible(Some(&row.source_case_id)) && visible(row.target_case_id.as_deref()))
        .map(|row| {
            let (source_committee, source_year, source_serial, _) =
                cases.get(&row.source_case_id).ok_or_else(|| {
                    StoreError::Corrupt(format!("link {} has no source case", row.id))
                })?;
            Ok(Link {
                id: row.id,
                kind: row.kind,
                source: LinkEnd {
                    committee: code_of(source_committee)?,
                    number: number(*source_serial, *source_year)?,
                    position: None,
                    case_id: Some(parse_stored(
                        &row.source_case_id,
                        "case_links.source_case_id",
                    )?),
                },
                target: LinkEnd {
                    committee: code_of(&row.target_committee_id)?,
                    number: number(row.target_serial, row.target_year)?,
                    position: row.target_position,
                    case_id: row
                        .target_case_id
                        .as_deref()
                        .map(|c| parse_stored(c, "case_links.target_case_id"))
                        .transpose()?,
                },
                note: row.note,
                created_at: utc(row.created_at),
                created_by: row.created_by,
            })
        })
        .collect()
}

/// The links a case makes and the links made to it.
pub(crate) fn of_case(
    conn: &mut DbConnection,
    case: CaseId,
    visibility: Visibility,
) -> StoreResult<CaseLinks> {
    let id = case.to_string();
    let outgoing = case_links::table
        .filter(case_links::source_case_id.eq(&id))
        .filter(case_links::deleted_at.is_null())
        .select(LinkRow::as_select())
        .order((case_links::created_at, case_links::id))
        .load(conn)?;
    let incoming = case_links::table
        .filter(case_links::target_case_id.eq(&id))
        .filter(case_links::deleted_at.is_null())
        .select(LinkRow::as_select())
        .order((case_links::created_at, case_links::id))
        .load(conn)?;
    Ok(CaseLinks {
        outgoing: to_links(conn, outgoing, visibility)?,
        incoming: to_links(conn, incoming, visibility)?,
    })
}

/// The links of a case, failing when the caller may not see the case.
pub fn list(
    conn: &mut DbConnection,
    case: CaseId,
    visibility: Visibility,
) -> StoreResult<CaseLinks> {
    super::cases::get(conn, case, visibility)?;
    of_case(conn, case, visibility)
}

/// A link; a removed one is `Gone`.
pub fn get(conn: &mut DbConnection, id: LinkId, visibility: Visibility) -> StoreResult<Link> {
    let row = case_links::table
        .filter(case_links::id.eq(id.to_string()))
        .select(LinkRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("no link with id {id}")))?;
    let deleted_at = row.deleted_at;
    // Visibility first, so that a hidden link answers 404 whether or not it was removed.
    let link = to_links(conn, vec![row], visibility)?
        .pop()
        .ok_or_else(|| StoreError::NotFound(format!("no link with id {id}")))?;
    if let Some(at) = deleted_at {
        return Err(StoreError::Gone(format!(
            "link {id} was removed at {}; its history remains",
            utc(at).to_rfc3339()
        )));
    }
    Ok(link)
}

/// The kinds of link that make up the chain of a matter; they must not form a cycle.
pub(crate) const CHAIN_KINDS: [&str; 2] = ["follows_up", "postponed_to"];

pub(crate) fn chain_kind(kind: LinkKind) -> bool {
    CHAIN_KINDS.contains(&kind.as_str())
}

/// The chain links (live, of the chain kinds, with a recorded target) as SQL conditions on
/// `l`, for the walks below.
const CHAIN_LINK: &str = "l.deleted_at IS NULL AND l.kind IN ('follows_up', 'postponed_to') \
                          AND l.target_case_id IS NOT NULL";

#[derive(QueryableByName)]
struct CaseIdRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    id: String,
}

/// The cases of the chain of a matter that holds `start`: those reached from it along chain
/// links in either direction, through cases the caller may see (a hidden case does not join
/// two matters). The walk is one recursive query that reads only the links of the chain,
/// through the indexes on both ends of a link, whatever the size of the log.
pub(crate) fn chain_members(
    conn: &mut DbConnection,
    start: CaseId,
    visibility: Visibility,
) -> StoreResult<Vec<String>> {
    // Each step follows links from and to the cases found, by the index on each end of a
    // link: PostgreSQL allows the recursive table once per step, so it reads both ends with
    // one OR (a BitmapOr of the two indexes); SQLite plans an OR here as a scan of the links,
    // so it takes the two directions as two recursive steps.
    let visible = "n.deleted_at IS NULL AND (n.is_public OR $2)";
    let query = match conn {
        DbConnection::Postgres(_) => format!(
            "WITH RECURSIVE member(id) AS ( \
               SELECT CAST($1 AS TEXT) \
               UNION \
               SELECT n.id FROM member m \
               JOIN case_links l ON (l.source_case_id = m.id OR l.target_case_id = m.id) \
               JOIN cases n ON n.id = CASE WHEN l.source_case_id = m.id \
                                      THEN l.target_case_id ELSE l.source_case_id END \
               WHERE {CHAIN_LINK} AND {visible} \
             ) SELECT id FROM member"
        ),
        DbConnection::Sqlite(_) => format!(
            "WITH RECURSIVE member(id) AS ( \
               SELECT CAST($1 AS TEXT) \
               UNION \
               SELECT n.id FROM member m \
               JOIN case_links l ON l.source_case_id = m.id \
               JOIN cases n ON n.id = l.target_case_id \
               WHERE {CHAIN_LINK} AND {visible} \
               UNION \
               SELECT n.id FROM member m \
               JOIN case_links l ON l.target_case_id = m.id \
               JOIN cases n ON n.id = l.source_case_id \
               WHERE {CHAIN_LINK} AND {visible} \
             ) SELECT id FROM member"
        ),
    };
    let all = visibility == Visibility::All;
    let rows: Vec<CaseIdRow> = match conn {
        DbConnection::Postgres(pg) => diesel::sql_query(query)
            .bind::<diesel::sql_types::Text, _>(start)
            .bind::<diesel::sql_types::Bool, _>(all)
            .load(pg)?,
        // SQLite reads `$1` as a numbered parameter, like PostgreSQL.
        DbConnection::Sqlite(sqlite) => diesel::sql_query(query)
            .bind::<diesel::sql_types::Text, _>(start)
            .bind::<diesel::sql_types::Bool, _>(all)
            .load(sqlite)?,
    };
    Ok(rows.into_iter().map(|row| row.id).collect())
}

/// The ids of the chain links between these cases.
pub(crate) fn chain_links_among(
    conn: &mut DbConnection,
    cases: &[String],
) -> StoreResult<Vec<String>> {
    let backend = super::backend_of(conn);
    Ok(case_links::table
        .filter(super::one_of(
            backend,
            "case_links.source_case_id",
            cases.iter().cloned(),
        ))
        .filter(super::one_of(
            backend,
            "case_links.target_case_id",
            cases.iter().cloned(),
        ))
        .filter(case_links::deleted_at.is_null())
        .filter(case_links::kind.eq_any(CHAIN_KINDS))
        .select(case_links::id)
        .load(conn)?)
}

/// Whether `to` can be reached from `from` along chain links, in their direction: one
/// recursive query that reads only the links on the way.
pub(crate) fn reaches(conn: &mut DbConnection, from: CaseId, to: CaseId) -> StoreResult<bool> {
    let query = format!(
        "WITH RECURSIVE reach(id) AS ( \
           SELECT CAST($1 AS TEXT) \
           UNION \
           SELECT l.target_case_id FROM reach r \
           JOIN case_links l ON l.source_case_id = r.id \
           WHERE {CHAIN_LINK} \
         ) SELECT id FROM reach WHERE id = $2"
    );
    let found: Vec<CaseIdRow> = match conn {
        DbConnection::Postgres(pg) => diesel::sql_query(query)
            .bind::<diesel::sql_types::Text, _>(from)
            .bind::<diesel::sql_types::Text, _>(to)
            .load(pg)?,
        DbConnection::Sqlite(sqlite) => diesel::sql_query(query)
            .bind::<diesel::sql_types::Text, _>(from)
            .bind::<diesel::sql_types::Text, _>(to)
            .load(sqlite)?,
    };
    Ok(!found.is_empty())
}

/// The links with these ids, for the chain.
pub(crate) fn by_ids(
    conn: &mut DbConnection,
    ids: &[&str],
    visibility: Visibility,
) -> StoreResult<Vec<Link>> {
    let rows = case_links::table
        .filter(super::one_of(
            super::backend_of(conn),
            "case_links.id",
            ids.iter().map(|id| (*id).to_owned()),
        ))
        .select(LinkRow::as_select())
        .order((case_links::created_at, case_links::id))
        .load(conn)?;
    to_links(conn, rows, visibility)
}

/// The row of a new link.
#[derive(Insertable)]
#[diesel(table_name = case_links)]
pub(crate) struct NewLinkRow<'a> {
    pub id: LinkId,
    pub source_case_id: CaseId,
    pub kind: LinkKind,
    pub target_committee_id: &'a str,
    pub target_year: i32,
    pub target_serial: i32,
    pub target_position: Option<Position>,
    pub target_case_id: Option<CaseId>,
    pub note: Option<String>,
    pub created_at: NaiveDateTime,
    pub created_by: &'a str,
}

pub(crate) fn insert(conn: &mut DbConnection, row: &NewLinkRow<'_>) -> StoreResult<()> {
    diesel::insert_into(case_links::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// The positions named by a case's live links of one kind to one target case number (`None`
/// for a link to the whole case).
pub(crate) fn positions_linked(
    conn: &mut DbConnection,
    source: CaseId,
    kind: LinkKind,
    target_committee_id: &str,
    target: CaseNumber,
) -> StoreResult<Vec<Option<Position>>> {
    Ok(case_links::table
        .filter(case_links::source_case_id.eq(source))
        .filter(case_links::deleted_at.is_null())
        .filter(case_links::kind.eq(kind))
        .filter(case_links::target_committee_id.eq(target_committee_id))
        .filter(case_links::target_year.eq(target.year()))
        .filter(case_links::target_serial.eq(target.serial()))
        .select(case_links::target_position)
        .load(conn)?)
}

/// Marks a link removed; answers the case it was made from.
pub(crate) fn mark_deleted(
    conn: &mut DbConnection,
    id: LinkId,
    at: NaiveDateTime,
) -> StoreResult<CaseId> {
    let source: CaseId = case_links::table
        .filter(case_links::id.eq(id))
        .select(case_links::source_case_id)
        .first(conn)?;
    diesel::update(case_links::table.filter(case_links::id.eq(id)))
        .set(case_links::deleted_at.eq(at))
        .execute(conn)?;
    Ok(source)
}

/// The live links a case makes.
pub(crate) fn ids_from(conn: &mut DbConnection, case: CaseId) -> StoreResult<Vec<LinkId>> {
    Ok(case_links::table
        .filter(case_links::source_case_id.eq(case))
        .filter(case_links::deleted_at.is_null())
        .select(case_links::id)
        .load(conn)?)
}

/// The cases with a live `postponed_to` link to this case.
pub(crate) fn postponed_to(conn: &mut DbConnection, case: CaseId) -> StoreResult<Vec<String>> {
    Ok(case_links::table
        .filter(case_links::target_case_id.eq(case))
        .filter(case_links::deleted_at.is_null())
        .filter(case_links::kind.eq(LinkKind::PostponedTo))
        .select(case_links::source_case_id)
        .load(conn)?)
}

/// Links that named this case by id name it by number only, as when it is gone.
pub(crate) fn detach_from(conn: &mut DbConnection, case: CaseId) -> StoreResult<()> {
    diesel::update(case_links::table.filter(case_links::target_case_id.eq(case)))
        .set(case_links::target_case_id.eq(None::<CaseId>))
        .execute(conn)?;
    Ok(())
}

/// Points the links that name this case by number at it, and detaches those that named it
/// by a number it no longer has; answers the cases the links are made from.
pub(crate) fn attach_to(
    conn: &mut DbConnection,
    case: CaseId,
    committee_id: &str,
    number: CaseNumber,
) -> StoreResult<Vec<String>> {
    detach_from(conn, case)?;
    diesel::update(
        case_links::table
            .filter(case_links::deleted_at.is_null())
            .filter(case_links::target_committee_id.eq(committee_id))
            .filter(case_links::target_year.eq(number.year()))
            .filter(case_links::target_serial.eq(number.serial())),
    )
    .set(case_links::target_case_id.eq(case))
    .execute(conn)?;
    Ok(case_links::table
        .filter(case_links::target_case_id.eq(case))
        .select(case_links::source_case_id)
        .load(conn)?)
}
