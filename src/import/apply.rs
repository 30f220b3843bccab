//! Writes a parsed meeting document to the log, in one transaction.
//!
//! Records are matched, not duplicated: the committee by code, the meeting by committee and
//! date, a case by its number, a decision point by its position in the case. Each field is
//! merged three ways, between what the log holds now, what the last import wrote (kept in
//! `imported_values`) and what the document says:
//!
//! * the log still holds what the last import wrote: the document's value is written;
//! * it holds something else: an editor changed it by hand, and it is kept (reported as
//!   `kept`);
//! * no import wrote the record (an editor created it): only empty fields are filled.
//!
//! A notice writes its proposals as points with the status `proposed`; the minutes of the same
//! meeting adopt them (the status becomes `open`, or `done` for points that need no follow-up),
//! keeping their ids, and delete the proposals they did not adopt. Importing the same document
//! again finds every field as the document says and writes nothing.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use serde::Serialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::{
    CalendarDate, CaseNumber, CaseStatus, CommitteeCode, DecisionKind, DecisionStatus, MeetingId,
    MeetingStatus, NonEmptyText, Position,
};
use crate::import::document::{DocumentKind, ParsedCase, ParsedCaseStatus, ParsedDocument};
use crate::store::cases::{self, Case, CaseFilter};
use crate::store::committees::{self};
use crate::store::decisions::{self, Decision, DecisionFilter};
use crate::store::imports::{self, ImportSummary, NewImport};
use crate::store::meetings::{self};
use crate::store::{DbConnection, StoreError, StoreResult, Visibility, owners};
use crate::writes;
use crate::writes::cases::{CaseChanges, NewCase};
use crate::writes::committees::NewCommittee;
use crate::writes::decisions::{DecisionChanges, NewDecision, OwnerAssignment};
use crate::writes::meetings::{MeetingChanges, NewMeeting};

/// A parsed document and what importing it did, or would do on a dry run.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    #[serde(flatten)]
    pub parsed: ParsedDocument,
    pub import: ImportOutcome,
}

/// What the import wrote to the log.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportOutcome {
    /// True for a preview: the actions are what an import would do, and nothing was written.
    pub dry_run: bool,
    /// Whether the log changed (or would change). Importing a document again changes nothing.
    pub changed: bool,
    /// The record of this import (see `GET /api/v1/imports`); null on a dry run and when
    /// nothing changed.
    pub id: Option<Uuid>,
    /// The meeting the document was written to; null on a dry run that would create it.
    pub meeting_id: Option<MeetingId>,
    pub summary: ImportSummary,
    /// One entry for each committee, meeting, case and decision point the document names, and
    /// for each point the document no longer holds.
    pub actions: Vec<ImportAction>,
}

/// What the import did to one record.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportAction {
    pub entity: ImportEntity,
    pub action: ImportActionKind,
    /// The record's id; null on a dry run for a record it would create.
    pub id: Option<String>,
    /// The case, for a case or a decision point.
    #[schema(value_type = Option<String>, example = "24/24")]
    pub case: Option<CaseNumber>,
    /// The position, for a decision point.
    #[schema(value_type = Option<String>, example = "2")]
    pub position: Option<Position>,
    /// The fields written.
    pub fields: Vec<String>,
    /// The fields left as an editor set them, although the document says otherwise.
    pub kept: Vec<String>,
    /// Why a record was skipped or left alone.
    pub note: Option<String>,
}

/// The kind of record an import action concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportEntity {
    Committee,
    Meeting,
    Case,
    Decision,
}

/// What happened to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportActionKind {
    Created,
    Updated,
    /// Already as the document says (or changed by hand where it differs; see `kept`).
    Unchanged,
    /// A proposal the document no longer holds, deleted.
    Removed,
    /// Not written; `note` says why.
    Skipped,
}

/// Applies `parsed` to the log in one write transaction; on a dry run the transaction is
/// rolled back and the outcome tells what the import would do. Warnings about what could not
/// be applied are added to the document's warnings.
pub fn apply(
    conn: &mut DbConnection,
    mut parsed: ParsedDocument,
    content_sha256: &str,
    actor: &str,
    dry_run: bool,
) -> StoreResult<ImportResult> {
    enum Abort {
        Store(StoreError),
        Preview(Box<Importer>),
    }
    impl From<diesel::result::Error> for Abort {
        fn from(error: diesel::result::Error) -> Self {
            Abort::Store(error.into())
        }
    }
    let outcome = crate::store::write_transaction(conn, |conn| {
        let mut importer = Importer::new(&parsed, actor);
        importer.run(conn, &parsed).map_err(Abort::Store)?;
        if dry_run {
            return Err(Abort::Preview(Box::new(importer)));
        }
        if importer.changed() {
            let id = imports::record(
                conn,
                NewImport {
                    committee_id: &importer.committee_id,
                    meeting_id: &importer.meeting_id,
                    document_kind: document_kind(parsed.document.kind),
                    content_sha256,
                    summary: &importer.summary,
                    actor,
                    values: std::mem::take(&mut importer.values),
                },
            )
            .map_err(Abort::Store)?;
            importer.import_id = Some(id);
        }
        Ok(importer)
    });
    let importer = match outcome {
        Ok(importer) => importer,
        Err(Abort::Preview(importer)) => *importer,
        Err(Abort::Store(error)) => return Err(error),
    };
    parsed.warnings.extend(importer.warnings.iter().cloned());
    Ok(ImportResult {
        parsed,
        import: importer.outcome(dry_run),
    })
}

fn document_kind(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Notice => "notice",
        DocumentKind::Minutes => "minutes",
    }
}

/// The state of one import while it runs.
struct Importer {
    actor: String,
    kind: DocumentKind,
    /// The comment the history of changed decision points gets.
    comment: String,
    committee_id: String,
    meeting_id: String,
    meeting_created: bool,
    actions: Vec<ImportAction>,
    warnings: Vec<String>,
    values: Vec<(&'static str, String, Map<String, Value>)>,
    summary: ImportSummary,
    import_id: Option<Uuid>,
}

/// The outcome of merging one record's fields.
#[derive(Default)]
struct Merge {
    write: Vec<&'static str>,
    kept: Vec<&'static str>,
}

impl Merge {
    fn writes(&self, field: &str) -> bool {
        self.write.contains(&field)
    }
}

/// Merges the fields of one record: `new` is what the document says, `current` what the log
/// holds, `base` what the last import wrote (none when an editor created the record). A field
/// in `silent` is one the document leaves empty, which never clears what the log holds.
fn merge(
    fields: &[&'static str],
    new: &Map<String, Value>,
    current: &Map<String, Value>,
    base: Option<&Map<String, Value>>,
    unset: &dyn Fn(&str, &Value) -> bool,
    silent_never_clears: bool,
) -> Merge {
    let mut merge = Merge::default();
    for field in fields {
        let new_value = new.get(*field).unwrap_or(&Value::Null);
        let current_value = current.get(*field).unwrap_or(&Value::Null);
        if new_value == current_value || (silent_never_clears && is_empty(new_value)) {
            continue;
        }
        let untouched = match base {
            Some(base) => base.get(*field).unwrap_or(&Value::Null) == current_value,
            None => unset(field, current_value),
        };
        if untouched {
            merge.write.push(field);
        } else {
            merge.kept.push(field);
        }
    }
    merge
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn to_value<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

const MEETING_FIELDS: &[&str] = &[
    "start_time",
    "end_time",
    "location",
    "kind",
    "chair",
    "minute_taker",
    "status",
];
const CASE_FIELDS: &[&str] = &["title", "responsible", "status", "narrative"];
const DECISION_FIELDS: &[&str] = &["text", "kind", "owners", "deadline", "status"];

impl Importer {
    fn new(parsed: &ParsedDocument, actor: &str) -> Self {
        let kind = parsed.document.kind;
        Importer {
            actor: actor.to_owned(),
            kind,
            comment: format!(
                "imported from the {} of {} {}",
                document_kind(kind),
                parsed.meeting.committee,
                parsed.meeting.date
            ),
            committee_id: String::new(),
            meeting_id: String::new(),
            meeting_created: false,
            actions: Vec::new(),
            warnings: Vec::new(),
            values: Vec::new(),
            summary: ImportSummary::default(),
            import_id: None,
        }
    }

    fn changed(&self) -> bool {
        self.summary.created + self.summary.updated + self.summary.removed > 0
    }

    fn outcome(self, dry_run: bool) -> ImportOutcome {
        let created_ids_are_real = !dry_run;
        let changed = self.changed();
        ImportOutcome {
            dry_run,
            changed,
            id: self.import_id,
            meeting_id: (created_ids_are_real || !self.meeting_created)
                .then(|| MeetingId::from_str(&self.meeting_id).ok())
                .flatten(),
            summary: self.summary,
            actions: self
                .actions
                .into_iter()
                .map(|mut action| {
                    if !created_ids_are_real && action.action == ImportActionKind::Created {
                        action.id = None;
                    }
                    action
                })
                .collect(),
        }
    }

    fn act(&mut self, entity: ImportEntity, action: ImportActionKind, id: Option<String>) -> usize {
        match action {
            ImportActionKind::Created => self.summary.created += 1,
            ImportActionKind::Updated => self.summary.updated += 1,
            ImportActionKind::Unchanged => self.summary.unchanged += 1,
            ImportActionKind::Removed => self.summary.removed += 1,
            ImportActionKind::Skipped => self.summary.skipped += 1,
        }
        self.actions.push(ImportAction {
            entity,
            action,
            id,
            case: None,
            position: None,
            fields: Vec::new(),
            kept: Vec::new(),
            note: None,
        });
        self.actions.len() - 1
    }

    fn act_on_point(
        &mut self,
        action: ImportActionKind,
        id: Option<String>,
        case: CaseNumber,
        position: Position,
    ) -> usize {
        let index = self.act(ImportEntity::Decision, action, id);
        self.actions[index].case = Some(case);
        self.actions[index].position = Some(position);
        index
    }

    /// Records the outcome of a merge on the action at `index`.
    fn report_merge(&mut self, index: usize, merge: &Merge) {
        let action = &mut self.actions[index];
        action.fields = merge.write.iter().map(|f| (*f).to_owned()).collect();
        action.kept = merge.kept.iter().map(|f| (*f).to_owned()).collect();
        if !merge.kept.is_empty() {
            self.summary.kept += 1;
        }
    }

    fn run(&mut self, conn: &mut DbConnection, parsed: &ParsedDocument) -> StoreResult<()> {
        let code = CommitteeCode::from_str(&parsed.meeting.committee)
            .map_err(|e| StoreError::Invalid(format!("meeting.committee: {e}")))?;
        self.committee(conn, &code)?;
        if !self.meeting(conn, &code, parsed)? {
            return Ok(());
        }
        for case in &parsed.cases {
            self.case(conn, case)?;
        }
        if self.kind == DocumentKind::Minutes {
            let named: HashSet<CaseNumber> = parsed.cases.iter().map(|c| c.number).collect();
            self.cases_left_out(conn, &named)?;
        }
        Ok(())
    }

    /// The minutes settle the whole meeting: a case on its agenda in the log that they do not
    /// name adopted none of its proposals.
    fn cases_left_out(
        &mut self,
        conn: &mut DbConnection,
        named: &HashSet<CaseNumber>,
    ) -> StoreResult<()> {
        let meeting = MeetingId::from_str(&self.meeting_id)
            .map_err(|e| StoreError::Corrupt(format!("meetings.id: {e}")))?;
        let cases = cases::list_all(
            conn,
            &CaseFilter {
                meeting: Some(meeting),
                ..CaseFilter::default()
            },
        )?;
        for case in cases.into_iter().filter(|c| !named.contains(&c.number)) {
            let proposals: Vec<Decision> = decisions::list_all(
                conn,
                &DecisionFilter {
                    case: Some(case.id),
                    statuses: vec![DecisionStatus::Proposed],
                    ..DecisionFilter::default()
                },
            )?;
            if proposals.is_empty() {
                continue;
            }
            self.warnings.push(format!(
                "case {} is on this meeting's agenda in the log but not in the minutes; its proposals were not adopted",
                case.number
            ));
            for point in proposals {
                self.absent_point(conn, case.number, point)?;
            }
        }
        Ok(())
    }

    fn committee(&mut self, conn: &mut DbConnection, code: &CommitteeCode) -> StoreResult<()> {
        if let Some(id) = committees::find_id(conn, code)? {
            self.committee_id = id.to_string();
            return Ok(());
        }
        let name = crate::import::document::committee_name(code.as_str())
            .unwrap_or_else(|| code.to_string());
        let created = writes::committees::create(
            conn,
            NewCommittee {
                code: code.clone(),
                name: NonEmptyText::from_str(&name)
                    .map_err(|e| StoreError::Invalid(e.to_string()))?,
            },
            &self.actor,
        )?;
        self.committee_id = created.id.to_string();
        let index = self.act(
            ImportEntity::Committee,
            ImportActionKind::Created,
            Some(created.id.to_string()),
        );
        self.actions[index].fields = vec!["code".into(), "name".into()];
        Ok(())
    }

    /// Finds or creates the meeting and merges its fields; false when the document must not
    /// be applied to it.
    fn meeting(
        &mut self,
        conn: &mut DbConnection,
        code: &CommitteeCode,
        parsed: &ParsedDocument,
    ) -> StoreResult<bool> {
        let doc = &parsed.meeting;
        let status = match self.kind {
            DocumentKind::Minutes => MeetingStatus::Held,
            DocumentKind::Notice => MeetingStatus::Planned,
        };
        let new = object(json!({
            "start_time": doc.start_time,
            "end_time": doc.end_time,
            "location": doc.location,
            "kind": doc.kind,
            "chair": doc.chair,
            "minute_taker": doc.minute_taker,
            "status": status,
        }));
        let committee_id = self.committee_id.clone();
        let Some(id) = meetings::find_id(conn, &committee_id, doc.date)? else {
            let created = writes::meetings::create(
                conn,
                NewMeeting {
                    committee: code.clone(),
                    date: calendar_date(doc.date, "meeting.date")?,
                    start_time: doc.start_time,
                    end_time: doc.end_time,
                    location: doc.location.clone(),
                    kind: doc.kind,
                    chair: doc.chair.clone(),
                    minute_taker: doc.minute_taker.clone(),
                    status,
                },
                &self.actor,
            )?;
            self.meeting_id = created.id.to_string();
            self.meeting_created = true;
            let index = self.act(
                ImportEntity::Meeting,
                ImportActionKind::Created,
                Some(self.meeting_id.clone()),
            );
            self.actions[index].fields = MEETING_FIELDS.iter().map(|f| (*f).into()).collect();
            self.values.push(("meeting", self.meeting_id.clone(), new));
            return Ok(true);
        };
        let current = meetings::get(conn, id, Visibility::All)?;
        self.meeting_id = id.to_string();
        if self.kind == DocumentKind::Notice && current.status == MeetingStatus::Held {
            let index = self.act(
                ImportEntity::Meeting,
                ImportActionKind::Skipped,
                Some(self.meeting_id.clone()),
            );
            let note = format!(
                "the meeting of {} on {} is held and its minutes are in the log; a notice would turn adopted points back into proposals, so nothing was imported",
                code, doc.date
            );
            self.actions[index].note = Some(note.clone());
            self.warnings.push(note);
            return Ok(false);
        }
        let current_map = object(to_value(&current));
        let base = imports::imported_values_of(conn, "meeting", &self.meeting_id)?;
        let unset = |field: &str, value: &Value| {
            is_empty(value)
                || (field == "status" && value == "planned")
                || (field == "kind" && value == "ordinary")
        };
        let merge = merge(
            MEETING_FIELDS,
            &new,
            &current_map,
            base.as_ref(),
            &unset,
            true,
        );
        let action = if merge.write.is_empty() {
            ImportActionKind::Unchanged
        } else {
            let w = |f| merge.writes(f);
            let changes = MeetingChanges {
                start_time: w("start_time").then_some(doc.start_time),
                end_time: w("end_time").then_some(doc.end_time),
                location: w("location").then(|| doc.location.clone()),
                kind: w("kind").then_some(doc.kind),
                chair: w("chair").then(|| doc.chair.clone()),
                minute_taker: w("minute_taker").then(|| doc.minute_taker.clone()),
                status: w("status").then_some(status),
                ..MeetingChanges::default()
            };
            writes::meetings::update(conn, id, Some(current.version), changes, &self.actor)?;
            ImportActionKind::Updated
        };
        let index = self.act(ImportEntity::Meeting, action, Some(self.meeting_id.clone()));
        self.report_merge(index, &merge);
        self.values.push(("meeting", self.meeting_id.clone(), new));
        Ok(true)
    }

    fn case(&mut self, conn: &mut DbConnection, doc: &ParsedCase) -> StoreResult<()> {
        let status = match doc.status {
            ParsedCaseStatus::Decided => CaseStatus::Decided,
            ParsedCaseStatus::Postponed => CaseStatus::Postponed,
            ParsedCaseStatus::Proposed => CaseStatus::Planned,
        };
        let title = match NonEmptyText::from_str(doc.title.trim()) {
            Ok(title) => title,
            Err(_) => {
                self.warnings.push(format!(
                    "case {}: no title could be read; recorded as \"Sak {}\"",
                    doc.number, doc.number
                ));
                NonEmptyText::from_str(&format!("Sak {}", doc.number))
                    .map_err(|e| StoreError::Internal(e.to_string()))?
            }
        };
        let new = object(json!({
            "title": title.as_str(),
            "responsible": doc.responsible,
            "status": status,
            "narrative": doc.narrative,
        }));
        let committee_id = self.committee_id.clone();
        let case = match cases::find_id(conn, &committee_id, doc.number)? {
            None => {
                let created = writes::cases::create(
                    conn,
                    NewCase {
                        meeting_id: Some(
                            MeetingId::from_str(&self.meeting_id)
                                .map_err(|e| StoreError::Corrupt(format!("meetings.id: {e}")))?,
                        ),
                        committee: None,
                        meeting_date: None,
                        number: doc.number,
                        title,
                        responsible: doc.responsible.clone(),
                        status,
                        narrative: doc.narrative.clone(),
                        public: true,
                    },
                    &self.actor,
                )?;
                let index = self.act(
                    ImportEntity::Case,
                    ImportActionKind::Created,
                    Some(created.id.to_string()),
                );
                self.actions[index].case = Some(doc.number);
                self.actions[index].fields = CASE_FIELDS.iter().map(|f| (*f).into()).collect();
                self.values.push(("case", created.id.to_string(), new));
                created
            }
            Some(id) => {
                let current = cases::get(conn, id, Visibility::All)?;
                if current.meeting.id.to_string() != self.meeting_id {
                    let index = self.act(
                        ImportEntity::Case,
                        ImportActionKind::Skipped,
                        Some(id.to_string()),
                    );
                    let note = format!(
                        "case {} is recorded at the meeting of {}, not this one; neither it nor its decision points were imported",
                        doc.number, current.meeting.date
                    );
                    self.actions[index].case = Some(doc.number);
                    self.actions[index].note = Some(note.clone());
                    self.warnings.push(note);
                    return Ok(());
                }
                self.merge_case(conn, current, doc, title, status, new)?
            }
        };
        self.decisions(conn, &case, doc)
    }

    fn merge_case(
        &mut self,
        conn: &mut DbConnection,
        current: Case,
        doc: &ParsedCase,
        title: NonEmptyText,
        status: CaseStatus,
        new: Map<String, Value>,
    ) -> StoreResult<Case> {
        let id = current.id;
        let current_map = object(to_value(&current));
        let base = imports::imported_values_of(conn, "case", &id.to_string())?;
        let unset = |field: &str, value: &Value| {
            is_empty(value) || (field == "status" && value == "planned")
        };
        let merge = merge(CASE_FIELDS, &new, &current_map, base.as_ref(), &unset, true);
        let (action, case) = if merge.write.is_empty() {
            (ImportActionKind::Unchanged, current)
        } else {
            let w = |f| merge.writes(f);
            let changes = CaseChanges {
                title: w("title").then_some(title),
                responsible: w("responsible").then(|| doc.responsible.clone()),
                status: w("status").then_some(status),
                narrative: w("narrative").then(|| doc.narrative.clone()),
                ..CaseChanges::default()
            };
            let updated =
                writes::cases::update(conn, id, Some(current.version), changes, &self.actor)?;
            (ImportActionKind::Updated, updated)
        };
        let index = self.act(ImportEntity::Case, action, Some(id.to_string()));
        self.actions[index].case = Some(doc.number);
        self.report_merge(index, &merge);
        self.values.push(("case", id.to_string(), new));
        Ok(case)
    }

    /// The owners as the registry names them; names it does not know are left out, with a
    /// warning.
    fn owner_names(
        &mut self,
        conn: &mut DbConnection,
        case: CaseNumber,
        position: Position,
        names: &[String],
    ) -> StoreResult<Vec<String>> {
        let mut known: Vec<String> = Vec::new();
        for name in names {
            match owners::get(conn, name) {
                Ok(owner) if !known.contains(&owner.name) => known.push(owner.name),
                Ok(_) => {}
                Err(StoreError::NotFound(_)) => self.warnings.push(format!(
                    "case {case} point {position}: the owner \"{name}\" is not in the owner registry and was left out; add it (POST /api/v1/owners) and import again"
                )),
                Err(other) => return Err(other),
            }
        }
        Ok(known)
    }

    fn decisions(
        &mut self,
        conn: &mut DbConnection,
        case: &Case,
        doc: &ParsedCase,
    ) -> StoreResult<()> {
        let existing = decisions::list_all(
            conn,
            &DecisionFilter {
                case: Some(case.id),
                ..DecisionFilter::default()
            },
        )?;
        let mut by_position: HashMap<Position, Decision> =
            existing.into_iter().map(|d| (d.position, d)).collect();
        let mut seen: HashSet<Position> = HashSet::new();
        for point in &doc.decisions {
            if !seen.insert(point.position) {
                self.warnings.push(format!(
                    "case {} has two points numbered {}; the second was not imported",
                    doc.number, point.position
                ));
                continue;
            }
            let owners = self.owner_names(conn, doc.number, point.position, &point.owners)?;
            let status = match self.kind {
                DocumentKind::Notice => DecisionStatus::Proposed,
                DocumentKind::Minutes => adopted_status(point.kind),
            };
            let Ok(text) = NonEmptyText::from_str(point.text.trim()) else {
                self.warnings.push(format!(
                    "case {} point {}: the point has no text and was not imported",
                    doc.number, point.position
                ));
                continue;
            };
            let deadline = point
                .deadline
                .map(|d| calendar_date(d, "deadline"))
                .transpose()?;
            let new = object(json!({
                "text": text.as_str(),
                "kind": point.kind,
                "owners": owners,
                "deadline": point.deadline,
                "status": status,
            }));
            let assignments = |owners: &[String]| -> Vec<OwnerAssignment> {
                owners
                    .iter()
                    .enumerate()
                    .map(|(i, owner)| OwnerAssignment {
                        owner: owner.clone(),
                        responsible: i == 0 && owners.len() > 1,
                    })
                    .collect()
            };
            match by_position.remove(&point.position) {
                None => {
                    let created = writes::decisions::create(
                        conn,
                        NewDecision {
                            case_id: Some(case.id),
                            committee: None,
                            case_number: None,
                            position: point.position,
                            text,
                            kind: point.kind,
                            owners: assignments(&owners),
                            deadline,
                            status: Some(status),
                            status_note: None,
                            public: case.public,
                        },
                        &self.actor,
                    )?;
                    let index = self.act_on_point(
                        ImportActionKind::Created,
                        Some(created.id.to_string()),
                        doc.number,
                        point.position,
                    );
                    self.actions[index].fields =
                        DECISION_FIELDS.iter().map(|f| (*f).into()).collect();
                    self.values.push(("decision", created.id.to_string(), new));
                }
                Some(current) => {
                    let id = current.id;
                    let current_map = decision_values(&current);
                    let base = imports::imported_values_of(conn, "decision", &id.to_string())?;
                    // A proposal not yet adopted is the minutes' to settle.
                    let unset = |field: &str, value: &Value| {
                        is_empty(value) || (field == "status" && value == "proposed")
                    };
                    let mut merge = merge(
                        DECISION_FIELDS,
                        &new,
                        &current_map,
                        base.as_ref(),
                        &unset,
                        false,
                    );
                    let (status, reopen_note) =
                        self.settle_kind_and_status(&mut merge, &current, point.kind);
                    let action = if merge.write.is_empty() {
                        ImportActionKind::Unchanged
                    } else {
                        let w = |f| merge.writes(f);
                        let changes = DecisionChanges {
                            text: w("text").then(|| text.clone()),
                            kind: w("kind").then_some(point.kind),
                            owners: w("owners").then(|| assignments(&owners)),
                            deadline: w("deadline").then_some(deadline),
                            status: w("status").then_some(status),
                            status_note: reopen_note.map(Some),
                            comment: Some(self.comment.clone()),
                            ..DecisionChanges::default()
                        };
                        writes::decisions::update(
                            conn,
                            id,
                            Some(current.version),
                            changes,
                            &self.actor,
                        )?;
                        ImportActionKind::Updated
                    };
                    let index =
                        self.act_on_point(action, Some(id.to_string()), doc.number, point.position);
                    self.report_merge(index, &merge);
                    self.values.push(("decision", id.to_string(), new));
                }
            }
        }
        // Points in the log that the document does not hold.
        let mut left: Vec<Decision> = by_position.into_values().collect();
        left.sort_by_key(|d| d.position);
        for point in left {
            self.absent_point(conn, doc.number, point)?;
        }
        Ok(())
    }

    /// Makes the kind and status an import writes fit each other and what an editor kept: a
    /// point that needs no follow-up cannot be open. The status written is the one the
    /// document gives for the kind the point ends with; a kind that would clash with a status
    /// an editor set is kept as it is. Returns that status, and the note a reopened point needs.
    fn settle_kind_and_status(
        &self,
        merge: &mut Merge,
        current: &Decision,
        document_kind: DecisionKind,
    ) -> (DecisionStatus, Option<String>) {
        let status_for = |kind: DecisionKind| match self.kind {
            DocumentKind::Notice => DecisionStatus::Proposed,
            DocumentKind::Minutes => adopted_status(kind),
        };
        if merge.writes("kind")
            && !merge.writes("status")
            && !document_kind.needs_follow_up()
            && current.status.is_active()
        {
            merge.write.retain(|f| *f != "kind");
            merge.kept.push("kind");
        }
        let kind = if merge.writes("kind") {
            document_kind
        } else {
            current.kind
        };
        let status = status_for(kind);
        if merge.writes("status") && status == current.status {
            merge.write.retain(|f| *f != "status");
        }
        let reopens = merge.writes("status")
            && matches!(
                current.status,
                DecisionStatus::Done | DecisionStatus::Cancelled
            )
            && status.is_active();
        let note = reopens.then(|| format!("reopened: {}", self.comment));
        (status, note)
    }

    /// A point the log holds and the document does not: a proposal that was not adopted, or
    /// one revised away, is deleted unless an editor has changed it; anything else stays.
    fn absent_point(
        &mut self,
        conn: &mut DbConnection,
        case: CaseNumber,
        point: Decision,
    ) -> StoreResult<()> {
        let id = point.id.to_string();
        let base = imports::imported_values_of(conn, "decision", &id)?;
        let untouched = base.as_ref() == Some(&decision_values(&point));
        if point.status == DecisionStatus::Proposed && untouched {
            writes::decisions::delete(conn, point.id, Some(point.version), &self.actor)?;
            let index =
                self.act_on_point(ImportActionKind::Removed, Some(id), case, point.position);
            self.actions[index].note = Some(match self.kind {
                DocumentKind::Minutes => "proposed, and not adopted in the minutes".into(),
                DocumentKind::Notice => "proposed, and no longer in the notice".into(),
            });
            return Ok(());
        }
        let note = format!(
            "case {case} point {} is in the log but not in this document; it was left as it is",
            point.position
        );
        let index = self.act_on_point(ImportActionKind::Unchanged, Some(id), case, point.position);
        self.actions[index].note = Some(note.clone());
        self.warnings.push(note);
        Ok(())
    }
}

/// The status of a point the minutes adopt. Assignments, recommendations, postponements and
/// schedulings are work to follow up; orientations and approvals are closed when adopted, and
/// so is what the parser could not classify (`other`): in minutes that is a statement ("ASU vil
/// fremheve ...") or an item listed under a point, and an editor reopens the rare one that is
/// work.
fn adopted_status(kind: DecisionKind) -> DecisionStatus {
    match kind {
        DecisionKind::Assignment
        | DecisionKind::Recommendation
        | DecisionKind::Postponement
        | DecisionKind::Scheduling => DecisionStatus::Open,
        DecisionKind::Orientation | DecisionKind::Approval | DecisionKind::Other => {
            DecisionStatus::Done
        }
    }
}

fn calendar_date(date: chrono::NaiveDate, field: &str) -> StoreResult<CalendarDate> {
    CalendarDate::try_from(date).map_err(|e| StoreError::Invalid(format!("{field}: {e}")))
}

/// The fields of a decision point an import writes, as it writes them.
fn decision_values(point: &Decision) -> Map<String, Value> {
    let owners: Vec<&str> = point.owners.iter().map(|o| o.name.as_str()).collect();
    object(json!({
        "text": point.text,
        "kind": point.kind,
        "owners": owners,
        "deadline": point.deadline,
        "status": point.status,
    }))
}
