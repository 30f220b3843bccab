//! Committees (utvalg): ASU, AU, ...

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::schema::{case_links, committees, meetings};
use super::{DbConnection, StoreError, StoreResult, utc};
use crate::domain::{CommitteeCode, CommitteeId};

#[derive(Queryable, Selectable)]
#[diesel(table_name = committees)]
struct CommitteeRow {
    id: CommitteeId,
    code: CommitteeCode,
    name: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    updated_by: String,
    version: i32,
}

/// A committee (utvalg) whose decisions the log keeps, such as ASU (Administrativt
/// samarbeidsutvalg).
#[derive(Debug, Serialize)]
pub struct Committee {
    pub id: CommitteeId,
    pub code: CommitteeCode,
    /// The full name.
    pub name: String,
    /// Increases with every change.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The name of the token that made the last change.
    pub updated_by: String,
}

impl From<CommitteeRow> for Committee {
    fn from(row: CommitteeRow) -> Self {
        Self {
            id: row.id,
            code: row.code,
            name: row.name,
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
            updated_by: row.updated_by,
        }
    }
}

pub fn list(conn: &mut DbConnection) -> StoreResult<Vec<Committee>> {
    Ok(committees::table
        .filter(committees::deleted_at.is_null())
        .select(CommitteeRow::as_select())
        .order(committees::code)
        .load::<CommitteeRow>(conn)?
        .into_iter()
        .map(Committee::from)
        .collect())
}

pub fn get(conn: &mut DbConnection, code: &CommitteeCode) -> StoreResult<Committee> {
    let row: CommitteeRow = committees::table
        .filter(committees::code.eq(code))
        .filter(committees::deleted_at.is_null())
        .select(CommitteeRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| not_found(code))?;
    Ok(row.into())
}

/// The id of the committee with this code, if there is one.
pub(crate) fn find_id(
    conn: &mut DbConnection,
    code: &CommitteeCode,
) -> StoreResult<Option<CommitteeId>> {
    Ok(committees::table
        .filter(committees::code.eq(code))
        .filter(committees::deleted_at.is_null())
        .select(committees::id)
        .first(conn)
        .optional()?)
}

/// The id of the committee with this code.
pub(crate) fn id_of(conn: &mut DbConnection, code: &CommitteeCode) -> StoreResult<CommitteeId> {
    find_id(conn, code)?.ok_or_else(|| not_found(code))
}

fn not_found(code: &CommitteeCode) -> StoreError {
    StoreError::NotFound(format!("no committee with code {code}"))
}

/// The row of a new committee.
#[derive(Insertable)]
#[diesel(table_name = committees)]
pub(crate) struct NewCommitteeRow<'a> {
    pub id: CommitteeId,
    pub code: &'a CommitteeCode,
    pub name: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub updated_by: &'a str,
}

pub(crate) fn insert(conn: &mut DbConnection, row: &NewCommitteeRow<'_>) -> StoreResult<()> {
    diesel::insert_into(committees::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Renames a committee, as its next version.
pub(crate) fn rename(
    conn: &mut DbConnection,
    id: CommitteeId,
    name: &str,
    actor: &str,
    at: NaiveDateTime,
) -> StoreResult<()> {
    diesel::update(committees::table.filter(committees::id.eq(id)))
        .set((
            committees::name.eq(name),
            committees::updated_at.eq(at),
            committees::updated_by.eq(actor),
            committees::version.eq(committees::version + 1),
        ))
        .execute(conn)?;
    Ok(())
}

/// Makes a committee a tombstone, as its next version.
pub(crate) fn mark_deleted(
    conn: &mut DbConnection,
    id: CommitteeId,
    actor: &str,
    at: NaiveDateTime,
) -> StoreResult<()> {
    diesel::update(committees::table.filter(committees::id.eq(id)))
        .set((
            committees::deleted_at.eq(at),
            committees::updated_at.eq(at),
            committees::updated_by.eq(actor),
            committees::version.eq(committees::version + 1),
        ))
        .execute(conn)?;
    Ok(())
}

/// How many (not deleted) meetings a committee has, and how many live links name its cases.
pub(crate) fn uses_of(conn: &mut DbConnection, id: CommitteeId) -> StoreResult<(i64, i64)> {
    let meetings: i64 = meetings::table
        .filter(meetings::committee_id.eq(id))
        .filter(meetings::deleted_at.is_null())
        .count()
        .get_result(conn)?;
    let links: i64 = case_links::table
        .filter(case_links::target_committee_id.eq(id))
        .filter(case_links::deleted_at.is_null())
        .count()
        .get_result(conn)?;
    Ok((meetings, links))
}
