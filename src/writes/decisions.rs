//! Writes of decision points: the rules of a point's kind and status, its owners and evidence,
//! and what a change ripples into.

use serde::Deserialize;
use utoipa::ToSchema;

use super::ripples;
use crate::domain::{
    CalendarDate, CaseId, CaseNumber, CommitteeCode, DecisionId, DecisionKind, DecisionStatus,
    NonEmptyText, OwnerId, Position,
};
use crate::store::decisions::{
    self as rows, Decision, DecisionRowChanges, Evidence, NewDecisionRow, evidence_json,
};
use crate::store::history::{Action, Change, Entity, snapshot};
use crate::store::{
    self, DbConnection, StoreError, StoreResult, Visibility, cases, committees, meetings, now,
    owners,
};

/// Where a status change was reported: a case (`{"case": "20/24"}`) or a meeting
/// (`{"meeting_date": "2024-08-30"}`), of the point's own committee unless `committee` names
/// another. It must be recorded in the log.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceRef {
    pub committee: Option<CommitteeCode>,
    #[schema(value_type = Option<CaseNumber>, example = "20/24")]
    pub case: Option<CaseNumber>,
    pub meeting_date: Option<CalendarDate>,
}

/// An owner to assign, by name, alias (any spelling in the owner registry) or id.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnerAssignment {
    #[schema(example = "Sekretariatet")]
    pub owner: String,
    /// Marks the one owner responsible when there are several. At most one may be.
    #[serde(default)]
    pub responsible: bool,
}

/// A decision point to record in a case. The case is named by `case_id`, or by `committee`
/// and `case_number`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDecision {
    pub case_id: Option<CaseId>,
    /// With `case_number`, instead of `case_id`.
    pub committee: Option<CommitteeCode>,
    /// With `committee`, instead of `case_id`.
    pub case_number: Option<CaseNumber>,
    pub position: Position,
    #[schema(value_type = NonEmptyText, example = "ASU ber sekretariatet utarbeide en vedtakslogg som benyttes i det videre arbeidet i helsefelleskapet, som holdes oppdatert fortløpende og kan fremlegges ved ønske/behov.")]
    pub text: NonEmptyText,
    pub kind: DecisionKind,
    #[serde(default)]
    pub owners: Vec<OwnerAssignment>,
    #[schema(example = "2024-08-30")]
    pub deadline: Option<CalendarDate>,
    /// Default `open`, or `done` for orientation and approval points, which cannot be open.
    pub status: Option<DecisionStatus>,
    pub status_note: Option<String>,
    /// Default true; false exempts the point from public access.
    #[serde(default = "super::public_by_default")]
    pub public: bool,
}

/// Changes to a decision point. A field left out is unchanged; `null` clears `deadline` and
/// `status_note`; `owners`, when given, replaces the list.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionChanges {
    #[serde(default, deserialize_with = "super::not_null::deserialize")]
    #[schema(nullable = false)]
    pub position: Option<Position>,
    #[schema(value_type = NonEmptyText)]
    #[serde(default, deserialize_with = "super::not_null::deserialize")]
    pub text: Option<NonEmptyText>,
    #[serde(default, deserialize_with = "super::not_null::deserialize")]
    #[schema(nullable = false)]
    pub kind: Option<DecisionKind>,
    #[serde(default, deserialize_with = "super::not_null::deserialize")]
    #[schema(nullable = false)]
    pub owners: Option<Vec<OwnerAssignment>>,
    #[serde(default, deserialize_with = "super::double_option::deserialize")]
    #[schema(value_type = Option<CalendarDate>, example = "2024-12-06")]
    pub deadline: Option<Option<CalendarDate>>,
    #[serde(default, deserialize_with = "super::not_null::deserialize")]
    #[schema(nullable = false)]
    pub status: Option<DecisionStatus>,
    #[serde(default, deserialize_with = "super::double_option::deserialize")]
    #[schema(value_type = Option<String>, example = "Sendt på høring med frist 01.06.24")]
    pub status_note: Option<Option<String>>,
    /// Where the status change was reported; kept with the point until the next status change.
    /// `null` clears it (a citation made by mistake).
    #[serde(default, deserialize_with = "super::double_option::deserialize")]
    #[schema(value_type = Option<EvidenceRef>)]
    pub evidence: Option<Option<EvidenceRef>>,
    #[serde(default, deserialize_with = "super::not_null::deserialize")]
    #[schema(nullable = false)]
    pub public: Option<bool>,
    /// A comment for the history, such as why the text was corrected. Not kept on the point;
    /// a changed `status_note` is the comment of a status change when this is left out.
    #[schema(example = "Rettet skrivefeil i punktet")]
    #[serde(default, deserialize_with = "super::not_null::deserialize")]
    #[schema(nullable = false)]
    pub comment: Option<String>,
}

/// The status a new point gets when none is given: open, or done for a kind that needs no
/// follow-up.
fn default_status(kind: DecisionKind) -> DecisionStatus {
    if kind.needs_follow_up() {
        DecisionStatus::Open
    } else {
        DecisionStatus::Done
    }
}

/// The statuses a point's kind allows.
fn check_status(kind: DecisionKind, status: DecisionStatus) -> StoreResult<()> {
    if !kind.needs_follow_up() && status.is_active() {
        return Err(StoreError::Invalid(format!(
            "status: a point of kind {kind} needs no follow-up and is closed when adopted; its status is done (or cancelled), not {status}"
        )));
    }
    Ok(())
}

/// The rules of a status change: any change is allowed, but cancelling a point, or reopening
/// one that is done or cancelled, needs a note saying why.
fn check_transition(
    from: DecisionStatus,
    to: DecisionStatus,
    note: Option<&str>,
) -> StoreResult<()> {
    use DecisionStatus::{Cancelled, Done};
    if from == to || note.is_some() {
        return Ok(());
    }
    if to == Cancelled {
        return Err(StoreError::Invalid(
            "status_note: cancelling a point needs a status_note saying why".into(),
        ));
    }
    if matches!(from, Done | Cancelled) && to.is_active() {
        return Err(StoreError::Invalid(format!(
            "status_note: reopening a point that is {from} needs a status_note saying why"
        )));
    }
    Ok(())
}

/// The status a point keeps when only its kind changes: one its new kind allows.
fn status_after(
    current: &Decision,
    kind: DecisionKind,
    asked: Option<DecisionStatus>,
) -> DecisionStatus {
    match asked {
        Some(status) => status,
        None if kind != current.kind && !kind.needs_follow_up() && current.status.is_active() => {
            DecisionStatus::Done
        }
        None if kind != current.kind
            && !current.kind.needs_follow_up()
            && kind.needs_follow_up() =>
        {
            DecisionStatus::Open
        }
        None => current.status,
    }
}

/// Resolves a reference to where a change was reported; it must be recorded in the log.
fn resolve_evidence(
    conn: &mut DbConnection,
    reference: &EvidenceRef,
    own: &CommitteeCode,
) -> StoreResult<Evidence> {
    let committee = reference.committee.clone().unwrap_or_else(|| own.clone());
    let committee_id = committees::find_id(conn, &committee)?
        .ok_or_else(|| {
            StoreError::Invalid(format!(
                "evidence.committee: unknown committee '{committee}'"
            ))
        })?
        .to_string();
    match (reference.case, reference.meeting_date) {
        (Some(number), None) => {
            let case_id = cases::find_id(conn, &committee_id, number)?.ok_or_else(|| {
                StoreError::Invalid(format!(
                    "evidence.case: {committee} has no case {number} in the log"
                ))
            })?;
            Ok(Evidence {
                committee,
                case: Some(number),
                case_id: Some(case_id),
                meeting_date: None,
                meeting_id: None,
            })
        }
        (None, Some(date)) => {
            let meeting_id =
                meetings::find_id(conn, &committee_id, date.get())?.ok_or_else(|| {
                    StoreError::Invalid(format!(
                        "evidence.meeting_date: {committee} has no meeting on {date} in the log"
                    ))
                })?;
            Ok(Evidence {
                committee,
                case: None,
                case_id: None,
                meeting_date: Some(date.get()),
                meeting_id: Some(meeting_id),
            })
        }
        _ => Err(StoreError::Invalid(
            "evidence: name either a case or a meeting_date".into(),
        )),
    }
}

/// The search text of a point with a new text and note, its case and owners as they are.
fn search_text_with(current: &Decision, text: &str, note: Option<&str>) -> String {
    let owner_names: Vec<String> = current.owners.iter().map(|o| o.name.clone()).collect();
    rows::search_text_of(text, note, &current.case.title, &owner_names)
}

/// Resolves owner names to registry ids, refusing unknown owners, duplicates, and more than
/// one responsible owner.
fn resolve_owners(
    conn: &mut DbConnection,
    assignments: &[OwnerAssignment],
) -> StoreResult<Vec<(OwnerId, bool)>> {
    if assignments.iter().filter(|a| a.responsible).count() > 1 {
        return Err(StoreError::Invalid(
            "owners: at most one owner can be marked responsible".into(),
        ));
    }
    let mut resolved: Vec<(OwnerId, bool)> = Vec::with_capacity(assignments.len());
    for assignment in assignments {
        let id = owners::resolve_known(conn, &assignment.owner, "owners: ")?;
        if resolved.iter().any(|(known, _)| *known == id) {
            return Err(StoreError::Invalid(format!(
                "owners: '{}' names an owner that is already in the list",
                assignment.owner
            )));
        }
        resolved.push((id, assignment.responsible));
    }
    Ok(resolved)
}

fn ensure_position_free(
    conn: &mut DbConnection,
    case: CaseId,
    position: Position,
) -> StoreResult<()> {
    if rows::position_taken(conn, case, position)? {
        return Err(StoreError::Conflict(format!(
            "the case already has a decision point {position}"
        )));
    }
    Ok(())
}

/// The case a new point names, by id or by committee and number.
fn case_of(conn: &mut DbConnection, new: &NewDecision) -> StoreResult<CaseId> {
    match (new.case_id, &new.committee, new.case_number) {
        (Some(id), None, None) => {
            if !cases::exists(conn, id)? {
                return Err(StoreError::Invalid(format!(
                    "case_id: no case with id {id}"
                )));
            }
            Ok(id)
        }
        (None, Some(code), Some(number)) => {
            let committee = committees::find_id(conn, code)?.ok_or_else(|| {
                StoreError::Invalid(format!("committee: unknown committee '{code}'"))
            })?;
            cases::find_id(conn, &committee.to_string(), number)?.ok_or_else(|| {
                StoreError::Invalid(format!("case_number: {code} has no case {number}"))
            })
        }
        _ => Err(StoreError::Invalid(
            "name the case by case_id, or by committee and case_number".into(),
        )),
    }
}

pub fn create(conn: &mut DbConnection, new: NewDecision, actor: &str) -> StoreResult<Decision> {
    let status = new.status.unwrap_or(default_status(new.kind));
    check_status(new.kind, status)?;
    store::write_transaction(conn, |conn| {
        let case_id = case_of(conn, &new)?;
        ensure_position_free(conn, case_id, new.position)?;
        let (committee, number) = cases::number_of(conn, case_id)?;
        let owners = resolve_owners(conn, &new.owners)?;
        let id = DecisionId::new();
        let at = now();
        rows::insert(
            conn,
            &NewDecisionRow {
                id,
                case_id,
                position: new.position,
                position_sort: new.position.sort_key(),
                text: new.text.as_str(),
                kind: new.kind,
                deadline: new.deadline.map(CalendarDate::get),
                status,
                status_note: super::trimmed(new.status_note),
                search_text: "",
                is_public: new.public,
                created_at: at,
                updated_at: at,
                updated_by: actor,
                case_committee: &committee,
                case_year: number.year(),
                case_serial: number.serial(),
            },
        )?;
        rows::set_owners(conn, id, &owners)?;
        let created = rows::get(conn, id, Visibility::All)?;
        ripples::decision_created(conn, &created)?;
        Change::new(
            Entity::Decision,
            id,
            created.version,
            Action::Created,
            actor,
            at,
        )
        .between(None, &created)?
        .in_case(case_id)
        .record(conn)?;
        Ok(created)
    })
}

/// Changes a decision point. `expected_version` is the version the change was made against;
/// the change is refused when the point has moved on since.
pub fn update(
    conn: &mut DbConnection,
    id: DecisionId,
    expected_version: Option<i32>,
    changes: DecisionChanges,
    actor: &str,
) -> StoreResult<Decision> {
    store::write_transaction(conn, |conn| {
        let current = rows::get(conn, id, Visibility::All)?;
        store::check_version(expected_version, current.version)?;
        let kind = changes.kind.unwrap_or(current.kind);
        let status = status_after(&current, kind, changes.status);
        check_status(kind, status)?;
        let new_note = changes.status_note.clone().and_then(super::trimmed);
        // The rules apply to a status asked for; one implied by a new kind is not a decision.
        if changes.status.is_some() {
            check_transition(current.status, status, new_note.as_deref())?;
        }
        let evidence = match &changes.evidence {
            Some(Some(reference)) => {
                Some(resolve_evidence(conn, reference, &current.case.committee)?)
            }
            Some(None) => None,
            // Evidence belongs to a status change: a new status without it clears the old.
            None if status != current.status => None,
            None => current.status_evidence.clone(),
        };
        let position = changes.position.unwrap_or(current.position);
        if position != current.position {
            ensure_position_free(conn, current.case.id, position)?;
        }
        if let Some(assignments) = &changes.owners {
            let owners = resolve_owners(conn, assignments)?;
            rows::set_owners(conn, id, &owners)?;
        }
        let at = now();
        let before = DecisionRowChanges::of(&current, at, actor)?;
        let mut row = before.clone();
        row.position = position;
        row.position_sort = position.sort_key();
        if let Some(text) = &changes.text {
            row.text = text.as_str();
        }
        row.kind = kind;
        if let Some(deadline) = changes.deadline {
            row.deadline = deadline.map(CalendarDate::get);
        }
        row.status = status;
        if let Some(note) = changes.status_note.clone() {
            row.status_note = super::trimmed(note);
        }
        row.status_evidence = evidence.as_ref().map(evidence_json).transpose()?;
        row.is_public = changes.public.unwrap_or(current.public);
        // A new text or note is known before the write, so the search text goes with it (one
        // write of the row); new owners are known by name only after theirs.
        if changes.owners.is_none()
            && (row.text != before.text || row.status_note != before.status_note)
        {
            row.search_text = Some(search_text_with(
                &current,
                row.text,
                row.status_note.as_deref(),
            ));
        }
        rows::change(conn, id, &before, &row)?;
        // Read back only when what the row does not hold changed: a new kind changes what a
        // postponement shows, new owners are known by name only in their table.
        let updated = if changes.owners.is_none() && kind == current.kind {
            rows::changed(current.clone(), &row, evidence.clone())
        } else {
            rows::get(conn, id, Visibility::All)?
        };
        ripples::decision_updated(conn, &current, &updated, row.search_text.is_some())?;
        Change::new(
            Entity::Decision,
            id,
            updated.version,
            Action::Updated,
            actor,
            at,
        )
        .between(Some(&current), &updated)?
        .in_case(current.case.id)
        .with_note(super::trimmed(changes.comment).or(new_note))
        .with_evidence(
            // A citation is the evidence of this change; clearing one cites nothing.
            matches!(changes.evidence, Some(Some(_)))
                .then(|| snapshot(&evidence))
                .transpose()?,
        )
        .record(conn)?;
        Ok(updated)
    })
}

/// Deletes a decision point, leaving a tombstone and its history.
pub fn delete(
    conn: &mut DbConnection,
    id: DecisionId,
    expected_version: Option<i32>,
    actor: &str,
) -> StoreResult<()> {
    store::write_transaction(conn, |conn| {
        let current = rows::get(conn, id, Visibility::All)?;
        store::check_version(expected_version, current.version)?;
        let at = now();
        rows::mark_deleted(conn, id, actor, at)?;
        ripples::decision_deleted(conn, &current)?;
        Change::new(
            Entity::Decision,
            id,
            current.version + 1,
            Action::Deleted,
            actor,
            at,
        )
        .in_case(current.case.id)
        .record(conn)
    })
}

/// Closes a postponement point because the case it went to was decided, in the caller's
/// transaction.
pub(super) fn close_as_taken_up(
    conn: &mut DbConnection,
    id: DecisionId,
    taken_up_in: &cases::Case,
    actor: &str,
) -> StoreResult<()> {
    let current = rows::get(conn, id, Visibility::All)?;
    let evidence = Evidence {
        committee: taken_up_in.committee.clone(),
        case: Some(taken_up_in.number),
        case_id: Some(taken_up_in.id),
        meeting_date: Some(taken_up_in.meeting.date),
        meeting_id: Some(taken_up_in.meeting.id),
    };
    let at = now();
    let before = DecisionRowChanges::of(&current, at, actor)?;
    let mut row = before.clone();
    row.status = DecisionStatus::Done;
    row.status_note = Some(format!("Tatt opp og vedtatt i sak {}", taken_up_in.number));
    row.status_evidence = Some(evidence_json(&evidence)?);
    row.search_text = Some(search_text_with(
        &current,
        row.text,
        row.status_note.as_deref(),
    ));
    rows::change(conn, id, &before, &row)?;
    let updated = rows::get(conn, id, Visibility::All)?;
    rows::write_search_doc(conn, &updated)?;
    Change::new(
        Entity::Decision,
        id,
        updated.version,
        Action::Updated,
        actor,
        at,
    )
    .between(Some(&current), &updated)?
    .in_case(current.case.id)
    .record(conn)
}
