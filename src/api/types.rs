//! The API's JSON: what the endpoints answer, with the documentation and examples of the
//! OpenAPI document. These types are apart from the store's read models, so that the document
//! can change without touching a query and a query without changing the document; each is
//! made from its read model with `From`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::{
    CaseId, CaseNumber, CaseStatus, ClockTime, CommitteeCode, CommitteeId, DecisionId,
    DecisionKind, DecisionStatus, LinkId, LinkKind, MeetingId, MeetingKind, MeetingStatus, OwnerId,
    OwnerKind, Position, Role,
};
use crate::store;
use crate::store::history::Action;
use crate::store::imports::ImportSummary;
use crate::store::proposals::ProposalStatus;
use serde_json::Value;
use uuid::Uuid;

// Committees

/// A committee (utvalg) whose decisions the log keeps, such as ASU (Administrativt
/// samarbeidsutvalg).
#[derive(Debug, Serialize, ToSchema)]
pub struct Committee {
    pub id: CommitteeId,
    pub code: CommitteeCode,
    /// The full name.
    #[schema(example = "Administrativt samarbeidsutvalg")]
    pub name: String,
    /// Increases with every change.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The name of the token that made the last change.
    pub updated_by: String,
}

impl From<store::committees::Committee> for Committee {
    fn from(from: store::committees::Committee) -> Self {
        Self {
            id: from.id,
            code: from.code,
            name: from.name,
            version: from.version,
            created_at: from.created_at,
            updated_at: from.updated_at,
            updated_by: from.updated_by,
        }
    }
}

// Meetings

/// A meeting (møte) of a committee. A committee holds at most one meeting on a date.
#[derive(Debug, Serialize, ToSchema)]
pub struct Meeting {
    pub id: MeetingId,
    pub committee: CommitteeCode,
    /// The meeting date (møtedato).
    #[schema(example = "2024-06-19")]
    pub date: NaiveDate,
    pub start_time: Option<ClockTime>,
    pub end_time: Option<ClockTime>,
    /// Where it is held (møtested).
    #[schema(example = "1930 M11")]
    pub location: Option<String>,
    pub kind: MeetingKind,
    /// Who chairs it (møteleder).
    #[schema(example = "Ingjerd Astad")]
    pub chair: Option<String>,
    /// Who takes the minutes (referent).
    #[schema(example = "Karina Haus Steinshylla")]
    pub minute_taker: Option<String>,
    pub status: MeetingStatus,
    /// How many cases are on its agenda (that the caller may see).
    pub case_count: i64,
    /// Increases with every change; the `ETag` of the meeting. Send it back in `If-Match`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The name of the token that made the last change.
    pub updated_by: String,
    /// Set on a tombstone; only lists asked with `updated_since` return tombstones.
    pub deleted_at: Option<DateTime<Utc>>,
}

impl From<store::meetings::Meeting> for Meeting {
    fn from(from: store::meetings::Meeting) -> Self {
        Self {
            id: from.id,
            committee: from.committee,
            date: from.date,
            start_time: from.start_time,
            end_time: from.end_time,
            location: from.location,
            kind: from.kind,
            chair: from.chair,
            minute_taker: from.minute_taker,
            status: from.status,
            case_count: from.case_count,
            version: from.version,
            created_at: from.created_at,
            updated_at: from.updated_at,
            updated_by: from.updated_by,
            deleted_at: from.deleted_at,
        }
    }
}

// Cases

/// The meeting a case is on.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingRef {
    pub id: MeetingId,
    #[schema(example = "2024-06-19")]
    pub date: NaiveDate,
}

impl From<store::cases::MeetingRef> for MeetingRef {
    fn from(from: store::cases::MeetingRef) -> Self {
        Self {
            id: from.id,
            date: from.date,
        }
    }
}

/// A case (sak) on a meeting's agenda.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Case {
    pub id: CaseId,
    pub committee: CommitteeCode,
    pub number: CaseNumber,
    pub meeting: MeetingRef,
    #[schema(example = "Status Handlingsplan")]
    pub title: String,
    /// Who is responsible for the case (saksansvarlig), as written in the documents.
    #[schema(example = json!(["Runar Asp"]))]
    pub responsible: Vec<String>,
    pub status: CaseStatus,
    /// Where the case was postponed to, if it was.
    pub postponed_to: Option<Postponement>,
    /// What the documents say about the case: the saksfremlegg, the minutes' narrative
    /// (referat) and input (innspill). References in it to other cases are proposed as links.
    pub narrative: Option<String>,
    /// How many decision points the case has (that the caller may see).
    pub decision_count: i64,
    /// False for a case exempt from public access (unntatt offentlighet): readers without a
    /// token never see it or its decision points.
    pub public: bool,
    /// Increases with every change; the `ETag` of the case. Send it back in `If-Match`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The name of the token that made the last change.
    pub updated_by: String,
    /// Set on a tombstone; only lists asked with `updated_since` return tombstones.
    pub deleted_at: Option<DateTime<Utc>>,
}

impl From<store::cases::Case> for Case {
    fn from(from: store::cases::Case) -> Self {
        Self {
            id: from.id,
            committee: from.committee,
            number: from.number,
            meeting: from.meeting.into(),
            title: from.title,
            responsible: from.responsible,
            status: from.status,
            postponed_to: from.postponed_to.map(Into::into),
            narrative: from.narrative,
            decision_count: from.decision_count,
            public: from.public,
            version: from.version,
            created_at: from.created_at,
            updated_at: from.updated_at,
            updated_by: from.updated_by,
            deleted_at: from.deleted_at,
        }
    }
}

/// Where a postponed case went: the case it was postponed to (a `postponed_to` link).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Postponement {
    pub committee: CommitteeCode,
    #[schema(value_type = String, example = "19/24")]
    pub number: CaseNumber,
    /// The recorded case, or null while it is known only by its number.
    pub case_id: Option<CaseId>,
    /// Whether the case it went to has been decided. Until then the postponement is open
    /// work, and the case's postponement points stay open.
    pub taken_up: bool,
}

impl From<store::cases::Postponement> for Postponement {
    fn from(from: store::cases::Postponement) -> Self {
        Self {
            committee: from.committee,
            number: from.number,
            case_id: from.case_id,
            taken_up: from.taken_up,
        }
    }
}

/// A case with its decision points and its links to other cases.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub case: Case,
    /// The decision points, in order of position.
    pub decisions: Vec<Decision>,
    pub links: CaseLinks,
}

impl From<store::cases::CaseDetail> for CaseDetail {
    fn from(from: store::cases::CaseDetail) -> Self {
        Self {
            case: from.case.into(),
            decisions: from.decisions.into_iter().map(Into::into).collect(),
            links: from.links.into(),
        }
    }
}

// Decision points

/// The case a decision point belongs to, carried in every decision point so that a client
/// needs no second call.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecisionCase {
    pub id: CaseId,
    pub committee: CommitteeCode,
    pub number: CaseNumber,
    #[schema(example = "Status Handlingsplan")]
    pub title: String,
    pub meeting_id: MeetingId,
    #[schema(example = "2024-06-19")]
    pub meeting_date: NaiveDate,
}

impl From<store::decisions::DecisionCase> for DecisionCase {
    fn from(from: store::decisions::DecisionCase) -> Self {
        Self {
            id: from.id,
            committee: from.committee,
            number: from.number,
            title: from.title,
            meeting_id: from.meeting_id,
            meeting_date: from.meeting_date,
        }
    }
}

/// An owner of a decision point.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecisionOwner {
    pub id: OwnerId,
    #[schema(example = "Sekretariatet")]
    pub name: String,
    /// Whether this owner is the one responsible, when there are several.
    pub responsible: bool,
}

impl From<store::decisions::DecisionOwner> for DecisionOwner {
    fn from(from: store::decisions::DecisionOwner) -> Self {
        Self {
            id: from.id,
            name: from.name,
            responsible: from.responsible,
        }
    }
}

/// A decision point (vedtakspunkt).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Decision {
    pub id: DecisionId,
    pub case: DecisionCase,
    pub position: Position,
    /// The text of the point as adopted.
    #[schema(
        example = "ASU ber sekretariatet utarbeide en vedtakslogg som benyttes i det videre arbeidet i helsefelleskapet, som holdes oppdatert fortløpende og kan fremlegges ved ønske/behov."
    )]
    pub text: String,
    pub kind: DecisionKind,
    /// Who owns the follow-up: none, one, or several ("kommunene og sykehuset" is two).
    pub owners: Vec<DecisionOwner>,
    /// The deadline (frist), if the decision gives one.
    #[schema(example = "2024-08-30")]
    pub deadline: Option<NaiveDate>,
    pub status: DecisionStatus,
    /// The latest note on the status.
    #[schema(example = "Første utkast lagt fram for AU 15.08.24")]
    pub status_note: Option<String>,
    /// For a postponement point: the case the matter went to, and whether it is taken up.
    pub postponed_to: Option<Postponement>,
    /// Where the latest status change was reported, when it cites it.
    pub status_evidence: Option<Evidence>,
    /// False for orientation and approval points, which are closed when adopted.
    pub needs_follow_up: bool,
    /// The deadline has passed (UTC date) and the point is neither done nor cancelled.
    pub overdue: bool,
    /// False for a point exempt from public access (unntatt offentlighet): readers without a
    /// token never see it.
    pub public: bool,
    /// Increases with every change; the `ETag` of the point. Send it back in `If-Match`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The name of the token that made the last change.
    #[schema(example = "Sekretariatet")]
    pub updated_by: String,
    /// How the point matched a search (`q`); only in search results.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search: Option<SearchMatch>,
    /// Set on a tombstone: the point was deleted then. Only lists asked with `updated_since`
    /// return tombstones.
    pub deleted_at: Option<DateTime<Utc>>,
}

impl From<store::decisions::Decision> for Decision {
    fn from(from: store::decisions::Decision) -> Self {
        Self {
            id: from.id,
            case: from.case.into(),
            position: from.position,
            text: from.text,
            kind: from.kind,
            owners: from.owners.into_iter().map(Into::into).collect(),
            deadline: from.deadline,
            status: from.status,
            status_note: from.status_note,
            postponed_to: from.postponed_to.map(Into::into),
            status_evidence: from.status_evidence.map(Into::into),
            needs_follow_up: from.needs_follow_up,
            overdue: from.overdue,
            public: from.public,
            version: from.version,
            created_at: from.created_at,
            updated_at: from.updated_at,
            updated_by: from.updated_by,
            search: from.search.map(Into::into),
            deleted_at: from.deleted_at,
        }
    }
}

/// The case or meeting where a status change was reported: "done: reported to ASU in 20/24".
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Evidence {
    pub committee: CommitteeCode,
    /// The case where it was reported.
    #[schema(value_type = Option<String>, example = "20/24")]
    pub case: Option<CaseNumber>,
    pub case_id: Option<CaseId>,
    /// The meeting where it was reported.
    #[schema(example = "2024-08-30")]
    pub meeting_date: Option<NaiveDate>,
    pub meeting_id: Option<MeetingId>,
}

impl From<store::decisions::Evidence> for Evidence {
    fn from(from: store::decisions::Evidence) -> Self {
        Self {
            committee: from.committee,
            case: from.case,
            case_id: from.case_id,
            meeting_date: from.meeting_date,
            meeting_id: from.meeting_id,
        }
    }
}

/// A point found by a search: the words matched in context, and how well it matched.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SearchMatch {
    /// The text around the words found, which are marked with [ and ].
    #[schema(example = "... ber sekretariatet utarbeide en [vedtakslogg] som benyttes ...")]
    pub snippet: String,
    /// Higher is better; comparable only within one search. On PostgreSQL it is `ts_rank`
    /// when sorted by relevance; on SQLite it weighs the words found in the point's own text
    /// as bm25 does (more often counts more, a long text less), every word alike.
    pub score: f64,
}

impl From<store::decisions::SearchMatch> for SearchMatch {
    fn from(from: store::decisions::SearchMatch) -> Self {
        Self {
            snippet: from.snippet,
            score: from.score,
        }
    }
}

// Links between cases

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

impl From<store::links::LinkEnd> for LinkEnd {
    fn from(from: store::links::LinkEnd) -> Self {
        Self {
            committee: from.committee,
            number: from.number,
            position: from.position,
            case_id: from.case_id,
        }
    }
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

impl From<store::links::Link> for Link {
    fn from(from: store::links::Link) -> Self {
        Self {
            id: from.id,
            kind: from.kind,
            source: from.source.into(),
            target: from.target.into(),
            note: from.note,
            created_at: from.created_at,
            created_by: from.created_by,
        }
    }
}

/// The links of a case: those it makes, and those made to it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseLinks {
    pub outgoing: Vec<Link>,
    pub incoming: Vec<Link>,
}

impl From<store::links::CaseLinks> for CaseLinks {
    fn from(from: store::links::CaseLinks) -> Self {
        Self {
            outgoing: from.outgoing.into_iter().map(Into::into).collect(),
            incoming: from.incoming.into_iter().map(Into::into).collect(),
        }
    }
}

// The chain of a matter

/// A case of a chain, with its decision points.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChainCase {
    #[serde(flatten)]
    pub case: Case,
    /// The decision points, in order of position.
    pub decisions: Vec<Decision>,
}

impl From<store::chains::ChainCase> for ChainCase {
    fn from(from: store::chains::ChainCase) -> Self {
        Self {
            case: from.case.into(),
            decisions: from.decisions.into_iter().map(Into::into).collect(),
        }
    }
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

impl From<store::chains::Chain> for Chain {
    fn from(from: store::chains::Chain) -> Self {
        Self {
            case_id: from.case_id,
            cases: from.cases.into_iter().map(Into::into).collect(),
            links: from.links.into_iter().map(Into::into).collect(),
        }
    }
}

// The owner registry

/// An owner of actions: a body (AU, Sekretariatet, a group, a fagråd), a party (Kommunene,
/// St. Olavs hospital) or a person, with the other spellings it is known by.
#[derive(Debug, Serialize, ToSchema)]
pub struct Owner {
    pub id: OwnerId,
    #[schema(example = "Analysegruppen")]
    pub name: String,
    pub kind: OwnerKind,
    /// Other spellings that resolve to this owner, such as "Analysegruppa".
    #[schema(example = json!(["Analysegruppa", "Analysegruppe"]))]
    pub aliases: Vec<String>,
    /// Increases with every change.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The name of the token that made the last change.
    pub updated_by: String,
}

impl From<store::owners::Owner> for Owner {
    fn from(from: store::owners::Owner) -> Self {
        Self {
            id: from.id,
            name: from.name,
            kind: from.kind,
            aliases: from.aliases,
            version: from.version,
            created_at: from.created_at,
            updated_at: from.updated_at,
            updated_by: from.updated_by,
        }
    }
}

// Proposed links

/// What a proposed link points at: a case by number, or a meeting by date; with the recorded
/// case it stands for, when there is one.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalTarget {
    pub committee: CommitteeCode,
    /// The case named, for a reference by number.
    #[schema(value_type = Option<String>, example = "31/23")]
    pub number: Option<CaseNumber>,
    /// The meeting named, for "utsettes til ASU-møte 19.06.24".
    pub meeting_date: Option<NaiveDate>,
    /// The recorded case: the case with the number, or, for a meeting, the case of that
    /// meeting whose title is most like the source case's. Null while there is none.
    pub case_id: Option<CaseId>,
    #[schema(value_type = Option<String>, example = "31/23")]
    pub case_number: Option<CaseNumber>,
    pub case_title: Option<String>,
}

impl From<store::proposals::ProposalTarget> for ProposalTarget {
    fn from(from: store::proposals::ProposalTarget) -> Self {
        Self {
            committee: from.committee,
            number: from.number,
            meeting_date: from.meeting_date,
            case_id: from.case_id,
            case_number: from.case_number,
            case_title: from.case_title,
        }
    }
}

/// A link proposed from a reference in a case's texts.
#[derive(Debug, Serialize, ToSchema)]
pub struct Proposal {
    pub id: uuid::Uuid,
    pub status: ProposalStatus,
    pub kind: LinkKind,
    /// The case whose text holds the reference.
    pub source_case_id: CaseId,
    #[schema(value_type = String, example = "37/23")]
    pub source_number: CaseNumber,
    pub target: ProposalTarget,
    /// The words the reference was found in.
    #[schema(example = "vedtak 31/23")]
    pub matched_text: String,
    /// The link made when the proposal was accepted.
    pub link_id: Option<uuid::Uuid>,
    pub created_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl From<store::proposals::Proposal> for Proposal {
    fn from(from: store::proposals::Proposal) -> Self {
        Self {
            id: from.id,
            status: from.status,
            kind: from.kind,
            source_case_id: from.source_case_id,
            source_number: from.source_number,
            target: from.target.into(),
            matched_text: from.matched_text,
            link_id: from.link_id,
            created_at: from.created_at,
            decided_by: from.decided_by,
            decided_at: from.decided_at,
        }
    }
}

// History

/// One change of a record, as the history keeps it.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntry {
    /// Increases with every change in the log: entries sort by it.
    pub seq: i64,
    /// What kind of record changed: committee, meeting, case, decision, owner or link.
    #[schema(example = "decision")]
    pub entity: String,
    pub entity_id: uuid::Uuid,
    /// The record's version after the change.
    pub version: i32,
    pub action: Action,
    /// The name of the token that made the change.
    #[schema(example = "Sekretariatet")]
    pub actor: String,
    pub at: DateTime<Utc>,
    /// The fields that changed, each with its value before and after.
    #[schema(value_type = Object, example = json!({"status": {"from": "in_progress", "to": "done"}}))]
    pub changes: Value,
    /// The comment given with the change.
    #[schema(example = "Rapportert til ASU i sak 20/24")]
    pub note: Option<String>,
    /// Where the change was reported, when the change cites it.
    #[schema(value_type = Option<Object>, example = json!({"committee": "ASU", "case": "20/24"}))]
    pub evidence: Option<Value>,
}

impl From<store::history::HistoryEntry> for HistoryEntry {
    fn from(from: store::history::HistoryEntry) -> Self {
        Self {
            seq: from.seq,
            entity: from.entity,
            entity_id: from.entity_id,
            version: from.version,
            action: from.action,
            actor: from.actor,
            at: from.at,
            changes: from.changes,
            note: from.note,
            evidence: from.evidence,
        }
    }
}

// Overview: counts and the follow-up list

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

impl From<store::overview::StatusCounts> for StatusCounts {
    fn from(from: store::overview::StatusCounts) -> Self {
        Self {
            proposed: from.proposed,
            open: from.open,
            in_progress: from.in_progress,
            done: from.done,
            cancelled: from.cancelled,
            overdue: from.overdue,
            due_soon: from.due_soon,
            total: from.total,
        }
    }
}

/// The counts of one owner. A point with several owners counts for each.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OwnerCounts {
    /// Null for points without an owner.
    pub owner_id: Option<OwnerId>,
    #[schema(example = "Sekretariatet")]
    pub owner: String,
    #[serde(flatten)]
    pub counts: StatusCounts,
}

impl From<store::overview::OwnerCounts> for OwnerCounts {
    fn from(from: store::overview::OwnerCounts) -> Self {
        Self {
            owner_id: from.owner_id,
            owner: from.owner,
            counts: from.counts.into(),
        }
    }
}

/// The counts of the points adopted at one meeting.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingCounts {
    pub meeting_id: MeetingId,
    pub committee: CommitteeCode,
    pub date: NaiveDate,
    #[serde(flatten)]
    pub counts: StatusCounts,
}

impl From<store::overview::MeetingCounts> for MeetingCounts {
    fn from(from: store::overview::MeetingCounts) -> Self {
        Self {
            meeting_id: from.meeting_id,
            committee: from.committee,
            date: from.date,
            counts: from.counts.into(),
        }
    }
}

/// AU's dashboard in one call.
#[derive(Debug, Clone, Serialize, ToSchema)]
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

impl From<store::overview::Stats> for Stats {
    fn from(from: store::overview::Stats) -> Self {
        Self {
            today: from.today,
            due_within_days: from.due_within_days,
            counts: from.counts.into(),
            by_owner: from.by_owner.into_iter().map(Into::into).collect(),
            by_meeting: from.by_meeting.into_iter().map(Into::into).collect(),
        }
    }
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

impl From<store::overview::FollowUpGroup> for FollowUpGroup {
    fn from(from: store::overview::FollowUpGroup) -> Self {
        Self {
            owner_id: from.owner_id,
            owner: from.owner,
            decisions: from.decisions.into_iter().map(Into::into).collect(),
        }
    }
}

/// The matters for follow-up at a meeting ("Saker til oppfølging"): what AU brings to it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpList {
    pub committee: CommitteeCode,
    /// The meeting the list is for.
    pub meeting_date: NaiveDate,
    /// The page's points that need follow-up and are open or in progress, by owner. A
    /// point's `overdue` says whether its deadline has passed; a deadline on or before the
    /// meeting date means it is due by the meeting.
    pub by_owner: Vec<FollowUpGroup>,
    /// Postponed cases not yet taken up, with where they went (with the first page).
    pub postponed: Vec<Case>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl From<store::overview::FollowUpList> for FollowUpList {
    fn from(from: store::overview::FollowUpList) -> Self {
        Self {
            committee: from.committee,
            meeting_date: from.meeting_date,
            by_owner: from.by_owner.into_iter().map(Into::into).collect(),
            postponed: from.postponed.into_iter().map(Into::into).collect(),
            next_cursor: None,
        }
    }
}

// Imports

/// An import that changed the log.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportRecord {
    pub id: Uuid,
    pub committee: CommitteeCode,
    pub meeting_id: MeetingId,
    #[schema(example = "2024-06-19")]
    pub meeting_date: NaiveDate,
    /// `notice` or `minutes`.
    #[schema(example = "minutes")]
    pub document_kind: String,
    /// SHA-256 of the file as it was sent, in hex.
    pub content_sha256: String,
    pub summary: ImportSummary,
    pub created_at: DateTime<Utc>,
    /// The name of the token that imported it.
    pub created_by: String,
}

impl From<store::imports::ImportRecord> for ImportRecord {
    fn from(from: store::imports::ImportRecord) -> Self {
        Self {
            id: from.id,
            committee: from.committee,
            meeting_id: from.meeting_id,
            meeting_date: from.meeting_date,
            document_kind: from.document_kind,
            content_sha256: from.content_sha256,
            summary: from.summary,
            created_at: from.created_at,
            created_by: from.created_by,
        }
    }
}

// Tokens

/// An API token, without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct Token {
    pub id: uuid::Uuid,
    /// Who uses the token; the history names changes made with it by this name.
    #[schema(example = "Sekretariatet")]
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    /// The name of the token that created it, or `cli` for the command line.
    pub created_by: String,
    /// When it was last used, to the minute.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked; a revoked token is refused.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<store::tokens::Token> for Token {
    fn from(from: store::tokens::Token) -> Self {
        Self {
            id: from.id,
            name: from.name,
            role: from.role,
            created_at: from.created_at,
            created_by: from.created_by,
            last_used_at: from.last_used_at,
            revoked_at: from.revoked_at,
        }
    }
}

/// A token just created, with its secret: the only time the secret is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedToken {
    #[serde(flatten)]
    pub token: Token,
    /// Send as `Authorization: Bearer <secret>`. It is not stored and cannot be shown again.
    #[schema(example = "vl_3q2-7wUQhK1mXoVJ8bS0d5yT9cA4eR6nZpLgHfMiBkE")]
    pub secret: String,
}

impl From<store::tokens::IssuedToken> for IssuedToken {
    fn from(from: store::tokens::IssuedToken) -> Self {
        Self {
            token: from.token.into(),
            secret: from.secret,
        }
    }
}
