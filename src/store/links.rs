//! Follow-up links between cases: 37/23 follows up 31/23; 15/24 was postponed to 19/24.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::history::{Action, Change, Entity};
use super::schema::{case_links, cases, committees};
use super::{DbConnection, StoreError, StoreResult, Visibility, now, parse_stored, utc};
use crate::domain::{CaseId, CaseNumber, CommitteeCode, LinkId, LinkKind, Position};

#[derive(Queryable, Selectable)]
#[diesel(table_name = case_links)]
struct LinkRow {
    id: String,
    source_case_id: String,
    kind: String,
    target_committee_id: String,
    target_year: i32,
    target_serial: i32,
    target_position: Option<String>,
    target_case_id: Option<String>,
    note: Option<String>,
    created_at: NaiveDateTime,
    created_by: String,
    deleted_at: Option<NaiveDateTime>,
}

/// A case as one end of a link.
#[derive(Debug, Serialize, ToSchema)]
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
#[derive(Debug, Serialize, ToSchema)]
pub struct Link {
    pub id: LinkId,
    pub kind: LinkKind,
    pub source: LinkEnd,
    pub target: LinkEnd,
    #[schema(example = "Operasjonalisering av vedtak 31/23")]
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The name of the token that made the link.
    pub created_by: String,
}

/// The links of a case: those it makes, and those made to it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseLinks {
    pub outgoing: Vec<Link>,
    pub incoming: Vec<Link>,
}

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
                id: parse_stored(&row.id, "case_links.id")?,
                kind: parse_stored(&row.kind, "case_links.kind")?,
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
                    position: row
                        .target_position
                        .as_deref()
                        .map(|p| parse_stored(p, "case_links.target_position"))
                        .transpose()?,
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

pub fn create(
    conn: &mut DbConnection,
    source: CaseId,
    new: NewLink,
    actor: &str,
) -> StoreResult<Link> {
    super::write_transaction(conn, |conn| create_in(conn, source, new, actor))
}

/// Makes a link inside the caller's transaction.
pub(crate) fn create_in(
    conn: &mut DbConnection,
    source: CaseId,
    new: NewLink,
    actor: &str,
) -> StoreResult<Link> {
    {
        let case = super::cases::get(conn, source, Visibility::All)?;
        let target_code = new
            .target_committee
            .clone()
            .unwrap_or_else(|| case.committee.clone());
        let target_committee = super::committees::find_id(conn, &target_code)?
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
        let target_case = super::cases::find_id(conn, &target_committee, new.target)?;
        let positions: Vec<Option<String>> = case_links::table
            .filter(case_links::source_case_id.eq(source.to_string()))
            .filter(case_links::deleted_at.is_null())
            .filter(case_links::kind.eq(new.kind.as_str()))
            .filter(case_links::target_committee_id.eq(&target_committee))
            .filter(case_links::target_year.eq(new.target.year()))
            .filter(case_links::target_serial.eq(new.target.serial()))
            .select(case_links::target_position)
            .load(conn)?;
        if positions.contains(&new.target_position.map(|p| p.to_string())) {
            return Err(StoreError::Conflict(format!(
                "case {} already has a {} link to {target_code} {}",
                case.number, new.kind, new.target
            )));
        }
        if let Some(target) = target_case
            && chain_kind(new.kind)
            && reaches(conn, target, source)?
        {
            return Err(StoreError::Conflict(format!(
                "{target_code} {} already leads to {} through follows_up and postponed_to links; \
                 a {} link back would make a cycle",
                new.target, case.number, new.kind
            )));
        }
        let id = LinkId::new();
        let at = now();
        diesel::insert_into(case_links::table)
            .values((
                case_links::id.eq(id.to_string()),
                case_links::source_case_id.eq(source.to_string()),
                case_links::kind.eq(new.kind.as_str()),
                case_links::target_committee_id.eq(&target_committee),
                case_links::target_year.eq(new.target.year()),
                case_links::target_serial.eq(new.target.serial()),
                case_links::target_position.eq(new.target_position.map(|p| p.to_string())),
                case_links::target_case_id.eq(target_case.map(|c| c.to_string())),
                case_links::note.eq(new
                    .note
                    .map(|n| n.trim().to_owned())
                    .filter(|n| !n.is_empty())),
                case_links::created_at.eq(at),
                case_links::created_by.eq(actor),
            ))
            .execute(conn)?;
        let link = get(conn, id, Visibility::All)?;
        Change::new(Entity::Link, id, 1, Action::Created, actor, at)
            .between(None, &link)?
            .in_case(source)
            .record(conn)?;
        // What the source case shows of where it went changed.
        if new.kind == LinkKind::PostponedTo {
            super::cases::touch(conn, &[source.to_string()])?;
        }
        // Postponed to a case decided already: the postponement is taken up.
        if new.kind == LinkKind::PostponedTo
            && let Some(target) = target_case
        {
            let target = super::cases::get(conn, target, Visibility::All)?;
            if target.status == crate::domain::CaseStatus::Decided {
                super::cases::close_postponements_to(conn, &target, actor)?;
            }
        }
        Ok(link)
    }
}

/// The kinds of link that make up the chain of a matter; they must not form a cycle.
pub(crate) const CHAIN_KINDS: [&str; 2] = ["follows_up", "postponed_to"];

fn chain_kind(kind: LinkKind) -> bool {
    CHAIN_KINDS.contains(&kind.as_str())
}

/// The links of the chain kinds whose target is recorded: (link id, from case, to case).
pub(crate) fn chain_edges(conn: &mut DbConnection) -> StoreResult<Vec<(String, String, String)>> {
    let rows: Vec<(String, String, Option<String>)> = case_links::table
        .filter(case_links::deleted_at.is_null())
        .filter(case_links::kind.eq_any(CHAIN_KINDS))
        .filter(case_links::target_case_id.is_not_null())
        .select((
            case_links::id,
            case_links::source_case_id,
            case_links::target_case_id,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, from, to)| to.map(|to| (id, from, to)))
        .collect())
}

/// Whether `to` can be reached from `from` along chain links, in their direction.
fn reaches(conn: &mut DbConnection, from: CaseId, to: CaseId) -> StoreResult<bool> {
    let edges = chain_edges(conn)?;
    let (from, to) = (from.to_string(), to.to_string());
    let mut seen = std::collections::HashSet::from([from.clone()]);
    let mut stack = vec![from];
    while let Some(case) = stack.pop() {
        if case == to {
            return Ok(true);
        }
        for (_, source, target) in &edges {
            if *source == case && seen.insert(target.clone()) {
                stack.push(target.clone());
            }
        }
    }
    Ok(false)
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

/// Removes a link, leaving a tombstone and its history.
pub fn delete(conn: &mut DbConnection, id: LinkId, actor: &str) -> StoreResult<()> {
    super::write_transaction(conn, |conn| {
        get(conn, id, Visibility::All)?;
        soft_delete(conn, &id.to_string(), actor, now())
    })
}

/// Marks a link removed and records it, inside the caller's transaction.
pub(crate) fn soft_delete(
    conn: &mut DbConnection,
    id: &str,
    actor: &str,
    at: NaiveDateTime,
) -> StoreResult<()> {
    let source: String = case_links::table
        .filter(case_links::id.eq(id))
        .select(case_links::source_case_id)
        .first(conn)?;
    diesel::update(case_links::table.filter(case_links::id.eq(id)))
        .set(case_links::deleted_at.eq(at))
        .execute(conn)?;
    super::cases::touch(conn, std::slice::from_ref(&source))?;
    Change::new(Entity::Link, id, 2, Action::Deleted, actor, at)
        .in_case(source)
        .record(conn)
}
