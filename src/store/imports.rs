//! Imported meeting documents: the record of each import that changed the log, and the values
//! an import last wrote to each meeting, case and decision point, which tell a later import
//! which fields an editor has changed by hand since.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::{CommitteeCode, MeetingId};

use super::schema::{committees, imported_values, imports, meetings};
use super::{DbConnection, StoreError, StoreResult, now, parse_stored};

/// What an import did, by count.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ImportSummary {
    /// Meetings, cases and decision points created.
    pub created: u32,
    /// Records changed.
    pub updated: u32,
    /// Records the document names that were already as it says.
    pub unchanged: u32,
    /// Proposed points that the document no longer holds, deleted.
    pub removed: u32,
    /// Records with one or more fields left as an editor set them.
    pub kept: u32,
    /// Records the import could not write (a case number recorded at another meeting).
    pub skipped: u32,
}

/// An import that changed the log.
#[derive(Debug, Serialize)]
pub struct ImportRecord {
    pub id: Uuid,
    pub committee: CommitteeCode,
    pub meeting_id: MeetingId,
    pub meeting_date: NaiveDate,
    /// `notice` or `minutes`.
    pub document_kind: String,
    /// SHA-256 of the file as it was sent, in hex.
    pub content_sha256: String,
    pub summary: ImportSummary,
    pub created_at: DateTime<Utc>,
    /// The name of the token that imported it.
    pub created_by: String,
}

/// The record of an import, written with the values it set.
pub struct NewImport<'a> {
    pub committee_id: &'a str,
    pub meeting_id: &'a str,
    pub document_kind: &'a str,
    pub content_sha256: &'a str,
    pub summary: &'a ImportSummary,
    pub actor: &'a str,
    /// (entity, id, the fields as the document gives them)
    pub values: Vec<(&'static str, String, Map<String, Value>)>,
}

/// The values an import last wrote to a record, if an import wrote it.
pub fn imported_values_of(
    conn: &mut DbConnection,
    entity: &str,
    id: &str,
) -> StoreResult<Option<Map<String, Value>>> {
    let stored: Option<String> = imported_values::table
        .filter(imported_values::entity.eq(entity))
        .filter(imported_values::entity_id.eq(id))
        .select(imported_values::field_values)
        .first(conn)
        .optional()?;
    stored
        .map(|text| {
            serde_json::from_str(&text).map_err(|error| {
                StoreError::Corrupt(format!("imported_values.field_values: {error}"))
            })
        })
        .transpose()
}

/// Records an import and the values it wrote, in the caller's transaction.
pub fn record(conn: &mut DbConnection, new: NewImport<'_>) -> StoreResult<Uuid> {
    let id = Uuid::new_v4();
    let id_text = id.to_string();
    let summary =
        serde_json::to_string(new.summary).map_err(|e| StoreError::Internal(e.to_string()))?;
    diesel::insert_into(imports::table)
        .values((
            imports::id.eq(&id_text),
            imports::committee_id.eq(new.committee_id),
            imports::meeting_id.eq(new.meeting_id),
            imports::document_kind.eq(new.document_kind),
            imports::content_sha256.eq(new.content_sha256),
            imports::summary.eq(summary),
            imports::created_at.eq(now()),
            imports::created_by.eq(new.actor),
        ))
        .execute(conn)?;
    for (entity, entity_id, values) in new.values {
        let values = Value::Object(values).to_string();
        diesel::delete(
            imported_values::table
                .filter(imported_values::entity.eq(entity))
                .filter(imported_values::entity_id.eq(&entity_id)),
        )
        .execute(conn)?;
        diesel::insert_into(imported_values::table)
            .values((
                imported_values::entity.eq(entity),
                imported_values::entity_id.eq(&entity_id),
                imported_values::import_id.eq(&id_text),
                imported_values::field_values.eq(values),
            ))
            .execute(conn)?;
    }
    super::webhooks::on_import(conn, id, now())?;
    Ok(id)
}

/// The imports that changed the log, newest first; of one committee when given.
pub fn list(
    conn: &mut DbConnection,
    committee: Option<&CommitteeCode>,
    limit: i64,
) -> StoreResult<Vec<ImportRecord>> {
    type Row = (
        String,
        String,
        String,
        NaiveDate,
        String,
        String,
        String,
        chrono::NaiveDateTime,
        String,
    );
    let mut query = imports::table
        .inner_join(committees::table.on(committees::id.eq(imports::committee_id)))
        .inner_join(meetings::table.on(meetings::id.eq(imports::meeting_id)))
        .select((
            imports::id,
            committees::code,
            imports::meeting_id,
            meetings::meeting_date,
            imports::document_kind,
            imports::content_sha256,
            imports::summary,
            imports::created_at,
            imports::created_by,
        ))
        .order((imports::created_at.desc(), imports::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(code) = committee {
        query = query.filter(committees::code.eq(code.as_str()));
    }
    let rows: Vec<Row> = query.load(conn)?;
    rows.into_iter()
        .map(
            |(id, code, meeting_id, date, kind, sha, summary, at, by)| -> StoreResult<_> {
                Ok(ImportRecord {
                    id: parse_stored(&id, "imports.id")?,
                    committee: parse_stored(&code, "committees.code")?,
                    meeting_id: parse_stored(&meeting_id, "imports.meeting_id")?,
                    meeting_date: date,
                    document_kind: kind,
                    content_sha256: sha,
                    summary: serde_json::from_str(&summary).map_err(|error| {
                        StoreError::Corrupt(format!("imports.summary: {error}"))
                    })?,
                    created_at: at.and_utc(),
                    created_by: by,
                })
            },
        )
        .collect()
}
