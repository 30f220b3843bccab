//! `/vedtakspunkter/{id}`: one decision point with its full text, case, meeting, owners,
//! deadline, status and history; for editors a form to change status, note and deadline.
//!
//! The form carries the version the page showed. If someone changed the point since, nothing
//! is overwritten: the page shows their change beside what this person typed, and keeps it.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{Chrome, FieldError, Form, Visitor, WebError, format, section};
use crate::domain::{CaseNumber, CommitteeCode, DecisionId, DecisionStatus};
use crate::store::decisions::{self, Decision};
use crate::store::history::{Action, HistoryEntry};
use crate::store::{Store, StoreError, Visibility};
use crate::store::{cases, committees, meetings, owners};
use crate::writes;
use crate::writes::decisions::DecisionChanges;
use crate::writes::decisions::{EvidenceRef, OwnerAssignment};

/// The statuses an editor can set here; `proposed` belongs to imports.
const SETTABLE: [DecisionStatus; 4] = [
    DecisionStatus::Open,
    DecisionStatus::InProgress,
    DecisionStatus::Done,
    DecisionStatus::Cancelled,
];

/// What the edit form holds: as the point is, or as the person typed it.
#[derive(Debug, Clone)]
struct Draft {
    status: String,
    note: String,
    deadline: String,
    /// The owners by name, separated by commas; `None` from a form without the field (then
    /// they stay as they are).
    owners: Option<String>,
    /// Where the change was reported; `None` from a form without the fields (then it stays as
    /// it is, until a new status clears it).
    evidence: Option<EvidenceDraft>,
    version: i32,
}

/// "Rapportert i" as typed: a committee and either a case number or a meeting date.
#[derive(Debug, Clone, Default)]
struct EvidenceDraft {
    committee: String,
    case: String,
    meeting: String,
}

impl EvidenceDraft {
    fn of(decision: &Decision) -> Self {
        match &decision.status_evidence {
            Some(evidence) => EvidenceDraft {
                committee: evidence.committee.to_string(),
                case: evidence.case.map(|c| c.to_string()).unwrap_or_default(),
                meeting: evidence.meeting_date.map(format::date).unwrap_or_default(),
            },
            None => EvidenceDraft {
                committee: decision.case.committee.to_string(),
                ..EvidenceDraft::default()
            },
        }
    }

    /// As the page writes it: "ASU sak 20/24", "ASU-møtet 30.08.2024", or nothing.
    fn shown(&self) -> String {
        match (self.case.as_str(), self.meeting.as_str()) {
            ("", "") => String::new(),
            (case, "") => format!("{} sak {case}", self.committee),
            ("", day) => format!("{}-møtet {day}", self.committee),
            (case, day) => format!("{} sak {case}, møtet {day}", self.committee),
        }
    }

    /// The citation it asks for (`None`: none), or the fields that cannot be read.
    fn parse(&self, own: &CommitteeCode) -> Result<Option<EvidenceRef>, Vec<FieldError>> {
        let mut errors = Vec::new();
        let committee = match self.committee.as_str() {
            "" => own.clone(),
            code => code.parse::<CommitteeCode>().unwrap_or_else(|_| {
                errors.push(FieldError::new(
                    "rapportert-utvalg",
                    "Velg utvalget der endringen ble rapportert.",
                ));
                own.clone()
            }),
        };
        let case = match self.case.as_str() {
            "" => None,
            text => text.parse::<CaseNumber>().map(Some).unwrap_or_else(|_| {
                errors.push(FieldError::new(
                    "rapportert-sak",
                    format!("«{text}» er ikke et saksnummer. Skriv det som 20/24."),
                ));
                None
            }),
        };
        let meeting_date = match self.meeting.as_str() {
            "" => None,
            text => format::parse_date(text).or_else(|| {
                errors.push(FieldError::new(
                    "rapportert-mote",
                    format!("«{text}» er ikke en dato. Skriv møtedatoen som 30.08.2024."),
                ));
                None
            }),
        };
        if !self.case.is_empty() && !self.meeting.is_empty() {
            errors.push(FieldError::new(
                "rapportert-sak",
                "Skriv enten saken eller møtedatoen der endringen ble rapportert, ikke begge.",
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(
            (case.is_some() || meeting_date.is_some()).then(|| EvidenceRef {
                committee: (committee != *own).then_some(committee),
                case,
                meeting_date,
            }),
        )
    }
}

impl Draft {
    fn of(decision: &Decision) -> Self {
        Draft {
            status: decision.status.as_str().to_owned(),
            note: decision.status_note.clone().unwrap_or_default(),
            deadline: decision.deadline.map(format::date).unwrap_or_default(),
            owners: Some(owner_names(decision).join(", ")),
            evidence: Some(EvidenceDraft::of(decision)),
            version: decision.version,
        }
    }

    /// What a person typed, labelled as on the form, for a page that cannot save it.
    fn shown(&self) -> Vec<(&'static str, String)> {
        let status = self.status.parse::<DecisionStatus>().map_or_else(
            |_| self.status.clone(),
            |s| crate::report::log::status_word(s).to_owned(),
        );
        [
            ("Status", status),
            ("Merknad", self.note.clone()),
            ("Frist", self.deadline.clone()),
            ("Ansvarlige", self.owners.clone().unwrap_or_default()),
            (
                "Rapportert i",
                self.evidence
                    .as_ref()
                    .map(EvidenceDraft::shown)
                    .unwrap_or_default(),
            ),
        ]
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .collect()
    }

    fn from_form(form: &Form) -> Self {
        Draft {
            status: form.get("status").unwrap_or_default().trim().to_owned(),
            note: form.get("merknad").unwrap_or_default().trim().to_owned(),
            deadline: form.get("frist").unwrap_or_default().trim().to_owned(),
            owners: form.get("ansvarlige").map(|o| o.trim().to_owned()),
            evidence: (form.get("rapportert_sak").is_some()
                || form.get("rapportert_mote").is_some())
            .then(|| {
                let field = |name| form.get(name).unwrap_or_default().trim().to_owned();
                EvidenceDraft {
                    committee: field("rapportert_utvalg"),
                    case: field("rapportert_sak"),
                    meeting: field("rapportert_mote"),
                }
            }),
            version: form
                .get("versjon")
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(-1),
        }
    }
}

fn owner_names(decision: &Decision) -> Vec<String> {
    decision.owners.iter().map(|o| o.name.clone()).collect()
}

/// The owners typed in the form, by name, in order.
fn typed_owners(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .collect()
}

/// One entry of the history, ready to show.
struct Event {
    when: String,
    who: String,
    what: &'static str,
    changes: Vec<(String, String, String)>,
    note: Option<String>,
}

fn events(history: Vec<HistoryEntry>) -> Vec<Event> {
    history
        .into_iter()
        .rev()
        .map(|entry| {
            // A creation lists every field from nothing: the page above shows them already.
            let changes = entry
                .changes
                .as_object()
                .filter(|_| entry.action != Action::Created)
                .map(|fields| {
                    fields
                        .iter()
                        .filter(|(name, _)| {
                            !matches!(name.as_str(), "version" | "updated_at" | "updated_by")
                        })
                        .map(|(name, change)| {
                            let value = |side: &str| {
                                change
                                    .get(side)
                                    .map(|v| format::history_value(name, v))
                                    .unwrap_or_else(|| "–".into())
                            };
                            (format::field(name).to_owned(), value("from"), value("to"))
                        })
                        .collect()
                })
                .unwrap_or_default();
            Event {
                when: format::date_time(entry.at),
                who: entry.actor,
                what: match entry.action {
                    Action::Created => "Opprettet",
                    Action::Updated => "Endret",
                    Action::Deleted => "Slettet",
                },
                changes,
                note: entry.note,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "decision.html")]
struct DecisionPage {
    chrome: Chrome,
    decision: Decision,
    events: Vec<Event>,
    can_edit: bool,
    draft: Draft,
    errors: Vec<FieldError>,
    /// Set when the point changed under the person's feet: the version they had.
    conflict: Option<i32>,
    saved: bool,
    statuses: [DecisionStatus; 4],
    /// The committees "Rapportert i" can name.
    committees: Vec<CommitteeCode>,
}

impl DecisionPage {
    fn date(&self, day: &chrono::NaiveDate) -> String {
        format::date(*day)
    }

    fn date_time(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        format::date_time(*at)
    }

    fn status_word(&self, status: &DecisionStatus) -> &'static str {
        format::status(*status)
    }

    fn status_color(&self, status: &DecisionStatus) -> &'static str {
        format::status_color(*status)
    }

    fn kind_word(&self) -> &'static str {
        format::kind(self.decision.kind)
    }

    fn draft_status_word(&self) -> &str {
        self.draft
            .status
            .parse::<DecisionStatus>()
            .map(format::status)
            .unwrap_or(&self.draft.status)
    }

    fn draft_owners(&self) -> &str {
        self.draft.owners.as_deref().unwrap_or_default()
    }

    fn draft_evidence(&self) -> EvidenceDraft {
        self.draft
            .evidence
            .clone()
            .unwrap_or_else(|| EvidenceDraft::of(&self.decision))
    }

    fn error_for(&self, field: &str) -> Option<&str> {
        super::error_for(&self.errors, field)
    }

    fn evidence(&self) -> Option<String> {
        let evidence = self.decision.status_evidence.as_ref()?;
        Some(match (&evidence.case, evidence.meeting_date) {
            (Some(case), _) => format!("{} sak {case}", evidence.committee),
            (None, Some(day)) => format!("{}-møtet {}", evidence.committee, format::date(day)),
            (None, None) => evidence.committee.to_string(),
        })
    }
}

fn parse_id(id: &str) -> Result<DecisionId, WebError> {
    id.parse().map_err(|_| {
        WebError::NotFound("Det finnes ikke noe vedtakspunkt med denne adressen.".into())
    })
}

/// A deleted point: 410, with what the history says.
fn gone(error: WebError) -> WebError {
    match error {
        WebError::Gone { .. } => WebError::Gone {
            message: "Dette vedtakspunktet er slettet. Historikken er tatt vare på i loggen."
                .into(),
            history: None,
        },
        other => other,
    }
}

/// A point as the page shows it: the point, its history, and the committees its form can
/// name.
struct Loaded {
    decision: Decision,
    history: Vec<HistoryEntry>,
    committees: Vec<CommitteeCode>,
}

async fn load(store: &Store, id: DecisionId, visibility: Visibility) -> Result<Loaded, WebError> {
    store
        .run(move |conn| {
            let decision = decisions::get(conn, id, visibility)?;
            let history = decisions::history(conn, id, visibility)?;
            let committees = committees::list(conn)?
                .into_iter()
                .map(|c| c.code)
                .collect();
            Ok(Loaded {
                decision,
                history,
                committees,
            })
        })
        .await
        .map_err(|e| gone(e.into()))
}

/// The state of the edit form beside the point: empty on a plain view.
#[derive(Default)]
struct FormState {
    draft: Option<Draft>,
    errors: Vec<FieldError>,
    conflict: Option<i32>,
    saved: bool,
}

fn show(
    visitor: &Visitor,
    loaded: Loaded,
    form: FormState,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let Loaded {
        decision,
        history,
        committees,
    } = loaded;
    let title = format!(
        "Vedtakspunkt {} {}-{}",
        decision.case.committee, decision.case.number, decision.position
    );
    let page = DecisionPage {
        chrome: Chrome::new(title, section::DECISIONS, visitor),
        draft: form.draft.unwrap_or_else(|| Draft::of(&decision)),
        events: events(history),
        can_edit: visitor.can_edit(),
        decision,
        errors: form.errors,
        conflict: form.conflict,
        saved: form.saved,
        statuses: SETTABLE,
        committees,
    };
    super::render(status, &page)
}

#[derive(serde::Deserialize)]
pub struct PageQuery {
    lagret: Option<String>,
}

/// `GET /vedtakspunkter/{id}`.
pub async fn page(
    visitor: Visitor,
    store: web::Data<Store>,
    id: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, WebError> {
    let visibility = visitor.reader()?;
    let id = parse_id(&id)?;
    let loaded = load(&store, id, visibility).await?;
    let saved = query.lagret.is_some();
    show(
        &visitor,
        loaded,
        FormState {
            saved,
            ..FormState::default()
        },
        StatusCode::OK,
    )
}

/// Reads the form into the changes it asks for, against the point as it is; the fields that
/// cannot be taken are listed instead.
fn changes(draft: &Draft, current: &Decision) -> Result<DecisionChanges, Vec<FieldError>> {
    let mut errors = Vec::new();
    let status = match draft.status.parse::<DecisionStatus>() {
        Ok(status) if SETTABLE.contains(&status) || status == current.status => Some(status),
        _ => {
            errors.push(FieldError {
                field: "status",
                message: "Velg en status.".into(),
            });
            None
        }
    };
    let deadline = match draft.deadline.as_str() {
        "" => None,
        text => match format::parse_date(text) {
            Some(day) => Some(day),
            None => {
                errors.push(FieldError {
                    field: "frist",
                    message: format!("«{text}» er ikke en dato. Skriv fristen som 19.06.2024, eller la feltet stå tomt."),
                });
                None
            }
        },
    };
    if draft.note.chars().count() > 2000 {
        errors.push(FieldError {
            field: "merknad",
            message: "Merknaden kan være på høyst 2000 tegn.".into(),
        });
    }
    let owners = draft
        .owners
        .as_deref()
        .map(typed_owners)
        .unwrap_or_else(|| owner_names(current));
    let fold = |names: &[String]| {
        names
            .iter()
            .map(|n| crate::domain::fold(n))
            .collect::<Vec<_>>()
    };
    let owners = (fold(&owners) != fold(&owner_names(current))).then(|| {
        owners
            .iter()
            .map(|name| OwnerAssignment {
                // A responsible owner kept in the list stays the responsible one.
                responsible: current.owners.iter().any(|o| {
                    o.responsible && crate::domain::fold(&o.name) == crate::domain::fold(name)
                }),
                owner: name.clone(),
            })
            .collect()
    });
    let evidence = match draft
        .evidence
        .as_ref()
        .map(|e| e.parse(&current.case.committee))
    {
        None => None,
        Some(Ok(typed)) => Some(typed),
        Some(Err(mut wrong)) => {
            errors.append(&mut wrong);
            None
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let note = Some(draft.note.clone()).filter(|n| !n.is_empty());
    let status = status.filter(|s| *s != current.status);
    // A new status without a citation clears the old one, so the form's is sent with it.
    let evidence =
        evidence.filter(|typed| status.is_some() || !same_evidence(typed.as_ref(), current));
    // Only what differs from the point is sent, so that the history shows what was changed.
    Ok(DecisionChanges {
        status,
        evidence,
        status_note: (note != current.status_note).then_some(note),
        deadline: (deadline.map(|d| d.get()) != current.deadline).then_some(deadline),
        owners,
        ..DecisionChanges::default()
    })
}

/// An owner typed that the registry does not know, or one named twice, in the words of the
/// page. (The store refuses both anyway; this finds the words and the field.)
fn unknown_owner(
    conn: &mut crate::store::DbConnection,
    assigned: Option<&[OwnerAssignment]>,
) -> Result<Option<FieldError>, StoreError> {
    let mut seen = Vec::new();
    for assignment in assigned.unwrap_or_default() {
        let owner = match owners::get(conn, &assignment.owner) {
            Ok(owner) => owner,
            Err(StoreError::NotFound(_)) => {
                return Ok(Some(FieldError::new(
                    "ansvarlige",
                    format!(
                        "«{}» er ikke en registrert ansvarlig. Registrer den, eller legg til stavemåten, under Ansvarlige.",
                        assignment.owner
                    ),
                )));
            }
            Err(other) => return Err(other),
        };
        if seen.contains(&owner.id) {
            return Ok(Some(FieldError::new(
                "ansvarlige",
                format!("{} står der to ganger.", owner.name),
            )));
        }
        seen.push(owner.id);
    }
    Ok(None)
}

/// Whether a citation typed is the one the point has.
fn same_evidence(typed: Option<&EvidenceRef>, current: &Decision) -> bool {
    match (typed, &current.status_evidence) {
        (None, None) => true,
        (Some(typed), Some(held)) => {
            typed.committee.as_ref().unwrap_or(&current.case.committee) == &held.committee
                && typed.case == held.case
                && typed.meeting_date.map(|d| d.get()) == held.meeting_date
        }
        _ => false,
    }
}

/// A case or meeting cited that the log does not hold, in the words of the page. (The write
/// refuses it anyway; this finds the words and the field.)
fn unknown_evidence(
    conn: &mut crate::store::DbConnection,
    cited: Option<&EvidenceRef>,
    own: &CommitteeCode,
) -> Result<Option<FieldError>, StoreError> {
    let Some(cited) = cited else {
        return Ok(None);
    };
    let committee = cited.committee.as_ref().unwrap_or(own);
    let Some(committee_id) = committees::find_id(conn, committee)? else {
        return Ok(Some(FieldError::new(
            "rapportert-utvalg",
            format!("Utvalget {committee} finnes ikke i loggen."),
        )));
    };
    let committee_id = committee_id.to_string();
    if let Some(number) = cited.case
        && cases::find_id(conn, &committee_id, number)?.is_none()
    {
        return Ok(Some(FieldError::new(
            "rapportert-sak",
            format!(
                "{committee} har ingen sak {number} i loggen. Skriv et saksnummer fra loggen, eller møtedatoen."
            ),
        )));
    }
    if let Some(day) = cited.meeting_date
        && meetings::find_id(conn, &committee_id, day.get())?.is_none()
    {
        return Ok(Some(FieldError::new(
            "rapportert-mote",
            format!(
                "{committee} har ikke noe møte {} i loggen.",
                format::date(day.get())
            ),
        )));
    }
    Ok(None)
}

fn is_empty(changes: &DecisionChanges) -> bool {
    changes.evidence.is_none()
        && changes.status.is_none()
        && changes.status_note.is_none()
        && changes.deadline.is_none()
        && changes.owners.is_none()
}

/// What came of a form, decided inside one store call.
enum Outcome {
    Saved,
    Refused(Decision, Vec<FieldError>),
    Conflict(Decision),
}

/// `POST /vedtakspunkter/{id}`: changes status, note and deadline, as the person signed in.
pub async fn submit(
    visitor: Visitor,
    store: web::Data<Store>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let form = Form::parse(&body);
    let user = match visitor.editor() {
        Ok(user) => user.clone(),
        // The session ended while the form was open: show back what was typed.
        Err(WebError::SignIn { next }) => {
            return Err(WebError::SessionEnded {
                next,
                typed: Draft::from_form(&form).shown(),
            });
        }
        Err(other) => return Err(other),
    };
    visitor.check_csrf(form.get("csrf"))?;
    let id = parse_id(&id)?;
    let draft = Draft::from_form(&form);
    let typed = draft.clone();
    let outcome = store
        .run(move |conn| {
            let current = decisions::get(conn, id, Visibility::All)?;
            if current.version != draft.version {
                return Ok(Outcome::Conflict(current));
            }
            let changes = match changes(&draft, &current) {
                Ok(changes) => changes,
                Err(errors) => return Ok(Outcome::Refused(current, errors)),
            };
            if is_empty(&changes) {
                return Ok(Outcome::Saved);
            }
            if let Some(problem) = unknown_owner(conn, changes.owners.as_deref())? {
                return Ok(Outcome::Refused(current, vec![problem]));
            }
            let cited = changes.evidence.as_ref().and_then(Option::as_ref);
            if let Some(problem) = unknown_evidence(conn, cited, &current.case.committee)? {
                return Ok(Outcome::Refused(current, vec![problem]));
            }
            match writes::decisions::update(conn, id, Some(draft.version), changes, &user.name) {
                Ok(_) => Ok(Outcome::Saved),
                // Changed between the read and the write: the same as changed before.
                Err(StoreError::VersionMismatch { .. }) => Ok(Outcome::Conflict(decisions::get(
                    conn,
                    id,
                    Visibility::All,
                )?)),
                // A rule of the log (a status its kind does not allow): shown at the status.
                Err(StoreError::Invalid(message)) => Ok(Outcome::Refused(
                    current,
                    vec![FieldError {
                        field: "status",
                        message: format!("Endringen ble ikke lagret: {message}"),
                    }],
                )),
                Err(other) => Err(other),
            }
        })
        .await
        .map_err(|e| gone(e.into()))?;
    match outcome {
        Outcome::Saved => Ok(super::see_other(&format!("/vedtakspunkter/{id}?lagret=1"))),
        Outcome::Refused(current, errors) => {
            let loaded = Loaded {
                decision: current,
                ..load(&store, id, Visibility::All).await?
            };
            show(
                &visitor,
                loaded,
                FormState {
                    draft: Some(typed),
                    errors,
                    ..FormState::default()
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Outcome::Conflict(current) => {
            let version = current.version;
            let loaded = Loaded {
                decision: current,
                ..load(&store, id, Visibility::All).await?
            };
            let had = typed.version;
            // Saving again now is a decision made with their change in view.
            let draft = Draft { version, ..typed };
            show(
                &visitor,
                loaded,
                FormState {
                    draft: Some(draft),
                    conflict: Some(had),
                    ..FormState::default()
                },
                StatusCode::CONFLICT,
            )
        }
    }
}
