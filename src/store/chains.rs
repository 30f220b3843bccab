//! The chain of a matter: every case connected to one case through follows_up and
//! postponed_to links, in either direction, with its decision points: the whole story of a
//! matter from meeting to meeting in one answer.

use std::collections::{HashMap, HashSet, VecDeque};

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::cases::Case;
use super::decisions::Decision;
use super::links::Link;
use super::schema::cases;
use super::{DbConnection, StoreResult, Visibility};
use crate::domain::{CaseId, CaseNumber, CommitteeCode};

/// A case of a chain, with its decision points.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChainCase {
    #[serde(flatten)]
    pub case: Case,
    /// The decision points, in order of position.
    pub decisions: Vec<Decision>,
}

/// The whole story of a matter.
#[derive(Debug, Serialize, ToSchema)]
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
        let edges = super::links::chain_edges(conn)?;
        // Walk only through cases the caller may see, so that a hidden case does not join
        // two matters for them.
        let visible: HashSet<String> = cases::table
            .filter(cases::deleted_at.is_null())
            .filter(cases::is_public.eq_any(visibility.public_values()))
            .select(cases::id)
            .load::<String>(conn)?
            .into_iter()
            .collect();
        let mut neighbours: HashMap<&str, Vec<&str>> = HashMap::new();
        for (_, from, to) in &edges {
            if visible.contains(from) && visible.contains(to) {
                neighbours.entry(from).or_default().push(to);
                neighbours.entry(to).or_default().push(from);
            }
        }
        let start_id = start.id.to_string();
        let mut members: HashSet<String> = HashSet::from([start_id.clone()]);
        let mut queue = VecDeque::from([start_id]);
        while let Some(case) = queue.pop_front() {
            for next in neighbours.get(case.as_str()).into_iter().flatten() {
                if members.insert((*next).to_owned()) {
                    queue.push_back((*next).to_owned());
                }
            }
        }
        let ids: Vec<String> = members.iter().cloned().collect();
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
        let link_ids: Vec<&str> = edges
            .iter()
            .filter(|(_, from, to)| members.contains(from) && members.contains(to))
            .map(|(id, _, _)| id.as_str())
            .collect();
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
