//! The history: an append-only record of every change, written in the same transaction as the
//! change itself. Nothing in the service updates or deletes it, and database triggers refuse it.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::schema::history;
use super::{DbConnection, StoreError, StoreResult, parse_stored, utc};

/// What kind of record a history entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entity {
    Committee,
    Meeting,
    Case,
    Decision,
    Owner,
    Link,
}

impl Entity {
    fn as_str(self) -> &'static str {
        match self {
            Entity::Committee => "committee",
            Entity::Meeting => "meeting",
            Entity::Case => "case",
            Entity::Decision => "decision",
            Entity::Owner => "owner",
            Entity::Link => "link",
        }
    }
}

/// What happened to the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Created,
    Updated,
    Deleted,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Updated => "updated",
            Action::Deleted => "deleted",
        }
    }
}

/// Fields of a record's JSON form that are bookkeeping or derived, not data a person changed.
const NOT_TRACKED: &[&str] = &[
    "id",
    "version",
    "created_at",
    "updated_at",
    "updated_by",
    "overdue",
    "needs_follow_up",
    "case",
    "case_count",
    "decision_count",
    "decisions",
    "links",
    "postponed_to",
    "deleted_at",
];

/// The fields that differ between two JSON forms of a record, as `{field: {"from", "to"}}`.
/// `before` is `Value::Null` for a record just created.
pub(crate) fn diff(before: &Value, after: &Value) -> Map<String, Value> {
    let empty = Map::new();
    let before = before.as_object().unwrap_or(&empty);
    let after = after.as_object().unwrap_or(&empty);
    let mut fields: Vec<&String> = before.keys().chain(after.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter(|field| !NOT_TRACKED.contains(&field.as_str()))
        .filter_map(|field| {
            let from = before.get(field).unwrap_or(&Value::Null);
            let to = after.get(field).unwrap_or(&Value::Null);
            (from != to).then(|| (field.clone(), serde_json::json!({"from": from, "to": to})))
        })
        .collect()
}

/// One change to record.
pub(crate) struct Change<'a> {
    pub entity: Entity,
    pub entity_id: String,
    /// The case a decision point or link belongs to.
    pub context_id: Option<String>,
    pub version: i32,
    pub action: Action,
    pub actor: &'a str,
    pub at: NaiveDateTime,
    pub changes: Map<String, Value>,
    pub note: Option<String>,
    pub evidence: Option<Value>,
}

impl<'a> Change<'a> {
    /// A change of a record to `version`, with nothing changed yet.
    pub fn new(
        entity: Entity,
        entity_id: impl ToString,
        version: i32,
        action: Action,
        actor: &'a str,
        at: NaiveDateTime,
    ) -> Self {
        Self {
            entity,
            entity_id: entity_id.to_string(),
            context_id: None,
            version,
            action,
            actor,
            at,
            changes: Map::new(),
            note: None,
            evidence: None,
        }
    }

    /// The fields that differ between the record's JSON form before and after.
    pub fn between<T: Serialize>(mut self, before: Option<&T>, after: &T) -> StoreResult<Self> {
        let before = before.map(snapshot).transpose()?.unwrap_or(Value::Null);
        self.changes = diff(&before, &snapshot(after)?);
        Ok(self)
    }

    pub fn in_case(mut self, case_id: impl ToString) -> Self {
        self.context_id = Some(case_id.to_string());
        self
    }

    /// The person's comment on the change, or the status note it set.
    pub fn with_note(mut self, note: Option<String>) -> Self {
        self.note = note;
        self
    }

    /// Where a status change was reported.
    pub fn with_evidence(mut self, evidence: Option<Value>) -> Self {
        self.evidence = evidence;
        self
    }

    pub fn record(self, conn: &mut DbConnection) -> StoreResult<()> {
        record(conn, self)
    }
}

/// Appends a change to the history, and queues it for the webhooks that want it (in the same
/// transaction: every change passes here, so none is missed).
fn record(conn: &mut DbConnection, change: Change<'_>) -> StoreResult<()> {
    super::webhooks::on_change(
        conn,
        super::webhooks::ChangeEvent {
            entity: change.entity,
            entity_id: &change.entity_id,
            action: change.action,
            at: change.at,
            changes: &change.changes,
        },
    )?;
    diesel::insert_into(history::table)
        .values((
            history::entity.eq(change.entity.as_str()),
            history::entity_id.eq(change.entity_id),
            history::context_id.eq(change.context_id),
            history::version.eq(change.version),
            history::action.eq(change.action.as_str()),
            history::actor.eq(change.actor),
            history::at.eq(change.at),
            history::changes.eq(Value::Object(change.changes).to_string()),
            history::note.eq(change.note),
            history::evidence.eq(change.evidence.map(|e| e.to_string())),
        ))
        .execute(conn)?;
    Ok(())
}

/// JSON form of a record, for [`diff`].
pub(crate) fn snapshot<T: Serialize>(record: &T) -> StoreResult<Value> {
    serde_json::to_value(record)
        .map_err(|e| StoreError::Internal(format!("cannot snapshot a record: {e}")))
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = history)]
struct HistoryRow {
    seq: i64,
    entity: String,
    entity_id: String,
    version: i32,
    action: String,
    actor: String,
    at: NaiveDateTime,
    changes: String,
    note: Option<String>,
    evidence: Option<String>,
}

/// One change of a record, as the history keeps it.
#[derive(Debug, Serialize)]
pub struct HistoryEntry {
    /// Increases with every change in the log: entries sort by it.
    pub seq: i64,
    /// What kind of record changed: committee, meeting, case, decision, owner or link.
    pub entity: String,
    pub entity_id: uuid::Uuid,
    /// The record's version after the change.
    pub version: i32,
    pub action: Action,
    /// The name of the token that made the change.
    pub actor: String,
    pub at: DateTime<Utc>,
    /// The fields that changed, each with its value before and after.
    pub changes: Value,
    /// The comment given with the change.
    pub note: Option<String>,
    /// Where the change was reported, when the change cites it.
    pub evidence: Option<Value>,
}

fn to_entries(rows: Vec<HistoryRow>) -> StoreResult<Vec<HistoryEntry>> {
    rows.into_iter()
        .map(|row| {
            let json = |text: &str, column: &str| {
                serde_json::from_str::<Value>(text).map_err(|e| {
                    StoreError::Corrupt(format!("history.{column} of {}: {e}", row.seq))
                })
            };
            Ok(HistoryEntry {
                changes: json(&row.changes, "changes")?,
                evidence: row
                    .evidence
                    .as_deref()
                    .map(|e| json(e, "evidence"))
                    .transpose()?,
                seq: row.seq,
                entity_id: parse_stored(&row.entity_id, "history.entity_id")?,
                entity: row.entity,
                version: row.version,
                action: match row.action.as_str() {
                    "created" => Action::Created,
                    "updated" => Action::Updated,
                    "deleted" => Action::Deleted,
                    other => return Err(StoreError::Corrupt(format!("history.action '{other}'"))),
                },
                actor: row.actor,
                at: utc(row.at),
                note: row.note,
            })
        })
        .collect()
}

/// The history of one record, oldest first.
pub(crate) fn of_record(conn: &mut DbConnection, id: &str) -> StoreResult<Vec<HistoryEntry>> {
    let rows = history::table
        .filter(history::entity_id.eq(id))
        .select(HistoryRow::as_select())
        .order(history::seq)
        .load(conn)?;
    to_entries(rows)
}

/// The history of a case and of the links it makes, oldest first.
pub(crate) fn of_case(conn: &mut DbConnection, id: &str) -> StoreResult<Vec<HistoryEntry>> {
    let rows = history::table
        .filter(
            history::entity_id
                .eq(id)
                .or(history::context_id.eq(id).and(history::entity.eq("link"))),
        )
        .select(HistoryRow::as_select())
        .order(history::seq)
        .load(conn)?;
    to_entries(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_names_changed_fields_only() {
        let before = json!({"status": "open", "text": "x", "updated_at": "a", "owners": []});
        let after = json!({"status": "done", "text": "x", "updated_at": "b", "owners": ["AU"]});
        let changes = diff(&before, &after);
        assert_eq!(
            Value::Object(changes),
            json!({"owners": {"from": [], "to": ["AU"]}, "status": {"from": "open", "to": "done"}})
        );
        let created = diff(&Value::Null, &json!({"text": "x", "version": 1}));
        assert_eq!(
            Value::Object(created),
            json!({"text": {"from": null, "to": "x"}})
        );
    }
}
