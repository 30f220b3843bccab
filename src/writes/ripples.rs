//! What a change does to other records, in the change's own transaction: everything one
//! write sets off beyond its own rows, gathered here so that it can be read in one place.
//!
//! Each ripple is bounded by what the write changed (one case's points, one owner's points,
//! the links that name one case), never by the size of the log.
//!
//! "Touching" a record marks it changed (`updated_at`) without a new version or history
//! entry: what it shows of another record changed, and a mirror polling with
//! `updated_since` must fetch it again.

use chrono::NaiveDateTime;

use super::{decisions as decision_writes, links as link_writes};
use crate::domain::{CaseId, CaseStatus, LinkKind};
use crate::store::cases::Case;
use crate::store::decisions::Decision;
use crate::store::meetings::Meeting;
use crate::store::owners::Owner;
use crate::store::{
    DbConnection, StoreResult, Visibility, cases, decisions, links, meetings, proposals,
};

/// A new point: its case counts one more, its search entry is made, and its text may name
/// other cases.
pub(super) fn decision_created(conn: &mut DbConnection, created: &Decision) -> StoreResult<()> {
    cases::touch(conn, &[created.case.id.to_string()])?;
    decisions::write_search_text(conn, created)?;
    proposals::detect(conn, created.case.id)
}

/// A changed point: its search entry follows when what it is searched by changed (a status
/// change alone leaves it), and a new text may name other cases.
pub(super) fn decision_updated(
    conn: &mut DbConnection,
    before: &Decision,
    after: &Decision,
    search_text_written: bool,
) -> StoreResult<()> {
    let owner_names = |point: &Decision| -> Vec<String> {
        point
            .owners
            .iter()
            .map(|owner| owner.name.clone())
            .collect()
    };
    let searched_by_changed = after.text != before.text
        || after.status_note != before.status_note
        || after.case.title != before.case.title
        || owner_names(after) != owner_names(before);
    if searched_by_changed && search_text_written {
        decisions::write_search_doc(conn, after)?;
    } else if searched_by_changed {
        decisions::write_search_text(conn, after)?;
    }
    if after.text != before.text {
        proposals::detect(conn, after.case.id)?;
    }
    Ok(())
}

/// A deleted point: its case counts one fewer.
pub(super) fn decision_deleted(conn: &mut DbConnection, deleted: &Decision) -> StoreResult<()> {
    cases::touch(conn, &[deleted.case.id.to_string()])
}

/// A new case: its meeting counts one more; links that named its number now name it; its
/// text may name other cases; decided, it takes up the postponements made to it.
pub(super) fn case_created(
    conn: &mut DbConnection,
    created: &Case,
    committee_id: &str,
    actor: &str,
) -> StoreResult<()> {
    meetings::touch(conn, &[created.meeting.id.to_string()])?;
    let sources = links::attach_to(conn, created.id, committee_id, created.number)?;
    cases::touch(conn, &sources)?;
    proposals::detect(conn, created.id)?;
    if created.status == CaseStatus::Decided {
        close_postponements_to(conn, created, actor)?;
    }
    Ok(())
}

/// A changed case: what its points, its meetings and the links that name it show of it.
pub(super) fn case_updated(
    conn: &mut DbConnection,
    before: &Case,
    after: &Case,
    committee_id: &str,
    actor: &str,
) -> StoreResult<()> {
    if after.number != before.number {
        let sources = links::attach_to(conn, after.id, committee_id, after.number)?;
        cases::touch(conn, &sources)?;
        decisions::set_case_number(conn, after.id, after.number)?;
    }
    let points = if after.title != before.title
        || after.number != before.number
        || after.meeting.id != before.meeting.id
        || after.public != before.public
    {
        decisions::ids_of_cases(conn, &[after.id.to_string()])?
    } else {
        Vec::new()
    };
    // The case's title is part of its points' search text.
    if after.title != before.title {
        decisions::refresh_search_text(conn, &points)?;
    }
    decisions::touch(conn, &points)?;
    if after.meeting.id != before.meeting.id {
        meetings::touch(
            conn,
            &[after.meeting.id.to_string(), before.meeting.id.to_string()],
        )?;
    }
    if after.title != before.title || after.narrative != before.narrative {
        proposals::detect(conn, after.id)?;
    }
    if after.status == CaseStatus::Decided
        && (before.status != CaseStatus::Decided || after.number != before.number)
    {
        close_postponements_to(conn, after, actor)?;
    }
    Ok(())
}

/// A case about to be deleted: its own links go with it, links to it name it by number
/// only, and its meeting counts one fewer.
pub(super) fn case_deleting(
    conn: &mut DbConnection,
    case: &Case,
    actor: &str,
    at: NaiveDateTime,
) -> StoreResult<()> {
    for link in links::ids_from(conn, case.id)? {
        link_writes::remove(conn, link, actor, at)?;
    }
    links::detach_from(conn, case.id)?;
    meetings::touch(conn, &[case.meeting.id.to_string()])
}

/// A new link: a postponement shows where its case went, and one to a case decided already
/// is taken up at once.
pub(super) fn link_created(
    conn: &mut DbConnection,
    source: CaseId,
    kind: LinkKind,
    target: Option<CaseId>,
    actor: &str,
) -> StoreResult<()> {
    if kind != LinkKind::PostponedTo {
        return Ok(());
    }
    cases::touch(conn, &[source.to_string()])?;
    if let Some(target) = target {
        let target = cases::get(conn, target, Visibility::All)?;
        if target.status == CaseStatus::Decided {
            close_postponements_to(conn, &target, actor)?;
        }
    }
    Ok(())
}

/// A removed link: its case no longer shows it.
pub(super) fn link_removed(conn: &mut DbConnection, source: CaseId) -> StoreResult<()> {
    cases::touch(conn, &[source.to_string()])
}

/// A meeting moved to another date: its points show the date.
pub(super) fn meeting_updated(
    conn: &mut DbConnection,
    before: &Meeting,
    after: &Meeting,
) -> StoreResult<()> {
    if after.date != before.date {
        let cases_of_meeting = cases::ids_of_meeting(conn, after.id)?;
        let points = decisions::ids_of_cases(conn, &cases_of_meeting)?;
        decisions::touch(conn, &points)?;
    }
    Ok(())
}

/// A renamed owner: its name is part of the search text of every point it owns.
pub(super) fn owner_updated(
    conn: &mut DbConnection,
    before: &Owner,
    after: &Owner,
) -> StoreResult<()> {
    if after.name != before.name {
        let owned = decisions::owned_by(conn, after.id)?;
        decisions::refresh_search_text(conn, &owned)?;
        decisions::touch(conn, &owned)?;
    }
    Ok(())
}

/// Closes the open postponement points of the cases postponed to `case`, now that it is
/// decided, each with a history entry; the cases show it as taken up.
fn close_postponements_to(conn: &mut DbConnection, case: &Case, actor: &str) -> StoreResult<()> {
    let sources = links::postponed_to(conn, case.id)?;
    if sources.is_empty() {
        return Ok(());
    }
    cases::touch(conn, &sources)?;
    for point in decisions::open_postponements_of(conn, &sources)? {
        decision_writes::close_as_taken_up(conn, point, case, actor)?;
    }
    Ok(())
}
