//! What AU asks between meetings: counts for a dashboard, and the list of matters to follow up
//! at the next meeting ("Saker til oppfølging").

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeDelta, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::cases::{Case, CaseFilter};
use super::decisions::{Decision, DecisionFilter};
use super::schema::{cases, committees, decision_owners, decisions, meetings, owners};
use super::{DbConnection, StoreResult, Visibility, parse_stored};
use crate::domain::{CaseStatus, CommitteeCode, DecisionStatus, MeetingId, OwnerId};

/// Which decision points to count.
#[derive(Debug, Clone, Default)]
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
#[derive(Debug, Default, Clone, Serialize, ToSchema)]
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
#[derive(Debug, Serialize, ToSchema)]
pub struct OwnerCounts {
    /// Null for points without an owner.
    pub owner_id: Option<OwnerId>,
    #[schema(example = "Sekretariatet")]
    pub owner: String,
    #[serde(flatten)]
    pub counts: StatusCounts,
}

/// The counts of the points adopted at one meeting.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingCounts {
    pub meeting_id: MeetingId,
    pub committee: CommitteeCode,
    pub date: NaiveDate,
    #[serde(flatten)]
    pub counts: StatusCounts,
}

/// AU's dashboard in one call.
#[derive(Debug, Serialize, ToSchema)]
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
    fn add(
        &mut self,
        status: DecisionStatus,
        deadline: Option<NaiveDate>,
        today: NaiveDate,
        soon: NaiveDate,
    ) {
        self.total += 1;
        match status {
            DecisionStatus::Proposed => self.proposed += 1,
            DecisionStatus::Open => self.open += 1,
            DecisionStatus::InProgress => self.in_progress += 1,
            DecisionStatus::Done => self.done += 1,
            DecisionStatus::Cancelled => self.cancelled += 1,
        }
        if status.is_active() {
            match deadline {
                Some(d) if d < today => self.overdue += 1,
                Some(d) if d <= soon => self.due_soon += 1,
                _ => {}
            }
        }
    }
}

/// Counts decision points by status, owner and meeting, in two queries.
pub fn stats(conn: &mut DbConnection, filter: &StatsFilter) -> StoreResult<Stats> {
    super::read_transaction(conn, |conn| {
        let today = Utc::now().date_naive();
        let soon = today + TimeDelta::days(i64::from(filter.due_within_days));
        let mut query = decisions::table
            .inner_join(cases::table.inner_join(meetings::table))
            .inner_join(committees::table.on(committees::id.eq(cases::committee_id)))
            .filter(decisions::deleted_at.is_null())
            .filter(cases::deleted_at.is_null())
            .filter(decisions::is_public.eq_any(filter.visibility.public_values()))
            .filter(cases::is_public.eq_any(filter.visibility.public_values()))
            .select((
                decisions::id,
                decisions::status,
                decisions::deadline,
                meetings::id,
                meetings::meeting_date,
                committees::code,
            ))
            .into_boxed();
        if let Some(code) = &filter.committee {
            query = query.filter(committees::code.eq(code.as_str()));
        }
        if let Some(from) = filter.from {
            query = query.filter(meetings::meeting_date.ge(from));
        }
        if let Some(to) = filter.to {
            query = query.filter(meetings::meeting_date.le(to));
        }
        let rows: Vec<(String, String, Option<NaiveDate>, String, NaiveDate, String)> =
            query.load(conn)?;
        let ids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        let mut owners_of: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for (decision, owner_id, name) in decision_owners::table
            .inner_join(owners::table)
            .filter(decision_owners::decision_id.eq_any(&ids))
            .select((decision_owners::decision_id, owners::id, owners::name))
            .load::<(String, String, String)>(conn)?
        {
            owners_of
                .entry(decision)
                .or_default()
                .push((owner_id, name));
        }
        let mut counts = StatusCounts::default();
        let mut by_owner: BTreeMap<(String, Option<String>), StatusCounts> = BTreeMap::new();
        let mut by_meeting: BTreeMap<(NaiveDate, String, String), StatusCounts> = BTreeMap::new();
        for (id, status, deadline, meeting_id, date, code) in &rows {
            let status: DecisionStatus = parse_stored(status, "decisions.status")?;
            counts.add(status, *deadline, today, soon);
            by_meeting
                .entry((*date, code.clone(), meeting_id.clone()))
                .or_default()
                .add(status, *deadline, today, soon);
            match owners_of.get(id) {
                Some(owners) => {
                    for (owner_id, name) in owners {
                        by_owner
                            .entry((name.clone(), Some(owner_id.clone())))
                            .or_default()
                            .add(status, *deadline, today, soon);
                    }
                }
                None => by_owner
                    .entry(("Uten ansvarlig".into(), None))
                    .or_default()
                    .add(status, *deadline, today, soon),
            }
        }
        let mut by_owner: Vec<OwnerCounts> = by_owner
            .into_iter()
            .map(|((owner, owner_id), counts)| {
                Ok(OwnerCounts {
                    owner_id: owner_id
                        .map(|id| parse_stored(&id, "owners.id"))
                        .transpose()?,
                    owner,
                    counts,
                })
            })
            .collect::<StoreResult<_>>()?;
        by_owner.sort_by_key(|o| std::cmp::Reverse(o.counts.open + o.counts.in_progress));
        let by_meeting = by_meeting
            .into_iter()
            .map(|((date, code, meeting_id), counts)| {
                Ok(MeetingCounts {
                    meeting_id: parse_stored(&meeting_id, "meetings.id")?,
                    committee: parse_stored(&code, "committees.code")?,
                    date,
                    counts,
                })
            })
            .collect::<StoreResult<_>>()?;
        Ok(Stats {
            today,
            due_within_days: filter.due_within_days,
            counts,
            by_owner,
            by_meeting,
        })
    })
}

/// One owner's part of the list for the next meeting.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpGroup {
    pub owner_id: Option<OwnerId>,
    /// The owner, or "Uten ansvarlig" for points without one.
    #[schema(example = "Sekretariatet")]
    pub owner: String,
    /// Open and in-progress points, overdue first, then by deadline.
    pub decisions: Vec<Decision>,
}

/// The matters for follow-up at a meeting ("Saker til oppfølging"): what AU brings to it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpList {
    pub committee: CommitteeCode,
    /// The meeting the list is for.
    pub meeting_date: NaiveDate,
    /// Every point that needs follow-up and is open or in progress, by owner. A point's
    /// `overdue` says whether its deadline has passed; a deadline on or before the meeting date
    /// means it is due by the meeting.
    pub by_owner: Vec<FollowUpGroup>,
    /// Postponed cases not yet taken up, with where they went.
    pub postponed: Vec<Case>,
}

/// The list of matters for follow-up at a committee's meeting on `meeting_date`.
pub fn follow_up_list(
    conn: &mut DbConnection,
    committee: &CommitteeCode,
    meeting_date: NaiveDate,
    visibility: Visibility,
) -> StoreResult<FollowUpList> {
    super::read_transaction(conn, |conn| {
        super::committees::id_of(conn, committee)?;
        // What was adopted at later meetings is not for this one.
        let filter = DecisionFilter {
            statuses: vec![DecisionStatus::Open, DecisionStatus::InProgress],
            committee: Some(committee.clone()),
            meeting_to: Some(meeting_date),
            sort: super::decisions::DecisionSort::Deadline,
            visibility,
            ..DecisionFilter::default()
        };
        let points = super::decisions::list_all(conn, &filter)?;
        let mut groups: BTreeMap<(String, Option<OwnerId>), Vec<Decision>> = BTreeMap::new();
        for point in points.into_iter().filter(|p| p.needs_follow_up) {
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
            .map(|((owner, owner_id), mut decisions)| {
                decisions.sort_by_key(|d| (!d.overdue, d.deadline.is_none(), d.deadline));
                FollowUpGroup {
                    owner_id,
                    owner,
                    decisions,
                }
            })
            .collect();
        let postponed_filter = CaseFilter {
            committee: Some(committee.clone()),
            status: Some(CaseStatus::Postponed),
            visibility,
            ..CaseFilter::default()
        };
        let postponed = super::cases::list_all(conn, &postponed_filter)?
            .into_iter()
            .filter(|case| case.meeting.date <= meeting_date)
            .filter(|case| !case.postponed_to.as_ref().is_some_and(|p| p.taken_up))
            .collect();
        Ok(FollowUpList {
            committee: committee.clone(),
            meeting_date,
            by_owner,
            postponed,
        })
    })
}
