//! Decision points (vedtakspunkter): the adopted points of a case's decision, each with its
//! owners, deadline and follow-up status.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Date, Double, Integer, Text, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::history::HistoryEntry;
use super::prepared::{self, KeptStatement as _};
use super::schema::{cases, committees, decision_owners, decisions, meetings, owners};
use super::{DbConnection, Page, StoreError, StoreResult, Visibility, now, parse_stored, utc};
use crate::config::Backend;
use crate::domain::{
    CaseId, CaseNumber, CommitteeCode, DecisionId, DecisionKind, DecisionStatus, MeetingId,
    OwnerId, Position,
};

#[derive(Queryable, Selectable)]
#[diesel(table_name = decisions)]
struct DecisionRow {
    id: String,
    case_id: String,
    position: Position,
    position_sort: i32,
    text: String,
    kind: DecisionKind,
    deadline: Option<NaiveDate>,
    status: DecisionStatus,
    status_note: Option<String>,
    status_evidence: Option<String>,
    is_public: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    updated_by: String,
    version: i32,
    deleted_at: Option<NaiveDateTime>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = cases)]
struct CaseKeyRow {
    meeting_id: String,
    case_year: i32,
    case_serial: i32,
    title: String,
}

/// The case a decision point belongs to, carried in every decision point so that a client
/// needs no second call.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionCase {
    pub id: CaseId,
    pub committee: CommitteeCode,
    pub number: CaseNumber,
    pub title: String,
    pub meeting_id: MeetingId,
    pub meeting_date: NaiveDate,
}

/// An owner of a decision point.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionOwner {
    pub id: OwnerId,
    pub name: String,
    /// Whether this owner is the one responsible, when there are several.
    pub responsible: bool,
}

/// A decision point (vedtakspunkt).
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    pub id: DecisionId,
    pub case: DecisionCase,
    pub position: Position,
    /// The text of the point as adopted.
    pub text: String,
    pub kind: DecisionKind,
    /// Who owns the follow-up: none, one, or several ("kommunene og sykehuset" is two).
    pub owners: Vec<DecisionOwner>,
    /// The deadline (frist), if the decision gives one.
    pub deadline: Option<NaiveDate>,
    pub status: DecisionStatus,
    /// The latest note on the status.
    pub status_note: Option<String>,
    /// For a postponement point: the case the matter went to, and whether it is taken up.
    pub postponed_to: Option<super::cases::Postponement>,
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
    pub updated_by: String,
    /// How the point matched a search (`q`); only in search results.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search: Option<SearchMatch>,
    /// Set on a tombstone: the point was deleted then. Only lists asked with `updated_since`
    /// return tombstones.
    pub deleted_at: Option<DateTime<Utc>>,
}

/// The case or meeting where a status change was reported: "done: reported to ASU in 20/24".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub committee: CommitteeCode,
    /// The case where it was reported.
    pub case: Option<CaseNumber>,
    pub case_id: Option<CaseId>,
    /// The meeting where it was reported.
    pub meeting_date: Option<NaiveDate>,
    pub meeting_id: Option<MeetingId>,
}

/// The order of a list of decision points; a leading `-` reverses it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
pub enum DecisionSort {
    /// By committee, case number and position.
    #[default]
    #[serde(rename = "case")]
    Case,
    #[serde(rename = "-case")]
    CaseDesc,
    /// By deadline, soonest first; points without a deadline last.
    #[serde(rename = "deadline")]
    Deadline,
    #[serde(rename = "-deadline")]
    DeadlineDesc,
    /// By the time of the last change, oldest first.
    #[serde(rename = "updated")]
    Updated,
    #[serde(rename = "-updated")]
    UpdatedDesc,
    /// Best match first; only with `q`, and its default.
    #[serde(rename = "relevance")]
    Relevance,
}

/// Which decision points to list.
#[derive(Debug, Default, Clone)]
pub struct DecisionFilter {
    pub statuses: Vec<DecisionStatus>,
    pub kinds: Vec<DecisionKind>,
    /// An owner's id, name or alias.
    pub owner: Option<String>,
    pub committee: Option<CommitteeCode>,
    pub meeting: Option<MeetingId>,
    pub case: Option<CaseId>,
    /// Only the points of these cases (when not empty).
    pub cases: Vec<CaseId>,
    pub due_before: Option<NaiveDate>,
    pub due_after: Option<NaiveDate>,
    pub overdue: Option<bool>,
    pub q: Option<String>,
    /// Only points of meetings on or after this date.
    pub meeting_from: Option<NaiveDate>,
    /// Only points of meetings on or before this date.
    pub meeting_to: Option<NaiveDate>,
    /// Only points changed at or after this time, deleted ones included as tombstones: for
    /// clients that mirror the log.
    pub updated_since: Option<NaiveDateTime>,
    pub sort: DecisionSort,
    pub visibility: Visibility,
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

const ACTIVE: [&str; 2] = ["open", "in_progress"];

/// Lists decision points: one page, and how many match in all (counted up to
/// [`super::COUNT_LIMIT`]). Every order is read from an index, so a page costs the same at any
/// depth and any size of the log.
pub fn list(
    conn: &mut DbConnection,
    filter: &DecisionFilter,
    after: Option<&DecisionKey>,
    limit: i64,
) -> StoreResult<Page<Decision, DecisionKey>> {
    super::read_transaction(conn, |conn| {
        let prepared = Prepared::new(conn, filter)?;
        if let (Some(search), DecisionSort::Relevance) = (&prepared.search, filter.sort) {
            // The ranked matches are every match, up to more than a count counts: they are
            // the count, and the search is not run twice.
            let (items, next, ranked) = prepared.ranked_page(conn, filter, search, after, limit)?;
            return Ok(Page {
                items,
                total: super::Count::capped(ranked),
                next,
            });
        }
        let total = prepared.count(conn, filter)?;
        let (items, next) = prepared.page(conn, filter, after, limit)?;
        Ok(Page { items, total, next })
    })
}

/// One page of decision points without counting them all: for reading a long list through
/// (a report, a calendar) inside the caller's transaction.
pub(crate) fn page_of(
    conn: &mut DbConnection,
    filter: &DecisionFilter,
    after: Option<&DecisionKey>,
    limit: i64,
) -> StoreResult<(Vec<Decision>, Option<DecisionKey>)> {
    Prepared::new(conn, filter)?.page(conn, filter, after, limit)
}

/// A filter made ready for the database: the owner resolved to an id, the search to each
/// engine's query, the date of today fixed for the whole request.
#[derive(Clone)]
struct Prepared {
    owner_id: Option<String>,
    /// Whether the owner has at most [`FEW_POINTS`] points, so that a list reads them from the
    /// owner's index and sorts them, instead of walking an order's index and testing each point.
    owner_has_few: bool,
    /// Whether the meetings of the period asked for (`meeting_from`, `meeting_to`) hold at
    /// most [`FEW_POINTS`] points, so that a list reads them through the meetings' dates and
    /// sorts them. A period that holds much of the log (the follow-up list's "every meeting up
    /// to the next") is read by walking the order's index instead.
    period_has_few: bool,
    statuses: Vec<&'static str>,
    kinds: Vec<&'static str>,
    search: Option<String>,
    text_search: TextSearch,
    /// SQLite, in an order other than relevance: how many points the search matches with the
    /// filter, counted from the full-text index up to one past [`GATHERED_MATCHES`].
    matches_counted: Option<usize>,
    /// The search's words, lower case and separated by spaces, for `vl_has_every_term`.
    terms: String,
    backend: Backend,
    today: NaiveDate,
}

/// Which of PostgreSQL's two text vectors a search reads. The Norwegian one stems ("kommune"
/// finds "kommunene") but leaves out stop words, so a search of stop words alone ("og", "til")
/// reads the `simple` one, which keeps every word, and finds what SQLite's index finds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TextSearch {
    Norwegian,
    Simple,
}

impl TextSearch {
    /// Picks the vector for a PostgreSQL search expression: Norwegian unless it is left with no
    /// words once its stop words are gone.
    fn for_postgres(conn: &mut DbConnection, expression: &str) -> StoreResult<Self> {
        #[derive(diesel::QueryableByName)]
        struct Nodes {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            nodes: i32,
        }
        let found: Nodes =
            diesel::sql_query("SELECT numnode(to_tsquery('norwegian', $1)) AS nodes")
                .bind::<Text, _>(expression)
                .get_result(conn)?;
        Ok(if found.nodes == 0 {
            TextSearch::Simple
        } else {
            TextSearch::Norwegian
        })
    }

    /// The stored vector column and the configuration that parses the query for it.
    fn vector_and_config(self) -> (&'static str, &'static str) {
        match self {
            TextSearch::Norwegian => ("search_vector", "norwegian"),
            TextSearch::Simple => ("search_vector_simple", "simple"),
        }
    }

    /// `<alias>.<vector> @@ to_tsquery('<config>', `: the start of a match, to be followed by
    /// the bound query and a closing parenthesis.
    fn matches(self, table: &str) -> String {
        let (vector, config) = self.vector_and_config();
        format!("{table}.{vector} @@ to_tsquery('{config}', ")
    }
}

/// Applies the conditions of a [`DecisionFilter`] that the point's own columns decide, to any
/// boxed query that reads decisions.
macro_rules! filter_point_columns {
    ($query:expr, $filter:expr, $prepared:expr) => {{
        let filter: &DecisionFilter = $filter;
        let prepared: &Prepared = $prepared;
        let mut query = $query;
        match filter.updated_since {
            // A mirror needs the deletions too: deleted points come as tombstones.
            Some(since) => query = query.filter(decisions::updated_at.ge(since)),
            // A case with live points cannot be deleted, so a live point has a live case.
            None => query = query.filter(decisions::deleted_at.is_null()),
        }
        // A reader without a token sees public points of public cases. On SQLite the case's
        // flag is read by the point's key, not from a join: given a condition on the joined
        // case, its planner built a Bloom filter over every case of the log before counting (a
        // list read without signing in: 14 -> 2 ms at 1M points). PostgreSQL joins the case
        // (see `filter_decisions!`): given the subquery, it read every open point's entry of
        // the status index before counting the first thousand.
        if filter.visibility == Visibility::PublicOnly && prepared.backend == Backend::Sqlite {
            query = query.filter(decisions::is_public.and(sql::<Bool>(
                "(SELECT c.is_public FROM cases c WHERE c.id = decisions.case_id)",
            )));
        }
        // SQLite cannot read several statuses from the status index in deadline order and
        // would sort every match; a unary `+` keeps it on the deadline index, in order, testing
        // the status of each point.
        let unindexed_statuses = prepared.backend == Backend::Sqlite
            && matches!(
                filter.sort,
                DecisionSort::Deadline | DecisionSort::DeadlineDesc
            );
        if prepared.statuses.len() > 1 && unindexed_statuses || is_open_work(&prepared.statuses) {
            query = query.filter(status_written_out(&prepared.statuses));
        } else if !prepared.statuses.is_empty() {
            query = query.filter(decisions::status.eq_any(prepared.statuses.clone()));
        }
        if let Some(code) = &filter.committee {
            // The point carries its case's committee, so no join is needed to filter by it.
            query = query.filter(decisions::case_committee.eq(code));
        }
        if !prepared.kinds.is_empty() {
            query = query.filter(decisions::kind.eq_any(prepared.kinds.clone()));
        }
        match &prepared.owner_id {
            // A small owner's points are read from the owner's index and sorted: walking an
            // order's index would test most of the log before finding a page of them.
            // (Written as SQL: a query that walks the owners' own index of open work has
            // `decision_owners` in its FROM already.)
            Some(owner_id) if prepared.owner_has_few => {
                query = query.filter(
                    sql::<Bool>(
                        "decisions.id IN (SELECT o.decision_id FROM decision_owners o \
                         WHERE o.owner_id = ",
                    )
                    .bind::<Text, _>(owner_id.clone())
                    .sql(")"),
                );
            }
            // A large owner's points are tested point by point through the owners' primary
            // key, so that a list in deadline order reads the deadline index in order instead
            // of gathering and sorting the owner's every point.
            Some(owner_id) => {
                query = query.filter(
                    sql::<Bool>(
                        "EXISTS (SELECT 1 FROM decision_owners o \
                         WHERE o.decision_id = decisions.id AND o.owner_id = ",
                    )
                    .bind::<Text, _>(owner_id.clone())
                    .sql(")"),
                );
            }
            None => {}
        }
        if let Some(case) = filter.case {
            query = query.filter(decisions::case_id.eq(case.to_string()));
        }
        if !filter.cases.is_empty() {
            query = query.filter(super::one_of(
                prepared.backend,
                "decisions.case_id",
                filter.cases.iter().map(ToString::to_string),
            ));
        }
        if let Some(date) = filter.due_before {
            query = query.filter(decisions::deadline.le(date));
        }
        if let Some(date) = filter.due_after {
            query = query.filter(decisions::deadline.ge(date));
        }
        match filter.overdue {
            Some(true) => {
                // Written as the deadline indexes' expression (no deadline is never overdue),
                // so that the overdue points are a range of those indexes.
                query = query.filter(
                    sql::<Bool>(&format!("{} < ", deadline_order(DecisionSort::Deadline).0))
                        .bind::<Date, _>(prepared.today),
                );
                // Open work, written as its indexes' condition.
                query = query.filter(status_written_out(&ACTIVE));
            }
            Some(false) => {
                query = query.filter(
                    decisions::deadline
                        .is_null()
                        .or(decisions::deadline.ge(prepared.today))
                        .or(decisions::status.ne_all(ACTIVE)),
                );
            }
            None => {}
        }
        if let Some(search) = &prepared.search {
            query = query.filter(prepared.search_condition(search));
        }
        query
    }};
}

/// Applies a [`DecisionFilter`] to a boxed query over decisions joined with their case,
/// meeting and committee, whatever else the query joins (the ranked search on SQLite joins its
/// index as well).
macro_rules! filter_decisions {
    ($query:expr, $filter:expr, $prepared:expr) => {{
        let filter: &DecisionFilter = $filter;
        // No test of the case's `deleted_at`: a live point has a live case (see
        // `filter_point_columns!`), and on SQLite a condition on the case alone makes the
        // planner build a Bloom filter over every case before a page of 50 is read (10 ms at
        // 1M points).
        let mut query = filter_point_columns!($query, filter, $prepared);
        if let Some(from) = filter.meeting_from {
            query = query.filter(meetings::meeting_date.ge(from));
        }
        if let Some(to) = filter.meeting_to {
            query = query.filter(meetings::meeting_date.le(to));
        }
        if filter.visibility == Visibility::PublicOnly && $prepared.backend == Backend::Postgres {
            query = query.filter(decisions::is_public.and(cases::is_public));
        }
        if let Some(meeting) = filter.meeting {
            query = query.filter(cases::meeting_id.eq(meeting.to_string()));
        }
        query
    }};
}

/// The points that match a filter, as a boxed query without order or selection: the base of
/// the count and of the pages.
macro_rules! matching_decisions {
    ($filter:expr, $prepared:expr) => {{
        let prepared: &Prepared = $prepared;
        let query = decisions::table
            .inner_join(cases::table.inner_join(meetings::table))
            .inner_join(committees::table.on(committees::id.eq(cases::committee_id)))
            .into_boxed();
        filter_decisions!(query, $filter, prepared)
    }};
}

/// One owner's open work, read from the owner's index of it (migration 000017), with the rest
/// of a filter: a boxed query without order or selection.
macro_rules! owner_work {
    ($filter:expr, $owner_id:expr, $rest:expr) => {{
        let query = decision_owners::table
            .inner_join(
                decisions::table
                    .inner_join(cases::table.inner_join(meetings::table))
                    .inner_join(committees::table.on(committees::id.eq(cases::committee_id))),
            )
            .filter(decision_owners::owner_id.eq($owner_id))
            .filter(decision_owners::work_deadline.is_not_null())
            .into_boxed();
        filter_decisions!(query, $filter, $rest)
    }};
}

/// Whether the statuses are open work: open and in progress.
fn is_open_work(statuses: &[&str]) -> bool {
    let mut sorted = statuses.to_vec();
    sorted.sort_unstable();
    sorted == ["in_progress", "open"]
}

/// A point's status is one of these, written into the SQL (the statuses are the enum's own
/// words): open work as its indexes' own condition, so that the planner can use them; any
/// other set with a unary `+` on the column, so that SQLite does not read it from an index.
fn status_written_out(statuses: &[&str]) -> diesel::expression::SqlLiteral<Bool> {
    if is_open_work(statuses) {
        // Open work has indexes of its own (in deadline order, and by committee), which a
        // query uses only when its condition is written as the indexes' is.
        return sql::<Bool>("decisions.status IN ('open', 'in_progress')");
    }
    let quoted: Vec<String> = statuses.iter().map(|s| format!("'{s}'")).collect();
    sql::<Bool>(&format!("+decisions.status IN ({})", quoted.join(", ")))
}

/// An owner with at most this many points has their points sorted rather than found by
/// walking an order's index: sorting a few thousand rows costs less than testing most of the
/// log for the rare one of theirs.
const FEW_POINTS: i64 = 5_000;

/// Whether a search was asked for: a `q` that is not blank.
fn has_words(q: Option<&str>) -> bool {
    q.is_some_and(|q| !q.trim().is_empty())
}

/// Whether a filter decides on the point's case or meeting, not on the point's own columns
/// (on PostgreSQL, whether the case is public too: see `filter_point_columns!`).
fn needs_case(filter: &DecisionFilter, backend: Backend) -> bool {
    filter.meeting.is_some()
        || filter.meeting_from.is_some()
        || filter.meeting_to.is_some()
        || (backend == Backend::Postgres && filter.visibility == Visibility::PublicOnly)
}

/// Whether a filter asks for nothing but an owner and statuses, and the caller sees every point.
fn only_owner_and_statuses(filter: &DecisionFilter, backend: Backend) -> bool {
    filter.kinds.is_empty()
        && filter.committee.is_none()
        && filter.case.is_none()
        && filter.cases.is_empty()
        && filter.due_before.is_none()
        && filter.due_after.is_none()
        && filter.overdue.is_none()
        && !has_words(filter.q.as_deref())
        && filter.updated_since.is_none()
        && !needs_case(filter, backend)
        && filter.visibility == Visibility::All
}

/// How many live points were decided at meetings in a period, counted up to `cap` (SQLite).
/// Read from the meetings' dates through their cases, so that the count stops after `cap`
/// points; joined the other way round, the planner built a Bloom filter over every meeting and
/// read the points in the table's order (7 ms at 1M points, for a period holding most of them).
fn period_points(
    conn: &mut diesel::SqliteConnection,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    cap: i64,
) -> StoreResult<i64> {
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        found: i64,
    }
    let mut conditions = String::new();
    if from.is_some() {
        conditions.push_str(" AND meetings.meeting_date >= ?");
    }
    if to.is_some() {
        conditions.push_str(" AND meetings.meeting_date <= ?");
    }
    // CROSS JOIN keeps SQLite's join order as written.
    let mut query = diesel::sql_query(format!(
        "SELECT COUNT(*) AS found FROM (SELECT 1 FROM meetings \
         CROSS JOIN cases CROSS JOIN decisions \
         WHERE cases.meeting_id = meetings.id AND decisions.case_id = cases.id \
         AND decisions.deleted_at IS NULL{conditions} LIMIT {cap})"
    ))
    .into_boxed();
    if let Some(from) = from {
        query = query.bind::<Date, _>(from);
    }
    if let Some(to) = to {
        query = query.bind::<Date, _>(to);
    }
    Ok(query.get_result::<Found>(conn)?.found)
}

/// A search on SQLite that matches more than this many points, in an order other than
/// relevance, is tested point by point on each point's text while the order's index is walked:
/// a page is then found within a few thousand points. Fewer matches are gathered from the
/// full-text index and sorted.
const GATHERED_MATCHES: i64 = 5_000;

/// The columns of a listed point.
type JoinedRow = (DecisionRow, CaseKeyRow, NaiveDate, String);

impl Prepared {
    fn new(conn: &mut DbConnection, filter: &DecisionFilter) -> StoreResult<Self> {
        let owner_id = match &filter.owner {
            Some(key) => Some(
                super::owners::resolve(conn, key)?
                    .ok_or_else(|| {
                        StoreError::Invalid(format!("owner: no owner is known as '{key}'"))
                    })?
                    .to_string(),
            ),
            None => None,
        };
        // Only SQLite decides by it, and only when no meeting or case narrows the list already.
        let period_has_few = match conn {
            DbConnection::Sqlite(sqlite)
                if (filter.meeting_from.is_some() || filter.meeting_to.is_some())
                    && filter.meeting.is_none()
                    && filter.case.is_none()
                    && filter.cases.is_empty() =>
            {
                period_points(
                    sqlite,
                    filter.meeting_from,
                    filter.meeting_to,
                    FEW_POINTS + 1,
                )? <= FEW_POINTS
            }
            _ => false,
        };
        let backend = super::backend_of(conn);
        let search = filter
            .q
            .as_deref()
            .and_then(|q| search_expression(backend, q));
        let text_search = match (&search, backend) {
            (Some(expression), Backend::Postgres) => TextSearch::for_postgres(conn, expression)?,
            _ => TextSearch::Norwegian,
        };
        if filter.sort == DecisionSort::Relevance && !has_words(filter.q.as_deref()) {
            return Err(StoreError::Invalid(
                "sort: relevance needs a search (q)".into(),
            ));
        }
        let mut prepared = Self {
            owner_id,
            owner_has_few: false,
            period_has_few,
            statuses: filter.statuses.iter().map(DecisionStatus::as_str).collect(),
            kinds: filter.kinds.iter().map(DecisionKind::as_str).collect(),
            search,
            text_search,
            matches_counted: None,
            terms: search_terms(filter.q.as_deref().unwrap_or_default()).join(" "),
            backend,
            today: today(),
        };
        // Whether the owner has few points decides how a page is read, except where the
        // owner's index of open work gives the page itself.
        let owner_work_in_order =
            filter.sort == DecisionSort::Deadline && prepared.owner_work(filter).is_some();
        if let Some(owner) = prepared.owner_id.as_deref()
            && !owner_work_in_order
        {
            // Counted from the owner's index, up to one past the limit.
            prepared.owner_has_few = decision_owners::table
                .filter(decision_owners::owner_id.eq(owner))
                .select(sql::<Integer>("1"))
                .limit(FEW_POINTS + 1)
                .load::<i32>(conn)?
                .len()
                <= FEW_POINTS as usize;
        }
        if let (Backend::Sqlite, Some(search)) = (backend, &prepared.search)
            && filter.sort != DecisionSort::Relevance
        {
            let counted =
                prepared.count_from_search_index(conn, filter, search, GATHERED_MATCHES + 1)?;
            prepared.matches_counted = Some(counted);
        }
        Ok(prepared)
    }

    /// One owner's open work (open and in progress points), without a search: the owner's
    /// index of open work (migration 000017) holds it in deadline order. The owner's id, and
    /// the rest of the filter, which is tested on each point the index gives.
    fn owner_work(&self, filter: &DecisionFilter) -> Option<(String, Self)> {
        let owner_id = self.owner_id.clone()?;
        (is_open_work(&self.statuses)
            && self.search.is_none()
            && !has_words(filter.q.as_deref())
            && filter.updated_since.is_none())
        .then(|| {
            let rest = Self {
                owner_id: None,
                // Implied by the index: only open work has a row in it.
                statuses: Vec::new(),
                ..self.clone()
            };
            (owner_id, rest)
        })
    }

    /// A page of one owner's open work in deadline order, walked from the owner's index.
    fn owner_work_page(
        &self,
        conn: &mut DbConnection,
        filter: &DecisionFilter,
        owner_id: String,
        after: Option<&DecisionKey>,
        limit: i64,
    ) -> StoreResult<Vec<JoinedRow>> {
        let mut query = owner_work!(filter, owner_id, self).select((
            DecisionRow::as_select(),
            CaseKeyRow::as_select(),
            meetings::meeting_date,
            committees::code,
        ));
        match after {
            None => {}
            // The index's deadline is the list's (none: 9999-12-31), and so is the key's.
            Some(DecisionKey::Deadline { deadline, id }) => {
                query = query.filter(
                    sql::<Bool>("(decision_owners.work_deadline, decision_owners.decision_id) > (")
                        .bind::<Date, _>(*deadline)
                        .sql(", ")
                        .bind::<Text, _>(id.clone())
                        .sql(")"),
                );
            }
            Some(_) => {
                return Err(StoreError::Invalid(
                    "cursor: it belongs to another order".into(),
                ));
            }
        }
        Ok(query
            .order((
                decision_owners::work_deadline.asc(),
                decision_owners::decision_id.asc(),
            ))
            .limit(limit.saturating_add(1))
            .load(conn)?)
    }

    /// Whether a page is read by walking the order's index (SQLite). It is not when a meeting,
    /// a period of few points, a case, an owner of few points or a search of few matches
    /// narrows the list to what its own index finds faster, and a sort of them costs little.
    fn walks_order_index(&self, filter: &DecisionFilter) -> bool {
        self.backend == Backend::Sqlite
            && filter.meeting.is_none()
            && !self.period_has_few
            && filter.case.is_none()
            && filter.cases.is_empty()
            && filter.updated_since.is_none()
            && !(self.owner_id.is_some() && self.owner_has_few)
            && (self.search.is_none() || self.search_walks())
    }

    /// Whether the search is tested point by point while an order's index is walked (SQLite, a
    /// search matching more than [`GATHERED_MATCHES`] points), rather than its matches gathered
    /// from the full-text index and sorted.
    fn search_walks(&self) -> bool {
        self.matches_counted
            .is_some_and(|found| found > GATHERED_MATCHES as usize)
    }

    /// How many points match the search and the filter, up to `cap`: the full-text index leads
    /// and the count stops at the cap, instead of gathering every match first (SQLite).
    fn count_from_search_index(
        &self,
        conn: &mut DbConnection,
        filter: &DecisionFilter,
        search: &str,
        cap: i64,
    ) -> StoreResult<usize> {
        use super::schema::{decision_search, decision_search_docs};
        let unsearched = self.without_search();
        let matching = || sql::<Bool>("decision_search MATCH ").bind::<Text, _>(search.to_owned());
        Ok(if needs_case(filter, self.backend) {
            let query = decisions::table
                .inner_join(cases::table.inner_join(meetings::table))
                .inner_join(committees::table.on(committees::id.eq(cases::committee_id)))
                .inner_join(decision_search_docs::table)
                .inner_join(
                    decision_search::table.on(decision_search::rowid.eq(decision_search_docs::doc)),
                )
                .filter(matching())
                .into_boxed();
            filter_decisions!(query, filter, &unsearched)
                .select(sql::<Integer>("1"))
                .limit(cap)
                .load::<i32>(conn)?
                .len()
        } else {
            let query = decisions::table
                .inner_join(decision_search_docs::table)
                .inner_join(
                    decision_search::table.on(decision_search::rowid.eq(decision_search_docs::doc)),
                )
                .filter(matching())
                .into_boxed();
            filter_point_columns!(query, filter, &unsearched)
                .select(sql::<Integer>("1"))
                .limit(cap)
                .load::<i32>(conn)?
                .len()
        })
    }

    /// A search whose words are all syntax (or none) finds nothing, as it always has.
    fn finds_nothing(&self, filter: &DecisionFilter) -> bool {
        has_words(filter.q.as_deref()) && self.search.is_none()
    }

    /// The same filter without its search, for queries that join the full-text index
    /// themselves.
    fn without_search(&self) -> Self {
        Self {
            search: None,
            ..self.clone()
        }
    }

    /// The points that match the search, as a condition on the point: each engine finds them
    /// through its own index.
    fn search_condition(&self, search: &str) -> super::TextBoundCondition {
        if self.search_walks() {
            // Tested on the point's own text: asking the index for one point would gather
            // every word that starts with a term, for every point walked.
            return diesel::dsl::sql::<Bool>(
                "EXISTS (SELECT 1 FROM decision_search_docs d \
                 WHERE d.decision_id = decisions.id AND vl_has_every_term(d.body, ",
            )
            .bind::<Text, _>(self.terms.clone())
            .sql("))");
        }
        let sql = match self.backend {
            Backend::Sqlite => "decisions.id IN (SELECT d.decision_id FROM decision_search \
                 JOIN decision_search_docs d ON d.doc = decision_search.rowid \
                 WHERE decision_search MATCH "
                .to_owned(),
            Backend::Postgres => self.text_search.matches("decisions"),
        };
        diesel::dsl::sql::<Bool>(&sql)
            .bind::<Text, _>(search.to_owned())
            .sql(")")
    }

    /// How many points match, counted up to [`super::COUNT_LIMIT`]: an exact count of a large
    /// part of a large log would cost as much as reading it.
    fn count(&self, conn: &mut DbConnection, filter: &DecisionFilter) -> StoreResult<super::Count> {
        if self.finds_nothing(filter) {
            return Ok(super::Count::exactly(0));
        }
        // A count has no order: it reads the statuses from their index and an owner's points
        // from the owner's, and stops at the limit, instead of walking an order's index.
        let unordered = DecisionFilter {
            sort: DecisionSort::Case,
            ..filter.clone()
        };
        let filter = &unordered;
        let counting = Self {
            owner_has_few: true,
            period_has_few: true,
            ..self.clone()
        };
        let this = &counting;
        let found = if let Some(found) = self.matches_counted {
            found
        } else if let Some((owner_id, rest)) = this.owner_work(filter) {
            if only_owner_and_statuses(filter, this.backend) {
                // Counted in the owner's index alone: a row there is a live point's open work.
                decision_owners::table
                    .filter(decision_owners::owner_id.eq(owner_id))
                    .filter(decision_owners::work_deadline.is_not_null())
                    .select(sql::<Integer>("1"))
                    .limit(super::COUNT_LIMIT + 1)
                    .load::<i32>(conn)?
                    .len()
            } else {
                owner_work!(filter, owner_id, &rest)
                    .select(sql::<Integer>("1"))
                    .limit(super::COUNT_LIMIT + 1)
                    .load::<i32>(conn)?
                    .len()
            }
        } else if let (Backend::Sqlite, Some(search)) = (this.backend, &this.search) {
            this.count_from_search_index(conn, filter, search, super::COUNT_LIMIT + 1)?
        } else if needs_case(filter, this.backend) {
            matching_decisions!(filter, this)
                .select(sql::<Integer>("1"))
                .limit(super::COUNT_LIMIT + 1)
                .load::<i32>(conn)?
                .len()
        } else {
            // From the point's own indexes, without reading its case.
            filter_point_columns!(decisions::table.into_boxed(), filter, this)
                .select(sql::<Integer>("1"))
                .limit(super::COUNT_LIMIT + 1)
                .load::<i32>(conn)?
                .len()
        };
        Ok(super::Count::capped(found))
    }

    /// One page of the points that match, in the filter's order, after `after`.
    fn page(
        &self,
        conn: &mut DbConnection,
        filter: &DecisionFilter,
        after: Option<&DecisionKey>,
        limit: i64,
    ) -> StoreResult<(Vec<Decision>, Option<DecisionKey>)> {
        if self.finds_nothing(filter) {
            return Ok((Vec::new(), None));
        }
        if let (Some(search), DecisionSort::Relevance) = (&self.search, filter.sort) {
            let (items, next, _) = self.ranked_page(conn, filter, search, after, limit)?;
            return Ok((items, next));
        }
        if filter.sort == DecisionSort::Deadline
            && let Some((owner_id, rest)) = self.owner_work(filter)
        {
            let rows = rest.owner_work_page(conn, filter, owner_id, after, limit)?;
            let (rows, next) = super::split_page(rows, limit, |row| key_of(filter.sort, row));
            let items = to_decisions(conn, rows, self.today, filter.visibility)?;
            return Ok((items, next));
        }
        let mut query = matching_decisions!(filter, self).select((
            DecisionRow::as_select(),
            CaseKeyRow::as_select(),
            meetings::meeting_date,
            committees::code,
        ));
        // Keyset paging: the next page starts after the sort key of the last point seen, so
        // that a point changed or added while a client pages is neither skipped nor seen twice.
        // The row-value comparisons read the same on SQLite and PostgreSQL and match the
        // indexes.
        if let Some(key) = after {
            query = match (filter.sort, key) {
                (
                    DecisionSort::Case | DecisionSort::CaseDesc,
                    DecisionKey::Case {
                        committee,
                        year,
                        serial,
                        position,
                    },
                ) => {
                    let op = if filter.sort == DecisionSort::Case {
                        ">"
                    } else {
                        "<"
                    };
                    query.filter(
                        sql::<Bool>(&format!("(decisions.case_committee, decisions.case_year, decisions.case_serial, decisions.position_sort) {op} ("))
                            .bind::<Text, _>(committee.clone())
                            .sql(", ")
                            .bind::<Integer, _>(*year)
                            .sql(", ")
                            .bind::<Integer, _>(*serial)
                            .sql(", ")
                            .bind::<Integer, _>(*position)
                            .sql(")"),
                    )
                }
                (
                    DecisionSort::Deadline | DecisionSort::DeadlineDesc,
                    DecisionKey::Deadline { deadline, id },
                ) => {
                    let (column, op) = deadline_order(filter.sort);
                    query.filter(
                        sql::<Bool>(&format!("({column}, decisions.id) {op} ("))
                            .bind::<Date, _>(*deadline)
                            .sql(", ")
                            .bind::<Text, _>(id.clone())
                            .sql(")"),
                    )
                }
                (
                    DecisionSort::Updated | DecisionSort::UpdatedDesc,
                    DecisionKey::Updated { updated_at, id },
                ) => {
                    let op = if filter.sort == DecisionSort::Updated {
                        ">"
                    } else {
                        "<"
                    };
                    query.filter(
                        sql::<Bool>(&format!("(decisions.updated_at, decisions.id) {op} ("))
                            .bind::<Timestamp, _>(*updated_at)
                            .sql(", ")
                            .bind::<Text, _>(id.clone())
                            .sql(")"),
                    )
                }
                _ => {
                    return Err(StoreError::Invalid(
                        "cursor: it belongs to another order".into(),
                    ));
                }
            };
        }
        if self.walks_order_index(filter)
            && let Some(range) = whole_index_range(filter.sort)
        {
            query = query.filter(sql::<Bool>(range));
        }
        let query = match filter.sort {
            DecisionSort::Relevance => unreachable!("a ranked page is read above"),
            DecisionSort::Case => query.order((
                decisions::case_committee.asc(),
                decisions::case_year.asc(),
                decisions::case_serial.asc(),
                decisions::position_sort.asc(),
            )),
            DecisionSort::CaseDesc => query.order((
                decisions::case_committee.desc(),
                decisions::case_year.desc(),
                decisions::case_serial.desc(),
                decisions::position_sort.desc(),
            )),
            DecisionSort::Deadline => query.order((
                sql::<Date>(deadline_order(filter.sort).0).asc(),
                decisions::id.asc(),
            )),
            DecisionSort::DeadlineDesc => query.order((
                sql::<Date>(deadline_order(filter.sort).0).desc(),
                decisions::id.desc(),
            )),
            DecisionSort::Updated => {
                query.order((decisions::updated_at.asc(), decisions::id.asc()))
            }
            DecisionSort::UpdatedDesc => {
                query.order((decisions::updated_at.desc(), decisions::id.desc()))
            }
        };
        // One row more than asked for tells whether another page follows.
        let rows: Vec<JoinedRow> = query.limit(limit.saturating_add(1)).load(conn)?;
        let (rows, next) = super::split_page(rows, limit, |row| key_of(filter.sort, row));
        let mut items = to_decisions(conn, rows, self.today, filter.visibility)?;
        if let Some(search) = &self.search {
            attach_snippets(
                conn,
                filter.q.as_deref().unwrap_or_default(),
                search,
                self.text_search,
                &mut items,
                None,
            )?;
        }
        Ok((items, next))
    }

    /// One page of a search, best match first. The engine scores the [`RANKED_MATCHES`] most
    /// recently recorded points that match (every match, when fewer match) and the page is
    /// taken from them: ranking every match of a word found in most of the log would cost as
    /// much as reading the log.
    fn ranked_page(
        &self,
        conn: &mut DbConnection,
        filter: &DecisionFilter,
        search: &str,
        after: Option<&DecisionKey>,
        limit: i64,
    ) -> StoreResult<(Vec<Decision>, Option<DecisionKey>, usize)> {
        let after = match after {
            None => None,
            Some(DecisionKey::Relevance { score_bits, id }) => {
                Some((f64::from_bits(*score_bits), id.clone()))
            }
            Some(_) => {
                return Err(StoreError::Invalid(
                    "cursor: it belongs to another order".into(),
                ));
            }
        };
        let mut scored = self.scored_matches(conn, filter, search)?;
        let ranked = scored.len();
        // Best first; equal scores in the order of their ids, as the cursor continues.
        scored.sort_by(|(a_id, a), (b_id, b)| b.total_cmp(a).then_with(|| a_id.cmp(b_id)));
        let take = usize::try_from(limit.saturating_add(1)).unwrap_or(usize::MAX);
        let chosen: Vec<(String, f64)> = scored
            .into_iter()
            .filter(|(id, score)| match &after {
                None => true,
                Some((last, last_id)) => *score < *last || (*score == *last && id > last_id),
            })
            .take(take)
            .collect();
        let mut by_id: HashMap<String, JoinedRow> = decisions::table
            .inner_join(cases::table.inner_join(meetings::table))
            .inner_join(committees::table.on(committees::id.eq(cases::committee_id)))
            .filter(super::one_of(
                self.backend,
                "decisions.id",
                chosen.iter().map(|(id, _)| id.clone()),
            ))
            .select((
                DecisionRow::as_select(),
                CaseKeyRow::as_select(),
                meetings::meeting_date,
                committees::code,
            ))
            .load::<JoinedRow>(conn)?
            .into_iter()
            .map(|row| (row.0.id.clone(), row))
            .collect();
        let rows: Vec<(JoinedRow, f64)> = chosen
            .into_iter()
            .filter_map(|(id, score)| by_id.remove(&id).map(|row| (row, score)))
            .collect();
        let (rows, next) = super::split_page(rows, limit, |(row, score)| DecisionKey::Relevance {
            score_bits: score.to_bits(),
            id: row.0.id.clone(),
        });
        let scores: HashMap<String, f64> = rows
            .iter()
            .map(|(row, score)| (row.0.id.clone(), *score))
            .collect();
        let rows = rows.into_iter().map(|(row, _)| row).collect();
        let mut items = to_decisions(conn, rows, self.today, filter.visibility)?;
        attach_snippets(
            conn,
            filter.q.as_deref().unwrap_or_default(),
            search,
            self.text_search,
            &mut items,
            Some(&scores),
        )?;
        Ok((items, next, ranked))
    }

    /// The ids and scores (higher is better) of the most recently recorded points that match
    /// the search and the filter, at most [`RANKED_MATCHES`]: each engine walks its index from
    /// the newest point and stops there, scoring only what it returns.
    fn scored_matches(
        &self,
        conn: &mut DbConnection,
        filter: &DecisionFilter,
        search: &str,
    ) -> StoreResult<Vec<(String, f64)>> {
        use super::schema::{decision_search, decision_search_docs};
        // The search itself is the ranked join below, not a condition beside it.
        let unsearched = self.without_search();
        // The index's rowid is the point's entry, made when the point was recorded, so its
        // order is the order of recording. The texts are scored here as bm25 scores them, but
        // without its weight of each word by how rare it is: that weight reads every entry of
        // a word once per search (751k for "kommune" at 1M points, half the search's time),
        // and it weighs nothing when every point found has every word.
        macro_rules! sqlite_ranked {
            ($base:expr, $filtered:ident) => {{
                let query = $base
                    .inner_join(decision_search_docs::table)
                    .inner_join(
                        decision_search::table
                            .on(decision_search::rowid.eq(decision_search_docs::doc)),
                    )
                    .select((decisions::id, decision_search_docs::body))
                    .filter(
                        sql::<Bool>("decision_search MATCH ").bind::<Text, _>(search.to_owned()),
                    )
                    .into_boxed();
                let texts: Vec<(String, String)> = $filtered!(query, filter, &unsearched)
                    .order(decision_search::rowid.desc())
                    .limit(RANKED_MATCHES)
                    .load(conn)?;
                let terms = search_terms(filter.q.as_deref().unwrap_or_default());
                texts
                    .into_iter()
                    .map(|(id, body)| {
                        let score = crate::domain::term_score(&body, &terms);
                        (id, score)
                    })
                    .collect()
            }};
        }
        macro_rules! postgres_ranked {
            ($base:expr, $filtered:ident) => {{
                let (vector, config) = self.text_search.vector_and_config();
                let query = $base
                    .select((
                        decisions::id,
                        sql::<Double>(&format!(
                            "ts_rank(decisions.{vector}, to_tsquery('{config}', "
                        ))
                        .bind::<Text, _>(search.to_owned())
                        .sql("))::float8"),
                    ))
                    .filter(self.search_condition(search))
                    .into_boxed();
                $filtered!(query, filter, &unsearched)
                    .order((decisions::created_at.desc(), decisions::id.desc()))
                    .limit(RANKED_MATCHES)
                    .load(conn)?
            }};
        }
        // The point's case, meeting and committee are joined only when the filter asks about
        // them. PostgreSQL estimates a search's matches in the hundreds, and joins them by
        // hashing every case of the log (55 ms at 1M points for a word in 10 points).
        let joined = || {
            decisions::table
                .inner_join(cases::table.inner_join(meetings::table))
                .inner_join(committees::table.on(committees::id.eq(cases::committee_id)))
        };
        Ok(match (self.backend, needs_case(filter, self.backend)) {
            (Backend::Sqlite, true) => sqlite_ranked!(joined(), filter_decisions),
            (Backend::Sqlite, false) => sqlite_ranked!(decisions::table, filter_point_columns),
            (Backend::Postgres, true) => postgres_ranked!(joined(), filter_decisions),
            (Backend::Postgres, false) => postgres_ranked!(decisions::table, filter_point_columns),
        })
    }
}

/// How many matches of a search are ranked: the most recently recorded ones. Enough that a
/// search a person reads is ranked whole; a word in most of a large log is ranked among its
/// newest uses.
pub const RANKED_MATCHES: i64 = 2_000;
// The ranked matches count a search's matches: there must be more of them than a count counts.
const _: () = assert!(RANKED_MATCHES > super::COUNT_LIMIT);

/// SQLite: the whole of the order's index as a range, a condition every point meets, which
/// the planner is told a page's share of the log meets. Without it, SQLite's planner joins the
/// log from its smallest table and sorts every point to return a page (0.5-2.6 s at 1M
/// points); with it, walking the index in order and stopping after the page is the plan, as
/// it is the cheap one when nothing else narrows the list much.
fn whole_index_range(sort: DecisionSort) -> Option<&'static str> {
    Some(match sort {
        DecisionSort::Case | DecisionSort::CaseDesc => {
            "likelihood(decisions.case_committee >= '', 0.001)"
        }
        DecisionSort::Deadline => {
            "likelihood(COALESCE(decisions.deadline, '9999-12-31') >= '0001-01-01', 0.001)"
        }
        DecisionSort::DeadlineDesc => {
            "likelihood(COALESCE(decisions.deadline, '0001-01-01') <= '9999-12-31', 0.001)"
        }
        DecisionSort::Updated | DecisionSort::UpdatedDesc => {
            "likelihood(decisions.updated_at >= '0001-01-01', 0.001)"
        }
        DecisionSort::Relevance => return None,
    })
}

/// The deadline as sorted (points without one last, in either direction) and the comparison
/// that continues after a key.
fn deadline_order(sort: DecisionSort) -> (&'static str, &'static str) {
    if sort == DecisionSort::DeadlineDesc {
        ("COALESCE(decisions.deadline, '0001-01-01')", "<")
    } else {
        ("COALESCE(decisions.deadline, '9999-12-31')", ">")
    }
}

/// Where a page of decision points ends, in the terms of its order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum DecisionKey {
    Case {
        committee: String,
        year: i32,
        serial: i32,
        position: i32,
    },
    Deadline {
        deadline: NaiveDate,
        id: String,
    },
    Updated {
        updated_at: NaiveDateTime,
        id: String,
    },
    Relevance {
        /// The score's bits: a float survives JSON only approximately.
        score_bits: u64,
        id: String,
    },
}

fn key_of(sort: DecisionSort, (decision, case, _, code): &JoinedRow) -> DecisionKey {
    match sort {
        DecisionSort::Case | DecisionSort::CaseDesc => DecisionKey::Case {
            committee: code.clone(),
            year: case.case_year,
            serial: case.case_serial,
            position: decision.position_sort,
        },
        DecisionSort::Deadline | DecisionSort::DeadlineDesc => {
            let none = if sort == DecisionSort::Deadline {
                NO_DEADLINE_ASC
            } else {
                NO_DEADLINE_DESC
            };
            DecisionKey::Deadline {
                deadline: decision.deadline.unwrap_or(none),
                id: decision.id.clone(),
            }
        }
        DecisionSort::Relevance => DecisionKey::Relevance {
            score_bits: 0,
            id: decision.id.clone(),
        },
        DecisionSort::Updated | DecisionSort::UpdatedDesc => DecisionKey::Updated {
            updated_at: decision.updated_at,
            id: decision.id.clone(),
        },
    }
}

/// The dates that stand for "no deadline" in each direction, as `deadline_order` writes them.
const NO_DEADLINE_ASC: NaiveDate = super::LAST_DAY;
const NO_DEADLINE_DESC: NaiveDate = super::FIRST_DAY;

fn to_decisions(
    conn: &mut DbConnection,
    rows: Vec<JoinedRow>,
    today: NaiveDate,
    visibility: Visibility,
) -> StoreResult<Vec<Decision>> {
    let ids: Vec<&str> = rows.iter().map(|(d, _, _, _)| d.id.as_str()).collect();
    // Where postponed cases went, for their postponement points: one query for the page.
    let postponed_cases: Vec<&str> = rows
        .iter()
        .filter(|(d, _, _, _)| d.kind == DecisionKind::Postponement)
        .map(|(d, _, _, _)| d.case_id.as_str())
        .collect();
    let postponements = super::cases::postponements_of(conn, &postponed_cases, visibility)?;
    let mut owners_by_decision: HashMap<String, Vec<DecisionOwner>> = HashMap::new();
    let owner_rows: Vec<(String, String, String, bool)> = decision_owners::table
        .inner_join(owners::table)
        .filter(super::one_of(
            super::backend_of(conn),
            "decision_owners.decision_id",
            ids.iter().map(|id| (*id).to_owned()),
        ))
        .select((
            decision_owners::decision_id,
            owners::id,
            owners::name,
            decision_owners::responsible,
        ))
        .order((decision_owners::decision_id, decision_owners::ordinal))
        .load(conn)?;
    for (decision_id, owner_id, name, responsible) in owner_rows {
        owners_by_decision
            .entry(decision_id)
            .or_default()
            .push(DecisionOwner {
                id: parse_stored(&owner_id, "owners.id")?,
                name,
                responsible,
            });
    }
    rows.into_iter()
        .map(|(row, case, meeting_date, code)| {
            let (kind, status) = (row.kind, row.status);
            Ok(Decision {
                owners: owners_by_decision.remove(&row.id).unwrap_or_default(),
                postponed_to: (kind == DecisionKind::Postponement)
                    .then(|| postponements.get(&row.case_id).cloned())
                    .flatten(),
                id: parse_stored(&row.id, "decisions.id")?,
                case: DecisionCase {
                    id: parse_stored(&row.case_id, "decisions.case_id")?,
                    committee: parse_stored(&code, "committees.code")?,
                    number: CaseNumber::new(case.case_serial, case.case_year)
                        .map_err(|e| StoreError::Corrupt(format!("case {}: {e}", row.case_id)))?,
                    title: case.title,
                    meeting_id: parse_stored(&case.meeting_id, "cases.meeting_id")?,
                    meeting_date,
                },
                position: row.position,
                text: row.text,
                kind,
                deadline: row.deadline,
                status,
                status_note: row.status_note,
                status_evidence: row
                    .status_evidence
                    .as_deref()
                    .map(|e| {
                        serde_json::from_str(e).map_err(|err| {
                            StoreError::Corrupt(format!(
                                "decisions.status_evidence of {}: {err}",
                                row.id
                            ))
                        })
                    })
                    .transpose()?,
                needs_follow_up: kind.needs_follow_up(),
                overdue: status.is_active() && row.deadline.is_some_and(|d| d < today),
                public: row.is_public,
                version: row.version,
                created_at: utc(row.created_at),
                updated_at: utc(row.updated_at),
                updated_by: row.updated_by,
                deleted_at: row.deleted_at.map(utc),
                search: None,
            })
        })
        .collect()
}

/// A decision point. A deleted one is `Gone`; one exempt from public access is `NotFound` for
/// those who may see only what is public.
pub fn get(
    conn: &mut DbConnection,
    id: DecisionId,
    visibility: Visibility,
) -> StoreResult<Decision> {
    let found = decisions::table
        .inner_join(cases::table.inner_join(meetings::table))
        .inner_join(committees::table.on(committees::id.eq(cases::committee_id)))
        // By a unique id, so no `first()`: SQLite plans a statement with `LIMIT ?` for the
        // bound limit, which makes it prepare the kept statement anew at every run.
        .filter(decisions::id.eq(id.to_string()))
        .select((
            DecisionRow::as_select(),
            CaseKeyRow::as_select(),
            meetings::meeting_date,
            committees::code,
            decisions::deleted_at,
            cases::is_public,
        ))
        .get_result::<(
            DecisionRow,
            CaseKeyRow,
            NaiveDate,
            String,
            Option<NaiveDateTime>,
            bool,
        )>(conn)
        .optional()?;
    let not_found = || StoreError::NotFound(format!("no decision point with id {id}"));
    let (decision, case, date, code, deleted_at, case_public) = found.ok_or_else(not_found)?;
    let row = (decision, case, date, code);
    if visibility == Visibility::PublicOnly && !(row.0.is_public && case_public) {
        return Err(not_found());
    }
    if let Some(at) = deleted_at {
        return Err(StoreError::Gone(format!(
            "decision point {id} was deleted at {} by {}; its history remains",
            utc(at).to_rfc3339(),
            row.0.updated_by
        )));
    }
    Ok(to_decisions(conn, vec![row], today(), visibility)?.remove(0))
}

/// The history of a decision point, oldest first; deleted points keep theirs.
pub fn history(
    conn: &mut DbConnection,
    id: DecisionId,
    visibility: Visibility,
) -> StoreResult<Vec<HistoryEntry>> {
    match get(conn, id, visibility) {
        Ok(_) | Err(StoreError::Gone(_)) => super::history::of_record(conn, &id.to_string()),
        Err(other) => Err(other),
    }
}

/// Marks the points of these cases changed now, without a new version or history entry:
/// what they show of their case (title, number, meeting, public access) or owners changed, and
/// a mirror polling with `updated_since` must fetch them again.
pub(crate) fn touch(conn: &mut DbConnection, ids: &[String]) -> StoreResult<()> {
    if !ids.is_empty() {
        let ids = super::one_of(super::backend_of(conn), "decisions.id", ids.iter().cloned());
        diesel::update(decisions::table.filter(ids))
            .set(decisions::updated_at.eq(now()))
            .execute(conn)?;
    }
    Ok(())
}

/// The ids of the points of these cases.
pub(crate) fn ids_of_cases(conn: &mut DbConnection, cases: &[String]) -> StoreResult<Vec<String>> {
    let cases = super::one_of(
        super::backend_of(conn),
        "decisions.case_id",
        cases.iter().cloned(),
    );
    Ok(decisions::table
        .filter(cases)
        .select(decisions::id)
        .load(conn)?)
}

/// Every decision point that matches, in one snapshot.
pub fn list_every(conn: &mut DbConnection, filter: &DecisionFilter) -> StoreResult<Vec<Decision>> {
    super::read_transaction(conn, |conn| list_all(conn, filter))
}

/// Every decision point that matches, inside the caller's transaction: for lists bounded by
/// what they are (a meeting's points, a chain's), not for the whole log.
pub(crate) fn list_all(
    conn: &mut DbConnection,
    filter: &DecisionFilter,
) -> StoreResult<Vec<Decision>> {
    let prepared = Prepared::new(conn, filter)?;
    Ok(prepared.page(conn, filter, None, i64::from(i32::MAX))?.0)
}

/// All decision points of these cases, by case and position.
pub(crate) fn of_cases(
    conn: &mut DbConnection,
    cases: &[CaseId],
    visibility: Visibility,
) -> StoreResult<Vec<Decision>> {
    if cases.is_empty() {
        return Ok(Vec::new());
    }
    let filter = DecisionFilter {
        cases: cases.to_vec(),
        visibility,
        ..DecisionFilter::default()
    };
    list_all(conn, &filter)
}

/// All decision points of a case, in order of position.
pub(crate) fn of_case(
    conn: &mut DbConnection,
    case: CaseId,
    visibility: Visibility,
) -> StoreResult<Vec<Decision>> {
    let filter = DecisionFilter {
        case: Some(case),
        visibility,
        ..DecisionFilter::default()
    };
    list_all(conn, &filter)
}

/// The row of a new decision point.
#[derive(Insertable)]
#[diesel(table_name = decisions)]
pub(crate) struct NewDecisionRow<'a> {
    pub id: DecisionId,
    pub case_id: CaseId,
    pub position: Position,
    pub position_sort: i32,
    pub text: &'a str,
    pub kind: DecisionKind,
    pub deadline: Option<NaiveDate>,
    pub status: DecisionStatus,
    pub status_note: Option<String>,
    pub search_text: &'a str,
    pub is_public: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub updated_by: &'a str,
    pub case_committee: &'a CommitteeCode,
    pub case_year: i32,
    pub case_serial: i32,
}

/// The columns a change of a decision point may write; `None` is NULL.
#[derive(Clone)]
pub(crate) struct DecisionRowChanges<'a> {
    pub position: Position,
    pub position_sort: i32,
    pub text: &'a str,
    pub kind: DecisionKind,
    pub deadline: Option<NaiveDate>,
    pub status: DecisionStatus,
    pub status_note: Option<String>,
    pub status_evidence: Option<String>,
    pub is_public: bool,
    pub updated_at: NaiveDateTime,
    pub updated_by: &'a str,
    /// The point's new search text, written with the change when what it is searched by
    /// changed and is known before the write (see [`search_text_of`]); `None` leaves it.
    pub search_text: Option<String>,
}

impl<'a> DecisionRowChanges<'a> {
    /// The columns of a point as it is now, to change from.
    pub fn of(current: &'a Decision, at: NaiveDateTime, actor: &'a str) -> StoreResult<Self> {
        Ok(Self {
            position: current.position,
            position_sort: current.position.sort_key(),
            text: &current.text,
            kind: current.kind,
            deadline: current.deadline,
            status: current.status,
            status_note: current.status_note.clone(),
            status_evidence: current
                .status_evidence
                .as_ref()
                .map(evidence_json)
                .transpose()?,
            is_public: current.public,
            updated_at: at,
            updated_by: actor,
            search_text: None,
        })
    }
}

/// Evidence as it is stored.
pub(crate) fn evidence_json(evidence: &Evidence) -> StoreResult<String> {
    serde_json::to_string(evidence).map_err(|e| StoreError::Internal(e.to_string()))
}

pub(crate) fn insert(conn: &mut DbConnection, row: &NewDecisionRow<'_>) -> StoreResult<()> {
    diesel::insert_into(decisions::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Writes a change of a point as its next version: of the columns, only those whose value
/// differs from `before` (and the time and author of the change). SQLite rewrites every index
/// that holds a column named in an update, changed or not; decisions have a dozen.
pub(crate) fn change(
    conn: &mut DbConnection,
    id: DecisionId,
    before: &DecisionRowChanges<'_>,
    after: &DecisionRowChanges<'_>,
) -> StoreResult<()> {
    let position_changed = before.position != after.position;
    prepared::update(
        decisions::table,
        decisions::id.eq(id),
        (
            position_changed.then(|| decisions::position.eq(after.position)),
            position_changed.then(|| decisions::position_sort.eq(after.position_sort)),
            (before.text != after.text).then(|| decisions::text.eq(after.text)),
            (before.kind != after.kind).then(|| decisions::kind.eq(after.kind)),
            (before.deadline != after.deadline).then(|| decisions::deadline.eq(after.deadline)),
            (before.status != after.status).then(|| decisions::status.eq(after.status)),
            (before.status_note != after.status_note)
                .then(|| decisions::status_note.eq(after.status_note.as_deref())),
            (before.status_evidence != after.status_evidence)
                .then(|| decisions::status_evidence.eq(after.status_evidence.as_deref())),
            (before.is_public != after.is_public).then(|| decisions::is_public.eq(after.is_public)),
            after
                .search_text
                .as_deref()
                .map(|text| decisions::search_text.eq(text)),
            decisions::updated_at.eq(after.updated_at),
            decisions::updated_by.eq(after.updated_by),
            decisions::version.eq(decisions::version + 1),
        ),
    )
    .execute(conn)?;
    Ok(())
}

/// The point as [`change`] leaves it, from the point as it was and the columns written, for a
/// change that keeps its kind, owners and case: what [`get`] reads back after it, without
/// reading it inside the writer's turn. `evidence` is what `after.status_evidence` holds.
pub(crate) fn changed(
    mut point: Decision,
    after: &DecisionRowChanges<'_>,
    evidence: Option<Evidence>,
) -> Decision {
    debug_assert_eq!(point.kind, after.kind, "a new kind is read back");
    point.position = after.position;
    after.text.clone_into(&mut point.text);
    point.deadline = after.deadline;
    point.status = after.status;
    point.status_note.clone_from(&after.status_note);
    point.status_evidence = evidence;
    point.public = after.is_public;
    point.version += 1;
    point.updated_at = utc(after.updated_at);
    after.updated_by.clone_into(&mut point.updated_by);
    point.overdue = point.status.is_active() && point.deadline.is_some_and(|d| d < today());
    point
}

/// Makes a point a tombstone, as its next version.
pub(crate) fn mark_deleted(
    conn: &mut DbConnection,
    id: DecisionId,
    actor: &str,
    at: NaiveDateTime,
) -> StoreResult<()> {
    diesel::update(decisions::table.filter(decisions::id.eq(id)))
        .set((
            decisions::deleted_at.eq(at),
            decisions::updated_at.eq(at),
            decisions::updated_by.eq(actor),
            decisions::version.eq(decisions::version + 1),
        ))
        .execute(conn)?;
    Ok(())
}

/// Replaces the owners of a point, in the order given.
pub(crate) fn set_owners(
    conn: &mut DbConnection,
    id: DecisionId,
    owners: &[(OwnerId, bool)],
) -> StoreResult<()> {
    diesel::delete(decision_owners::table.filter(decision_owners::decision_id.eq(id)))
        .execute(conn)?;
    for (ordinal, (owner, responsible)) in (0..).zip(owners) {
        diesel::insert_into(decision_owners::table)
            .values((
                decision_owners::decision_id.eq(id),
                decision_owners::owner_id.eq(owner),
                decision_owners::responsible.eq(*responsible),
                decision_owners::ordinal.eq(ordinal),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Whether a case has a (not deleted) point at this position.
pub(crate) fn position_taken(
    conn: &mut DbConnection,
    case: CaseId,
    position: Position,
) -> StoreResult<bool> {
    let taken: i64 = decisions::table
        .filter(decisions::case_id.eq(case))
        .filter(decisions::position.eq(position))
        .filter(decisions::deleted_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(taken > 0)
}

/// Keeps the case's number that the points of a case carry (for the order by case) in step.
pub(crate) fn set_case_number(
    conn: &mut DbConnection,
    case: CaseId,
    number: CaseNumber,
) -> StoreResult<()> {
    diesel::update(decisions::table.filter(decisions::case_id.eq(case)))
        .set((
            decisions::case_year.eq(number.year()),
            decisions::case_serial.eq(number.serial()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The open or in-progress postponement points of these cases.
pub(crate) fn open_postponements_of(
    conn: &mut DbConnection,
    cases: &[String],
) -> StoreResult<Vec<DecisionId>> {
    Ok(decisions::table
        .filter(super::one_of(
            super::backend_of(conn),
            "decisions.case_id",
            cases.iter().cloned(),
        ))
        .filter(decisions::deleted_at.is_null())
        .filter(decisions::kind.eq(DecisionKind::Postponement))
        .filter(decisions::status.eq_any(ACTIVE))
        .select(decisions::id)
        .load(conn)?)
}

/// The ids of the points an owner owns.
pub(crate) fn owned_by(conn: &mut DbConnection, owner: OwnerId) -> StoreResult<Vec<String>> {
    Ok(decision_owners::table
        .filter(decision_owners::owner_id.eq(owner))
        .select(decision_owners::decision_id)
        .load(conn)?)
}

/// How many (not deleted) points an owner owns.
pub(crate) fn count_owned_by(conn: &mut DbConnection, owner: OwnerId) -> StoreResult<i64> {
    Ok(decision_owners::table
        .inner_join(decisions::table)
        .filter(decision_owners::owner_id.eq(owner))
        .filter(decisions::deleted_at.is_null())
        .count()
        .get_result(conn)?)
}

/// A point found by a search: the words matched in context, and how well it matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchMatch {
    /// The text around the words found, which are marked with [ and ].
    pub snippet: String,
    /// Higher is better; comparable only within one search.
    pub score: f64,
}

#[derive(QueryableByName)]
struct Snippet {
    #[diesel(sql_type = Text)]
    decision_id: String,
    #[diesel(sql_type = Text)]
    snippet: String,
    #[diesel(sql_type = Double)]
    score: f64,
}

/// The words of a query, as letters and digits only, so that nothing in them is syntax to
/// either search engine.
fn search_terms(q: &str) -> Vec<String> {
    q.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .take(12)
        .collect()
}

/// The search for the words of `q` in each engine's own syntax, each word also as the start
/// of a longer one ("e-læring" finds "e-læringskurs"): FTS5 on SQLite, the Norwegian
/// configuration on PostgreSQL (which also stems: "kommune" finds "kommunene"). `None` when
/// `q` has no words.
fn search_expression(backend: Backend, q: &str) -> Option<String> {
    let terms = search_terms(q);
    if terms.is_empty() {
        return None;
    }
    Some(match backend {
        Backend::Sqlite => terms
            .iter()
            .map(|t| format!("\"{t}\"*"))
            .collect::<Vec<_>>()
            .join(" AND "),
        Backend::Postgres => terms
            .iter()
            .map(|t| format!("{t}:*"))
            .collect::<Vec<_>>()
            .join(" & "),
    })
}

/// Marks how each point of a page matched a search: the words found in context, and the
/// score (given by a ranked page, computed here otherwise). Only the page's points are read.
fn attach_snippets(
    conn: &mut DbConnection,
    q: &str,
    search: &str,
    text_search: TextSearch,
    items: &mut [Decision],
    scores: Option<&HashMap<String, f64>>,
) -> StoreResult<()> {
    if items.is_empty() {
        return Ok(());
    }
    let ids = super::json_list(items.iter().map(|item| item.id.to_string()));
    let found: Vec<Snippet> = match conn {
        // The snippets are made from the page's own texts: asking the index for each entry
        // runs the whole search again for every one (a word's prefix is merged from every word
        // that starts with it), and its scores would read every match. A ranked page brings
        // the index's scores; in other orders the score weighs the words in the text itself.
        DbConnection::Sqlite(sqlite) => {
            use super::schema::decision_search_docs;
            let terms = search_terms(q);
            decision_search_docs::table
                .filter(super::one_of(
                    Backend::Sqlite,
                    "decision_search_docs.decision_id",
                    items.iter().map(|item| item.id.to_string()),
                ))
                .select((
                    decision_search_docs::decision_id,
                    decision_search_docs::body,
                ))
                .load::<(String, String)>(sqlite)?
                .into_iter()
                .filter_map(|(decision_id, body)| {
                    crate::domain::snippet(&body, &terms).map(|snippet| Snippet {
                        // A ranked page brings its scores; only other orders weigh the text.
                        score: if scores.is_some() {
                            0.0
                        } else {
                            crate::domain::term_score(&body, &terms)
                        },
                        decision_id,
                        snippet,
                    })
                })
                .collect()
        }
        DbConnection::Postgres(pg) => {
            let (vector, config) = text_search.vector_and_config();
            diesel::sql_query(format!(
                "SELECT d.id AS decision_id, \
                 ts_headline('{config}', d.search_text, q, 'StartSel=[, StopSel=], MaxWords=20, MinWords=8') AS snippet, \
                 ts_rank(d.{vector}, q)::float8 AS score \
                 FROM decisions d, to_tsquery('{config}', $1) q \
                 WHERE d.id IN (SELECT json_array_elements_text(CAST($2 AS json)))",
            ))
            .bind::<Text, _>(search)
            .bind::<Text, _>(&ids)
            .load(pg)?
        }
    };
    let mut found: HashMap<String, Snippet> = found
        .into_iter()
        .map(|s| (s.decision_id.clone(), s))
        .collect();
    for item in items {
        let id = item.id.to_string();
        if let Some(hit) = found.remove(&id) {
            item.search = Some(SearchMatch {
                snippet: hit.snippet,
                score: scores
                    .and_then(|s| s.get(&id).copied())
                    .unwrap_or(hit.score),
            });
        }
    }
    Ok(())
}

/// Writes the search text of a point just read back after a write: what
/// [`refresh_search_text`] reads from the database, taken from the point in hand.
pub(crate) fn write_search_text(conn: &mut DbConnection, point: &Decision) -> StoreResult<()> {
    store_search_text(conn, &point.id.to_string(), &search_text_of_point(point))
}

/// Writes a point's entry in SQLite's full-text index when its `search_text` column was
/// written with its change (see [`DecisionRowChanges::search_text`]).
pub(crate) fn write_search_doc(conn: &mut DbConnection, point: &Decision) -> StoreResult<()> {
    store_search_doc(conn, &point.id.to_string(), &search_text_of_point(point))
}

fn search_text_of_point(point: &Decision) -> String {
    let owner_names: Vec<String> = point.owners.iter().map(|o| o.name.clone()).collect();
    search_text_of(
        &point.text,
        point.status_note.as_deref(),
        &point.case.title,
        &owner_names,
    )
}

/// What a point is searched by: its text, status note, case title and owners' names.
pub(crate) fn search_text_of(
    text: &str,
    note: Option<&str>,
    title: &str,
    owner_names: &[String],
) -> String {
    let mut parts = vec![text, note.unwrap_or_default(), title];
    parts.extend(owner_names.iter().map(String::as_str));
    // A separator that is not whitespace keeps a phrase from matching across two fields.
    parts.retain(|p| !p.trim().is_empty());
    // PostgreSQL's parser reads "ønske/behov" as one file path, not two words.
    parts.join(" · ").replace('/', " / ")
}

fn store_search_text(conn: &mut DbConnection, id: &str, search_text: &str) -> StoreResult<()> {
    prepared::update(
        decisions::table,
        decisions::id.eq(id),
        decisions::search_text.eq(search_text),
    )
    .execute(conn)?;
    store_search_doc(conn, id, search_text)
}

/// SQLite's full-text index reads a table of its own, keyed so that replacing a point's entry
/// is a lookup; PostgreSQL's is a generated column of `decisions`.
fn store_search_doc(conn: &mut DbConnection, id: &str, search_text: &str) -> StoreResult<()> {
    if let DbConnection::Sqlite(sqlite) = conn {
        prepared::sql("INSERT INTO decision_search_docs (decision_id, body) VALUES (")
            .bind::<Text, _>(id)
            .sql(", ")
            .bind::<Text, _>(search_text)
            .sql(
                ") ON CONFLICT (decision_id) DO UPDATE SET body = excluded.body \
                 WHERE body <> excluded.body",
            )
            .execute(sqlite)?;
    }
    Ok(())
}

/// Recomputes the folded search text of these points from their text, status note, case title
/// and owners' names.
pub(crate) fn refresh_search_text(conn: &mut DbConnection, ids: &[String]) -> StoreResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let backend = super::backend_of(conn);
    let rows: Vec<(String, String, Option<String>, String)> = decisions::table
        .inner_join(cases::table)
        .filter(super::one_of(backend, "decisions.id", ids.iter().cloned()))
        .select((
            decisions::id,
            decisions::text,
            decisions::status_note,
            cases::title,
        ))
        .load(conn)?;
    let mut names: HashMap<String, Vec<String>> = HashMap::new();
    let owner_rows: Vec<(String, String)> = decision_owners::table
        .inner_join(owners::table)
        .filter(super::one_of(
            backend,
            "decision_owners.decision_id",
            ids.iter().cloned(),
        ))
        .select((decision_owners::decision_id, owners::name))
        .order((decision_owners::decision_id, decision_owners::ordinal))
        .load(conn)?;
    for (decision_id, name) in owner_rows {
        names.entry(decision_id).or_default().push(name);
    }
    for (id, text, note, title) in rows {
        let owner_names = names.remove(&id).unwrap_or_default();
        let search_text = search_text_of(&text, note.as_deref(), &title, &owner_names);
        store_search_text(conn, &id, &search_text)?;
    }
    Ok(())
}
