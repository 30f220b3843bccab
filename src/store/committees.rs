//! Committees (utvalg): ASU, AU, ...

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::schema::{case_links, committees, meetings};
use super::{DbConnection, StoreError, StoreResult, now, parse_stored, utc};
use crate::domain::{CommitteeCode, CommitteeId, NonEmptyText};

#[derive(Queryable, Selectable)]
#[diesel(table_name = committees)]
struct CommitteeRow {
    id: String,
    code: String,
    name: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// A committee (utvalg) whose decisions the log keeps, such as ASU (Administrativt
/// samarbeidsutvalg).
#[derive(Debug, Serialize, ToSchema)]
pub struct Committee {
    pub id: CommitteeId,
    pub code: CommitteeCode,
    /// The full name.
    #[schema(example = "Administrativt samarbeidsutvalg")]
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<CommitteeRow> for Committee {
    type Error = StoreError;

    fn try_from(row: CommitteeRow) -> StoreResult<Self> {
        Ok(Self {
            id: parse_stored(&row.id, "committees.id")?,
            code: parse_stored(&row.code, "committees.code")?,
            name: row.name,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        })
    }
}

/// A committee to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCommittee {
    pub code: CommitteeCode,
    #[schema(value_type = String, example = "Administrativt samarbeidsutvalg")]
    pub name: NonEmptyText,
}

/// Changes to a committee; the code cannot change, because other systems refer to it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitteeChanges {
    #[schema(value_type = Option<String>, example = "Administrativt samarbeidsutvalg")]
    pub name: Option<NonEmptyText>,
}

pub fn list(conn: &mut DbConnection) -> StoreResult<Vec<Committee>> {
    committees::table
        .select(CommitteeRow::as_select())
        .order(committees::code)
        .load(conn)?
        .into_iter()
        .map(Committee::try_from)
        .collect()
}

pub fn get(conn: &mut DbConnection, code: &CommitteeCode) -> StoreResult<Committee> {
    committees::table
        .filter(committees::code.eq(code.as_str()))
        .select(CommitteeRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| not_found(code))?
        .try_into()
}

/// The id of the committee with this code, if there is one.
pub(crate) fn find_id(
    conn: &mut DbConnection,
    code: &CommitteeCode,
) -> StoreResult<Option<CommitteeId>> {
    let id: Option<String> = committees::table
        .filter(committees::code.eq(code.as_str()))
        .select(committees::id)
        .first(conn)
        .optional()?;
    id.map(|id| parse_stored(&id, "committees.id")).transpose()
}

/// The id of the committee with this code.
pub(crate) fn id_of(conn: &mut DbConnection, code: &CommitteeCode) -> StoreResult<CommitteeId> {
    find_id(conn, code)?.ok_or_else(|| not_found(code))
}

fn not_found(code: &CommitteeCode) -> StoreError {
    StoreError::NotFound(format!("no committee with code {code}"))
}

pub fn create(conn: &mut DbConnection, new: NewCommittee) -> StoreResult<Committee> {
    super::write_transaction(conn, |conn| {
        let exists = committees::table
            .filter(committees::code.eq(new.code.as_str()))
            .count()
            .get_result::<i64>(conn)?
            > 0;
        if exists {
            return Err(StoreError::Conflict(format!(
                "a committee with code {} exists already",
                new.code
            )));
        }
        let at = now();
        diesel::insert_into(committees::table)
            .values((
                committees::id.eq(CommitteeId::new().to_string()),
                committees::code.eq(new.code.as_str()),
                committees::name.eq(new.name.as_str()),
                committees::created_at.eq(at),
                committees::updated_at.eq(at),
            ))
            .execute(conn)?;
        get(conn, &new.code)
    })
}

pub fn update(
    conn: &mut DbConnection,
    code: &CommitteeCode,
    changes: CommitteeChanges,
) -> StoreResult<Committee> {
    super::write_transaction(conn, |conn| {
        let id = id_of(conn, code)?;
        if let Some(name) = &changes.name {
            diesel::update(committees::table.filter(committees::id.eq(id.to_string())))
                .set((
                    committees::name.eq(name.as_str()),
                    committees::updated_at.eq(now()),
                    committees::version.eq(committees::version + 1),
                ))
                .execute(conn)?;
        }
        get(conn, code)
    })
}

/// Deletes a committee that has no meetings and is the target of no link.
pub fn delete(conn: &mut DbConnection, code: &CommitteeCode) -> StoreResult<()> {
    super::write_transaction(conn, |conn| {
        let id = id_of(conn, code)?.to_string();
        let meetings: i64 = meetings::table
            .filter(meetings::committee_id.eq(&id))
            .count()
            .get_result(conn)?;
        let links: i64 = case_links::table
            .filter(case_links::target_committee_id.eq(&id))
            .count()
            .get_result(conn)?;
        if meetings > 0 || links > 0 {
            return Err(StoreError::Conflict(format!(
                "committee {code} has {meetings} meeting(s) and is the target of {links} link(s); delete those first"
            )));
        }
        diesel::delete(committees::table.filter(committees::id.eq(&id))).execute(conn)?;
        Ok(())
    })
}
