//! Links proposed from references found in a case's texts. The secretariat should not have to
//! type every link by hand: when a case or decision point is written, the references in its
//! texts ("vedtak 31/23", "(sak 27/23)", "Saken utsettes til ASU-møte 19.06.24") are proposed
//! as links, and an editor accepts or rejects each. A rejected proposal is not made again.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::links::Link;
use super::schema::{case_links, cases, committees, decisions, link_proposals, meetings};
use super::{DbConnection, StoreError, StoreResult, Visibility, now, parse_stored, utc};
use crate::domain::references::{ReferenceTarget, find_references};
use crate::domain::{CaseId, CaseNumber, CommitteeCode, LinkKind, fold_text};

/// Where a proposal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    Proposed,
    Accepted,
    Rejected,
}

impl ProposalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalStatus::Proposed => "proposed",
            ProposalStatus::Accepted => "accepted",
            ProposalStatus::Rejected => "rejected",
        }
    }

    fn parse(text: &str) -> StoreResult<Self> {
        match text {
            "proposed" => Ok(ProposalStatus::Proposed),
            "accepted" => Ok(ProposalStatus::Accepted),
            "rejected" => Ok(ProposalStatus::Rejected),
            other => Err(StoreError::Corrupt(format!(
                "link_proposals.status '{other}'"
            ))),
        }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = link_proposals)]
struct ProposalRow {
    id: String,
    source_case_id: String,
    kind: String,
    target_committee_id: String,
    target_year: Option<i32>,
    target_serial: Option<i32>,
    target_meeting_date: Option<NaiveDate>,
    matched_text: String,
    status: String,
    link_id: Option<String>,
    created_at: NaiveDateTime,
    decided_by: Option<String>,
    decided_at: Option<NaiveDateTime>,
}

/// What a proposed link points at: a case by number, or a meeting by date; with the recorded
/// case it stands for, when there is one.
#[derive(Debug, Serialize)]
pub struct ProposalTarget {
    pub committee: CommitteeCode,
    /// The case named, for a reference by number.
    pub number: Option<CaseNumber>,
    /// The meeting named, for "utsettes til ASU-møte 19.06.24".
    pub meeting_date: Option<NaiveDate>,
    /// The recorded case: the case with the number, or, for a meeting, the case of that
    /// meeting whose title is most like the source case's. Null while there is none.
    pub case_id: Option<CaseId>,
    pub case_number: Option<CaseNumber>,
    pub case_title: Option<String>,
}

/// A link proposed from a reference in a case's texts.
#[derive(Debug, Serialize)]
pub struct Proposal {
    pub id: uuid::Uuid,
    pub status: ProposalStatus,
    pub kind: LinkKind,
    /// The case whose text holds the reference.
    pub source_case_id: CaseId,
    pub source_number: CaseNumber,
    pub target: ProposalTarget,
    /// The words the reference was found in.
    pub matched_text: String,
    /// The link made when the proposal was accepted.
    pub link_id: Option<uuid::Uuid>,
    pub created_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// Which proposals to list.
#[derive(Debug, Default)]
pub struct ProposalFilter {
    pub case: Option<CaseId>,
    pub status: Option<ProposalStatus>,
    pub committee: Option<CommitteeCode>,
}

/// Finds the references in a case's title, narrative and decision points and proposes the new
/// ones as links, inside the caller's transaction. References to the case itself, to targets
/// it already links to, and to targets proposed before (accepted, rejected or not) are left out.
pub(crate) fn detect(conn: &mut DbConnection, case_id: CaseId) -> StoreResult<()> {
    let case = super::cases::texts_of(conn, case_id)?;
    let id = case_id.to_string();
    let mut texts: Vec<String> = decisions::table
        .filter(decisions::case_id.eq(&id))
        .filter(decisions::deleted_at.is_null())
        .order(decisions::position_sort)
        .select(decisions::text)
        .load(conn)?;
    if let Some(narrative) = case.narrative {
        texts.insert(0, narrative);
    }
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let references = find_references(&case.title, &texts);
    if references.is_empty() {
        return Ok(());
    }
    let codes: HashMap<String, String> = committees::table
        .filter(committees::deleted_at.is_null())
        .select((committees::code, committees::id))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let linked: HashSet<(String, i32, i32)> = case_links::table
        .filter(case_links::source_case_id.eq(&id))
        .filter(case_links::deleted_at.is_null())
        .select((
            case_links::target_committee_id,
            case_links::target_year,
            case_links::target_serial,
        ))
        .load::<(String, i32, i32)>(conn)?
        .into_iter()
        .collect();
    let postponed_already = case_links::table
        .filter(case_links::source_case_id.eq(&id))
        .filter(case_links::deleted_at.is_null())
        .filter(case_links::kind.eq(LinkKind::PostponedTo.as_str()))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    type Known = (String, Option<i32>, Option<i32>, Option<NaiveDate>);
    let proposed: HashSet<Known> = link_proposals::table
        .filter(link_proposals::source_case_id.eq(&id))
        .select((
            link_proposals::target_committee_id,
            link_proposals::target_year,
            link_proposals::target_serial,
            link_proposals::target_meeting_date,
        ))
        .load::<Known>(conn)?
        .into_iter()
        .collect();
    for reference in references {
        let (committee, number, date) = match &reference.target {
            ReferenceTarget::Case { committee, number } => (committee, Some(*number), None),
            ReferenceTarget::Meeting { committee, date } => (committee, None, Some(*date)),
        };
        let code = committee.clone().unwrap_or_else(|| case.committee.clone());
        // A committee the log does not know cannot be linked to.
        let Some(committee_id) = codes.get(code.as_str()) else {
            continue;
        };
        if number.is_some_and(|n| code == case.committee && n == case.number) {
            continue;
        }
        let (year, serial) = (number.map(|n| n.year()), number.map(|n| n.serial()));
        if let (Some(year), Some(serial)) = (year, serial)
            && linked.contains(&(committee_id.clone(), year, serial))
        {
            continue;
        }
        if date.is_some() && postponed_already {
            continue;
        }
        if proposed.contains(&(committee_id.clone(), year, serial, date)) {
            continue;
        }
        diesel::insert_into(link_proposals::table)
            .values((
                link_proposals::id.eq(uuid::Uuid::new_v4().to_string()),
                link_proposals::source_case_id.eq(&id),
                link_proposals::kind.eq(reference.kind.as_str()),
                link_proposals::target_committee_id.eq(committee_id),
                link_proposals::target_year.eq(year),
                link_proposals::target_serial.eq(serial),
                link_proposals::target_meeting_date.eq(date),
                link_proposals::matched_text.eq(&reference.text),
                link_proposals::status.eq(ProposalStatus::Proposed.as_str()),
                link_proposals::created_at.eq(now()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Words that carry meaning in a title, for comparing titles.
fn title_words(title: &str) -> HashSet<String> {
    fold_text(title)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4)
        .map(str::to_owned)
        .collect()
}

/// How alike two titles are: the share of meaningful words they have in common.
fn likeness(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let common = a.intersection(b).count();
    let all = a.union(b).count();
    if all == 0 {
        0.0
    } else {
        common as f64 / all as f64
    }
}

/// Case facts for resolving targets: id -> (committee id, year, serial, title, meeting date).
type CaseFacts = HashMap<String, (String, i32, i32, String, NaiveDate)>;

fn to_proposals(
    conn: &mut DbConnection,
    rows: Vec<ProposalRow>,
    visibility: Visibility,
) -> StoreResult<Vec<Proposal>> {
    let codes: HashMap<String, String> = committees::table
        .select((committees::id, committees::code))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    // Every live case the caller may see, of the committees involved: one query, whatever the
    // number of proposals.
    let committee_ids: Vec<&str> = rows
        .iter()
        .map(|r| r.target_committee_id.as_str())
        .collect();
    let facts: CaseFacts = cases::table
        .inner_join(meetings::table)
        .filter(cases::deleted_at.is_null())
        .filter(visibility.shown("cases.is_public"))
        .filter(
            super::one_of(
                super::backend_of(conn),
                "cases.committee_id",
                committee_ids.iter().map(|id| (*id).to_owned()),
            )
            .or(super::one_of(
                super::backend_of(conn),
                "cases.id",
                rows.iter().map(|r| r.source_case_id.clone()),
            )),
        )
        .select((
            cases::id,
            cases::committee_id,
            cases::case_year,
            cases::case_serial,
            cases::title,
            meetings::meeting_date,
        ))
        .load::<(String, String, i32, i32, String, NaiveDate)>(conn)?
        .into_iter()
        .map(|(id, committee, year, serial, title, date)| {
            (id, (committee, year, serial, title, date))
        })
        .collect();
    let number = |year: i32, serial: i32| {
        CaseNumber::new(serial, year)
            .map_err(|e| StoreError::Corrupt(format!("case number {serial}/{year}: {e}")))
    };
    let mut proposals = Vec::with_capacity(rows.len());
    for row in rows {
        let Some((_, source_year, source_serial, source_title, _)) = facts.get(&row.source_case_id)
        else {
            continue; // the source case is hidden from the caller, or deleted
        };
        let target_case = match (row.target_year, row.target_serial, row.target_meeting_date) {
            (Some(year), Some(serial), _) => facts.iter().find(|(_, (committee, y, s, _, _))| {
                *committee == row.target_committee_id && *y == year && *s == serial
            }),
            (_, _, Some(date)) => {
                let source_words = title_words(source_title);
                facts
                    .iter()
                    .filter(|(id, (committee, _, _, _, meeting))| {
                        *committee == row.target_committee_id
                            && *meeting == date
                            && **id != row.source_case_id
                    })
                    .map(|entry| (likeness(&source_words, &title_words(&entry.1.3)), entry))
                    .filter(|(score, _)| *score > 0.0)
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(_, entry)| entry)
            }
            _ => None,
        };
        let code = codes.get(&row.target_committee_id).ok_or_else(|| {
            StoreError::Corrupt(format!("no committee {}", row.target_committee_id))
        })?;
        proposals.push(Proposal {
            id: parse_stored(&row.id, "link_proposals.id")?,
            status: ProposalStatus::parse(&row.status)?,
            kind: parse_stored(&row.kind, "link_proposals.kind")?,
            source_case_id: parse_stored(&row.source_case_id, "link_proposals.source_case_id")?,
            source_number: number(*source_year, *source_serial)?,
            target: ProposalTarget {
                committee: parse_stored(code, "committees.code")?,
                number: match (row.target_year, row.target_serial) {
                    (Some(year), Some(serial)) => Some(number(year, serial)?),
                    _ => None,
                },
                meeting_date: row.target_meeting_date,
                case_id: target_case
                    .map(|(id, _)| parse_stored(id, "cases.id"))
                    .transpose()?,
                case_number: target_case
                    .map(|(_, (_, y, s, _, _))| number(*y, *s))
                    .transpose()?,
                case_title: target_case.map(|(_, (_, _, _, title, _))| title.clone()),
            },
            matched_text: row.matched_text,
            link_id: row
                .link_id
                .as_deref()
                .map(|l| parse_stored(l, "link_proposals.link_id"))
                .transpose()?,
            created_at: utc(row.created_at),
            decided_by: row.decided_by,
            decided_at: row.decided_at.map(utc),
        });
    }
    Ok(proposals)
}

/// Proposals, newest first.
pub fn list(
    conn: &mut DbConnection,
    filter: &ProposalFilter,
    visibility: Visibility,
) -> StoreResult<Vec<Proposal>> {
    let mut query = link_proposals::table
        .inner_join(cases::table.on(cases::id.eq(link_proposals::source_case_id)))
        .inner_join(committees::table.on(committees::id.eq(cases::committee_id)))
        .select(ProposalRow::as_select())
        .into_boxed();
    if let Some(case) = filter.case {
        query = query.filter(link_proposals::source_case_id.eq(case.to_string()));
    }
    if let Some(status) = filter.status {
        query = query.filter(link_proposals::status.eq(status.as_str()));
    }
    if let Some(code) = &filter.committee {
        query = query.filter(committees::code.eq(code.as_str()));
    }
    let rows = query
        .order((link_proposals::created_at.desc(), link_proposals::id))
        .load(conn)?;
    to_proposals(conn, rows, visibility)
}

pub(crate) fn get(conn: &mut DbConnection, id: uuid::Uuid) -> StoreResult<Proposal> {
    let row = link_proposals::table
        .filter(link_proposals::id.eq(id.to_string()))
        .select(ProposalRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("no proposal with id {id}")))?;
    to_proposals(conn, vec![row], Visibility::All)?
        .pop()
        .ok_or_else(|| StoreError::NotFound(format!("no proposal with id {id}")))
}

/// Records an editor's decision on a proposal, and the link it made.
pub(crate) fn set_decided(
    conn: &mut DbConnection,
    id: uuid::Uuid,
    status: ProposalStatus,
    link: Option<&Link>,
    actor: &str,
) -> StoreResult<()> {
    diesel::update(link_proposals::table.filter(link_proposals::id.eq(id.to_string())))
        .set((
            link_proposals::status.eq(status.as_str()),
            link_proposals::link_id.eq(link.map(|l| l.id)),
            link_proposals::decided_by.eq(actor),
            link_proposals::decided_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}
