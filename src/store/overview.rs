//! What AU asks between meetings: counts for a dashboard, and the list of matters to follow up
//! at the next meeting ("Saker til oppfølging").

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, TimeDelta, Utc};
use diesel::dsl::{count_star, sql};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Text};
use serde::Serialize;

use super::cases::{Case, CaseFilter};
use super::decisions::{Decision, DecisionFilter, DecisionKey};
use super::schema::{
    cases, committees, decision_owners, decisions, meeting_tallies, meetings, owner_tallies, owners,
};
use super::{DbConnection, StoreResult, Visibility, parse_stored};
use crate::domain::{CaseStatus, CommitteeCode, DecisionKind, DecisionStatus, MeetingId, OwnerId};

/// Which decision points to count.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct StatsFilter {
    pub committee: Option<CommitteeCode>,
    /// Points of meetings on or after this date.
    pub from: Option<NaiveDate>,
    /// Points of meetings on or before this date.
    pub to: Option<NaiveDate>,
    /// How many days ahead "due soon" looks.
    pub due_within_days: u32,
    pub visibility: Visibility,
}

/// Decision points by status.
#[derive(Debug, Default, Clone, Serialize)]
pub struct StatusCounts {
    /// Proposed in a notice and not yet adopted: not work yet.
    pub proposed: i64,
    pub open: i64,
    pub in_progress: i64,
    pub done: i64,
    pub cancelled: i64,
    /// Open or in progress with the deadline passed.
    pub overdue: i64,
    /// Open or in progress with the deadline within the next `due_within_days` days.
    pub due_soon: i64,
    pub total: i64,
}

/// The counts of one owner. A point with several owners counts for each.
#[derive(Debug, Clone, Serialize)]
pub struct OwnerCounts {
    /// Null for points without an owner.
    pub owner_id: Option<OwnerId>,
    pub owner: String,
    #[serde(flatten)]
    pub counts: StatusCounts,
}

/// The counts of the points adopted at one meeting.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingCounts {
    pub meeting_id: MeetingId,
    pub committee: CommitteeCode,
    pub date: NaiveDate,
    #[serde(flatten)]
    pub counts: StatusCounts,
}

/// AU's dashboard in one call.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// The UTC date that overdue and due soon are measured from.
    pub today: NaiveDate,
    pub due_within_days: u32,
    /// All points counted.
    #[serde(flatten)]
    pub counts: StatusCounts,
    /// By owner, most open work first.
    pub by_owner: Vec<OwnerCounts>,
    /// By meeting, oldest first.
    pub by_meeting: Vec<MeetingCounts>,
}

impl StatusCounts {
    /// Adds the points of one status: how many, how many of them have a deadline before
    /// today, and how many one between today and the end of "soon". Only open work can be
    /// overdue or due soon.
    fn add_group(&mut self, status: DecisionStatus, count: i64, overdue: i64, due_soon: i64) {
        self.total += count;
        match status {
            DecisionStatus::Proposed => self.proposed += count,
            DecisionStatus::Open => self.open += count,
            DecisionStatus::InProgress => self.in_progress += count,
            DecisionStatus::Done => self.done += count,
            DecisionStatus::Cancelled => self.cancelled += count,
        }
        if status.is_active() {
            self.overdue += overdue;
            self.due_soon += due_soon;
        }
    }
}

/// Narrows a boxed query that joins meetings and committees to a filter's committee and
/// period, each when given.
macro_rules! committee_and_period {
    ($query:ident, $filter:expr) => {
        if let Some(code) = &$filter.committee {
            $query = $query.filter(committees::code.eq(code.as_str()));
        }
        if let Some(from) = $filter.from {
            $query = $query.filter(meetings::meeting_date.ge(from));
        }
        if let Some(to) = $filter.to {
            $query = $query.filter(meetings::meeting_date.le(to));
        }
    };
}

/// The points counted, grouped and selected: not deleted, of cases not deleted, visible to the
/// caller, and of the committee and period asked for. A boxed query, so that the optional
/// filters can be added.
macro_rules! counted {
    ($joined:expr, $filter:expr, group_by $group:expr, select $select:expr) => {
        counted!($joined.group_by($group), $filter, select $select)
    };
    ($joined:expr, $filter:expr, select $select:expr) => {{
        let filter: &StatsFilter = $filter;
        let mut query = $joined
            .filter(decisions::deleted_at.is_null())
            .filter(cases::deleted_at.is_null())
            .filter(filter.visibility.shown("decisions.is_public"))
            .filter(filter.visibility.shown("cases.is_public"))
            .select($select)
            .into_boxed();
        committee_and_period!(query, filter);
        query
    }};
}

/// The points with their case, meeting and committee.
macro_rules! points {
    () => {
        decisions::table
            .inner_join(cases::table.inner_join(meetings::table))
            .inner_join(committees::table.on(committees::id.eq(cases::committee_id)))
    };
}

/// `SUM(CASE ...)` over the points of a group whose deadline is before `today`: the overdue
/// ones, when the group's status is open work.
macro_rules! overdue_sum {
    ($today:expr) => {
        sql::<BigInt>("SUM(CASE WHEN decisions.deadline < ")
            .bind::<Date, _>($today)
            .sql(" THEN 1 ELSE 0 END)")
    };
}

/// The sums over a tally table's rows (`$t`, see migration 000016) grouped by status: its
/// points, those with a deadline before `today` (overdue) and those due from `today` to
/// `soon`. Points that cannot be either are tallied under 9999-12-31, so that no sum needs to
/// look at the status. Cast, as PostgreSQL sums a BIGINT as a NUMERIC.
macro_rules! status_sums {
    ($t:literal, $today:expr, $soon:expr) => {
        (
            sql::<BigInt>(concat!("CAST(SUM(", $t, ".points) AS BIGINT)")),
            sql::<BigInt>(concat!("CAST(SUM(CASE WHEN ", $t, ".deadline < "))
                .bind::<Date, _>($today)
                .sql(concat!(" THEN ", $t, ".points ELSE 0 END) AS BIGINT)")),
            sql::<BigInt>(concat!("CAST(SUM(CASE WHEN ", $t, ".deadline >= "))
                .bind::<Date, _>($today)
                .sql(concat!(" AND ", $t, ".deadline <= "))
                .bind::<Date, _>($soon)
                .sql(concat!(" THEN ", $t, ".points ELSE 0 END) AS BIGINT)")),
        )
    };
}

/// What [`status_sums!`] selects for a status: points, overdue, due soon.
type StatusSums = (i64, i64, i64);

/// Narrows a boxed query of tally rows (`$query`, whose meeting is `$meeting`) to the meetings
/// a [`StatsFilter`] asks for, by a subquery (a boxed subquery cannot run on both backends,
/// so each kind of filter has its own).
macro_rules! narrow_to_meetings_asked_for {
    ($query:ident, $meeting:expr, $filter:expr) => {{
        let filter: &StatsFilter = $filter;
        // An open end of the period reaches every date a meeting can have.
        let from = filter.from.unwrap_or(super::FIRST_DAY);
        let to = filter.to.unwrap_or(super::LAST_DAY);
        let in_period = meetings::meeting_date.between(from, to);
        match &filter.committee {
            Some(code) => {
                $query = $query.filter(
                    $meeting.eq_any(
                        meetings::table
                            .inner_join(committees::table)
                            .filter(committees::code.eq(code.as_str()))
                            .filter(in_period)
                            .select(meetings::id),
                    ),
                );
            }
            None if filter.from.is_some() || filter.to.is_some() => {
                $query = $query.filter(
                    $meeting.eq_any(meetings::table.filter(in_period).select(meetings::id)),
                );
            }
            None => {}
        }
    }};
}

impl std::ops::AddAssign<&StatusCounts> for StatusCounts {
    fn add_assign(&mut self, other: &StatusCounts) {
        self.proposed += other.proposed;
        self.open += other.open;
        self.in_progress += other.in_progress;
        self.done += other.done;
        self.cancelled += other.cancelled;
        self.overdue += other.overdue;
        self.due_soon += other.due_soon;
        self.total += other.total;
    }
}

/// Counts decision points by owner and meeting from the tallies the database keeps as points
/// change (migration 000016): one pass over the rows of the meetings asked for and one over
/// the owners' rows, a few per meeting, status and deadline, whatever the size of the log.
/// Each pass groups in its table's key order (no sort) and sums by status; the meetings'
/// dates and the owners' names are joined to the groups, not to every row. No point is
/// loaded and no id list is bound. Groups with no points left (deleted or moved) are left out.
pub fn stats(conn: &mut DbConnection, filter: &StatsFilter) -> StoreResult<Stats> {
    super::read_transaction(conn, |conn| {
        let today = Utc::now().date_naive();
        let soon = today + TimeDelta::days(i64::from(filter.due_within_days));

        let mut query = meeting_tallies::table
            .filter(filter.visibility.shown("meeting_tallies.is_public"))
            .group_by((
                meeting_tallies::meeting_id,
                meeting_tallies::status,
                meeting_tallies::owned,
            ))
            .select((
                meeting_tallies::meeting_id,
                meeting_tallies::status,
                meeting_tallies::owned,
                status_sums!("meeting_tallies", today, soon),
            ))
            .into_boxed();
        narrow_to_meetings_asked_for!(query, meeting_tallies::meeting_id, filter);
        let rows: Vec<(String, DecisionStatus, bool, StatusSums)> = query.load(conn)?;
        // The dates and committees of the meetings asked for, joined to the groups.
        let mut meetings_asked_for = meetings::table
            .inner_join(committees::table)
            .select((meetings::id, meetings::meeting_date, committees::code))
            .into_boxed();
        committee_and_period!(meetings_asked_for, filter);
        let facts: HashMap<String, (NaiveDate, String)> = meetings_asked_for
            .load::<(String, NaiveDate, String)>(conn)?
            .into_iter()
            .map(|(id, date, code)| (id, (date, code)))
            .collect();
        let mut meeting_counts: BTreeMap<String, StatusCounts> = BTreeMap::new();
        let mut unowned = StatusCounts::default();
        for (meeting_id, status, owned, (points, overdue, due_soon)) in rows {
            meeting_counts
                .entry(meeting_id)
                .or_default()
                .add_group(status, points, overdue, due_soon);
            if !owned {
                unowned.add_group(status, points, overdue, due_soon);
            }
        }
        let mut counts = StatusCounts::default();
        let mut by_meeting = Vec::with_capacity(meeting_counts.len());
        for (meeting_id, meeting) in meeting_counts {
            let Some((date, code)) = facts.get(&meeting_id) else {
                continue;
            };
            if meeting.total > 0 {
                counts += &meeting;
                by_meeting.push(MeetingCounts {
                    meeting_id: parse_stored(&meeting_id, "meetings.id")?,
                    committee: parse_stored(code, "committees.code")?,
                    date: *date,
                    counts: meeting,
                });
            }
        }
        by_meeting.sort_by(|a, b| {
            (a.date, a.committee.as_str(), a.meeting_id.to_string()).cmp(&(
                b.date,
                b.committee.as_str(),
                b.meeting_id.to_string(),
            ))
        });

        // A point with several owners counts for each; one without counts for "Uten ansvarlig".
        let mut query = owner_tallies::table
            .filter(filter.visibility.shown("owner_tallies.is_public"))
            .group_by((owner_tallies::owner_id, owner_tallies::status))
            .select((
                owner_tallies::owner_id,
                owner_tallies::status,
                status_sums!("owner_tallies", today, soon),
            ))
            .into_boxed();
        narrow_to_meetings_asked_for!(query, owner_tallies::meeting_id, filter);
        let rows: Vec<(String, DecisionStatus, StatusSums)> = query.load(conn)?;
        let mut owner_counts: BTreeMap<String, StatusCounts> = BTreeMap::new();
        for (owner_id, status, (points, overdue, due_soon)) in rows {
            owner_counts
                .entry(owner_id)
                .or_default()
                .add_group(status, points, overdue, due_soon);
        }
        let names: HashMap<String, String> = owners::table
            .select((owners::id, owners::name))
            .load::<(String, String)>(conn)?
            .into_iter()
            .collect();
        let mut by_owner = Vec::with_capacity(owner_counts.len() + 1);
        for (owner_id, counts) in owner_counts {
            if counts.total > 0 {
                by_owner.push(OwnerCounts {
                    owner: names.get(&owner_id).cloned().unwrap_or_default(),
                    owner_id: Some(parse_stored(&owner_id, "owners.id")?),
                    counts,
                });
            }
        }
        if unowned.total > 0 {
            by_owner.push(OwnerCounts {
                owner_id: None,
                owner: "Uten ansvarlig".into(),
                counts: unowned,
            });
        }

        // By name (then id), then most open work first: the sort is stable, so owners with
        // as much open work stay in the order of their names.
        by_owner.sort_by(|a, b| {
            (a.owner.as_str(), a.owner_id.map(|id| id.to_string()))
                .cmp(&(b.owner.as_str(), b.owner_id.map(|id| id.to_string())))
        });
        by_owner.sort_by_key(|o| std::cmp::Reverse(o.counts.open + o.counts.in_progress));
        Ok(Stats {
            today,
            due_within_days: filter.due_within_days,
            counts,
            by_owner,
            by_meeting,
        })
    })
}

/// Counts the dashboard's tallies again from the points, as migration 000016 first filled
/// them: for a log loaded in bulk with the database's triggers off (the benchmark's generator;
/// on PostgreSQL, one transaction that moves the same tally rows many times keeps every old
/// version of them until it commits, so triggers would make a bulk load quadratic).
pub fn recount_tallies(conn: &mut DbConnection) -> StoreResult<()> {
    use diesel::connection::SimpleConnection;
    conn.batch_execute(
        "DELETE FROM meeting_tallies; DELETE FROM owner_tallies; \
         INSERT INTO meeting_tallies (meeting_id, status, deadline, is_public, owned, points) \
         SELECT meeting_id, status, deadline, is_public, owned, count(*) FROM point_tallies \
         GROUP BY meeting_id, status, deadline, is_public, owned; \
         INSERT INTO owner_tallies (owner_id, meeting_id, status, deadline, is_public, points) \
         SELECT decision_owners.owner_id, p.meeting_id, p.status, p.deadline, p.is_public, count(*) \
         FROM point_tallies p JOIN decision_owners ON decision_owners.decision_id = p.decision_id \
         GROUP BY decision_owners.owner_id, p.meeting_id, p.status, p.deadline, p.is_public;",
    )?;
    Ok(())
}

/// How many decision points a page of the report, the calendar or the follow-up list holds.
pub const PAGE: i64 = 500;

/// Which adopted points a report holds.
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub committee: Option<CommitteeCode>,
    /// Points of meetings on or after this date.
    pub from: Option<NaiveDate>,
    /// Points of meetings on or before this date.
    pub to: Option<NaiveDate>,
    pub visibility: Visibility,
}

/// What a report is read as: first the counts of all its points, then its points in report
/// order (by meeting date, committee, case number and position), a page at a time.
pub enum ReportPart {
    Counts(StatusCounts),
    Points(Vec<Decision>),
}

/// The order of the report: by meeting date, committee, case number and position.
pub fn report_order(a: &Decision, b: &Decision) -> std::cmp::Ordering {
    (
        a.case.meeting_date,
        a.case.committee.as_str(),
        a.case.number,
        a.position,
    )
        .cmp(&(
            b.case.meeting_date,
            b.case.committee.as_str(),
            b.case.number,
            b.position,
        ))
}

/// The statuses of what was adopted: proposals from a notice wait for the minutes.
fn adopted() -> Vec<DecisionStatus> {
    DecisionStatus::ALL
        .iter()
        .copied()
        .filter(|s| *s != DecisionStatus::Proposed)
        .collect()
}

/// Reads the points of a report into `part`: their counts, then the points in report order,
/// a page of at most [`PAGE`] points at a time, all in one read transaction, so that the
/// report is one snapshot however long it takes to send.
///
/// One aggregate query counts the points by meeting; then each meeting is read through
/// `decisions::page_of` with the meeting as its filter, which both engines answer from the
/// meeting's cases by index, in case order: report order within a meeting. No query binds
/// more than a page's ids, and no count runs over more than a meeting.
pub fn report_pages(
    conn: &mut DbConnection,
    filter: &ReportFilter,
    mut part: impl FnMut(ReportPart) -> StoreResult<()>,
) -> StoreResult<()> {
    super::read_transaction(conn, |conn| {
        let today = Utc::now().date_naive();
        let statuses = adopted();
        let status_names: Vec<&str> = statuses.iter().map(DecisionStatus::as_str).collect();
        let stats_filter = StatsFilter {
            committee: filter.committee.clone(),
            from: filter.from,
            to: filter.to,
            due_within_days: 0,
            visibility: filter.visibility,
        };
        let rows: Vec<(String, NaiveDate, String, String, i64, i64)> = counted!(
            points!().filter(decisions::status.eq_any(&status_names)),
            &stats_filter,
            group_by sql::<Text>(
                "meetings.id, meetings.meeting_date, committees.code, decisions.status"
            ),
            select (
                sql::<Text>("meetings.id"),
                sql::<Date>("meetings.meeting_date"),
                sql::<Text>("committees.code"),
                sql::<Text>("decisions.status"),
                count_star(),
                overdue_sum!(today),
            )
        )
        .load(conn)?;
        let mut counts = StatusCounts::default();
        // The meetings by date and committee, in the report's (byte) order.
        let mut meetings: BTreeMap<(NaiveDate, String), Vec<String>> = BTreeMap::new();
        for (meeting, date, code, status, count, overdue) in rows {
            let status = parse_stored(&status, "decisions.status")?;
            counts.add_group(status, count, overdue, 0);
            let ids = meetings.entry((date, code)).or_default();
            if !ids.contains(&meeting) {
                ids.push(meeting);
            }
        }
        part(ReportPart::Counts(counts))?;
        for ((date, code), ids) in meetings {
            let mut list_filter = DecisionFilter {
                statuses: statuses.clone(),
                visibility: filter.visibility,
                ..DecisionFilter::default()
            };
            match ids.as_slice() {
                [meeting] => list_filter.meeting = Some(parse_stored(meeting, "meetings.id")?),
                // Two meetings of a committee on one day (one of them deleted, its cases not):
                // their points go together, by case number.
                _ => {
                    list_filter.committee = Some(parse_stored(&code, "committees.code")?);
                    list_filter.meeting_from = Some(date);
                    list_filter.meeting_to = Some(date);
                }
            }
            let mut after = None;
            loop {
                let (mut points, next) =
                    super::decisions::page_of(conn, &list_filter, after.as_ref(), PAGE)?;
                points.sort_by(report_order);
                if !points.is_empty() {
                    part(ReportPart::Points(points))?;
                }
                match next {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
        }
        Ok(())
    })
}

/// Whose deadlines a calendar holds.
#[derive(Debug, Clone, Default)]
pub struct DeadlineFilter {
    pub committee: Option<CommitteeCode>,
    /// An owner's id, name or alias.
    pub owner: Option<String>,
    pub visibility: Visibility,
}

/// Reads every open or in-progress point with a deadline into `page`, by deadline (then id),
/// in pages of at most [`PAGE`] points (more only for one date with more), all in one read
/// transaction. Points without a deadline are left out.
///
/// A histogram of the deadlines (one aggregate query) cuts them into runs of dates of at most
/// a page each, and each run is read through `decisions::page_of` with its dates as
/// `due_after`/`due_before`: no query binds more than a page's ids, and no count runs over
/// more than a run.
pub fn deadline_pages(
    conn: &mut DbConnection,
    filter: &DeadlineFilter,
    mut page: impl FnMut(Vec<Decision>) -> StoreResult<()>,
) -> StoreResult<()> {
    super::read_transaction(conn, |conn| {
        let statuses = vec![DecisionStatus::Open, DecisionStatus::InProgress];
        let list_filter =
            |due_after: Option<NaiveDate>, due_before: Option<NaiveDate>| DecisionFilter {
                statuses: statuses.clone(),
                committee: filter.committee.clone(),
                owner: filter.owner.clone(),
                due_after,
                due_before,
                sort: super::decisions::DecisionSort::Deadline,
                visibility: filter.visibility,
                ..DecisionFilter::default()
            };
        let owner_id = match &filter.owner {
            Some(key) => match super::owners::resolve(conn, key)? {
                Some(id) => Some(id.to_string()),
                // The list says what is wrong with the owner, as it does for every list.
                None => {
                    super::decisions::page_of(conn, &list_filter(None, None), None, 1)?;
                    return Ok(());
                }
            },
            None => None,
        };
        let status_names: Vec<&str> = statuses.iter().map(DecisionStatus::as_str).collect();
        let mut query = points!()
            .filter(decisions::deleted_at.is_null())
            .filter(cases::deleted_at.is_null())
            .filter(filter.visibility.shown("decisions.is_public"))
            .filter(filter.visibility.shown("cases.is_public"))
            .filter(decisions::status.eq_any(&status_names))
            .filter(decisions::deadline.is_not_null())
            .group_by(decisions::deadline)
            .select((decisions::deadline, count_star()))
            .order(decisions::deadline)
            .into_boxed();
        if let Some(code) = &filter.committee {
            query = query.filter(committees::code.eq(code.as_str()));
        }
        if let Some(owner_id) = owner_id {
            query = query.filter(
                decisions::id.eq_any(
                    decision_owners::table
                        .filter(decision_owners::owner_id.eq(owner_id))
                        .select(decision_owners::decision_id),
                ),
            );
        }
        let histogram: Vec<(Option<NaiveDate>, i64)> = query.load(conn)?;
        let mut run: Option<(NaiveDate, NaiveDate, i64)> = None;
        for (date, size) in histogram {
            let Some(date) = date else { continue };
            if let Some((first, last, run_size)) = run
                && run_size + size > PAGE
            {
                read_deadlines(conn, &list_filter(Some(first), Some(last)), &mut page)?;
                run = None;
            }
            run = Some(match run {
                Some((first, _, run_size)) => (first, date, run_size + size),
                None => (date, date, size),
            });
        }
        if let Some((first, last, _)) = run {
            read_deadlines(conn, &list_filter(Some(first), Some(last)), &mut page)?;
        }
        Ok(())
    })
}

fn read_deadlines(
    conn: &mut DbConnection,
    filter: &DecisionFilter,
    page: &mut impl FnMut(Vec<Decision>) -> StoreResult<()>,
) -> StoreResult<()> {
    let mut after = None;
    loop {
        let (found, next) = super::decisions::page_of(conn, filter, after.as_ref(), PAGE)?;
        if !found.is_empty() {
            page(found)?;
        }
        match next {
            Some(next) => after = Some(next),
            None => return Ok(()),
        }
    }
}

/// One owner's part of the list for the next meeting.
#[derive(Debug, Serialize)]
pub struct FollowUpGroup {
    pub owner_id: Option<OwnerId>,
    /// The owner, or "Uten ansvarlig" for points without one.
    pub owner: String,
    /// Open and in-progress points, overdue first, then by deadline.
    pub decisions: Vec<Decision>,
}

/// The matters for follow-up at a meeting ("Saker til oppfølging"): what AU brings to it.
#[derive(Debug, Serialize)]
pub struct FollowUpList {
    pub committee: CommitteeCode,
    /// The meeting the list is for.
    pub meeting_date: NaiveDate,
    /// The page's points that need follow-up and are open or in progress, by owner. A point's
    /// `overdue` says whether its deadline has passed; a deadline on or before the meeting date
    /// means it is due by the meeting.
    pub by_owner: Vec<FollowUpGroup>,
    /// Postponed cases not yet taken up, with where they went.
    pub postponed: Vec<Case>,
}

/// The most points a page of the follow-up list holds: a real committee's list fits in one.
pub const FOLLOW_UP_MAX_PAGE: i64 = 1000;

/// One page of the list of matters for follow-up at a committee's meeting on `meeting_date`:
/// at most `limit` points in deadline order after `after`, grouped by owner, and the key to
/// continue from when more follow. The postponed cases come with the first page.
pub fn follow_up_list(
    conn: &mut DbConnection,
    committee: &CommitteeCode,
    meeting_date: NaiveDate,
    visibility: Visibility,
    after: Option<&DecisionKey>,
    limit: i64,
) -> StoreResult<(FollowUpList, Option<DecisionKey>)> {
    super::read_transaction(conn, |conn| {
        super::committees::id_of(conn, committee)?;
        // What was adopted at later meetings is not for this one. Overdue first and then by
        // deadline is deadline order: every point here is open or in progress.
        let filter = DecisionFilter {
            statuses: vec![DecisionStatus::Open, DecisionStatus::InProgress],
            kinds: DecisionKind::ALL
                .iter()
                .copied()
                .filter(DecisionKind::needs_follow_up)
                .collect(),
            committee: Some(committee.clone()),
            meeting_to: Some(meeting_date),
            sort: super::decisions::DecisionSort::Deadline,
            visibility,
            ..DecisionFilter::default()
        };
        let (points, next) = super::decisions::page_of(conn, &filter, after, limit)?;
        let mut groups: BTreeMap<(String, Option<OwnerId>), Vec<Decision>> = BTreeMap::new();
        for point in points {
            if point.owners.is_empty() {
                groups
                    .entry(("Uten ansvarlig".into(), None))
                    .or_default()
                    .push(point);
                continue;
            }
            for owner in point.owners.clone() {
                groups
                    .entry((owner.name, Some(owner.id)))
                    .or_default()
                    .push(point.clone());
            }
        }
        let by_owner = groups
            .into_iter()
            .map(|((owner, owner_id), decisions)| FollowUpGroup {
                owner_id,
                owner,
                decisions,
            })
            .collect();
        if after.is_some() {
            return Ok((
                FollowUpList {
                    committee: committee.clone(),
                    meeting_date,
                    by_owner,
                    postponed: Vec::new(),
                },
                next,
            ));
        }
        let postponed_filter = CaseFilter {
            committee: Some(committee.clone()),
            status: Some(CaseStatus::Postponed),
            meeting_to: Some(meeting_date),
            not_taken_up: true,
            visibility,
            ..CaseFilter::default()
        };
        let postponed = super::cases::list_all(conn, &postponed_filter)?;
        Ok((
            FollowUpList {
                committee: committee.clone(),
                meeting_date,
                by_owner,
                postponed,
            },
            next,
        ))
    })
}
