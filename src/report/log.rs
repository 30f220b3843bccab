//! The log as a report that can be presented on request: JSON, CSV for Norwegian Excel, and a
//! printable HTML page in Norwegian.

use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::{CaseId, CaseNumber, CommitteeCode, DecisionKind, DecisionStatus, MeetingId};
use crate::store::decisions::Decision;
use crate::store::overview::{StatusCounts, report_order};

/// The report: decision points grouped by meeting and case.
#[derive(Debug, Serialize, ToSchema)]
pub struct Report {
    pub committee: Option<CommitteeCode>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub generated_at: DateTime<Utc>,
    /// Meetings by date.
    pub meetings: Vec<ReportMeeting>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportMeeting {
    pub id: MeetingId,
    pub committee: CommitteeCode,
    pub date: NaiveDate,
    /// Cases by number.
    pub cases: Vec<ReportCase>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportCase {
    pub id: CaseId,
    #[schema(value_type = String, example = "24/24")]
    pub number: CaseNumber,
    pub title: String,
    /// Decision points by position.
    pub decisions: Vec<ReportDecision>,
}

/// A decision point as the report shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDecision {
    #[schema(value_type = String, example = "2")]
    pub position: String,
    pub text: String,
    pub kind: DecisionKind,
    /// The owners' names.
    pub owners: Vec<String>,
    pub deadline: Option<NaiveDate>,
    pub status: DecisionStatus,
    pub overdue: bool,
    /// The latest note on the status.
    pub status_note: Option<String>,
}

/// The head of a report: what it covers, and when it was made.
#[derive(Debug, Clone)]
pub struct ReportHead {
    pub committee: Option<CommitteeCode>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub generated_at: DateTime<Utc>,
}

/// A decision point as the report shows it.
fn report_decision(decision: Decision) -> ReportDecision {
    ReportDecision {
        position: decision.position.to_string(),
        text: decision.text,
        kind: decision.kind,
        owners: decision.owners.into_iter().map(|o| o.name).collect(),
        deadline: decision.deadline,
        status: decision.status,
        overdue: decision.overdue,
        status_note: decision.status_note,
    }
}

/// Groups decision points, sorted by meeting date, committee, case number and position, into
/// the report.
pub fn build(
    committee: Option<CommitteeCode>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    decisions: Vec<Decision>,
    now: DateTime<Utc>,
) -> Report {
    let mut meetings: Vec<ReportMeeting> = Vec::new();
    let mut sorted = decisions;
    sorted.sort_by(report_order);
    for decision in sorted {
        if meetings
            .last()
            .is_none_or(|m| m.id != decision.case.meeting_id)
        {
            meetings.push(ReportMeeting {
                id: decision.case.meeting_id,
                committee: decision.case.committee.clone(),
                date: decision.case.meeting_date,
                cases: Vec::new(),
            });
        }
        let meeting = meetings.last_mut().expect("a meeting was just pushed");
        if meeting
            .cases
            .last()
            .is_none_or(|c| c.id != decision.case.id)
        {
            meeting.cases.push(ReportCase {
                id: decision.case.id,
                number: decision.case.number,
                title: decision.case.title.clone(),
                decisions: Vec::new(),
            });
        }
        let case = meeting.cases.last_mut().expect("a case was just pushed");
        case.decisions.push(report_decision(decision));
    }
    Report {
        committee,
        from,
        to,
        generated_at: now,
        meetings,
    }
}

/// Status in the users' words.
pub fn status_word(status: DecisionStatus) -> &'static str {
    match status {
        DecisionStatus::Proposed => "Foreslått",
        DecisionStatus::Open => "Åpen",
        DecisionStatus::InProgress => "Pågår",
        DecisionStatus::Done => "Utført",
        DecisionStatus::Cancelled => "Avbrutt",
    }
}

/// Kind in the users' words.
pub fn kind_word(kind: DecisionKind) -> &'static str {
    match kind {
        DecisionKind::Orientation => "Til orientering",
        DecisionKind::Approval => "Godkjenning",
        DecisionKind::Assignment => "Oppdrag",
        DecisionKind::Recommendation => "Anbefaling",
        DecisionKind::Postponement => "Utsatt",
        DecisionKind::Scheduling => "Satt på sakskartet",
        DecisionKind::Other => "Annet",
    }
}

fn date(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}

/// A CSV field for Excel: quoted when it holds the separator, a quote or a line break; text
/// that Excel would run as a formula gets an apostrophe in front (the OWASP advice).
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    let text = text.as_ref();
    if text.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The form of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportForm {
    Json,
    Csv,
    Html,
}

/// The meeting and the case a report is in.
struct Current {
    meeting: MeetingId,
    committee: CommitteeCode,
    date: NaiveDate,
    case: Option<(CaseId, CaseNumber, String)>,
    /// Points written in the case so far.
    points: usize,
}

/// Writes a report a piece at a time, from its points in report order, so that a report of
/// any size is sent while it is read: the same bytes as [`Report`] as JSON, [`csv`] and
/// [`html`] give for the whole.
pub struct ReportWriter {
    form: ReportForm,
    head: ReportHead,
    current: Option<Current>,
}

/// A value as JSON, as `serde_json` writes it inside the whole report.
fn json<T: Serialize + ?Sized>(value: &T) -> String {
    // Plain data (dates, ids, text): serialising it cannot fail.
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

impl ReportWriter {
    pub fn new(form: ReportForm, head: ReportHead) -> Self {
        Self {
            form,
            head,
            current: None,
        }
    }

    /// The start of the report. The counts are those of all its points: the printable page
    /// shows them first.
    pub fn start(&self, out: &mut String, counts: &StatusCounts) {
        match self.form {
            ReportForm::Json => {
                let _ = write!(
                    out,
                    "{{\"committee\":{},\"from\":{},\"to\":{},\"generated_at\":{},\"meetings\":[",
                    json(&self.head.committee),
                    json(&self.head.from),
                    json(&self.head.to),
                    json(&self.head.generated_at),
                );
            }
            ReportForm::Csv => {
                out.push('\u{feff}');
                out.push_str(&CSV_HEADER.join(";"));
                out.push_str("\r\n");
            }
            ReportForm::Html => html_head(out, &self.head, counts),
        }
    }

    /// The next point in report order.
    pub fn point(&mut self, out: &mut String, decision: Decision) {
        let case = &decision.case;
        if self
            .current
            .as_ref()
            .is_none_or(|c| c.meeting != case.meeting_id)
        {
            self.begin_meeting(out, case.meeting_id, &case.committee, case.meeting_date);
        }
        if self
            .current
            .as_ref()
            .and_then(|c| c.case.as_ref())
            .is_none_or(|(id, _, _)| *id != case.id)
        {
            self.begin_case(out, case.id, case.number, &case.title);
        }
        self.write_point(out, &report_decision(decision));
    }

    /// The end of the report.
    pub fn finish(self, out: &mut String) {
        match self.form {
            ReportForm::Json => {
                if self.current.is_some() {
                    out.push_str("]}]}");
                }
                out.push_str("]}");
            }
            ReportForm::Csv => {}
            ReportForm::Html => {
                if self.current.is_some() {
                    out.push_str("</tbody>\n</table>\n");
                } else {
                    out.push_str("<p>Ingen vedtakspunkter i perioden.</p>\n");
                }
                out.push_str("</main>\n</body>\n</html>\n");
            }
        }
    }

    fn begin_meeting(
        &mut self,
        out: &mut String,
        id: MeetingId,
        committee: &CommitteeCode,
        date: NaiveDate,
    ) {
        let first = self.current.is_none();
        match self.form {
            ReportForm::Json => {
                if !first {
                    out.push_str("]}]},");
                }
                let _ = write!(
                    out,
                    "{{\"id\":{},\"committee\":{},\"date\":{},\"cases\":[",
                    json(&id),
                    json(committee),
                    json(&date)
                );
            }
            ReportForm::Csv => {}
            ReportForm::Html => {
                if !first {
                    out.push_str("</tbody>\n</table>\n");
                }
                let _ = write!(
                    out,
                    "<h2>{} – møte {}</h2>\n<table>\n<thead><tr><th>Punkt</th><th>Vedtak</th><th>Type</th><th>Ansvarlig</th><th>Frist</th><th>Status</th><th>Siste merknad</th></tr></thead>\n<tbody>\n",
                    html_escape(committee.as_str()),
                    self::date(date)
                );
            }
        }
        self.current = Some(Current {
            meeting: id,
            committee: committee.clone(),
            date,
            case: None,
            points: 0,
        });
    }

    fn begin_case(&mut self, out: &mut String, id: CaseId, number: CaseNumber, title: &str) {
        let Some(current) = self.current.as_mut() else {
            return;
        };
        match self.form {
            ReportForm::Json => {
                if current.case.is_some() {
                    out.push_str("]},");
                }
                let _ = write!(
                    out,
                    "{{\"id\":{},\"number\":{},\"title\":{},\"decisions\":[",
                    json(&id),
                    json(&number),
                    json(title)
                );
            }
            ReportForm::Csv => {}
            ReportForm::Html => {
                let _ = writeln!(
                    out,
                    "<tr class=\"case\"><td colspan=\"7\">Sak {} {}</td></tr>",
                    number,
                    html_escape(title)
                );
            }
        }
        current.case = Some((id, number, title.to_owned()));
        current.points = 0;
    }

    fn write_point(&mut self, out: &mut String, point: &ReportDecision) {
        let Some(current) = self.current.as_mut() else {
            return;
        };
        let Some((_, number, title)) = &current.case else {
            return;
        };
        match self.form {
            ReportForm::Json => {
                if current.points > 0 {
                    out.push(',');
                }
                out.push_str(&json(point));
            }
            ReportForm::Csv => {
                let fields = [
                    date(current.date),
                    current.committee.to_string(),
                    number.to_string(),
                    title.clone(),
                    // "24/24-2.1", not "2.1", which Excel would take for a date.
                    format!("{}-{}", number, point.position),
                    point.text.clone(),
                    kind_word(point.kind).to_owned(),
                    point.owners.join(", "),
                    point.deadline.map(date).unwrap_or_default(),
                    status_word(point.status).to_owned(),
                    if point.overdue {
                        "Ja".into()
                    } else {
                        "Nei".into()
                    },
                    point.status_note.clone().unwrap_or_default(),
                ];
                let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
                out.push_str(&row.join(";"));
                out.push_str("\r\n");
            }
            ReportForm::Html => {
                let deadline = point.deadline.map(date).unwrap_or_else(|| "–".into());
                let status = if point.overdue {
                    format!(
                        "<span class=\"overdue\">{} (forfalt)</span>",
                        status_word(point.status)
                    )
                } else {
                    status_word(point.status).to_owned()
                };
                let _ = writeln!(
                    out,
                    "<tr><td class=\"point\">{}-{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"status\">{}</td><td>{}</td></tr>",
                    number,
                    html_escape(&point.position),
                    html_escape(&point.text),
                    kind_word(point.kind),
                    html_escape(&if point.owners.is_empty() {
                        "–".to_owned()
                    } else {
                        point.owners.join(", ")
                    }),
                    deadline,
                    status,
                    html_escape(point.status_note.as_deref().unwrap_or("")),
                );
            }
        }
        current.points += 1;
    }

    /// Writes a whole report, as built.
    fn whole(form: ReportForm, report: &Report) -> String {
        let counts = counts_of(report);
        let mut writer = ReportWriter::new(
            form,
            ReportHead {
                committee: report.committee.clone(),
                from: report.from,
                to: report.to,
                generated_at: report.generated_at,
            },
        );
        let mut out = String::new();
        writer.start(&mut out, &counts);
        for meeting in &report.meetings {
            writer.begin_meeting(&mut out, meeting.id, &meeting.committee, meeting.date);
            for case in &meeting.cases {
                writer.begin_case(&mut out, case.id, case.number, &case.title);
                for point in &case.decisions {
                    writer.write_point(&mut out, point);
                }
            }
        }
        writer.finish(&mut out);
        out
    }
}

/// The counts of a report's points by status, and how many are overdue.
fn counts_of(report: &Report) -> StatusCounts {
    let mut counts = StatusCounts::default();
    for point in report
        .meetings
        .iter()
        .flat_map(|m| &m.cases)
        .flat_map(|c| &c.decisions)
    {
        counts.total += 1;
        match point.status {
            DecisionStatus::Proposed => counts.proposed += 1,
            DecisionStatus::Open => counts.open += 1,
            DecisionStatus::InProgress => counts.in_progress += 1,
            DecisionStatus::Done => counts.done += 1,
            DecisionStatus::Cancelled => counts.cancelled += 1,
        }
        if point.overdue {
            counts.overdue += 1;
        }
    }
    counts
}

const CSV_HEADER: [&str; 12] = [
    "Møtedato",
    "Utvalg",
    "Sak",
    "Sakstittel",
    "Punkt",
    "Vedtakspunkt",
    "Type",
    "Ansvarlig",
    "Frist",
    "Status",
    "Forfalt",
    "Siste merknad",
];

/// The report as CSV that opens correctly in Norwegian Excel: UTF-8 with a byte order mark,
/// semicolons between fields, dates as dd.mm.yyyy, CRLF line ends.
pub fn csv(report: &Report) -> String {
    ReportWriter::whole(ReportForm::Csv, report)
}

/// The report as JSON, as [`ReportWriter`] writes it a piece at a time.
pub fn json_text(report: &Report) -> String {
    ReportWriter::whole(ReportForm::Json, report)
}

fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The report as a printable HTML page in Norwegian (bokmål), fit to hand out at a meeting.
pub fn html(report: &Report) -> String {
    ReportWriter::whole(ReportForm::Html, report)
}

/// The head of the printable page, with the counts of all its points.
fn html_head(out: &mut String, head: &ReportHead, counts: &StatusCounts) {
    let committee = head
        .committee
        .as_ref()
        .map_or_else(|| "alle utvalg".to_owned(), ToString::to_string);
    let period = match (head.from, head.to) {
        (Some(from), Some(to)) => format!("{} – {}", date(from), date(to)),
        (Some(from), None) => format!("fra {}", date(from)),
        (None, Some(to)) => format!("til {}", date(to)),
        (None, None) => "alle møter".to_owned(),
    };
    let _ = write!(
        out,
        r#"<!DOCTYPE html>
<html lang="nb">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Vedtakslogg – {committee}</title>
<style>
  body {{ font-family: "Segoe UI", Arial, sans-serif; font-size: 11pt; color: #111; margin: 2em; }}
  h1 {{ font-size: 18pt; margin: 0 0 .2em; }}
  h2 {{ font-size: 13pt; margin: 1.6em 0 .4em; border-bottom: 2px solid #234; padding-bottom: .2em; }}
  p.meta {{ color: #444; margin: 0 0 1em; }}
  table {{ border-collapse: collapse; width: 100%; }}
  th, td {{ border: 1px solid #999; padding: .35em .5em; text-align: left; vertical-align: top; }}
  th {{ background: #e8edf2; }}
  tr.case td {{ background: #f5f5f5; font-weight: 600; }}
  td.status, td.point {{ white-space: nowrap; }}
  .overdue {{ color: #a00; font-weight: 600; }}
  .summary span {{ margin-right: 1.5em; }}
  @page {{ size: A4 landscape; margin: 15mm; }}
  @media print {{
    body {{ margin: 0; font-size: 9.5pt; }}
    h2 {{ break-after: avoid; }}
    tr {{ break-inside: avoid; }}
    thead {{ display: table-header-group; }}
  }}
</style>
</head>
<body>
<main>
<h1>Vedtakslogg – {committee}</h1>
<p class="meta">Periode: {period}. Utskrevet {printed}.</p>
<p class="summary"><span>Vedtakspunkter: {total}</span><span>Åpne: {open}</span><span>Pågår: {progress}</span><span class="overdue">Forfalt: {overdue}</span><span>Utført: {done}</span></p>
"#,
        committee = html_escape(&committee),
        period = html_escape(&period),
        printed = head.generated_at.format("%d.%m.%Y"),
        total = counts.total,
        open = counts.open,
        progress = counts.in_progress,
        overdue = counts.overdue,
        done = counts.done,
    );
}

/// The styles of the printable pages.
const STYLE: &str = r#"
  body { font-family: "Segoe UI", Arial, sans-serif; font-size: 11pt; color: #111; margin: 2em; }
  h1 { font-size: 18pt; margin: 0 0 .2em; }
  h2 { font-size: 13pt; margin: 1.6em 0 .4em; border-bottom: 2px solid #234; padding-bottom: .2em; }
  p.meta { color: #444; margin: 0 0 1em; }
  table { border-collapse: collapse; width: 100%; }
  th, td { border: 1px solid #999; padding: .35em .5em; text-align: left; vertical-align: top; }
  th { background: #e8edf2; }
  td.point, td.status { white-space: nowrap; }
  .overdue { color: #a00; font-weight: 600; }
  @page { size: A4 landscape; margin: 15mm; }
  @media print {
    body { margin: 0; font-size: 9.5pt; }
    h2 { break-after: avoid; }
    tr { break-inside: avoid; }
    thead { display: table-header-group; }
  }
"#;

/// The list of matters for follow-up at a meeting ("Saker til oppfølging") as a printable
/// page in Norwegian: one table per owner, then the postponed cases not yet taken up.
pub fn follow_up_html(
    list: &crate::store::overview::FollowUpList,
    printed: DateTime<Utc>,
    next_page: Option<&str>,
) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"nb\">\n<head>\n<meta charset=\"utf-8\">\n<title>Saker til oppfølging – {committee}, møte {date}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n<h1>Saker til oppfølging – {committee}</h1>\n<p class=\"meta\">Til møtet {date}. Utskrevet {printed}. Åpne vedtakspunkter etter ansvarlig; forfalte først.</p>\n",
        committee = html_escape(list.committee.as_str()),
        date = date(list.meeting_date),
        printed = printed.format("%d.%m.%Y"),
    );
    if list.by_owner.is_empty() {
        out.push_str("<p>Ingen åpne vedtakspunkter.</p>\n");
    }
    for group in &list.by_owner {
        let _ = write!(
            out,
            "<h2>{}</h2>\n<table>\n<thead><tr><th>Punkt</th><th>Vedtak</th><th>Frist</th><th>Status</th><th>Siste merknad</th></tr></thead>\n<tbody>\n",
            html_escape(&group.owner)
        );
        for point in &group.decisions {
            let status = status_word(point.status);
            let status = if point.overdue {
                format!("<span class=\"overdue\">{status} (forfalt)</span>")
            } else if point.deadline.is_some_and(|d| d <= list.meeting_date) {
                format!("{status} (frist før møtet)")
            } else {
                status.to_owned()
            };
            let _ = writeln!(
                out,
                "<tr><td class=\"point\">{}-{}</td><td>{}</td><td>{}</td><td class=\"status\">{}</td><td>{}</td></tr>",
                point.case.number,
                point.position,
                html_escape(&point.text),
                point.deadline.map(date).unwrap_or_else(|| "–".into()),
                status,
                html_escape(point.status_note.as_deref().unwrap_or("")),
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    if !list.postponed.is_empty() {
        out.push_str("<h2>Utsatte saker som ikke er tatt opp</h2>\n<table>\n<thead><tr><th>Sak</th><th>Tittel</th><th>Møte</th><th>Utsatt til</th></tr></thead>\n<tbody>\n");
        for case in &list.postponed {
            let went = case
                .postponed_to
                .as_ref()
                .map_or_else(|| "–".to_owned(), |p| format!("Sak {}", p.number));
            let _ = writeln!(
                out,
                "<tr><td class=\"point\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                case.number,
                html_escape(&case.title),
                date(case.meeting.date),
                went
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    if let Some(next) = next_page {
        let _ = writeln!(
            out,
            "<p>Listen fortsetter: <a href=\"{}\">neste side</a>.</p>",
            html_escape(next)
        );
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn csv_fields_with_separators_quotes_or_breaks_are_quoted() {
        assert_eq!(csv_field("enkel"), "enkel");
        assert_eq!(csv_field("a;b"), "\"a;b\"");
        assert_eq!(csv_field("si \"hei\""), "\"si \"\"hei\"\"\"");
        assert_eq!(csv_field("to\nlinjer"), "\"to\nlinjer\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_field("- innspill"), "'- innspill");
    }

    use crate::domain::{DecisionId, OwnerId};
    use crate::store::decisions::{DecisionCase, DecisionOwner};

    /// Points of two meetings (one of two committees on one day), with a case of two points,
    /// owners, deadlines and text that needs escaping.
    pub(crate) fn points() -> Vec<Decision> {
        let at = |date: &str| NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
        let june = (MeetingId::new(), "ASU", at("2024-06-19"));
        let au = (MeetingId::new(), "AU", at("2024-06-19"));
        let august = (MeetingId::new(), "ASU", at("2024-08-30"));
        let case_24 = (CaseId::new(), "24/24", "Status \"Handlingsplan\"; <nå>");
        let case_25 = (CaseId::new(), "25/24", "Budsjett");
        let case_5 = (CaseId::new(), "5/24", "Møteplan");
        let case_30 = (CaseId::new(), "30/24", "Samhandling");
        let point = |meeting: &(MeetingId, &str, NaiveDate),
                     case: &(CaseId, &str, &str),
                     position: &str,
                     status: DecisionStatus,
                     owners: &[&str],
                     deadline: Option<&str>| Decision {
            id: DecisionId::new(),
            case: DecisionCase {
                id: case.0,
                committee: meeting.1.parse().unwrap(),
                number: case.1.parse().unwrap(),
                title: case.2.to_owned(),
                meeting_id: meeting.0,
                meeting_date: meeting.2,
            },
            position: position.parse().unwrap(),
            text: format!("Punkt {position}; \"sitat\",\nny linje = {}", case.1),
            kind: DecisionKind::Assignment,
            owners: owners
                .iter()
                .map(|name| DecisionOwner {
                    id: OwnerId::new(),
                    name: (*name).to_owned(),
                    responsible: false,
                })
                .collect(),
            deadline: deadline.map(at),
            status,
            status_note: (status == DecisionStatus::Cancelled).then(|| "Overtatt".to_owned()),
            postponed_to: None,
            status_evidence: None,
            needs_follow_up: true,
            overdue: status.is_active() && deadline.is_some_and(|d| at(d) < at("2024-07-01")),
            public: true,
            version: 1,
            created_at: DateTime::UNIX_EPOCH,
            updated_at: DateTime::UNIX_EPOCH,
            updated_by: "Sekretariatet".to_owned(),
            search: None,
            deleted_at: None,
        };
        use DecisionStatus::{Cancelled, Done, InProgress, Open};
        vec![
            point(&august, &case_30, "1", Open, &["AU"], None),
            point(
                &june,
                &case_24,
                "2",
                Open,
                &["Sekretariatet"],
                Some("2001-01-01"),
            ),
            point(&au, &case_5, "1", InProgress, &[], Some("2030-01-01")),
            point(
                &june,
                &case_24,
                "1",
                Done,
                &["Kommunene", "St. Olavs"],
                None,
            ),
            point(&june, &case_25, "1", Cancelled, &[], None),
            point(&june, &case_24, "2a", Open, &[], Some("2024-06-01")),
        ]
    }

    fn head() -> ReportHead {
        ReportHead {
            committee: Some("ASU".parse().unwrap()),
            from: NaiveDate::from_ymd_opt(2024, 1, 1),
            to: None,
            generated_at: DateTime::UNIX_EPOCH,
        }
    }

    /// What the writer writes from points in report order, a point at a time.
    pub(crate) fn streamed(form: ReportForm, points: Vec<Decision>) -> String {
        let report = build(None, None, None, points.clone(), DateTime::UNIX_EPOCH);
        let counts = counts_of(&report);
        let mut sorted = points;
        sorted.sort_by(report_order);
        let mut writer = ReportWriter::new(form, head());
        let mut out = String::new();
        writer.start(&mut out, &counts);
        for point in sorted {
            writer.point(&mut out, point);
        }
        writer.finish(&mut out);
        out
    }

    #[test]
    fn the_report_written_a_point_at_a_time_is_the_report_built_whole() {
        for points in [points(), Vec::new()] {
            let report = build(
                head().committee,
                head().from,
                head().to,
                points.clone(),
                DateTime::UNIX_EPOCH,
            );
            assert_eq!(
                streamed(ReportForm::Json, points.clone()),
                serde_json::to_string(&report).unwrap()
            );
            assert_eq!(streamed(ReportForm::Csv, points.clone()), csv(&report));
            assert_eq!(streamed(ReportForm::Html, points.clone()), html(&report));
        }
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(html_escape("<b>&\"'"), "&lt;b&gt;&amp;&quot;&#39;");
    }
}
