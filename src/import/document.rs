//! Reads the text of a meeting document (a notice, møteinnkalling, or minutes, møtereferat) as
//! extracted from PDF or Word, and finds the meeting, its cases and their decision points.
//!
//! The parser is driven by the structure the secretariat's documents share, not by their
//! exact wording:
//!
//! * **Header** (everything before the first "Sak: NN/YY" line): labelled fields, on lines of
//!   their own or as tab-separated cells ("Utvalg:", "Møtedato:", "Møtested:", "Møteleder:",
//!   "Referent:", "Møtevarighet"), and the **sakliste**, either a tab-separated table
//!   (time, number, title, ansvarlig, minutes) or a PDF extraction with one "NN/YY Title" line
//!   per case.
//! * **Sections**, one per "Sak: NN/YY Title" line, with the fields "Dato:", "Saksansvarlig:",
//!   and headings. "Forslag til vedtak" holds the proposal (used for a notice), "Vedtak" the
//!   adopted decision (used for minutes); "Nytt forslag til vedtak" is never used. All other
//!   text (Referat, Innspill fra ASU, Bakgrunn og saksopplysninger, Vurdering og anbefaling,
//!   Vedlegg, …) is the case's narrative, kept line by line.
//! * **Decision points** are numbered lines ("1.", "2)"), lettered sub-points ("a.", "- b.",
//!   "3a)") and bullets under a point (positions "2.1", "2.2"). Lines broken by the extraction
//!   are joined; after a blank line a new sentence that starts in upper case after a finished
//!   one ends the decision (the text that follows a proposal in a notice is narrative).
//! * The **kind**, **owners** and **deadline** of a point come from its wording (see
//!   [`classify`] and [`deadline`]).
//!
//! Anything that could not be read is reported in `warnings` with the line it came from.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::references::{ReferenceTarget, find_references};
use crate::domain::{
    CaseNumber, ClockTime, CommitteeCode, DecisionKind, LinkKind, MeetingKind, Position,
};

/// The result of reading one meeting document.
#[derive(Debug, Clone, Serialize, PartialEq, ToSchema)]
#[serde(rename_all = "snake_case")]
pub struct ParsedDocument {
    /// What could not be read, or reads as if it were wrong, with the line it came from. The
    /// signs that the whole document may have been misread (a kind that title and body disagree
    /// on, cases without decision points, a decision not split into points, a meeting date in
    /// another year than the case numbers, a case on the sakliste but not in the body or the
    /// reverse) come first.
    pub warnings: Vec<String>,
    pub document: DocumentInfo,
    pub meeting: ParsedMeeting,
    pub cases: Vec<ParsedCase>,
}

/// What kind of document was read.
#[derive(Debug, Clone, Serialize, PartialEq, ToSchema)]
#[serde(rename_all = "snake_case")]
pub struct DocumentInfo {
    pub kind: DocumentKind,
}

/// A notice (møteinnkalling, with proposals) or minutes (møtereferat, with adopted decisions).
#[derive(Debug, Clone, Copy, Serialize, serde::Deserialize, PartialEq, Eq, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Minutes,
    Notice,
}

/// The meeting the document belongs to.
#[derive(Debug, Clone, Serialize, PartialEq, ToSchema)]
#[serde(rename_all = "snake_case")]
pub struct ParsedMeeting {
    /// The committee's code, e.g. "ASU".
    pub committee: String,
    pub date: NaiveDate,
    pub start_time: Option<ClockTime>,
    pub end_time: Option<ClockTime>,
    pub location: Option<String>,
    pub kind: MeetingKind,
    /// Møteleder.
    pub chair: Option<String>,
    /// Referent.
    pub minute_taker: Option<String>,
}

/// A case on the agenda.
#[derive(Debug, Clone, Serialize, PartialEq, ToSchema)]
#[serde(rename_all = "snake_case")]
pub struct ParsedCase {
    pub number: CaseNumber,
    pub title: String,
    /// Saksansvarlig (or the sakliste's Ansvarlig column), one name each.
    pub responsible: Vec<String>,
    pub status: ParsedCaseStatus,
    /// Referat and Innspill (minutes) or the saksfremlegg text (notice), line by line.
    pub narrative: Option<String>,
    pub decisions: Vec<ParsedDecision>,
    pub references: Vec<ParsedReference>,
}

/// Decided (minutes), proposed (notice) or postponed.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ParsedCaseStatus {
    Decided,
    Proposed,
    Postponed,
}

/// One decision point (vedtakspunkt).
#[derive(Debug, Clone, Serialize, PartialEq, ToSchema)]
#[serde(rename_all = "snake_case")]
pub struct ParsedDecision {
    pub position: Position,
    pub text: String,
    pub kind: DecisionKind,
    /// The first (responsible) owner.
    pub owner: Option<String>,
    pub owners: Vec<String>,
    pub deadline: Option<NaiveDate>,
}

/// A reference from a case to another case.
#[derive(Debug, Clone, Serialize, PartialEq, ToSchema)]
#[serde(rename_all = "snake_case")]
pub struct ParsedReference {
    pub number: CaseNumber,
    pub kind: LinkKind,
    /// The words matched, as written.
    pub text: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The text holds no meeting: no agenda with case numbers, no meeting date.
    #[error("{0}")]
    NotAMeetingDocument(String),
    /// The bytes are neither text nor a readable `.docx` or PDF.
    #[error("{0}")]
    Unreadable(String),
    /// Most cases came out without decision points: an import would record a meeting that
    /// decided nothing, most likely a misreading.
    #[error("{0}")]
    LooksMisread(String),
}

/// Parses the text of a notice or minutes (as extracted from PDF or Word).
pub fn parse_text(text: &str) -> Result<ParsedDocument, ImportError> {
    parse_text_as(text, None)
}

/// Parses the text of a notice or minutes, read as `kind` when the caller says what it is.
pub fn parse_text_as(
    text: &str,
    kind: Option<DocumentKind>,
) -> Result<ParsedDocument, ImportError> {
    let lines: Vec<Line> = text
        .lines()
        .enumerate()
        .map(|(i, raw)| Line {
            number: i + 1,
            raw,
            clean: clean_line(raw),
        })
        .collect();
    let mut warnings = Vec::new();
    // Signs that the whole document may be misread: shown before the rest.
    let mut review = Vec::new();

    let first_section = lines
        .iter()
        .position(|l| section_header(&l.clean).is_some())
        .unwrap_or(lines.len());
    let header = read_header(&lines[..first_section]);
    let agenda = read_agenda(&lines[..first_section]);
    let sections = read_sections(&lines[first_section..], usual_gap(&lines), &mut warnings);

    if agenda.is_empty() && sections.is_empty() {
        return Err(ImportError::NotAMeetingDocument(
            "no cases found: neither a sakliste with case numbers (NN/YY) nor a \"Sak: NN/YY\" section"
                .to_string(),
        ));
    }

    let kind = document_kind(&lines[..first_section], &sections, kind, &mut review);

    // The year the case numbers agree on.
    let mut years: HashMap<i32, usize> = HashMap::new();
    for number in agenda
        .iter()
        .map(|a| a.number)
        .chain(sections.iter().map(|s| s.number))
    {
        *years.entry(number.year()).or_default() += 1;
    }
    let case_year = years
        .iter()
        .max_by_key(|(year, count)| (**count, **year))
        .map(|(y, _)| *y);

    let date = meeting_date(&header, &sections, case_year, &mut review, &mut warnings)?;

    let meeting = ParsedMeeting {
        committee: committee(&header, text, &mut warnings),
        date,
        start_time: header.times.map(|t| t.0),
        end_time: header.times.and_then(|t| t.1),
        location: header.location.clone(),
        kind: if header.extraordinary {
            MeetingKind::Extraordinary
        } else {
            MeetingKind::Ordinary
        },
        chair: header.chair.clone(),
        minute_taker: header.minute_taker.clone(),
    };

    let mut cases = build_cases(kind, date, &agenda, &sections, &mut review, &mut warnings);
    for case in &cases {
        if case.number.year() != date.year() {
            review.push(format!(
                "line {}: case {} is numbered for {}, the meeting is in {}",
                case_line(case.number, &agenda, &sections),
                case.number,
                case.number.year(),
                date.year()
            ));
        }
    }
    // "Sak 22/24 utsettes" in another case's adopted decision postpones that case.
    if kind == DocumentKind::Minutes {
        let postponed: Vec<CaseNumber> = cases
            .iter()
            .flat_map(|c| c.decisions.iter())
            .filter_map(|d| other_case_postponed(&d.text))
            .collect();
        for case in &mut cases {
            if postponed.contains(&case.number) {
                case.status = ParsedCaseStatus::Postponed;
            }
        }
    }
    // Once postponements are known: a postponed case needs no section.
    for case in cases
        .iter()
        .filter(|c| c.status != ParsedCaseStatus::Postponed)
    {
        if let Some(item) = agenda.iter().find(|a| a.number == case.number)
            && !sections.iter().any(|s| s.number == case.number)
        {
            review.push(format!(
                "line {}: case {} is on the sakliste but has no \"Sak: {}\" section",
                item.line, case.number, case.number
            ));
        }
    }
    review_points(kind, &cases, &sections, &mut review);
    review.append(&mut warnings);
    Ok(ParsedDocument {
        warnings: review,
        document: DocumentInfo { kind },
        meeting,
        cases,
    })
}

/// The blank lines a document usually puts between its lines (one in a PDF extraction that
/// spaces every line, two when that is spaced again): a larger gap ends a paragraph.
fn usual_gap(lines: &[Line]) -> usize {
    let mut runs: HashMap<usize, usize> = HashMap::new();
    let mut run = 0;
    for line in lines {
        if line.clean.is_empty() {
            run += 1;
        } else {
            if run > 0 {
                *runs.entry(run).or_default() += 1;
            }
            run = 0;
        }
    }
    runs.into_iter()
        .max_by_key(|(gap, count)| (*count, std::cmp::Reverse(*gap)))
        .map_or(1, |(gap, _)| gap)
}

/// The line a case is first named on: its row in the sakliste, else its section.
fn case_line(number: CaseNumber, agenda: &[AgendaItem], sections: &[Section]) -> usize {
    agenda
        .iter()
        .find(|a| a.number == number)
        .map(|a| a.line)
        .or_else(|| sections.iter().find(|s| s.number == number).map(|s| s.line))
        .unwrap_or(1)
}

// ---------------------------------------------------------------------------------------------
// What kind of document

/// The kind a title names: "MØTEINNKALLING", "Innkalling til møte", "MØTEREFERAT - ASU",
/// "Protokoll", "Møtebok".
fn title_kind(clean: &str) -> Option<DocumentKind> {
    let mut words = clean
        .split(|c: char| c.is_whitespace() || matches!(c, '-' | '–' | ':' | ','))
        .filter(|w| !w.is_empty());
    let mut first = words.next()?.to_uppercase();
    // "Korrigert møtereferat", "REVIDERT INNKALLING".
    if ["KORRIGERT", "REVIDERT", "ENDRET"].contains(&first.as_str()) {
        first = words.next()?.to_uppercase();
    }
    match first.as_str() {
        "MØTEINNKALLING" | "INNKALLING" => Some(DocumentKind::Notice),
        "MØTEREFERAT" | "REFERAT" | "PROTOKOLL" | "MØTEPROTOKOLL" | "MØTEBOK" => {
            Some(DocumentKind::Minutes)
        }
        _ => None,
    }
}

/// The title block: the first line before the cases that names a kind, written in capitals
/// as a heading is, or among the first lines of the document.
fn title_block<'a>(header: &'a [Line<'a>]) -> Option<(&'a Line<'a>, DocumentKind)> {
    header
        .iter()
        .filter(|l| !l.clean.is_empty())
        .enumerate()
        .find_map(|(i, l)| {
            let kind = title_kind(&l.clean)?;
            let word = l.clean.split_whitespace().next().unwrap_or("");
            (i < 10 || word == word.to_uppercase()).then_some((l, kind))
        })
}

/// What the cases say: adopted decisions ("Vedtak") make minutes; proposals ("Forslag til
/// vedtak") and no adopted decision make a notice. With the count of cases behind it.
fn body_kind(sections: &[Section]) -> Option<(DocumentKind, usize)> {
    let has = |s: &Section, h: Heading| s.blocks.iter().any(|(b, _)| *b == h);
    let adopted = sections.iter().filter(|s| has(s, Heading::Adopted)).count();
    let proposed = sections
        .iter()
        .filter(|s| has(s, Heading::Proposal) && !has(s, Heading::Adopted))
        .count();
    match adopted.cmp(&proposed) {
        std::cmp::Ordering::Greater => Some((DocumentKind::Minutes, adopted)),
        std::cmp::Ordering::Less => Some((DocumentKind::Notice, proposed)),
        std::cmp::Ordering::Equal => None,
    }
}

/// "minutes", "a notice": for the warnings.
fn kind_name(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Minutes => "minutes",
        DocumentKind::Notice => "a notice",
    }
}

/// The value of `?kind=` (and `--kind`) for a kind.
fn kind_param(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Minutes => "minutes",
        DocumentKind::Notice => "notice",
    }
}

fn body_says(kind: DocumentKind, count: usize) -> String {
    match kind {
        DocumentKind::Minutes => format!("{count} cases carry an adopted \"Vedtak\""),
        DocumentKind::Notice => {
            format!("{count} cases carry a \"Forslag til vedtak\" and no adopted \"Vedtak\"")
        }
    }
}

/// The kind of the document: the caller's word, else its title block, else its body; every
/// disagreement between them is a warning.
fn document_kind(
    header: &[Line],
    sections: &[Section],
    chosen: Option<DocumentKind>,
    review: &mut Vec<String>,
) -> DocumentKind {
    let title = title_block(header);
    let body = body_kind(sections);
    let kind = chosen
        .or(title.map(|(_, k)| k))
        .or(body.map(|(k, _)| k))
        .unwrap_or(DocumentKind::Notice);
    if let Some((line, k)) = title
        && k != kind
    {
        review.push(format!(
            "line {}: the title \"{}\" says {}, but the document is read as {} as the caller asked",
            line.number,
            line.clean,
            kind_name(k),
            kind_name(kind)
        ));
    }
    if let Some((k, count)) = body
        && k != kind
    {
        let line = title.map_or(1, |(l, _)| l.number);
        let why = if chosen.is_some() {
            "the caller asked"
        } else {
            "its title says"
        };
        review.push(format!(
            "line {line}: {}, but the document is read as {} as {why}; import it with kind={} if it is {}",
            body_says(k, count),
            kind_name(kind),
            kind_param(k),
            kind_name(k)
        ));
    }
    if title.is_none() && chosen.is_none() {
        review.push(format!(
            "line 1: no title (MØTEINNKALLING, INNKALLING, MØTEREFERAT, REFERAT, PROTOKOLL, MØTEBOK) names the kind of document: read as {}{}",
            kind_name(kind),
            if body.is_some() { " from its cases" } else { "" }
        ));
    }
    kind
}

// ---------------------------------------------------------------------------------------------
// Does the preview look right?

/// Warnings for points that look misread: cases without any point, a decision that was not
/// split into points.
fn review_points(
    kind: DocumentKind,
    cases: &[ParsedCase],
    sections: &[Section],
    review: &mut Vec<String>,
) {
    let open: Vec<&ParsedCase> = cases
        .iter()
        .filter(|c| c.status != ParsedCaseStatus::Postponed)
        .collect();
    if !open.is_empty() && open.iter().all(|c| c.decisions.is_empty()) {
        review.insert(
            0,
            format!(
                "line 1: {} cases and not one decision point, read as {}: is that what the document is?",
                open.len(),
                kind_name(kind)
            ),
        );
    }
    for case in cases {
        let Some(section) = sections.iter().find(|s| s.number == case.number) else {
            continue;
        };
        let tops: Vec<&ParsedDecision> = case
            .decisions
            .iter()
            .filter(|d| d.position.to_string().chars().all(|c| c.is_ascii_digit()))
            .collect();
        if let [only] = tops.as_slice()
            && let Some(marker) = looks_like_several_points(&only.text)
        {
            review.push(format!(
                "line {}: case {}: the decision was read as one point, but \"{marker}\" in it looks like the start of another",
                section.line, case.number
            ));
        }
    }
}

/// A numbering inside one point's text ("… orientering. 2. ASU ber …"): the points were not
/// split, as when their numbers are written in a way the reader does not know.
fn looks_like_several_points(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    words.windows(3).find_map(|w| {
        let ends = w[0].ends_with(['.', ':', ';']);
        let numbered = matches!(w[1], "2." | "2)" | "b)" | "b." | "ii)" | "II.");
        let next_upper = w[2].starts_with(char::is_uppercase);
        (ends && numbered && next_upper).then(|| format!("{} {}", w[1], w[2]))
    })
}

// ---------------------------------------------------------------------------------------------
// Lines

struct Line<'a> {
    number: usize,
    raw: &'a str,
    clean: String,
}

/// Characters PDF and Word extraction leave as bullets.
const BULLETS: &[char] = &[
    '\u{f0b7}', '•', '○', '▪', '◦', '·', '●', '■', '\u{f0a7}', '\u{f0d8}',
];

/// Trims a line, removes bold markup and collapses spacing; a leading stray bullet becomes "- "
/// and a line with nothing but a bullet becomes empty.
fn clean_line(raw: &str) -> String {
    let text = raw.replace("**", "").replace('\u{a0}', " ");
    let mut collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(rest) = collapsed.strip_prefix(BULLETS) {
        collapsed = format!("- {}", rest.trim_start());
    }
    let trimmed = collapsed.trim();
    if trimmed
        .chars()
        .all(|c| BULLETS.contains(&c) || c == '-' || c == '–')
    {
        return String::new();
    }
    trimmed.to_string()
}

/// Lines that are page furniture, not content.
fn is_noise(clean: &str) -> bool {
    let upper = clean.to_uppercase();
    (clean == upper
        && [
            "SAKSFREMLEGG",
            "MØTEREFERAT",
            "MØTEINNKALLING",
            "INNKALLING",
            "PROTOKOLL",
            "MØTEBOK",
        ]
        .contains(&clean))
        || (clean.starts_with("http") && !clean.contains(' '))
        || (clean.len() >= 5 && clean.chars().all(|c| c == '_' || c == '-'))
}

/// The value of a labelled field ("Møtedato: 19.06.24") when `cell` starts with `label`
/// (case-insensitive, the colon optional).
fn field<'a>(cell: &'a str, label: &str) -> Option<&'a str> {
    let lower = cell.to_lowercase();
    if !lower.starts_with(&label.to_lowercase()) {
        return None;
    }
    let rest = cell.get(label.len()..)?;
    let value = rest.trim_start().strip_prefix(':').unwrap_or(rest).trim();
    Some(value)
}

/// The value of a field whose label is a common word ("Tid"), only when a colon follows it.
fn labelled<'a>(cell: &'a str, labels: &[&str]) -> Option<&'a str> {
    labels.iter().find_map(|label| {
        let rest = cell.get(label.len()..)?;
        (cell.get(..label.len())?.eq_ignore_ascii_case(label))
            .then(|| rest.trim_start().strip_prefix(':'))
            .flatten()
            .map(str::trim)
    })
}

// ---------------------------------------------------------------------------------------------
// Dates and times

/// "19.06.24", "04.10.2023" (surrounding brackets and punctuation ignored).
pub(crate) fn parse_date(token: &str) -> Option<NaiveDate> {
    let t = token.trim_matches(|c: char| !c.is_ascii_digit());
    let parts: Vec<&str> = t.split('.').collect();
    let [d, m, y] = parts.as_slice() else {
        return None;
    };
    let digits = |s: &str, lens: &[usize]| {
        (lens.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let day = digits(d, &[1, 2])?;
    let month = digits(m, &[1, 2])?;
    let year = match y.len() {
        2 => 2000 + digits(y, &[2])? as i32,
        4 => digits(y, &[4])? as i32,
        _ => return None,
    };
    NaiveDate::from_ymd_opt(year, month, day)
}

fn first_date(text: &str) -> Option<NaiveDate> {
    text.split_whitespace().find_map(parse_date)
}

/// A time of day, "13.00", "9:30" or "09".
fn parse_clock(text: &str) -> Option<ClockTime> {
    let t = text.trim().trim_end_matches(['.', ',']);
    if t.is_empty()
        || !t
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ':')
    {
        return None;
    }
    let full = if t.contains(['.', ':']) {
        t.to_string()
    } else {
        format!("{t}:00")
    };
    full.parse().ok()
}

/// A time range such as "kl. 13.00 – 17.00", "kl. 09-12" or "13.00", ignoring dates.
fn parse_time_range(text: &str) -> Option<(ClockTime, Option<ClockTime>)> {
    let without_dates: Vec<&str> = text
        .split_whitespace()
        .filter(|w| parse_date(w).is_none())
        .collect();
    let joined = without_dates
        .join(" ")
        .replace(['–', '—'], "-")
        .replace(" til ", "-");
    let start = joined.find(|c: char| c.is_ascii_digit())?;
    let rest: String = joined[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | ':' | '-' | ' '))
        .collect();
    let (from, to) = match rest.split_once('-') {
        Some((a, b)) => (a, Some(b)),
        None => (rest.as_str(), None),
    };
    let from = parse_clock(from.split_whitespace().next()?)?;
    let to = to.and_then(|b| b.split_whitespace().next().and_then(parse_clock));
    Some((from, to))
}

const MONTHS: [&str; 12] = [
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
];

fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
}

// ---------------------------------------------------------------------------------------------
// Header

#[derive(Default)]
struct Header {
    committee_names: Vec<String>,
    meeting_dates: Vec<(NaiveDate, usize, String)>,
    times: Option<(ClockTime, Option<ClockTime>)>,
    location: Option<String>,
    chair: Option<String>,
    minute_taker: Option<String>,
    extraordinary: bool,
}

fn non_empty(value: &str) -> Option<String> {
    let v = value.trim().trim_end_matches([',', ';']).trim();
    (!v.is_empty()).then(|| v.to_string())
}

fn read_header(lines: &[Line]) -> Header {
    let mut header = Header::default();
    for line in lines {
        if title_kind(&line.clean).is_some() {
            if line.clean.to_uppercase().contains("EKSTRAORDIN") {
                header.extraordinary = true;
            }
            header.committee_names.push(line.clean.clone());
        }
        for cell in line.raw.split('\t').map(clean_line) {
            if let Some(v) = field(&cell, "Utvalg") {
                if v.to_lowercase().contains("ekstraordin") {
                    header.extraordinary = true;
                }
                header.committee_names.push(v.to_string());
            } else if let Some(v) = field(&cell, "Møtedato") {
                if let Some(date) = first_date(v) {
                    header
                        .meeting_dates
                        .push((date, line.number, line.clean.clone()));
                }
                if header.times.is_none() {
                    header.times = parse_time_range(v);
                }
            } else if let Some(v) = field(&cell, "Møtevarighet")
                .or_else(|| field(&cell, "Møtetid"))
                .or_else(|| labelled(&cell, &["Tidspunkt", "Klokkeslett", "Tid"]))
            {
                if header.times.is_none() {
                    header.times = parse_time_range(v);
                }
            } else if let Some(v) = field(&cell, "Møtested") {
                if header.location.is_none() {
                    header.location = non_empty(v);
                }
            } else if let Some(v) = field(&cell, "Møteleder") {
                if header.chair.is_none() {
                    header.chair = non_empty(v);
                }
            } else if let Some(v) = field(&cell, "Referent")
                && header.minute_taker.is_none()
            {
                header.minute_taker = non_empty(v);
            }
        }
    }
    header
}

/// The committee's code: "(ASU)" as written, or a known name, or the initials of the name.
/// The committees of a health community, by name (lower case) and code.
const KNOWN: &[(&str, &str)] = &[
    ("administrativt samarbeidsutvalg", "ASU"),
    ("politisk samarbeidsutvalg", "PSU"),
    ("strategisk samarbeidsutvalg", "SSU"),
    ("arbeidsutvalget", "AU"),
];

/// The name of a committee with a known code ("ASU": "Administrativt samarbeidsutvalg").
pub fn committee_name(code: &str) -> Option<String> {
    KNOWN.iter().find(|(_, c)| *c == code).map(|(name, _)| {
        let mut chars = name.chars();
        chars
            .next()
            .map(|first| first.to_uppercase().chain(chars).collect())
            .unwrap_or_default()
    })
}

/// The committee a document is of: the code in parentheses after its name in the heading
/// ("Administrativt samarbeidsutvalg (ASU)"), any committee code the log allows, written in
/// capitals so that other parentheses do not count; else a committee named in it; else ASU, with
/// a warning, since a document that names no committee is most likely ASU's own.
fn committee(header: &Header, text: &str, warnings: &mut Vec<String>) -> String {
    for name in &header.committee_names {
        if let Some((_, rest)) = name.split_once('(')
            && let Some((code, _)) = rest.split_once(')')
            && code.chars().count() >= 2
            && code.chars().any(char::is_uppercase)
            && !code.chars().any(char::is_lowercase)
            && let Ok(code) = code.parse::<CommitteeCode>()
        {
            return code.to_string();
        }
        let lower = name.to_lowercase();
        if let Some((_, code)) = KNOWN.iter().find(|(n, _)| lower.contains(n)) {
            return code.to_string();
        }
    }
    let lower = text.to_lowercase();
    match KNOWN.iter().find(|(n, _)| lower.contains(n)) {
        Some((_, code)) => code.to_string(),
        None => {
            warnings.push(
                "the document names no committee that the importer knows; it is taken as ASU's"
                    .into(),
            );
            "ASU".into()
        }
    }
}

fn meeting_date(
    header: &Header,
    sections: &[Section],
    case_year: Option<i32>,
    review: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Result<NaiveDate, ImportError> {
    let section_dates: Vec<(NaiveDate, usize, String)> =
        sections.iter().filter_map(|s| s.date.clone()).collect();
    let agrees = |d: &NaiveDate| case_year.is_none_or(|y| d.year() == y);
    let mut counts: HashMap<NaiveDate, usize> = HashMap::new();
    for (d, _, _) in &section_dates {
        *counts.entry(*d).or_default() += 1;
    }
    let most_common_section = counts
        .iter()
        .filter(|(d, _)| agrees(d))
        .max_by_key(|(d, n)| (**n, **d))
        .map(|(d, _)| *d);
    let chosen = header
        .meeting_dates
        .iter()
        .map(|(d, _, _)| *d)
        .find(agrees)
        .or(most_common_section)
        .or_else(|| header.meeting_dates.first().map(|(d, _, _)| *d))
        .or_else(|| section_dates.first().map(|(d, _, _)| *d))
        .ok_or_else(|| {
            ImportError::NotAMeetingDocument(
                "no meeting date found (no \"Møtedato:\" and no \"Dato:\" in a case)".to_string(),
            )
        })?;
    let chosen = match case_year {
        Some(year) if chosen.year() != year => {
            let fixed = chosen.with_year(year).unwrap_or(chosen);
            let line = header
                .meeting_dates
                .iter()
                .chain(section_dates.iter())
                .find(|(d, _, _)| *d == chosen)
                .map_or(1, |(_, n, _)| *n);
            review.push(format!(
                "line {line}: the meeting date {} does not agree with the case numbers' year {year}: read as {}",
                chosen.format("%d.%m.%Y"),
                fixed.format("%d.%m.%Y")
            ));
            fixed
        }
        _ => chosen,
    };
    for (d, number, line) in header.meeting_dates.iter().chain(section_dates.iter()) {
        if *d != chosen {
            warnings.push(format!(
                "line {number}: date {} differs from the meeting date {}: \"{line}\"",
                d.format("%d.%m.%Y"),
                chosen.format("%d.%m.%Y")
            ));
        }
    }
    Ok(chosen)
}

// ---------------------------------------------------------------------------------------------
// Sakliste

struct AgendaItem {
    number: CaseNumber,
    line: usize,
    title: String,
    responsible: Vec<String>,
    postponed: bool,
}

/// A case number as it stands alone in a table: "35/23", "09/24".
fn strict_case_number(token: &str) -> Option<CaseNumber> {
    let (serial, year) = token.split_once('/')?;
    let ok = (1..=3).contains(&serial.len())
        && year.len() == 2
        && serial
            .bytes()
            .chain(year.bytes())
            .all(|b| b.is_ascii_digit());
    ok.then(|| token.parse().ok()).flatten()
}

fn says_postponed(text: &str) -> bool {
    text.to_lowercase().contains("sak utsatt")
        || text.to_lowercase().contains("saken er utsatt")
        || text
            .split_whitespace()
            .any(|w| w.trim_matches(|c: char| !c.is_alphabetic()) == "UTSATT")
}

/// Text before any HTML markup the conversion left ("Innovasjon <ul …>").
fn before_markup(text: &str) -> &str {
    text.split('<').next().unwrap_or(text)
}

fn clean_title(text: &str) -> String {
    let collapsed = text
        .replace("**", "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    collapsed
        .trim()
        .trim_end_matches(|c: char| c == '.' || c.is_whitespace())
        .to_string()
}

fn split_names(text: &str) -> Vec<String> {
    text.replace(" og ", "/")
        .split(['/', ',', ';'])
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect()
}

/// "13.00-13.10", "13.10-", "09.00": the time column of a sakliste.
fn is_time_slot(word: &str) -> bool {
    let (from, to) = word.split_once(['-', '–']).unwrap_or((word, ""));
    parse_clock(from).is_some()
        && from.contains(['.', ':'])
        && (to.is_empty() || parse_clock(to).is_some())
}

fn read_agenda(lines: &[Line]) -> Vec<AgendaItem> {
    let mut items: Vec<AgendaItem> = Vec::new();
    for line in lines {
        let cells: Vec<String> = line.raw.split('\t').map(clean_line).collect();
        if cells.len() >= 3
            && let Some(i) = cells.iter().position(|c| strict_case_number(c).is_some())
        {
            let number = strict_case_number(&cells[i]).expect("checked");
            let title = clean_title(before_markup(cells.get(i + 1).map_or("", |s| s)));
            let responsible = cells
                .get(i + 2)
                .filter(|c| !c.chars().all(|ch| ch.is_ascii_digit()))
                .map(|c| split_names(c))
                .unwrap_or_default();
            items.push(AgendaItem {
                number,
                line: line.number,
                title,
                responsible,
                postponed: says_postponed(line.raw),
            });
            continue;
        }
        // A PDF row whose cells ran together: "13.00-13.10 18/24 Godkjenning …".
        let row = match line.clean.split_once(' ') {
            Some((first, rest)) if is_time_slot(first) => rest,
            _ => line.clean.as_str(),
        };
        let mut words = row.splitn(2, ' ');
        if let Some(number) = words.next().and_then(strict_case_number) {
            items.push(AgendaItem {
                number,
                line: line.number,
                title: clean_title(before_markup(words.next().unwrap_or(""))),
                responsible: Vec::new(),
                postponed: says_postponed(&line.clean),
            });
        } else if let Some(last) = items.last_mut()
            && says_postponed(&line.clean)
        {
            last.postponed = true;
        }
    }
    items
}

// ---------------------------------------------------------------------------------------------
// Sections

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Heading {
    /// Forslag til vedtak.
    Proposal,
    /// Nytt (endret, revidert) forslag til vedtak: never used.
    NewProposal,
    /// Vedtak.
    Adopted,
    /// Any other heading: Referat, Innspill fra ASU, Bakgrunn og saksopplysninger, …
    Narrative,
}

fn heading(clean: &str) -> Option<Heading> {
    // A heading starts in capitals; "orientering." alone is the end of a broken line.
    if !clean.starts_with(|c: char| c.is_uppercase()) {
        return None;
    }
    let lower = clean
        .trim_end_matches([':', ' ', '.'])
        .trim()
        .to_lowercase();
    match lower.as_str() {
        "forslag til vedtak"
        | "forslag til vedtak/innstilling"
        | "innstilling"
        | "innstilling til vedtak"
        | "forslag til innstilling" => Some(Heading::Proposal),
        "nytt forslag til vedtak" | "endret forslag til vedtak" | "revidert forslag til vedtak" => {
            Some(Heading::NewProposal)
        }
        "vedtak" | "vedtak i saken" | "asu vedtak" | "asu-vedtak" | "enstemmig vedtatt"
        | "enstemmig vedtak" | "vedtatt" => Some(Heading::Adopted),
        "vedlegg"
        | "bakgrunn"
        | "bakgrunn og saksopplysninger"
        | "saksopplysninger"
        | "faktiske opplysninger"
        | "vurdering"
        | "vurdering og anbefaling"
        | "referat"
        | "saker til eventuelt"
        | "orienteringer"
        | "orientering"
        | "drøfting" => Some(Heading::Narrative),
        _ if lower.starts_with("innspill fra") && lower.len() < 40 => Some(Heading::Narrative),
        _ => None,
    }
}

/// "Sak: 36/23 Analysegruppe - mandat" -> (number text, title).
/// Without the colon ("Sak 36/23 Analysegruppe") only when a case number and a title in
/// capitals follow, so that "Sak 22/24 utsettes." in a text is no section.
fn section_header(clean: &str) -> Option<(&str, &str)> {
    let rest = field(clean, "Sak")?;
    let colon = clean[3..].trim_start().starts_with(':');
    let (number, title) = rest.split_once(' ').unwrap_or((rest, ""));
    let title = title.trim();
    let titled = strict_case_number(number).is_some()
        && title.starts_with(|c: char| c.is_uppercase() || c == '*');
    (colon || titled).then_some((number, title))
}

struct Section {
    number: CaseNumber,
    /// The line of its "Sak: NN/YY" heading.
    line: usize,
    title: String,
    responsible: Vec<String>,
    date: Option<(NaiveDate, usize, String)>,
    narrative: Vec<String>,
    /// The points of each decision block, with its heading.
    blocks: Vec<(Heading, Vec<Item>)>,
    /// "UTSATT" in the title or "Sak utsatt" on a line of its own.
    postponed_marker: bool,
}

fn read_sections(lines: &[Line], gap: usize, warnings: &mut Vec<String>) -> Vec<Section> {
    let mut starts: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| section_header(&l.clean).is_some())
        .map(|(i, _)| i)
        .collect();
    starts.push(lines.len());
    let mut sections = Vec::new();
    for pair in starts.windows(2) {
        let (start, end) = (pair[0], pair[1]);
        let line = &lines[start];
        let (number_text, title) = section_header(&line.clean).expect("a section header");
        let Ok(number) = number_text.parse::<CaseNumber>() else {
            warnings.push(format!(
                "line {}: no case number in \"{}\"",
                line.number, line.clean
            ));
            continue;
        };
        let mut title = title.to_string();
        let mut i = start + 1;
        while i < end
            && let Some(more) = lines[i].clean.strip_prefix("- ")
        {
            title.push_str(" - ");
            title.push_str(more);
            i += 1;
        }
        let mut section = read_section(number, &title, &lines[i..end], gap, warnings);
        section.line = line.number;
        sections.push(section);
    }
    sections
}

fn read_section(
    number: CaseNumber,
    title: &str,
    lines: &[Line],
    gap: usize,
    warnings: &mut Vec<String>,
) -> Section {
    let mut section = Section {
        number,
        line: 0,
        title: clean_title(title),
        responsible: Vec::new(),
        date: None,
        narrative: Vec::new(),
        blocks: Vec::new(),
        postponed_marker: says_postponed(title),
    };
    let mut current: Option<(Heading, Points)> = None;
    for line in lines {
        let clean = &line.clean;
        if is_noise(clean) {
            continue;
        }
        if let Some(v) = field(clean, "Saksansvarlig") {
            section.responsible = split_names(v);
            continue;
        }
        if let Some(v) = field(clean, "Dato") {
            match first_date(v) {
                Some(d) => section.date = Some((d, line.number, clean.clone())),
                None => warnings.push(format!(
                    "line {}: case {number}: no date in \"{clean}\"",
                    line.number
                )),
            }
            continue;
        }
        if ["Utvalg", "Saksbehandler", "Arkivsak"]
            .iter()
            .any(|label| field(clean, label).is_some())
        {
            continue;
        }
        if let Some(h) = heading(clean) {
            if let Some((heading, points)) = current.take() {
                section.blocks.push((heading, points.finish(warnings)));
            }
            match h {
                Heading::Narrative => section.narrative.push(clean.clone()),
                block => current = Some((block, Points::new(number).with_gap(gap))),
            }
            continue;
        }
        if let Some((_, points)) = &mut current {
            if points.feed(line.number, clean) {
                continue;
            }
            let (heading, points) = current.take().expect("a block");
            section.blocks.push((heading, points.finish(warnings)));
        }
        if !clean.is_empty() {
            if says_postponed(clean) && clean.len() < 30 {
                section.postponed_marker = true;
            }
            section.narrative.push(clean.clone());
        }
    }
    if let Some((heading, points)) = current.take() {
        section.blocks.push((heading, points.finish(warnings)));
    }
    section
}

// ---------------------------------------------------------------------------------------------
// Decision points

#[derive(Debug, Clone, PartialEq, Eq)]
struct Item {
    position: String,
    text: String,
    line: usize,
}

/// How a line of a decision block begins.
#[derive(Debug, PartialEq, Eq)]
enum Start<'a> {
    /// "2. text", "2) text"
    Numbered(u16, &'a str),
    /// "a. text", "b) text", "- a. text", "3a) text" (the number, when written, and the letter).
    Letter(Option<u16>, char, &'a str),
    /// "- text", "o text"
    Bullet(&'a str),
    Text(&'a str),
}

fn line_start(clean: &str) -> Start<'_> {
    if let Some(rest) = clean
        .strip_prefix("- ")
        .or_else(|| clean.strip_prefix("– "))
        .or_else(|| {
            clean
                .strip_prefix("o ")
                .filter(|r| r.starts_with(char::is_uppercase))
        })
    {
        if let Start::Letter(None, c, text) = line_start(rest.trim_start()) {
            return Start::Letter(None, c, text);
        }
        return Start::Bullet(rest.trim());
    }
    let (token, rest) = clean.split_once(' ').unwrap_or((clean, ""));
    let rest = rest.trim();
    let Some(marker) = token.strip_suffix('.').or_else(|| token.strip_suffix(')')) else {
        return Start::Text(clean);
    };
    let digits_end = marker
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(marker.len());
    let (digits, letters) = marker.split_at(digits_end);
    let number = digits.parse::<u16>().ok().filter(|n| (1..1000).contains(n));
    let letter = {
        let mut chars = letters.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii_lowercase() => Some(c),
            _ => None,
        }
    };
    match (digits.is_empty(), number, letter) {
        (false, Some(n), None) if !rest.is_empty() => Start::Numbered(n, rest),
        (false, Some(n), Some(c)) if !rest.is_empty() => Start::Letter(Some(n), c, rest),
        (true, _, Some(c)) if !rest.is_empty() => Start::Letter(None, c, rest),
        _ => Start::Text(clean),
    }
}

/// Builds the points of one decision block from its lines.
struct Points {
    case: CaseNumber,
    items: Vec<Item>,
    point: u16,
    letter: Option<char>,
    bullet: u16,
    /// Blank lines since the last text.
    blank: usize,
    bullets_are_points: bool,
    /// "a)", "b)" numbering the points themselves.
    letters_are_points: bool,
    /// The blank lines the document usually puts between the lines of a paragraph.
    gap: usize,
}

impl Points {
    fn new(case: CaseNumber) -> Self {
        Self {
            case,
            items: Vec::new(),
            point: 0,
            letter: None,
            bullet: 0,
            blank: 0,
            bullets_are_points: false,
            letters_are_points: false,
            gap: 1,
        }
    }

    fn with_gap(mut self, gap: usize) -> Self {
        self.gap = gap.max(1);
        self
    }

    fn push(&mut self, position: String, text: &str, line: usize) {
        self.items.push(Item {
            position,
            text: text.to_string(),
            line,
        });
        self.blank = 0;
    }

    fn new_point(&mut self, n: u16, text: &str, line: usize) {
        self.point = n;
        self.letter = None;
        self.bullet = 0;
        self.push(n.to_string(), text, line);
    }

    /// Takes a line; false when the line ends the block (it belongs to the narrative).
    fn feed(&mut self, line: usize, clean: &str) -> bool {
        if clean.is_empty() {
            self.blank += 1;
            return true;
        }
        match line_start(clean) {
            Start::Numbered(n, text) if self.items.is_empty() || n == self.point + 1 => {
                self.bullets_are_points = false;
                self.new_point(n, text, line);
            }
            Start::Letter(None, c, text)
                if (self.items.is_empty() && c == 'a')
                    || (self.letters_are_points
                        && u32::from(c) == u32::from(b'a') + u32::from(self.point)) =>
            {
                self.letters_are_points = true;
                let n = self.point + 1;
                self.new_point(n, text, line);
            }
            Start::Letter(n, c, text)
                if self.point > 0
                    && n.is_none_or(|n| n == self.point)
                    && c == self.letter.map_or('a', |l| (l as u8 + 1) as char) =>
            {
                self.letter = Some(c);
                self.push(format!("{}{c}", self.point), text, line);
            }
            Start::Letter(Some(n), 'a', text) if n == self.point + 1 => {
                self.new_point(n, "", line);
                self.items.pop();
                self.letter = Some('a');
                self.push(format!("{n}a"), text, line);
            }
            Start::Bullet(text) if self.items.is_empty() || self.bullets_are_points => {
                self.bullets_are_points = true;
                let n = self.point + 1;
                self.new_point(n, text, line);
            }
            Start::Bullet(text) => {
                self.bullet += 1;
                self.push(format!("{}.{}", self.point, self.bullet), text, line);
            }
            _ if self.items.is_empty() => {
                self.new_point(1, clean, line);
            }
            _ => {
                let last = self.items.last_mut().expect("an item");
                let ends = last.text.trim_end().ends_with(['.', '!', '?']);
                let upper = clean.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit());
                // PDF extraction puts a blank line between the lines of one paragraph; a
                // larger gap after a finished sentence ends the decision.
                if self.blank > self.gap && ends && upper {
                    return false;
                }
                append_line(&mut last.text, clean);
                self.blank = 0;
            }
        }
        true
    }

    fn finish(self, warnings: &mut Vec<String>) -> Vec<Item> {
        let case = self.case;
        self.items
            .into_iter()
            .filter(|item| {
                let ok = item.position.parse::<Position>().is_ok();
                if !ok {
                    warnings.push(format!(
                        "line {}: case {case}: cannot read the position \"{}\" of \"{}\"",
                        item.line, item.position, item.text
                    ));
                }
                ok
            })
            .map(|mut item| {
                item.text = item.text.split_whitespace().collect::<Vec<_>>().join(" ");
                item
            })
            .collect()
    }
}

/// Joins a broken line to the text before it; a word hyphenated across the break
/// ("re-" + "innleggelser") is joined without a space.
fn append_line(text: &mut String, line: &str) {
    let trimmed_len = text.trim_end().len();
    text.truncate(trimmed_len);
    let hyphenated = text.ends_with('-')
        && !text.ends_with(" -")
        && line.starts_with(|c: char| c.is_lowercase());
    if !text.is_empty() && !hyphenated {
        text.push(' ');
    }
    text.push_str(line);
}

// ---------------------------------------------------------------------------------------------
// Kind, owners and deadline

/// The owners named in the registry, with how they are written.
fn owner_at(words: &[String], i: usize) -> Option<(&'static str, usize)> {
    let w = words.get(i)?.as_str();
    let next = words.get(i + 1).map(String::as_str);
    let fixed = match w {
        "sekretariatet" | "sekretariat" => Some("Sekretariatet"),
        "au" | "arbeidsutvalget" => Some("AU"),
        "asu" => Some("ASU"),
        "kommunene" => Some("Kommunene"),
        "sykehuset" | "sykehusene" => Some("St. Olavs hospital"),
        _ if w.starts_with("forhandlingsutvalg") => Some("Forhandlingsutvalget"),
        _ if w.starts_with("analysegrupp") => Some("Analysegruppen"),
        _ if w.starts_with("kompetansegrupp") => Some("Kompetansegruppen"),
        _ if w.starts_with("forbedringsgrupp") => Some("Forbedringsgruppen"),
        _ if w.starts_with("prosjektgrupp") => Some("Prosjektgruppen"),
        _ => None,
    };
    if let Some(name) = fixed {
        return Some((name, 1));
    }
    if (w == "fagråd" || w == "fagrådet")
        && let Some(n) = next
    {
        let name = match n {
            "1" => "Fagråd 1",
            "2" => "Fagråd 2",
            "3" => "Fagråd 3",
            "4" => "Fagråd 4",
            "5" => "Fagråd 5",
            _ => return None,
        };
        return Some((name, 2));
    }
    if w == "st" && next.is_some_and(|n| n.starts_with("olav")) {
        let mut used = 2;
        if words.get(i + 2).is_some_and(|h| h == "hospital") {
            used = 3;
            if words.get(i + 3).is_some_and(|h| h == "hf") {
                used = 4;
            }
        }
        return Some(("St. Olavs hospital", used));
    }
    None
}

/// Owners listed from word `i`: "kommunene og sykehuset", "AU", "fagråd 1".
fn owners_from(words: &[String], mut i: usize) -> Vec<String> {
    let mut owners = Vec::new();
    while let Some((name, used)) = owner_at(words, i) {
        if !owners.iter().any(|o| o == name) {
            owners.push(name.to_string());
        }
        i += used;
        if words.get(i).is_some_and(|w| w == "og" || w == "samt") {
            i += 1;
        }
    }
    owners
}

fn words_of(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Words that name a meeting as the subject of "gjennomføres": "Ekstraordinært ASU gjennomføres".
const MEETING_WORDS: &[&str] = &[
    "asu",
    "au",
    "møte",
    "møtet",
    "asu-møte",
    "asu-møtet",
    "ekstraordinært",
    "ordinært",
    "neste",
    "et",
];

/// The kind of a decision point and the owners its text names.
///
/// In order: a postponement ("utsettes"), scheduling ("setter saken opp på sakskartet",
/// "sluttbehandling", "Ekstraordinært ASU gjennomføres …"), an assignment ("ber X", "gir X i
/// oppdrag", "delegerer til X"; a recommendation when X are only the parties), a
/// recommendation ("anbefaler"), an approval ("godkjennes", "gir sin tilslutning"), an
/// orientation ("til orientering"); a body other than ASU as the subject with a deadline, or
/// "vil X" is an assignment; else other.
pub(crate) fn classify(text: &str, has_deadline: bool) -> (DecisionKind, Vec<String>) {
    let words = words_of(text);
    let lower = text.to_lowercase();
    let has = |w: &str| words.iter().any(|x| x == w);
    let at = |i: usize| words.get(i).map_or("", String::as_str);

    if has("utsettes") || has("utsatt") {
        return (DecisionKind::Postponement, Vec::new());
    }
    let meeting_held = words
        .iter()
        .position(|w| w == "gjennomføres" || w == "avholdes")
        .is_some_and(|i| {
            (1..=3).contains(&i)
                && words[..i]
                    .iter()
                    .all(|w| MEETING_WORDS.contains(&w.as_str()))
                && words[..i].iter().any(|w| w != "et" && w != "neste")
        });
    if lower.contains("sakskart")
        || words.iter().any(|w| w.starts_with("sluttbehandl"))
        || meeting_held
    {
        return (DecisionKind::Scheduling, Vec::new());
    }

    // Someone is asked to act.
    let mut asked: Option<Vec<String>> = None;
    for (i, w) in words.iter().enumerate() {
        let owners = match w.as_str() {
            "ber" | "bes" => Some(owners_from(&words, i + 1)),
            "gir" if at(i + 1) != "sin" => {
                let owners = owners_from(&words, i + 1);
                let rest = words[i + 1..].iter().take(owners.len() * 2 + 4);
                let task = rest.clone().any(|x| x == "oppdrag" || x == "myndighet");
                task.then_some(owners)
            }
            "delegerer" | "delegeres" if at(i + 1) == "til" => Some(owners_from(&words, i + 2)),
            _ => None,
        };
        if let Some(owners) = owners {
            asked = Some(owners);
            break;
        }
    }
    if let Some(owners) = asked {
        let parties = !owners.is_empty()
            && owners
                .iter()
                .all(|o| o == "Kommunene" || o == "St. Olavs hospital");
        let kind = if parties {
            DecisionKind::Recommendation
        } else {
            DecisionKind::Assignment
        };
        return (kind, owners);
    }
    if let Some(i) = words.iter().position(|w| w == "anbefaler") {
        let from = if at(i + 1) == "at" { i + 2 } else { i + 1 };
        return (DecisionKind::Recommendation, owners_from(&words, from));
    }
    if words.iter().any(|w| w.starts_with("godkjenn"))
        || lower.contains("sin tilslutning")
        || lower.contains("slutter seg til")
    {
        return (DecisionKind::Approval, Vec::new());
    }
    if lower.contains("til orientering") {
        return (DecisionKind::Orientation, Vec::new());
    }
    let subject = owners_from(&words, 0);
    if has_deadline && !subject.is_empty() && !subject.iter().any(|o| o == "ASU") {
        return (DecisionKind::Assignment, subject);
    }
    if let Some(i) = words.iter().position(|w| w == "vil") {
        let owners = owners_from(&words, i + 1);
        if !owners.is_empty() && !owners.iter().any(|o| o == "ASU") {
            return (DecisionKind::Assignment, owners);
        }
    }
    (DecisionKind::Other, Vec::new())
}

/// Words after which a date is a deadline: "innen 01.11.23", "frist 01.06.24",
/// "i ASU møte 30.08.24", "sluttbehandling av saken 06.12.23".
fn is_deadline_trigger(word: &str) -> bool {
    word == "innen"
        || word.starts_with("frist")
        || word.ends_with("frist")
        || word.ends_with("fristen")
        || word.starts_with("sluttbehandl")
        || MEETING_WORDS[..6].contains(&word)
        || word == "til"
}

/// The deadline a decision point gives, and a phrase that names one that cannot be resolved
/// without the meeting plan ("i desember-møtet", "xx.xx.24").
///
/// A month ("i september") is the last day of that month in the meeting's year (or the year
/// written after it). For scheduling and postponement any date is the
/// meeting's.
pub(crate) fn deadline(
    text: &str,
    meeting: NaiveDate,
    any_date: bool,
) -> (Option<NaiveDate>, Option<String>) {
    let raw: Vec<&str> = text.split_whitespace().collect();
    let aligned: Vec<(&str, String)> = raw
        .iter()
        .map(|r| {
            (
                *r,
                r.trim_matches(|c: char| !c.is_alphanumeric())
                    .to_lowercase(),
            )
        })
        .filter(|(_, w)| !w.is_empty())
        .collect();
    let mut unresolved = None;
    for (i, (token, word)) in aligned.iter().enumerate() {
        if let Some(date) = parse_date(token) {
            let from = i.saturating_sub(4);
            if aligned[from..i].iter().any(|(_, w)| is_deadline_trigger(w)) {
                return (Some(date), None);
            }
            continue;
        }
        let previous = i.checked_sub(1).map(|p| aligned[p].1.as_str());
        if matches!(previous, Some("i" | "innen" | "til"))
            && let Some(month) = MONTHS.iter().position(|m| m == word)
        {
            let month = month as u32 + 1;
            let year = aligned
                .get(i + 1)
                .and_then(|(_, y)| y.parse::<i32>().ok())
                .filter(|y| (2000..2100).contains(y))
                .unwrap_or(meeting.year());
            return (last_day_of_month(year, month), None);
        }
        if matches!(previous, Some("i" | "til"))
            && MONTHS.iter().any(|m| word.starts_with(&format!("{m}-")))
        {
            unresolved.get_or_insert_with(|| format!("i {word}"));
        }
        if token.to_lowercase().starts_with("xx.") {
            unresolved.get_or_insert_with(|| token.to_string());
        }
    }
    if any_date && let Some(date) = first_date(text) {
        return (Some(date), None);
    }
    (None, unresolved)
}

/// "Sak 22/24 utsettes" in a decision: the case postponed.
fn other_case_postponed(text: &str) -> Option<CaseNumber> {
    let raw: Vec<&str> = text.split_whitespace().collect();
    raw.windows(3).find_map(|w| {
        let keyword = w[0]
            .trim_matches(|c: char| !c.is_alphabetic())
            .to_lowercase();
        let verb = w[2]
            .trim_matches(|c: char| !c.is_alphabetic())
            .to_lowercase();
        let number = w[1].trim_matches(|c: char| !c.is_ascii_digit());
        (keyword == "sak" && (verb == "utsettes" || verb == "utsatt"))
            .then(|| number.parse().ok())
            .flatten()
    })
}

// ---------------------------------------------------------------------------------------------
// Cases

fn decisions_of(
    items: &[Item],
    case: CaseNumber,
    meeting: NaiveDate,
    warnings: &mut Vec<String>,
) -> Vec<ParsedDecision> {
    items
        .iter()
        .filter(|item| !item.text.is_empty())
        .filter_map(|item| {
            let position: Position = item.position.parse().ok()?;
            let (first, unresolved) = deadline(&item.text, meeting, false);
            let (kind, owners) = classify(&item.text, first.is_some());
            let deadline = if matches!(
                kind,
                DecisionKind::Scheduling | DecisionKind::Postponement
            ) && first.is_none()
            {
                deadline(&item.text, meeting, true).0
            } else {
                first
            };
            if deadline.is_none()
                && let Some(phrase) = unresolved
            {
                warnings.push(format!(
                    "line {}: case {case}-{position}: the deadline \"{phrase}\" cannot be read as a date",
                    item.line
                ));
            }
            Some(ParsedDecision {
                position,
                text: item.text.clone(),
                kind,
                owner: owners.first().cloned(),
                owners,
                deadline,
            })
        })
        .collect()
}

/// Why a case that is not postponed came out without decision points.
fn no_points(kind: DocumentKind, section: &Section) -> String {
    let (wanted, other) = match kind {
        DocumentKind::Minutes => (Heading::Adopted, Heading::Proposal),
        DocumentKind::Notice => (Heading::Proposal, Heading::Adopted),
    };
    let name = |h: Heading| match h {
        Heading::Adopted => "Vedtak",
        _ => "Forslag til vedtak",
    };
    let (line, number) = (section.line, section.number);
    let found = |h: Heading| section.blocks.iter().find(|(b, _)| *b == h);
    match (found(wanted), found(other)) {
        (Some(_), _) => format!(
            "line {line}: case {number}: a \"{}\" heading with no decision points under it",
            name(wanted)
        ),
        (None, Some((_, items))) if !items.is_empty() => format!(
            "line {line}: case {number} has no \"{}\"; its \"{}\" of {} points is not used, as the document is read as {}",
            name(wanted),
            name(other),
            items.len(),
            kind_name(kind)
        ),
        _ => format!("line {line}: case {number} has no \"{}\"", name(wanted)),
    }
}

fn build_cases(
    kind: DocumentKind,
    meeting: NaiveDate,
    agenda: &[AgendaItem],
    sections: &[Section],
    review: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Vec<ParsedCase> {
    let mut numbers: Vec<CaseNumber> = Vec::new();
    for n in agenda
        .iter()
        .map(|a| a.number)
        .chain(sections.iter().map(|s| s.number))
    {
        if !numbers.contains(&n) {
            numbers.push(n);
        }
    }
    let mut cases = Vec::new();
    for number in numbers {
        let item = agenda.iter().find(|a| a.number == number);
        let section = sections.iter().find(|s| s.number == number);
        let title = section
            .map(|s| s.title.clone())
            .filter(|t| !t.is_empty())
            .or_else(|| item.map(|a| a.title.clone()))
            .unwrap_or_default();
        let responsible = section
            .map(|s| s.responsible.clone())
            .filter(|r| !r.is_empty())
            .or_else(|| item.map(|a| a.responsible.clone()))
            .unwrap_or_default();
        let marked_postponed =
            item.is_some_and(|a| a.postponed) || section.is_some_and(|s| s.postponed_marker);
        let wanted = match kind {
            DocumentKind::Minutes => Heading::Adopted,
            DocumentKind::Notice => Heading::Proposal,
        };
        let block = section.and_then(|s| s.blocks.iter().find(|(h, _)| *h == wanted));
        let decisions = block
            .map(|(_, items)| decisions_of(items, number, meeting, warnings))
            .unwrap_or_default();
        let status = if marked_postponed
            || (kind == DocumentKind::Minutes
                && decisions.iter().any(|d| {
                    d.kind == DecisionKind::Postponement && other_case_postponed(&d.text).is_none()
                })) {
            ParsedCaseStatus::Postponed
        } else if kind == DocumentKind::Minutes {
            ParsedCaseStatus::Decided
        } else {
            ParsedCaseStatus::Proposed
        };
        if let Some(section) = section
            && item.is_none()
            && !agenda.is_empty()
        {
            review.push(format!(
                "line {}: case {number} has a section but is not on the sakliste",
                section.line
            ));
        }
        if let Some(section) = section
            && decisions.is_empty()
            && status != ParsedCaseStatus::Postponed
        {
            review.push(no_points(kind, section));
        }
        let narrative = section
            .map(|s| s.narrative.join("\n"))
            .filter(|n| !n.trim().is_empty());
        // In document order: the decision blocks come before the background.
        let mut texts: Vec<String> = Vec::new();
        if let Some(s) = section {
            for (_, items) in &s.blocks {
                texts.extend(items.iter().map(|i| i.text.clone()));
            }
        }
        texts.extend(narrative.iter().cloned());
        let text_refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let references = find_references(&title, &text_refs)
            .into_iter()
            .filter_map(|r| match r.target {
                ReferenceTarget::Case { number: n, .. } if n != number => Some(ParsedReference {
                    number: n,
                    kind: r.kind,
                    text: r.text,
                }),
                _ => None,
            })
            .collect();
        cases.push(ParsedCase {
            number,
            title,
            responsible,
            status,
            narrative,
            decisions,
            references,
        });
    }
    cases
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// Compares the parsed fixture with its expected JSON (warnings only as "a list"), showing
    /// the first differing case.
    fn compare(text: &str, expected: &str) {
        let parsed = parse_text(text).expect("a meeting document");
        let mut got = serde_json::to_value(&parsed).unwrap();
        let mut want: serde_json::Value = serde_json::from_str(expected).unwrap();
        assert!(got["warnings"].is_array() && want["warnings"].is_array());
        got["warnings"] = serde_json::Value::Null;
        want["warnings"] = serde_json::Value::Null;
        if got == want {
            return;
        }
        assert_eq!(got["document"], want["document"]);
        assert_eq!(got["meeting"], want["meeting"]);
        let (g, w) = (
            got["cases"].as_array().unwrap(),
            want["cases"].as_array().unwrap(),
        );
        for (gc, wc) in g.iter().zip(w) {
            if gc != wc {
                panic!(
                    "case {} differs\n--- expected\n{}\n--- parsed\n{}",
                    wc["number"],
                    serde_json::to_string_pretty(wc).unwrap(),
                    serde_json::to_string_pretty(gc).unwrap()
                );
            }
        }
        assert_eq!(g.len(), w.len(), "number of cases");
        assert_eq!(got, want);
    }

    #[test]
    fn fixture_asu_2023_10_04_innkalling() {
        compare(
            include_str!("../../tests/fixtures/asu-2023-10-04-innkalling.txt"),
            include_str!("../../tests/fixtures/asu-2023-10-04-innkalling.expected.json"),
        );
    }

    #[test]
    fn fixture_asu_2024_06_19_referat() {
        compare(
            include_str!("../../tests/fixtures/asu-2024-06-19-referat.txt"),
            include_str!("../../tests/fixtures/asu-2024-06-19-referat.expected.json"),
        );
    }

    #[test]
    fn fixture_asu_2024_08_30_innkalling() {
        compare(
            include_str!("../../tests/fixtures/asu-2024-08-30-innkalling.txt"),
            include_str!("../../tests/fixtures/asu-2024-08-30-innkalling.expected.json"),
        );
    }

    #[test]
    fn the_committee_is_the_code_in_the_heading_whatever_its_length_or_asu_with_a_warning() {
        let heading = |title: &str| {
            let fixture = include_str!("../../tests/fixtures/asu-2024-06-19-referat.txt");
            fixture.replacen("ADMINISTRATIVT SAMARBEIDSUTVALG (ASU)", title, 1)
        };
        for (title, code) in [
            ("PARTNERSKAPSMØTE (PM)", "PM"),
            ("KLINISK SAMARBEIDSUTVALG (KSU-PH)", "KSU-PH"),
            ("KRASJUTVALG (KRASJC)", "KRASJC"),
            ("UTVALG (FAGRÅD2)", "FAGRÅD2"),
        ] {
            let parsed = parse_text(&heading(&format!("MØTEREFERAT - {title}"))).unwrap();
            assert_eq!(parsed.meeting.committee, code, "{title}");
        }
        // A parenthesis that is not a code does not count; no committee named is a warning.
        let unnamed = heading("MØTEREFERAT - UTVALGET (se vedlegg)")
            .replace("Administrativt samarbeidsutvalg", "Utvalget")
            .replace("politisk samarbeidsutvalg", "utvalget");
        let parsed = parse_text(&unnamed).unwrap();
        assert_eq!(parsed.meeting.committee, "ASU");
        assert!(
            parsed
                .warnings
                .iter()
                .any(|w| w.contains("names no committee")),
            "{:?}",
            parsed.warnings
        );
    }

    #[test]
    fn the_wrong_year_in_a_case_date_is_warned_about() {
        let parsed = parse_text(include_str!(
            "../../tests/fixtures/asu-2023-10-04-innkalling.txt"
        ))
        .unwrap();
        assert_eq!(parsed.meeting.date, date("2023-10-04"));
        assert!(
            parsed.warnings.iter().any(|w| w.contains("04.10.2022")),
            "{:?}",
            parsed.warnings
        );
    }

    #[test]
    fn a_wrong_year_in_the_meeting_date_is_corrected_from_the_cases() {
        let text = "MØTEINNKALLING\nUtvalg: Administrativt samarbeidsutvalg\n\
                    Møtedato: 04.10.2022 kl. 13.00 – 16.00\n\n\
                    Sak: 35/23 Godkjenning\nDato: 04.10.2023\nForslag til vedtak\n\
                    1. Innkalling og sakliste godkjennes.\n";
        let parsed = parse_text(text).unwrap();
        assert_eq!(parsed.meeting.date, date("2023-10-04"));
        assert!(parsed.warnings.iter().any(|w| w.contains("04.10.2022")));
        // With no other date, the year of the case numbers wins.
        let text =
            "Møtedato: 04.10.22\nSak: 35/23 Godkjenning\nForslag til vedtak\n1. Godkjennes.\n";
        let parsed = parse_text(text).unwrap();
        assert_eq!(parsed.meeting.date, date("2023-10-04"));
        assert!(!parsed.warnings.is_empty());
    }

    #[test]
    fn a_text_that_is_no_meeting_document_is_refused() {
        for text in [
            "",
            "Handleliste\nmelk\nbrød\n",
            "Møtedato: 19.06.24\nIngen saker i dag.\n",
        ] {
            assert!(
                matches!(parse_text(text), Err(ImportError::NotAMeetingDocument(_))),
                "{text:?}"
            );
        }
        let err = parse_text("Sak: 1/24 Tittel\nVedtak\n1. Godkjennes.\n").unwrap_err();
        assert!(err.to_string().contains("date"), "{err}");
    }

    #[test]
    fn header_fields_times_and_extraordinary() {
        assert_eq!(
            parse_time_range("19.06.2024 kl. 13.00 – 17.00"),
            Some(("13:00".parse().unwrap(), Some("17:00".parse().unwrap())))
        );
        assert_eq!(
            parse_time_range("fredag 30.08.24 kl. 09-12"),
            Some(("09:00".parse().unwrap(), Some("12:00".parse().unwrap())))
        );
        assert_eq!(parse_time_range("19.06.24"), None);
        // "Neste møte: Ekstraord. …" does not make this meeting extraordinary.
        let text = "MØTEREFERAT - ADMINISTRATIVT SAMARBEIDSUTVALG (ASU)\n\
                    Møtedato: 19.06.24\tMøtevarighet 13.00 – 17.00\tMøtested: 1930 M11\t\
                    Neste møte: Ekstraord. 30.08.24\tMøteleder: Ingjerd Astad\tReferent: Karina\n\
                    Sak: 18/24 Godkjenning\nVedtak\n1. Innkalling og sakliste godkjennes.\n";
        let m = parse_text(text).unwrap().meeting;
        assert_eq!(m.kind, MeetingKind::Ordinary);
        assert_eq!(m.committee, "ASU");
        assert_eq!(m.chair.as_deref(), Some("Ingjerd Astad"));
        assert_eq!(m.minute_taker.as_deref(), Some("Karina"));
        assert_eq!(m.location.as_deref(), Some("1930 M11"));
        let text = "Utvalg: Administrativt samarbeidsutvalg (ekstraordinært møte)\n\
                    Møtedato: 30.08.2024 kl. 09.00 – 12.00\nSak: 27/24 Godkjenning\n";
        assert_eq!(
            parse_text(text).unwrap().meeting.kind,
            MeetingKind::Extraordinary
        );
    }

    fn points(lines: &str) -> Vec<(String, String)> {
        let mut p = Points::new("1/24".parse().unwrap());
        for (i, line) in lines.lines().enumerate() {
            if !p.feed(i + 1, &clean_line(line)) {
                break;
            }
        }
        p.finish(&mut Vec::new())
            .into_iter()
            .map(|i| (i.position, i.text))
            .collect()
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn positions_letters_and_bullets() {
        let found = points(
            "1. Innkalling godkjennes, med merknad:\n - Sak 22/24 utsettes.\n\
             2. ASU drøfter.\n - a. ASU ber forhandlingsutvalget arbeide videre\n b) ASU beslutter\n\
             3a) Tredje\n 3b. Fjerde\n\u{f0b7} Kule\n• Kule to\n○\n4. Siste",
        );
        assert_eq!(
            found,
            pairs(&[
                ("1", "Innkalling godkjennes, med merknad:"),
                ("1.1", "Sak 22/24 utsettes."),
                ("2", "ASU drøfter."),
                ("2a", "ASU ber forhandlingsutvalget arbeide videre"),
                ("2b", "ASU beslutter"),
                ("3a", "Tredje"),
                ("3b", "Fjerde"),
                ("3.1", "Kule"),
                ("3.2", "Kule to"),
                ("4", "Siste"),
            ])
        );
        // An unnumbered decision is point 1; bullets alone are points.
        assert_eq!(
            points("ASU tar saken til orientering."),
            pairs(&[("1", "ASU tar saken til orientering.")])
        );
        assert_eq!(
            points("- Første\n- Andre"),
            pairs(&[("1", "Første"), ("2", "Andre")])
        );
    }

    #[test]
    fn broken_lines_are_joined_and_a_new_paragraph_ends_the_decision() {
        let found = points(
            "1. ASU vedtar å opprette en prosjektgruppe for å iverksette \n\n\
             operasjonalisering av tiltakene.  \n\n\
             2. Tiltak for re-\ninnleggelser. \n\n\
             Frist settes til 15.11.23.\n\
             2. tertial er ikke et nytt punkt.\n\n\n\
             Det vil bli gitt en orientering.",
        );
        assert_eq!(
            found,
            pairs(&[
                (
                    "1",
                    "ASU vedtar å opprette en prosjektgruppe for å iverksette operasjonalisering av tiltakene."
                ),
                (
                    "2",
                    "Tiltak for re-innleggelser. Frist settes til 15.11.23. 2. tertial er ikke et nytt punkt."
                ),
            ])
        );
    }

    fn kind(text: &str) -> (DecisionKind, Vec<String>) {
        let (d, _) = deadline(text, date("2024-06-19"), false);
        classify(text, d.is_some())
    }

    fn owners(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn kinds_and_owners() {
        use DecisionKind::*;
        for (text, expected_kind, expected_owners) in [
            ("ASU tar saken til orientering.", Orientation, &[][..]),
            (
                "Avviksrapportering pr. 2. tertial tas til orientering.",
                Orientation,
                &[],
            ),
            ("Innkalling og sakliste godkjennes.", Approval, &[]),
            (
                "ASU gir sin tilslutning til revidert fremdriftsplan.",
                Approval,
                &[],
            ),
            (
                "ASU ber sekretariatet utarbeide en vedtakslogg.",
                Assignment,
                &["Sekretariatet"],
            ),
            (
                "ASU tar saker til oppfølging til orientering, og ber sekretariatet utarbeide en logg.",
                Assignment,
                &["Sekretariatet"],
            ),
            (
                "ASU gir AU i oppdrag å utrede muligheter.",
                Assignment,
                &["AU"],
            ),
            (
                "ASU gir Arbeidsutvalget myndighet til å følge opp.",
                Assignment,
                &["AU"],
            ),
            (
                "ASU ber Forhandlingsutvalget arbeide videre.",
                Assignment,
                &["Forhandlingsutvalget"],
            ),
            (
                "ASU ber fagråd 1 om å sørge for dette.",
                Assignment,
                &["Fagråd 1"],
            ),
            (
                "ASU ber Analysegruppa om en rapport.",
                Assignment,
                &["Analysegruppen"],
            ),
            (
                "ASU delegerer til AU å utarbeide utlysingsbrev.",
                Assignment,
                &["AU"],
            ),
            (
                "ASU ber om at man vurderer antall retningslinjer.",
                Assignment,
                &[],
            ),
            (
                "ASU ber kommunene og sykehuset om å implementere tiltakene.",
                Recommendation,
                &["Kommunene", "St. Olavs hospital"],
            ),
            (
                "ASU anbefaler at kommunene og St. Olavs hospital HF etablerer et pilotprosjekt.",
                Recommendation,
                &["Kommunene", "St. Olavs hospital"],
            ),
            (
                "ASU anbefaler utarbeidelse av ny handlingsplan.",
                Recommendation,
                &[],
            ),
            ("Saken utsettes til ASU-møte 19.06.24.", Postponement, &[]),
            ("Sak 22/24 utsettes.", Postponement, &[]),
            (
                "ASU setter saken opp på sakskartet i ASU møte 30.08.24.",
                Scheduling,
                &[],
            ),
            (
                "Ekstraordinært ASU gjennomføres fredag 30.08.24 kl. 09-12.",
                Scheduling,
                &[],
            ),
            (
                "Prosjektgruppen etableres snarlig og avholder første møte innen 01.11.23.",
                Assignment,
                &["Prosjektgruppen"],
            ),
            (
                "Etter søknadsprosessen vil AU fremlegge en innstilling.",
                Assignment,
                &["AU"],
            ),
            ("ASU vil fremheve deltakelse i programmet.", Other, &[]),
            ("Strategien legges ut på nett.", Other, &[]),
        ] {
            assert_eq!(
                kind(text),
                (expected_kind, owners(expected_owners)),
                "{text:?}"
            );
        }
    }

    #[test]
    fn deadlines() {
        let meeting = date("2023-10-04");
        let d = |text: &str| deadline(text, meeting, false);
        assert_eq!(
            d("avholder første møte innen 01.11.23.").0,
            Some(date("2023-11-01"))
        );
        assert_eq!(
            d("en høring med frist 01.06.24.").0,
            Some(date("2024-06-01"))
        );
        assert_eq!(
            d("Frist for innspillsrunden settes til 15.11.23, der").0,
            Some(date("2023-11-15"))
        );
        assert_eq!(
            d("ASU gjennomfører sluttbehandling 06.12.23.").0,
            Some(date("2023-12-06"))
        );
        assert_eq!(
            d("ASU setter saken opp på sakskartet i ASU møte 30.08.24 der").0,
            Some(date("2024-08-30"))
        );
        assert_eq!(
            d("kan settes i gang i september.").0,
            Some(date("2023-09-30"))
        );
        assert_eq!(
            deadline("kan settes i gang i september.", date("2024-06-19"), false).0,
            Some(date("2024-09-30"))
        );
        assert_eq!(d("ferdig i februar 2025").0, Some(date("2025-02-28")));
        let (none, phrase) = d("Dette fremmes til ASU i desember-møtet.");
        assert_eq!(none, None);
        assert_eq!(phrase.as_deref(), Some("i desember-møtet"));
        assert_eq!(d("beskrevet i vedtak 31/23 (06.09.23).").0, None);
        assert_eq!(
            deadline("ASU gjennomføres fredag 30.08.24 kl. 09-12", meeting, true).0,
            Some(date("2024-08-30"))
        );
        assert_eq!(parse_date("19.06.24"), Some(date("2024-06-19")));
        assert_eq!(parse_date("(04.10.2023)."), Some(date("2023-10-04")));
        assert_eq!(parse_date("31.02.24"), None);
    }

    #[test]
    fn the_title_decides_the_kind_and_the_cases_check_it() {
        // Issue 13: an agenda item "Møtereferat fra …" on a line of its own (a PDF cell) and a
        // "Vedtak" quoted in a background do not make a notice minutes.
        let notice = "MØTEINNKALLING (ASU)\nMøtedato: 12.02.25\n01/25\nMøtereferat fra Forhandlingsutvalget\n02/25 Plan\n\
                      Sak: 01/25 Referat\nForslag til vedtak\n1. ASU tar saken til orientering.\n\
                      Vedtak\nVedtaket fra 19.06.24 gjelder.\n\
                      Sak: 02/25 Plan\nForslag til vedtak\n1. ASU godkjenner planen.\n";
        let parsed = parse_text(notice).unwrap();
        assert_eq!(parsed.document.kind, DocumentKind::Notice);
        assert_eq!(parsed.cases[0].decisions.len(), 1);
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);

        // A title that the cases contradict is followed, and warned about with its line.
        let minutes_titled_notice = "\nINNKALLING - (ASU)\nMøtedato: 12.02.25\n\
                                     Sak: 01/25 A\nVedtak:\n1. ASU tar saken til orientering.\n\
                                     Sak: 02/25 B\nEnstemmig vedtatt\n1. ASU godkjenner planen.\n";
        let parsed = parse_text(minutes_titled_notice).unwrap();
        assert_eq!(parsed.document.kind, DocumentKind::Notice);
        assert!(
            parsed.warnings[0].starts_with("line 1: 2 cases and not one decision point"),
            "{:?}",
            parsed.warnings
        );
        assert!(
            parsed.warnings[1].starts_with("line 2: 2 cases carry an adopted \"Vedtak\"")
                && parsed.warnings[1].contains("kind=minutes"),
            "{:?}",
            parsed.warnings
        );
        // The caller's word wins over both, and is warned about when they disagree.
        let parsed = parse_text_as(minutes_titled_notice, Some(DocumentKind::Minutes)).unwrap();
        assert_eq!(parsed.document.kind, DocumentKind::Minutes);
        assert_eq!(parsed.cases[1].decisions.len(), 1);
        assert!(
            parsed.warnings[0].contains("as the caller asked"),
            "{:?}",
            parsed.warnings
        );

        // No title: the cases decide, with a warning.
        let untitled = minutes_titled_notice.replace("INNKALLING - (ASU)", "(ASU)");
        let parsed = parse_text(&untitled).unwrap();
        assert_eq!(parsed.document.kind, DocumentKind::Minutes);
        assert!(
            parsed.warnings[0].contains("read as minutes from its cases"),
            "{:?}",
            parsed.warnings
        );
        for (title, kind) in [
            ("PROTOKOLL FRA MØTE I ASU", DocumentKind::Minutes),
            ("Møtebok", DocumentKind::Minutes),
            ("Korrigert møtereferat", DocumentKind::Minutes),
            ("REFERAT", DocumentKind::Minutes),
            ("Møteinnkalling:", DocumentKind::Notice),
        ] {
            assert_eq!(title_kind(title), Some(kind), "{title}");
        }
        assert_eq!(title_kind("Referatsaker"), None);
    }

    #[test]
    fn a_preview_that_looks_wrong_says_so_first_with_lines() {
        let text = "MØTEREFERAT - (ASU)\nMøtedato: 12.02.2025\n\
                    01/25 Godkjenning\n02/25 Plan\n03/25 Budsjett\n\
                    Sak: 01/25 Godkjenning\nVedtak\n\
                    ASU godkjenner innkallingen. 2. ASU ber sekretariatet lage en plan.\n\
                    Sak: 02/25 Plan\nVedtak\n1. ASU tar saken til orientering.\n\
                    Sak: 09/24 Gammel sak\nVedtak\n1. ASU tar saken til orientering.\n";
        let parsed = parse_text(text).unwrap();
        let w = &parsed.warnings;
        let has =
            |line: &str, what: &str| w.iter().any(|x| x.starts_with(line) && x.contains(what));
        assert!(
            has("line 5: ", "case 3/25 is on the sakliste but has no"),
            "{w:#?}"
        );
        assert!(
            has(
                "line 12: ",
                "case 9/24 has a section but is not on the sakliste"
            ),
            "{w:#?}"
        );
        assert!(
            has(
                "line 12: ",
                "case 9/24 is numbered for 2024, the meeting is in 2025"
            ),
            "{w:#?}"
        );
        assert!(
            has(
                "line 6: ",
                "case 1/25: the decision was read as one point, but \"2. ASU\""
            ),
            "{w:#?}"
        );
        assert!(w.iter().all(|x| x.starts_with("line ")), "{w:#?}");

        // A meeting date in another year than the case numbers, with the line it is on.
        let text =
            "MØTEREFERAT (ASU)\n\nMøtedato: 12.02.2024\nSak: 01/25 A\nVedtak\n1. Godkjennes.\n";
        let parsed = parse_text(text).unwrap();
        assert!(
            parsed.warnings[0].starts_with("line 3: the meeting date 12.02.2024 does not agree"),
            "{:?}",
            parsed.warnings
        );
    }

    #[test]
    fn agenda_only_case_marked_postponed_has_no_decisions() {
        let text = "MØTEREFERAT\nMøtedato: 19.06.2024\n\
                    13.00-13.10\t18/24\tGodkjenning\tIngjerd Astad\t10\n\
                    15.05-15.35\t22/24\tInnovasjon <ul> InnoMed <p>Sak utsatt.</p>\tMarit Øverås/Runar Asp\t30\n\
                    Sak: 18/24 Godkjenning\nVedtak\n1. Innkalling og sakliste godkjennes.\n";
        let parsed = parse_text(text).unwrap();
        let case = &parsed.cases[1];
        assert_eq!(case.number.to_string(), "22/24");
        assert_eq!(case.title, "Innovasjon");
        assert_eq!(case.status, ParsedCaseStatus::Postponed);
        assert_eq!(case.responsible, ["Marit Øverås", "Runar Asp"]);
        assert!(case.decisions.is_empty());
        assert_eq!(parsed.cases[0].status, ParsedCaseStatus::Decided);
    }
}
