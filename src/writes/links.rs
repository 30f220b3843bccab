//! Writes of links between cases: no link to itself, no duplicate, no cycle in the chain of a
//! matter, and what a link ripples into (where a case went, postponements taken up).

use serde::Deserialize;
use utoipa::ToSchema;

use super::ripples;
use crate::domain::{CaseId, CaseNumber, CommitteeCode, LinkId, LinkKind, Position};
use crate::store::history::{Action, Change, Entity};
use crate::store::links::{self as rows, Link, NewLinkRow};
use crate::store::{
    self, DbConnection, StoreError, StoreResult, Visibility, cases, committees, now,
};

/// A link to record from a case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLink {
    pub kind: LinkKind,
    /// The number of the case linked to; it need not be recorded yet.
    #[schema(example = "31/23")]
    pub target: CaseNumber,
    /// The committee of the case linked to; default the source case's committee.
    pub target_committee: Option<CommitteeCode>,
    /// A specific decision point of the target case.
    pub target_position: Option<Position>,
    pub note: Option<String>,
}

pub fn create(
    conn: &mut DbConnection,
    source: CaseId,
    new: NewLink,
    actor: &str,
) -> StoreResult<Link> {
    store::write_transaction(conn, |conn| create_in(conn, source, new, actor))
}

/// Makes a link inside the caller's transaction.
pub(super) fn create_in(
    conn: &mut DbConnection,
    source: CaseId,
    new: NewLink,
    actor: &str,
) -> StoreResult<Link> {
    let case = cases::get(conn, source, Visibility::All)?;
    let target_code = new
        .target_committee
        .clone()
        .unwrap_or_else(|| case.committee.clone());
    let target_committee = committees::find_id(conn, &target_code)?
        .ok_or_else(|| {
            StoreError::Invalid(format!(
                "target_committee: unknown committee '{target_code}'"
            ))
        })?
        .to_string();
    if target_code == case.committee && new.target == case.number {
        return Err(StoreError::Invalid(format!(
            "target: case {} cannot link to itself",
            case.number
        )));
    }
    let target_case = cases::find_id(conn, &target_committee, new.target)?;
    let linked = rows::positions_linked(conn, source, new.kind, &target_committee, new.target)?;
    if linked.contains(&new.target_position) {
        return Err(StoreError::Conflict(format!(
            "case {} already has a {} link to {target_code} {}",
            case.number, new.kind, new.target
        )));
    }
    if let Some(target) = target_case
        && rows::chain_kind(new.kind)
        && rows::reaches(conn, target, source)?
    {
        return Err(StoreError::Conflict(format!(
            "{target_code} {} already leads to {} through follows_up and postponed_to links; \
             a {} link back would make a cycle",
            new.target, case.number, new.kind
        )));
    }
    let id = LinkId::new();
    let at = now();
    rows::insert(
        conn,
        &NewLinkRow {
            id,
            source_case_id: source,
            kind: new.kind,
            target_committee_id: &target_committee,
            target_year: new.target.year(),
            target_serial: new.target.serial(),
            target_position: new.target_position,
            target_case_id: target_case,
            note: super::trimmed(new.note),
            created_at: at,
            created_by: actor,
        },
    )?;
    let link = rows::get(conn, id, Visibility::All)?;
    Change::new(Entity::Link, id, 1, Action::Created, actor, at)
        .between(None, &link)?
        .in_case(source)
        .record(conn)?;
    ripples::link_created(conn, source, new.kind, target_case, actor)?;
    Ok(link)
}

/// Removes a link, leaving a tombstone and its history.
pub fn delete(conn: &mut DbConnection, id: LinkId, actor: &str) -> StoreResult<()> {
    store::write_transaction(conn, |conn| {
        rows::get(conn, id, Visibility::All)?;
        remove(conn, id, actor, now())
    })
}

/// Marks a link removed and records it, inside the caller's transaction.
pub(super) fn remove(
    conn: &mut DbConnection,
    id: LinkId,
    actor: &str,
    at: chrono::NaiveDateTime,
) -> StoreResult<()> {
    let source = rows::mark_deleted(conn, id, at)?;
    ripples::link_removed(conn, source)?;
    Change::new(Entity::Link, id, 2, Action::Deleted, actor, at)
        .in_case(source)
        .record(conn)
}
