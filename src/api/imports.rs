//! `/api/v1/imports`: a notice or minutes in, decision points out.

use actix_web::{HttpMessage, HttpRequest, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::StoreData;
use super::auth::{Editor, Reader};
use super::pagination::checked_limit;
use super::params::QueryParams;
use super::problem::{
    ApiError, BadRequest, DocumentTooLarge, NotAMeetingDocument, UnsupportedDocumentType,
};
use super::types::ImportRecord;
use crate::domain::CommitteeCode;
use crate::import::apply::{self, ImportResult};
use crate::import::{DocumentKind, check_importable, content_sha256, read_document_as};
use crate::store::imports;

/// The largest document accepted: a long set of minutes with pictures is a few MiB.
pub const MAX_DOCUMENT_BYTES: usize = 20 * 1024 * 1024;

/// The `Content-Type` of a PDF file.
pub const PDF_TYPE: &str = "application/pdf";

/// The `Content-Type` of a Word `.docx` file.
pub const DOCX_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(import).service(list);
}

/// How to import.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// Preview: read the document and tell what importing it would do, without writing.
    #[serde(default)]
    pub dry_run: bool,
    /// Read the document as this kind, whatever its title says: `notice` (møteinnkalling,
    /// whose "Forslag til vedtak" are the points) or `minutes` (møtereferat, whose "Vedtak"
    /// are). Without it the title block decides, else the cases; a warning says when the
    /// title, the cases and this parameter disagree.
    #[param(value_type = Option<DocumentKind>, example = "notice")]
    pub kind: Option<DocumentKind>,
    /// Import even when most cases came out without decision points (which is otherwise
    /// refused with 422, as the sign of a misread document).
    #[serde(default)]
    pub force: bool,
}

/// Import a notice or minutes
///
/// The body is the document itself: a Word `.docx` file, a PDF (as exported from Word or
/// LibreOffice; a scan has no text), or its text (UTF-8, or UTF-16 with a byte order mark) as
/// saved from Word or copied from a PDF. It is read for the meeting
/// (committee, date, times, place, ordinary or extraordinary, chair, minute-taker), every case
/// on the agenda (number, title, responsible, decided, proposed or postponed, the narrative),
/// and each case's decision points: the adopted decision (Vedtak) in minutes, the proposal
/// (Forslag til vedtak) in a notice, each with its position, text, kind, owners and deadline,
/// and the references to other cases.
///
/// The answer is what was read, and under `import` what it did: one action for every record,
/// `created`, `updated`, `unchanged`, `removed` or `skipped`, with the fields written and the
/// fields `kept` because an editor changed them by hand. With `dry_run=true` nothing is
/// written: the actions say what an import would do.
///
/// The whole document is written in one transaction. A notice's points get the status
/// `proposed`; the minutes of the same meeting adopt them, keeping their ids, and delete the
/// proposals they did not adopt. Importing the same document again changes nothing. Found
/// references become proposed links (`GET /api/v1/proposals`). A file that cannot be read as a
/// meeting document gets 422 and nothing is written; so does one of more than 50,000 lines, 200
/// cases or 1,000 decision points, and a PDF that unpacks or draws beyond what a meeting
/// document needs.
///
/// The kind (notice or minutes) is taken from the title block (MØTEINNKALLING, INNKALLING,
/// MØTEREFERAT, REFERAT, PROTOKOLL, MØTEBOK), checked against the cases, or given with
/// `kind`. What looks misread is a warning with its line, first in `warnings`: title and cases
/// disagreeing on the kind, cases without decision points, a decision not split into points,
/// a meeting date in another year than the case numbers, a case on the sakliste but not in the
/// body or the reverse. An import (not a preview) where most cases that are not postponed have
/// no decision point is refused with 422 unless `force=true`. Needs the editor role.
#[utoipa::path(
    tag = "imports",
    params(ImportQuery),
    request_body(
        description = "The document: a .docx file, a PDF or its text",
        content(
            (String = "text/plain", example = "MØTEREFERAT - ADMINISTRATIVT SAMARBEIDSUTVALG (ASU)\nMøtedato: 19.06.24 ..."),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            (Vec<u8> = "application/pdf"),
            (Vec<u8> = "application/octet-stream")
        )
    ),
    responses(
        (status = 200, description = "What was read, and what the import did (or would do)", body = ImportResult),
        BadRequest, DocumentTooLarge, UnsupportedDocumentType, NotAMeetingDocument
    )
)]
#[post("/imports")]
async fn import(
    Editor(actor): Editor,
    store: StoreData,
    request: HttpRequest,
    QueryParams(query): QueryParams<ImportQuery>,
    body: web::Payload,
) -> Result<web::Json<ImportResult>, ApiError> {
    check_content_type(&request)?;
    let bytes = read_body(body).await?;
    // Unzipping and parsing take a few milliseconds of CPU; a large file longer. Not on the
    // worker that serves requests.
    let sha = content_sha256(&bytes);
    let kind = query.kind;
    let parsed = web::block(move || read_document_as(&bytes, kind))
        .await
        .map_err(|e| ApiError::Internal(Box::new(e)))??;
    let dry_run = query.dry_run;
    if !dry_run {
        check_importable(&parsed, query.force)?;
    }
    Ok(web::Json(
        store
            .run(move |conn| apply::apply(conn, parsed, &sha, &actor, dry_run))
            .await?,
    ))
}

fn check_content_type(request: &HttpRequest) -> Result<(), ApiError> {
    let mime = request
        .mime_type()
        .map_err(|e| ApiError::BadRequest(format!("Content-Type: {e}")))?;
    match mime {
        None => Ok(()),
        Some(mime) if mime.essence_str() == "text/plain" => Ok(()),
        Some(mime) if mime.essence_str() == DOCX_TYPE => Ok(()),
        Some(mime) if mime.essence_str() == PDF_TYPE => Ok(()),
        Some(mime) if mime.essence_str() == "application/octet-stream" => Ok(()),
        Some(mime) => Err(ApiError::UnsupportedMediaType(format!(
            "a document is sent as text/plain, {DOCX_TYPE}, {PDF_TYPE} or application/octet-stream, not {mime}"
        ))),
    }
}

async fn read_body(body: web::Payload) -> Result<web::Bytes, ApiError> {
    let bytes = body
        .to_bytes_limited(MAX_DOCUMENT_BYTES)
        .await
        .map_err(|_| {
            ApiError::PayloadTooLarge(format!(
                "the document is larger than {} MiB",
                MAX_DOCUMENT_BYTES / 1024 / 1024
            ))
        })?
        .map_err(|e| ApiError::BadRequest(format!("the body could not be read: {e}")))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::BadRequest(
            "the body is empty: send the document (.docx, PDF or text) as the body".into(),
        ));
    }
    Ok(bytes)
}

/// Which imports to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportListQuery {
    /// Only the imports of this committee's meetings.
    #[param(value_type = Option<CommitteeCode>, example = "ASU")]
    pub committee: Option<CommitteeCode>,
    /// At most this many (default 50, at most 200).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// List imports
///
/// The imports that changed the log, newest first: which document (its SHA-256), for which
/// meeting, by whom, and what it did. An import that changed nothing is not listed.
#[utoipa::path(
    tag = "imports",
    params(ImportListQuery),
    responses((status = 200, description = "The imports", body = Vec<ImportRecord>), BadRequest)
)]
#[get("/imports")]
async fn list(
    Reader(_visibility): Reader,
    _token: super::auth::TokenHolder,
    store: StoreData,
    QueryParams(query): QueryParams<ImportListQuery>,
) -> Result<web::Json<Vec<ImportRecord>>, ApiError> {
    let limit = checked_limit(query.limit)?;
    Ok(web::Json(
        store
            .run(move |conn| imports::list(conn, query.committee.as_ref(), limit))
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}
