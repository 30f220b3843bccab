//! Writes of committees: codes unique, and a committee removed only when nothing names it.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::{CommitteeCode, CommitteeId, NonEmptyText};
use crate::store::committees::{self as rows, Committee, NewCommitteeRow};
use crate::store::history::{Action, Change, Entity};
use crate::store::{self, DbConnection, StoreError, StoreResult, now};

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

pub fn create(conn: &mut DbConnection, new: NewCommittee, actor: &str) -> StoreResult<Committee> {
    store::write_transaction(conn, |conn| {
        if rows::find_id(conn, &new.code)?.is_some() {
            return Err(StoreError::Conflict(format!(
                "a committee with code {} exists already",
                new.code
            )));
        }
        let at = now();
        rows::insert(
            conn,
            &NewCommitteeRow {
                id: CommitteeId::new(),
                code: &new.code,
                name: new.name.as_str(),
                created_at: at,
                updated_at: at,
                updated_by: actor,
            },
        )?;
        let created = rows::get(conn, &new.code)?;
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
    store::write_transaction(conn, |conn| {
        let current = rows::get(conn, code)?;
        let Some(name) = &changes.name else {
            return Ok(current);
        };
        let at = now();
        rows::rename(conn, current.id, name.as_str(), actor, at)?;
        let updated = rows::get(conn, code)?;
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
    store::write_transaction(conn, |conn| {
        let committee = rows::get(conn, code)?;
        let (meetings, links) = rows::uses_of(conn, committee.id)?;
        if meetings > 0 || links > 0 {
            return Err(StoreError::Conflict(format!(
                "committee {code} has {meetings} meeting(s) and is the target of {links} link(s); delete those first"
            )));
        }
        let at = now();
        rows::mark_deleted(conn, committee.id, actor, at)?;
        Change::new(
            Entity::Committee,
            committee.id,
            committee.version + 1,
            Action::Deleted,
            actor,
            at,
        )
        .record(conn)
    })
}
