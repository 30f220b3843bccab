//! The log as a report that can be presented on request: JSON, CSV for Norwegian Excel, and a
//! printable HTML page in Norwegian.

use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::{CaseId, CaseNumber, CommitteeCode, DecisionKind, DecisionStatus, MeetingId};
use crate::store::decisions::Decision;

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

/// Groups decision points, sorted by committee, case number and position, into the report.
pub fn build(
    committee: Option<CommitteeCode>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    decisions: Vec<Decision>,
    now: DateTime<Utc>,
) -> Report {
    let mut meetings: Vec<ReportMeeting> = Vec::new();
    let mut sorted = decisions;
    sorted.sort_by(|a, b| {
        (
            a.case.meeting_date,
            a.case.committee.as_str(),
            a.case.number,
            a.position,
        )
            .cmp(&(
                b.case.meeting_date,
                b.case.committee.as_str(),
                b.case.number,
                b.position,
            ))
    });
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
        case.decisions.push(ReportDecision {
            position: decision.position.to_string(),
            text: decision.text,
            kind: decision.kind,
            owners: decision.owners.into_iter().map(|o| o.name).collect(),
            deadline: decision.deadline,
            status: decision.status,
            overdue: decision.overdue,
            status_note: decision.status_note,
        });
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

/// The report as CSV that opens correctly in Norwegian Excel: UTF-8 with a byte order mark,
/// semicolons between fields, dates as dd.mm.yyyy, CRLF line ends.
pub fn csv(report: &Report) -> String {
    let mut out = String::from("\u{feff}");
    let header = [
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
    out.push_str(&header.join(";"));
    out.push_str("\r\n");
    for meeting in &report.meetings {
        for case in &meeting.cases {
            for point in &case.decisions {
                let fields = [
                    date(meeting.date),
                    meeting.committee.to_string(),
                    case.number.to_string(),
                    case.title.clone(),
                    // "24/24-2.1", not "2.1", which Excel would take for a date.
                    format!("{}-{}", case.number, point.position),
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
        }
    }
    out
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
    let committee = report
        .committee
        .as_ref()
        .map_or_else(|| "alle utvalg".to_owned(), ToString::to_string);
    let period = match (report.from, report.to) {
        (Some(from), Some(to)) => format!("{} – {}", date(from), date(to)),
        (Some(from), None) => format!("fra {}", date(from)),
        (None, Some(to)) => format!("til {}", date(to)),
        (None, None) => "alle møter".to_owned(),
    };
    let count = |pred: &dyn Fn(&ReportDecision) -> bool| {
        report
            .meetings
            .iter()
            .flat_map(|m| &m.cases)
            .flat_map(|c| &c.decisions)
            .filter(|d| pred(d))
            .count()
    };
    let mut out = String::new();
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
<h1>Vedtakslogg – {committee}</h1>
<p class="meta">Periode: {period}. Utskrevet {printed}.</p>
<p class="summary"><span>Vedtakspunkter: {total}</span><span>Åpne: {open}</span><span>Pågår: {progress}</span><span class="overdue">Forfalt: {overdue}</span><span>Utført: {done}</span></p>
"#,
        committee = html_escape(&committee),
        period = html_escape(&period),
        printed = report.generated_at.format("%d.%m.%Y"),
        total = count(&|_| true),
        open = count(&|d| d.status == DecisionStatus::Open),
        progress = count(&|d| d.status == DecisionStatus::InProgress),
        overdue = count(&|d| d.overdue),
        done = count(&|d| d.status == DecisionStatus::Done),
    );
    if report.meetings.is_empty() {
        out.push_str("<p>Ingen vedtakspunkter i perioden.</p>\n");
    }
    for meeting in &report.meetings {
        let _ = write!(
            out,
            "<h2>{} – møte {}</h2>\n<table>\n<thead><tr><th>Punkt</th><th>Vedtak</th><th>Type</th><th>Ansvarlig</th><th>Frist</th><th>Status</th><th>Siste merknad</th></tr></thead>\n<tbody>\n",
            html_escape(meeting.committee.as_str()),
            date(meeting.date)
        );
        for case in &meeting.cases {
            let _ = writeln!(
                out,
                "<tr class=\"case\"><td colspan=\"7\">Sak {} {}</td></tr>",
                case.number,
                html_escape(&case.title)
            );
            for point in &case.decisions {
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
                    case.number,
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
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
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
) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"nb\">\n<head>\n<meta charset=\"utf-8\">\n<title>Saker til oppfølging – {committee}, møte {date}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>Saker til oppfølging – {committee}</h1>\n<p class=\"meta\">Til møtet {date}. Utskrevet {printed}. Åpne vedtakspunkter etter ansvarlig; forfalte først.</p>\n",
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
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
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

    #[test]
    fn html_is_escaped() {
        assert_eq!(html_escape("<b>&\"'"), "&lt;b&gt;&amp;&quot;&#39;");
    }
}
