//! Editors' decisions on proposed links: accepting one makes the link.

use super::links::{NewLink, create_in};
use crate::domain::CaseNumber;
use crate::store::proposals::{self as rows, Proposal, ProposalStatus};
use crate::store::{self, DbConnection, StoreError, StoreResult};

fn ensure_undecided(proposal: &Proposal) -> StoreResult<()> {
    if proposal.status != ProposalStatus::Proposed {
        return Err(StoreError::Conflict(format!(
            "the proposal was {} already",
            proposal.status.as_str()
        )));
    }
    Ok(())
}

/// Accepts a proposal: the link is made (and recorded in the history). A proposal that names
/// a meeting links to the case of that meeting most like it, or to `target` when given.
pub fn accept(
    conn: &mut DbConnection,
    id: uuid::Uuid,
    target: Option<CaseNumber>,
    actor: &str,
) -> StoreResult<Proposal> {
    store::write_transaction(conn, |conn| {
        let proposal = rows::get(conn, id)?;
        ensure_undecided(&proposal)?;
        let number = match (target, proposal.target.number, proposal.target.case_number) {
            (Some(chosen), _, _) => chosen,
            (None, Some(number), _) => number,
            (None, None, Some(best)) => best,
            (None, None, None) => {
                return Err(StoreError::Conflict(format!(
                    "no case of {}'s meeting on {} is recorded yet that this could be; record it, or name the case with ?target=NN-YY",
                    proposal.target.committee,
                    proposal
                        .target
                        .meeting_date
                        .map(|d| d.to_string())
                        .unwrap_or_default()
                )));
            }
        };
        let link = create_in(
            conn,
            proposal.source_case_id,
            NewLink {
                kind: proposal.kind,
                target: number,
                target_committee: Some(proposal.target.committee.clone()),
                target_position: None,
                // The words stay with the proposal: they may come from a point that is not public.
                note: Some("Foreslått fra en henvisning i sakens tekst".to_owned()),
            },
            actor,
        )?;
        rows::set_decided(conn, id, ProposalStatus::Accepted, Some(&link), actor)?;
        rows::get(conn, id)
    })
}

/// Rejects a proposal; the same target is not proposed for the case again.
pub fn reject(conn: &mut DbConnection, id: uuid::Uuid, actor: &str) -> StoreResult<Proposal> {
    store::write_transaction(conn, |conn| {
        let proposal = rows::get(conn, id)?;
        ensure_undecided(&proposal)?;
        rows::set_decided(conn, id, ProposalStatus::Rejected, None, actor)?;
        rows::get(conn, id)
    })
}
