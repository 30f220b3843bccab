//! `/importer`, for editors: choose a notice or minutes (`.docx`, `.pdf` or `.txt`), see what
//! importing it would do, and confirm it without sending the file again.
//!
//! The upload is read and previewed (the importer's dry run) and the file is kept server-side
//! as a pending import of this person ([`pending_imports`]); the confirmation names it by id,
//! imports it for real and leads to the meeting.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use askama::Template;
use futures_util::StreamExt;
use uuid::Uuid;

use super::{Chrome, FieldError, Form, Visitor, WebError, format, section};
use crate::api::imports::MAX_DOCUMENT_BYTES;
use crate::domain::{DecisionKind, MeetingKind};
use crate::import::apply::{self, ImportAction, ImportActionKind, ImportEntity, ImportResult};
use crate::import::document::ParsedCaseStatus;
use crate::import::{
    DocumentKind, ImportError, check_importable, content_sha256, read_document_as,
};
use crate::store::pending_imports::{self, Lookup, NewPendingImport};
use crate::store::sessions::SessionUser;
use crate::store::{Store, StoreError};

/// The file types the page takes, by their ending.
const ENDINGS: [&str; 3] = [".docx", ".pdf", ".txt"];
/// A form field other than the file: a CSRF token or a choice.
const MAX_TEXT_FIELD: usize = 1024;
/// How much of a too large upload is read (and thrown away) so that the browser gets the
/// answer rather than a broken connection; past this the connection is dropped.
const MAX_DRAINED: usize = 4 * MAX_DOCUMENT_BYTES;

/// The field ids of the form, for the error summary.
const FILE_FIELD: &str = "felt-dokument";
const FORCE_FIELD: &str = "felt-likevel";

/// The kind the person chose: read from the document, or one of the two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KindChoice {
    Auto,
    Minutes,
    Notice,
}

impl KindChoice {
    const ALL: [(KindChoice, &'static str, &'static str); 3] = [
        (KindChoice::Auto, "auto", "Finn typen ut fra dokumentet"),
        (KindChoice::Minutes, "referat", "Møtereferat (vedtakene)"),
        (
            KindChoice::Notice,
            "innkalling",
            "Møteinnkalling (forslag til vedtak)",
        ),
    ];

    fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|(_, name, _)| *name == value)
            .map(|(choice, _, _)| *choice)
    }

    fn kind(self) -> Option<DocumentKind> {
        match self {
            KindChoice::Auto => None,
            KindChoice::Minutes => Some(DocumentKind::Minutes),
            KindChoice::Notice => Some(DocumentKind::Notice),
        }
    }

    /// As kept with a pending import.
    fn stored(self) -> Option<&'static str> {
        match self {
            KindChoice::Auto => None,
            KindChoice::Minutes => Some("minutes"),
            KindChoice::Notice => Some("notice"),
        }
    }

    fn from_stored(stored: Option<&str>) -> Self {
        match stored {
            Some("minutes") => KindChoice::Minutes,
            Some("notice") => KindChoice::Notice,
            _ => KindChoice::Auto,
        }
    }
}

#[derive(Template)]
#[template(path = "importer.html")]
struct FormPage {
    chrome: Chrome,
    errors: Vec<FieldError>,
    kind: KindChoice,
    choices: [(KindChoice, &'static str, &'static str); 3],
    /// Why an earlier preview cannot be confirmed (expired, unknown).
    problem: Option<String>,
    max_mib: usize,
}

impl FormPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        super::error_for(&self.errors, field)
    }
}

fn show_form(
    visitor: &Visitor,
    errors: Vec<FieldError>,
    kind: KindChoice,
    problem: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    super::render(
        status,
        &FormPage {
            chrome: Chrome::new("Importer", section::IMPORT, visitor),
            errors,
            kind,
            choices: KindChoice::ALL,
            problem,
            max_mib: MAX_DOCUMENT_BYTES / 1024 / 1024,
        },
    )
}

/// `GET /importer`.
pub async fn page(visitor: Visitor) -> Result<HttpResponse, WebError> {
    visitor.editor()?;
    show_form(&visitor, Vec::new(), KindChoice::Auto, None, StatusCode::OK)
}

/// What the upload form sent.
#[derive(Default)]
struct Upload {
    csrf: Option<String>,
    kind: Option<String>,
    file_name: String,
    /// `None` when no file was chosen, or it was larger than the limit (`too_large`).
    document: Option<web::Bytes>,
    too_large: bool,
}

/// Reads a field up to `limit` bytes; `None` when it is longer (then it has been read up to
/// [`MAX_DRAINED`] bytes and thrown away, or left when longer still).
async fn read_field(
    field: &mut actix_multipart::Field,
    limit: usize,
) -> Result<Option<web::Bytes>, WebError> {
    let mut bytes = web::BytesMut::new();
    let mut seen = 0usize;
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(unreadable_form)?;
        seen += chunk.len();
        if seen > MAX_DRAINED {
            return Ok(None);
        }
        if seen <= limit {
            bytes.extend_from_slice(&chunk);
        } else if !bytes.is_empty() {
            bytes = web::BytesMut::new();
        }
    }
    Ok((seen <= limit).then(|| bytes.freeze()))
}

fn unreadable_form(error: impl std::fmt::Display) -> WebError {
    WebError::BadRequest(format!(
        "Skjemaet med filen kunne ikke leses ({error}). Velg filen og send skjemaet på nytt."
    ))
}

async fn read_upload(mut multipart: Multipart) -> Result<Upload, WebError> {
    let mut upload = Upload::default();
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(unreadable_form)?;
        let name = field.name().unwrap_or_default().to_owned();
        let text =
            |bytes: Option<web::Bytes>| bytes.and_then(|b| String::from_utf8(b.to_vec()).ok());
        match name.as_str() {
            "dokument" => {
                upload.file_name = field
                    .content_disposition()
                    .and_then(|c| c.get_filename())
                    .unwrap_or_default()
                    .to_owned();
                upload.document = read_field(&mut field, MAX_DOCUMENT_BYTES).await?;
                if upload.document.is_none() {
                    // What follows the file is not needed to say it is too large.
                    upload.too_large = true;
                    return Ok(upload);
                }
            }
            "csrf" => upload.csrf = text(read_field(&mut field, MAX_TEXT_FIELD).await?),
            "type" => upload.kind = text(read_field(&mut field, MAX_TEXT_FIELD).await?),
            _ => {
                read_field(&mut field, 0).await?;
            }
        }
    }
    Ok(upload)
}

/// Why a file cannot be previewed, as the form shows it at the file field.
fn file_error(message: impl Into<String>) -> Vec<FieldError> {
    vec![FieldError::new(FILE_FIELD, message)]
}

/// The page's words for what the importer could not read.
fn import_error(error: &ImportError) -> String {
    match error {
        ImportError::NotAMeetingDocument(detail) => format!(
            "Filen ser ikke ut som en møteinnkalling eller et møtereferat: fant ingen møtedato og sakliste som kan leses. Velg innkallingen eller referatet fra møtet. (Innleseren sier: {detail})"
        ),
        ImportError::Unreadable(detail) => format!(
            "Filen kunne ikke leses. Lagre den som Word-dokument (.docx), PDF eller tekst (UTF-8) og prøv igjen. (Innleseren sier: {detail})"
        ),
        ImportError::LooksMisread(_) => "De fleste sakene fikk ingen vedtakspunkter.".into(),
    }
}

/// `POST /importer` (`multipart/form-data`): reads the file and shows what importing it would
/// do; the file waits server-side for the confirmation.
pub async fn upload(
    visitor: Visitor,
    store: web::Data<Store>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, WebError> {
    let user = visitor.editor()?.clone();
    let is_multipart = req
        .mime_type()
        .ok()
        .flatten()
        .is_some_and(|m| m.essence_str() == "multipart/form-data");
    if !is_multipart {
        return Err(WebError::BadRequest(
            "Filen må sendes med skjemaet på siden Importer.".into(),
        ));
    }
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let upload = if declared.is_some_and(|length| length > MAX_DRAINED) {
        // Far too large to read at all; without its CSRF token nothing is done anyway.
        Upload {
            too_large: true,
            ..Upload::default()
        }
    } else {
        read_upload(Multipart::new(req.headers(), payload)).await?
    };
    if !upload.too_large || upload.csrf.is_some() {
        visitor.check_csrf(upload.csrf.as_deref())?;
    }
    let kind = upload
        .kind
        .as_deref()
        .and_then(KindChoice::parse)
        .unwrap_or(KindChoice::Auto);
    let refuse = |status: StatusCode, message: String| {
        show_form(&visitor, file_error(message), kind, None, status)
    };
    if upload.too_large {
        return refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "Filen er større enn {} MiB. Et møtedokument er sjelden mer enn noen få MiB; lagre det uten bilder, eller som PDF eller tekst.",
                MAX_DOCUMENT_BYTES / 1024 / 1024
            ),
        );
    }
    let Some(document) = upload.document.filter(|_| !upload.file_name.is_empty()) else {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Velg en fil å importere.".into(),
        );
    };
    let ending_ok = {
        let name = upload.file_name.to_lowercase();
        ENDINGS.iter().any(|ending| name.ends_with(ending))
    };
    if !ending_ok {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "«{}» er ikke en fil som kan importeres. Velg et Word-dokument (.docx), en PDF (.pdf) eller en tekstfil (.txt).",
                upload.file_name
            ),
        );
    }
    if document.iter().all(u8::is_ascii_whitespace) {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("«{}» er tom. Velg en fil med innhold.", upload.file_name),
        );
    }
    let pending = NewPending {
        document,
        file_name: upload.file_name,
        kind,
    };
    match preview(&store, &user, pending).await? {
        Ok(view) => show_preview(&visitor, view, Vec::new(), StatusCode::OK),
        Err(error) => refuse(StatusCode::UNPROCESSABLE_ENTITY, import_error(&error)),
    }
}

/// A document to preview, with how it is to be read.
struct NewPending {
    document: web::Bytes,
    file_name: String,
    kind: KindChoice,
}

/// A preview ready to show: what the dry run found, and the id that confirms it.
struct Preview {
    pending_id: Uuid,
    file_name: String,
    result: ImportResult,
    /// Most cases came out without points: confirming needs "importer likevel".
    misread: bool,
}

/// Reads the document, runs the import as a dry run and keeps the file as a pending import.
/// The outer error is the store's; the inner one says the file cannot be read as a meeting.
async fn preview(
    store: &Store,
    user: &SessionUser,
    pending: NewPending,
) -> Result<Result<Preview, ImportError>, WebError> {
    let NewPending {
        document,
        file_name,
        kind,
    } = pending;
    let bytes = document.clone();
    let parsed = match read(bytes, kind).await? {
        Ok(parsed) => parsed,
        Err(error) => return Ok(Err(error)),
    };
    let misread = check_importable(&parsed, false).is_err();
    let (actor, user_id) = (user.name.clone(), user.user_id);
    let name = file_name.clone();
    let (result, pending_id) = store
        .run(move |conn| {
            let sha = content_sha256(&document);
            let result = apply::apply(conn, parsed, &sha, &actor, true)?;
            let id = pending_imports::save(
                conn,
                NewPendingImport {
                    user_id,
                    document: &document,
                    content_sha256: &sha,
                    file_name: &name,
                    kind: kind.stored(),
                },
            )?;
            Ok((result, id))
        })
        .await?;
    Ok(Ok(Preview {
        pending_id,
        file_name,
        result,
        misread,
    }))
}

/// Reads a document off the workers that serve requests: unzipping and parsing a large file
/// takes a while.
async fn read(
    document: web::Bytes,
    kind: KindChoice,
) -> Result<Result<crate::import::ParsedDocument, ImportError>, WebError> {
    web::block(move || read_document_as(&document, kind.kind()))
        .await
        .map_err(|e| WebError::Internal(format!("reading a document failed: {e}")))
}

/// What happens to one record, in the page's words and colour.
struct Effect {
    word: &'static str,
    color: &'static str,
    /// The fields written, in Norwegian, when a record changes.
    fields: String,
    /// The fields kept as an editor set them by hand.
    kept: String,
    note: Option<String>,
}

impl Effect {
    fn of(action: Option<&ImportAction>) -> Self {
        let Some(action) = action else {
            return Effect {
                word: "Ikke med",
                color: "neutral",
                fields: String::new(),
                kept: String::new(),
                note: None,
            };
        };
        let (word, color) = match action.action {
            ImportActionKind::Created => ("Opprettes", "success"),
            ImportActionKind::Updated => ("Endres", "info"),
            ImportActionKind::Unchanged => ("Uendret", "neutral"),
            ImportActionKind::Removed => ("Fjernes", "danger"),
            ImportActionKind::Skipped => ("Hoppes over", "warning"),
        };
        let words = |fields: &[String]| {
            fields
                .iter()
                .map(|f| format::field(f))
                .collect::<Vec<_>>()
                .join(", ")
        };
        Effect {
            word,
            color,
            fields: match action.action {
                ImportActionKind::Updated => words(&action.fields),
                _ => String::new(),
            },
            kept: words(&action.kept),
            note: action.note.clone(),
        }
    }
}

struct PointView {
    label: String,
    text: String,
    kind: &'static str,
    owners: String,
    deadline: String,
    effect: Effect,
}

struct CaseView {
    number: String,
    title: String,
    status: &'static str,
    effect: Effect,
    points: Vec<PointView>,
}

/// A warning of the importer, with the line of the document it is about.
struct Warning {
    line: Option<String>,
    message: String,
}

fn warning(text: &str) -> Warning {
    match text
        .strip_prefix("line ")
        .and_then(|rest| rest.split_once(": "))
        .filter(|(line, _)| line.chars().all(|c| c.is_ascii_digit()))
    {
        Some((line, message)) => Warning {
            line: Some(line.to_owned()),
            message: message.to_owned(),
        },
        None => Warning {
            line: None,
            message: text.to_owned(),
        },
    }
}

#[derive(Template)]
#[template(path = "import_preview.html")]
struct PreviewPage {
    chrome: Chrome,
    pending_id: Uuid,
    file_name: String,
    document_kind: &'static str,
    committee: String,
    date: String,
    time: Option<String>,
    location: Option<String>,
    meeting_kind: &'static str,
    chair: Option<String>,
    minute_taker: Option<String>,
    meeting_effect: Effect,
    summary: crate::store::imports::ImportSummary,
    warnings: Vec<Warning>,
    cases: Vec<CaseView>,
    misread: bool,
    errors: Vec<FieldError>,
    lifetime_minutes: i64,
}

impl PreviewPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        super::error_for(&self.errors, field)
    }
}

fn find_action<'a>(
    actions: &'a [ImportAction],
    entity: ImportEntity,
    case: Option<&str>,
    position: Option<&str>,
) -> Option<&'a ImportAction> {
    actions.iter().find(|a| {
        a.entity == entity
            && a.case.as_ref().map(ToString::to_string).as_deref() == case
            && a.position.as_ref().map(ToString::to_string).as_deref() == position
    })
}

fn point_kind(kind: DecisionKind) -> &'static str {
    format::kind(kind)
}

fn case_views(result: &ImportResult) -> Vec<CaseView> {
    let actions = &result.import.actions;
    let mut views: Vec<CaseView> = result
        .parsed
        .cases
        .iter()
        .map(|case| {
            let number = case.number.to_string();
            let points = case
                .decisions
                .iter()
                .map(|point| {
                    let position = point.position.to_string();
                    PointView {
                        label: format!("{number}-{position}"),
                        text: point.text.clone(),
                        kind: point_kind(point.kind),
                        owners: point.owners.join(", "),
                        deadline: point.deadline.map(format::date).unwrap_or_default(),
                        effect: Effect::of(find_action(
                            actions,
                            ImportEntity::Decision,
                            Some(&number),
                            Some(&position),
                        )),
                    }
                })
                .collect();
            CaseView {
                effect: Effect::of(find_action(
                    actions,
                    ImportEntity::Case,
                    Some(&number),
                    None,
                )),
                title: case.title.clone(),
                status: match case.status {
                    ParsedCaseStatus::Decided => "Vedtatt",
                    ParsedCaseStatus::Proposed => "Forslag til vedtak",
                    ParsedCaseStatus::Postponed => "Utsatt",
                },
                number,
                points,
            }
        })
        .collect();
    // Points in the log that the document no longer holds: shown with their case.
    for action in actions
        .iter()
        .filter(|a| a.entity == ImportEntity::Decision && a.action == ImportActionKind::Removed)
    {
        let number = action
            .case
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let point = PointView {
            label: format!(
                "{number}-{}",
                action
                    .position
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default()
            ),
            text: "(Står ikke i dokumentet.)".into(),
            kind: "",
            owners: String::new(),
            deadline: String::new(),
            effect: Effect::of(Some(action)),
        };
        match views.iter_mut().find(|v| v.number == number) {
            Some(view) => view.points.push(point),
            None => views.push(CaseView {
                title: String::new(),
                status: "",
                effect: Effect::of(find_action(
                    actions,
                    ImportEntity::Case,
                    Some(&number),
                    None,
                )),
                number,
                points: vec![point],
            }),
        }
    }
    views
}

fn show_preview(
    visitor: &Visitor,
    preview: Preview,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let result = &preview.result;
    let meeting = &result.parsed.meeting;
    let page = PreviewPage {
        chrome: Chrome::new(
            format!("Forhåndsvisning av {}", preview.file_name),
            section::IMPORT,
            visitor,
        ),
        pending_id: preview.pending_id,
        document_kind: match result.parsed.document.kind {
            DocumentKind::Minutes => "Møtereferat",
            DocumentKind::Notice => "Møteinnkalling",
        },
        committee: meeting.committee.clone(),
        date: format::date(meeting.date),
        time: format::clock_span(meeting.start_time, meeting.end_time),
        location: meeting.location.clone(),
        meeting_kind: match meeting.kind {
            MeetingKind::Extraordinary => "Ekstraordinært møte",
            _ => "Ordinært møte",
        },
        chair: meeting.chair.clone(),
        minute_taker: meeting.minute_taker.clone(),
        meeting_effect: Effect::of(find_action(
            &result.import.actions,
            ImportEntity::Meeting,
            None,
            None,
        )),
        summary: result.import.summary.clone(),
        warnings: result.parsed.warnings.iter().map(|w| warning(w)).collect(),
        cases: case_views(result),
        misread: preview.misread,
        errors,
        lifetime_minutes: pending_imports::LIFETIME_MINUTES,
        file_name: preview.file_name,
    };
    super::render(status, &page)
}

/// `POST /importer/{id}`: imports the pending document for real and leads to the meeting.
pub async fn confirm(
    visitor: Visitor,
    store: web::Data<Store>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let user = visitor.editor()?.clone();
    let form = Form::parse(&body);
    visitor.check_csrf(form.get("csrf"))?;
    let force = form.get("likevel").is_some();
    let cannot = |status: StatusCode, message: &str| {
        show_form(
            &visitor,
            Vec::new(),
            KindChoice::Auto,
            Some(message.to_owned()),
            status,
        )
    };
    const UNKNOWN: &str = "Forhåndsvisningen finnes ikke: den er allerede importert, eller den tilhører en annen bruker. Velg filen på nytt for å se en ny forhåndsvisning.";
    let Ok(id) = id.parse::<Uuid>() else {
        return cannot(StatusCode::NOT_FOUND, UNKNOWN);
    };
    let user_id = user.user_id;
    let pending = match store
        .run(move |conn| pending_imports::find(conn, id, user_id))
        .await?
    {
        Lookup::Ready(pending) => pending,
        Lookup::Expired => {
            return cannot(
                StatusCode::GONE,
                &format!(
                    "Forhåndsvisningen er utløpt: den kan bekreftes i {} minutter. Ingenting er importert. Velg filen på nytt.",
                    pending_imports::LIFETIME_MINUTES
                ),
            );
        }
        Lookup::Unknown => return cannot(StatusCode::NOT_FOUND, UNKNOWN),
    };
    let kind = KindChoice::from_stored(pending.kind.as_deref());
    let document = web::Bytes::from(pending.document);
    let parsed = match read(document.clone(), kind).await? {
        Ok(parsed) => parsed,
        // It was read for the preview; the importer has changed since (a new version).
        Err(error) => {
            return show_form(
                &visitor,
                file_error(import_error(&error)),
                kind,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    if !force && check_importable(&parsed, false).is_err() {
        // The same rule as the API: shown on the preview again, at the box to tick.
        let sha = pending.content_sha256.clone();
        let (actor, file_name) = (user.name.clone(), pending.file_name.clone());
        let result = store
            .run(move |conn| apply::apply(conn, parsed, &sha, &actor, true))
            .await?;
        let preview = Preview {
            pending_id: id,
            file_name,
            result,
            misread: true,
        };
        let errors = vec![FieldError::new(
            FORCE_FIELD,
            "De fleste sakene fikk ingen vedtakspunkter. Kryss av for å importere likevel, eller velg filen på nytt med en annen type.",
        )];
        return show_preview(&visitor, preview, errors, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (actor, sha) = (user.name.clone(), pending.content_sha256);
    let outcome = store
        .run(move |conn| {
            crate::store::write_transaction(conn, |conn| {
                // Of two confirmations of one preview only the first imports.
                if !pending_imports::take(conn, id, user_id)? {
                    return Err(StoreError::NotFound("already confirmed".into()));
                }
                apply::apply(conn, parsed, &sha, &actor, false)
            })
        })
        .await;
    let result = match outcome {
        Ok(result) => result,
        Err(StoreError::NotFound(_)) => return cannot(StatusCode::NOT_FOUND, UNKNOWN),
        Err(other) => return Err(other.into()),
    };
    let summary = &result.import.summary;
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("importert", if result.import.changed { "1" } else { "0" })
        .append_pair("nye", &summary.created.to_string())
        .append_pair("endret", &summary.updated.to_string())
        .append_pair("fjernet", &summary.removed.to_string())
        .append_pair("beholdt", &summary.kept.to_string())
        .finish();
    Ok(match result.import.meeting_id {
        Some(meeting) => super::see_other(&format!("/moter/{meeting}?{query}")),
        None => super::see_other("/moter"),
    })
}
