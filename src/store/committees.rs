//! Committees (utvalg): ASU, AU, ...

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::history::{Action, Change, Entity};
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
    updated_by: String,
    version: i32,
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
    /// Increases with every change.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The name of the token that made the last change.
    pub updated_by: String,
}

impl TryFrom<CommitteeRow> for Committee {
    type Error = StoreError;

    fn try_from(row: CommitteeRow) -> StoreResult<Self> {
        Ok(Self {
            id: parse_stored(&row.id, "committees.id")?,
            code: parse_stored(&row.code, "committees.code")?,
            name: row.name,
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
            updated_by: row.updated_by,
        })
    }
}

/// A committee to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCommittee {
    pub code: CommitteeCode,
    #[schema(value_type = NonEmptyText, example = "Administrativt samarbeidsutvalg")]
    pub name: NonEmptyText,
}

/// Changes to a committee; the code cannot change, because other systems refer to it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitteeChanges {
    #[schema(value_type = NonEmptyText, example = "Administrativt samarbeidsutvalg")]
    #[serde(default, deserialize_with = "super::not_null::deserialize")]
    pub name: Option<NonEmptyText>,
}

pub fn list(conn: &mut DbConnection) -> StoreResult<Vec<Committee>> {
    committees::table
        .filter(committees::deleted_at.is_null())
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
        .filter(committees::deleted_at.is_null())
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
        .filter(committees::deleted_at.is_null())
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

pub fn create(conn: &mut DbConnection, new: NewCommittee, actor: &str) -> StoreResult<Committee> {
    super::write_transaction(conn, |conn| {
        if find_id(conn, &new.code)?.is_some() {
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
                committees::updated_by.eq(actor),
            ))
            .execute(conn)?;
        let created = get(conn, &new.code)?;
        Change::new(
            Entity::Committee,
            created.id,
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
    code: &CommitteeCode,
    changes: CommitteeChanges,
    actor: &str,
) -> StoreResult<Committee> {
    super::write_transaction(conn, |conn| {
        let current = get(conn, code)?;
        let Some(name) = &changes.name else {
            return Ok(current);
        };
        let at = now();
        diesel::update(committees::table.filter(committees::id.eq(current.id.to_string())))
            .set((
                committees::name.eq(name.as_str()),
                committees::updated_at.eq(at),
                committees::updated_by.eq(actor),
                committees::version.eq(committees::version + 1),
            ))
            .execute(conn)?;
        let updated = get(conn, code)?;
        Change::new(
            Entity::Committee,
            updated.id,
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

/// Deletes a committee that has no meetings and is the target of no link, leaving a
/// tombstone and its history.
pub fn delete(conn: &mut DbConnection, code: &CommitteeCode, actor: &str) -> StoreResult<()> {
    super::write_transaction(conn, |conn| {
        let committee = get(conn, code)?;
        let id = committee.id.to_string();
        let meetings: i64 = meetings::table
            .filter(meetings::committee_id.eq(&id))
            .filter(meetings::deleted_at.is_null())
            .count()
            .get_result(conn)?;
        let links: i64 = case_links::table
            .filter(case_links::target_committee_id.eq(&id))
            .filter(case_links::deleted_at.is_null())
            .count()
            .get_result(conn)?;
        if meetings > 0 || links > 0 {
            return Err(StoreError::Conflict(format!(
                "committee {code} has {meetings} meeting(s) and is the target of {links} link(s); delete those first"
            )));
        }
        let at = now();
        diesel::update(committees::table.filter(committees::id.eq(&id)))
            .set((
                committees::deleted_at.eq(at),
                committees::updated_at.eq(at),
                committees::updated_by.eq(actor),
                committees::version.eq(committees::version + 1),
            ))
            .execute(conn)?;
        Change::new(
            Entity::Committee,
            id,
            committee.version + 1,
            Action::Deleted,
            actor,
            at,
        )
        .record(conn)
    })
}
