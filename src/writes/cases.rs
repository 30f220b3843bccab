//! Writes of cases: numbers unique per committee, a case kept in its committee, and what a
//! change ripples into (links that named it by number, its points, its meeting).

use serde::Deserialize;
use utoipa::ToSchema;

use super::ripples;
use crate::domain::{
    CalendarDate, CaseId, CaseNumber, CaseStatus, CommitteeCode, MeetingId, NonEmptyText,
};
use crate::store::cases::{self as rows, Case, CaseRowChanges, NewCaseRow, names_json};
use crate::store::history::{Action, Change, Entity};
use crate::store::{
    self, DbConnection, StoreError, StoreResult, Visibility, committees, meetings, now,
};

/// A case to record on a meeting's agenda. Its committee is the meeting's. The meeting is
/// named by `meeting_id`, or by `committee` and `meeting_date`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCase {
    pub meeting_id: Option<MeetingId>,
    /// With `meeting_date`, instead of `meeting_id`.
    pub committee: Option<CommitteeCode>,
    /// With `committee`, instead of `meeting_id`.
    #[schema(example = "2024-06-19")]
    pub meeting_date: Option<CalendarDate>,
    pub number: CaseNumber,
    #[schema(value_type = NonEmptyText, example = "Status Handlingsplan")]
    pub title: NonEmptyText,
    #[serde(default)]
    #[schema(example = json!(["Runar Asp"]))]
    pub responsible: Vec<String>,
    /// Default `planned`.
    #[serde(default = "planned")]
    pub status: CaseStatus,
    /// What the documents say about the case; references in it are proposed as links.
    pub narrative: Option<String>,
    /// Default true; false exempts the case and its points from public access.
    #[serde(default = "super::public_by_default")]
    pub public: bool,
}

fn planned() -> CaseStatus {
    CaseStatus::Planned
}

/// Changes to a case. A field left out is unchanged. A case can move to another meeting of
/// the same committee (when it is postponed, say) and be renumbered.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseChanges {
    #[serde(default, deserialize_with = "super::not_null::deserialize")]
    #[schema(nullable = false)]
    pub meeting_id: Option<MeetingId>,
    #[serde(default, deserialize_with = "super::not_null::deserialize")]
    #[schema(nullable = false)]
    pub number: Option<CaseNumber>,
    #[schema(value_type = NonEmptyText)]
    #[serde(default, deserialize_with = "super::not_null::deserialize")]
    pub title: Option<NonEmptyText>,
    #[serde(default, deserialize_with = "super::not_null::deserialize")]
    #[schema(nullable = false)]
    pub responsible: Option<Vec<String>>,
    #[serde(default, deserialize_with = "super::not_null::deserialize")]
    #[schema(nullable = false)]
    pub status: Option<CaseStatus>,
    #[serde(default, deserialize_with = "super::double_option::deserialize")]
    #[schema(value_type = Option<String>)]
    pub narrative: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::not_null::deserialize")]
    #[schema(nullable = false)]
    pub public: Option<bool>,
}

fn clean_names(names: Vec<String>) -> Vec<String> {
    names
        .into_iter()
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .collect()
}

fn ensure_number_free(
    conn: &mut DbConnection,
    committee_id: &str,
    code: &CommitteeCode,
    number: CaseNumber,
) -> StoreResult<()> {
    match rows::find_id(conn, committee_id, number)? {
        Some(other) => Err(StoreError::Conflict(format!(
            "{code} already has a case {number} (id {other})"
        ))),
        None => Ok(()),
    }
}

/// The meeting a new case names, by id or by committee and date.
fn meeting_of(conn: &mut DbConnection, new: &NewCase) -> StoreResult<MeetingId> {
    match (new.meeting_id, &new.committee, new.meeting_date) {
        (Some(id), None, None) => Ok(id),
        (None, Some(code), Some(date)) => {
            meetings::on_date(conn, code, date.get())?.ok_or_else(|| {
                StoreError::Invalid(format!("meeting_date: {code} has no meeting on {date}"))
            })
        }
        _ => Err(StoreError::Invalid(
            "name the meeting by meeting_id, or by committee and meeting_date".into(),
        )),
    }
}

pub fn create(conn: &mut DbConnection, new: NewCase, actor: &str) -> StoreResult<Case> {
    store::write_transaction(conn, |conn| {
        let meeting_id = meeting_of(conn, &new)?;
        let (committee_id, code) = rows::committee_of_meeting(conn, meeting_id)?;
        ensure_number_free(conn, &committee_id, &code, new.number)?;
        let id = CaseId::new();
        let at = now();
        rows::insert(
            conn,
            &NewCaseRow {
                id,
                committee_id: &committee_id,
                meeting_id,
                case_year: new.number.year(),
                case_serial: new.number.serial(),
                title: new.title.as_str(),
                responsible: names_json(&clean_names(new.responsible))?,
                status: new.status,
                is_public: new.public,
                narrative: super::trimmed(new.narrative),
                created_at: at,
                updated_at: at,
                updated_by: actor,
            },
        )?;
        let created = rows::get(conn, id, Visibility::All)?;
        ripples::case_created(conn, &created, &committee_id, actor)?;
        Change::new(
            Entity::Case,
            id,
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

/// Changes a case. `expected_version` is the version the change was made against; the
/// change is refused when the case has moved on since.
pub fn update(
    conn: &mut DbConnection,
    id: CaseId,
    expected_version: Option<i32>,
    changes: CaseChanges,
    actor: &str,
) -> StoreResult<Case> {
    store::write_transaction(conn, |conn| {
        let current = rows::get(conn, id, Visibility::All)?;
        store::check_version(expected_version, current.version)?;
        let at = now();
        let committee_id = committees::id_of(conn, &current.committee)?.to_string();
        if let Some(meeting) = changes.meeting_id {
            let (target_committee, target_code) = rows::committee_of_meeting(conn, meeting)?;
            if target_committee != committee_id {
                return Err(StoreError::Invalid(format!(
                    "meeting_id: the meeting belongs to {target_code}, but case {} is {}'s; a case cannot change committee",
                    current.number, current.committee
                )));
            }
        }
        let number = changes.number.unwrap_or(current.number);
        if number != current.number {
            ensure_number_free(conn, &committee_id, &current.committee, number)?;
        }
        let responsible = match changes.responsible {
            Some(names) => clean_names(names),
            None => current.responsible.clone(),
        };
        rows::change(
            conn,
            id,
            &CaseRowChanges {
                meeting_id: changes.meeting_id.unwrap_or(current.meeting.id),
                case_year: number.year(),
                case_serial: number.serial(),
                title: changes
                    .title
                    .as_ref()
                    .map_or(current.title.as_str(), NonEmptyText::as_str),
                responsible: names_json(&responsible)?,
                status: changes.status.unwrap_or(current.status),
                is_public: changes.public.unwrap_or(current.public),
                narrative: changes
                    .narrative
                    .clone()
                    .map_or(current.narrative.clone(), super::trimmed),
                updated_at: at,
                updated_by: actor,
            },
        )?;
        let updated = rows::get(conn, id, Visibility::All)?;
        ripples::case_updated(conn, &current, &updated, &committee_id, actor)?;
        Change::new(
            Entity::Case,
            id,
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

/// Deletes a case that has no decision points, leaving a tombstone and its history. Its own
/// links go with it; links to it fall back to naming it by number.
pub fn delete(
    conn: &mut DbConnection,
    id: CaseId,
    expected_version: Option<i32>,
    actor: &str,
) -> StoreResult<()> {
    store::write_transaction(conn, |conn| {
        let case = rows::get(conn, id, Visibility::All)?;
        store::check_version(expected_version, case.version)?;
        if case.decision_count > 0 {
            return Err(StoreError::Conflict(format!(
                "case {} has {} decision point(s); delete them first",
                case.number, case.decision_count
            )));
        }
        let at = now();
        ripples::case_deleting(conn, &case, actor, at)?;
        rows::mark_deleted(conn, id, actor, at)?;
        Change::new(
            Entity::Case,
            id,
            case.version + 1,
            Action::Deleted,
            actor,
            at,
        )
        .record(conn)
    })
}
