//! The chain of a matter: every case connected to one case through follows_up and
//! postponed_to links, in either direction, with its decision points: the whole story of a
//! matter from meeting to meeting in one answer.

use std::collections::HashMap;

use serde::Serialize;

use super::cases::Case;
use super::decisions::Decision;
use super::links::Link;
use super::{DbConnection, StoreResult, Visibility};
use crate::domain::{CaseId, CaseNumber, CommitteeCode};

/// A case of a chain, with its decision points.
#[derive(Debug, Serialize)]
pub struct ChainCase {
    #[serde(flatten)]
    pub case: Case,
    /// The decision points, in order of position.
    pub decisions: Vec<Decision>,
}

/// The whole story of a matter.
#[derive(Debug, Serialize)]
pub struct Chain {
    /// The case asked about.
    pub case_id: CaseId,
    /// Every case of the matter, by meeting date.
    pub cases: Vec<ChainCase>,
    /// The follows_up and postponed_to links between them.
    pub links: Vec<Link>,
}

/// The chain of a committee's case, in a number of queries that does not grow with the chain.
pub fn of_case(
    conn: &mut DbConnection,
    code: &CommitteeCode,
    number: CaseNumber,
    visibility: Visibility,
) -> StoreResult<Chain> {
    super::read_transaction(conn, |conn| {
        let start = super::cases::get_by_number(conn, code, number, visibility)?;
        let ids = super::links::chain_members(conn, start.id, visibility)?;
        let mut cases = super::cases::by_ids(conn, &ids, visibility)?;
        cases.sort_by(|a, b| {
            (a.meeting.date, a.committee.as_str(), a.number).cmp(&(
                b.meeting.date,
                b.committee.as_str(),
                b.number,
            ))
        });
        let case_ids: Vec<CaseId> = cases.iter().map(|c| c.id).collect();
        let mut decisions: HashMap<CaseId, Vec<Decision>> = HashMap::new();
        for decision in super::decisions::of_cases(conn, &case_ids, visibility)? {
            decisions
                .entry(decision.case.id)
                .or_default()
                .push(decision);
        }
        let link_ids = super::links::chain_links_among(conn, &ids)?;
        let link_ids: Vec<&str> = link_ids.iter().map(String::as_str).collect();
        let links = super::links::by_ids(conn, &link_ids, visibility)?;
        Ok(Chain {
            case_id: start.id,
            cases: cases
                .into_iter()
                .map(|case| {
                    let decisions = decisions.remove(&case.id).unwrap_or_default();
                    ChainCase { case, decisions }
                })
                .collect(),
            links,
        })
    })
}
