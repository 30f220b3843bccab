//! Decision points with deadlines as an iCalendar feed (RFC 5545).

use chrono::TimeDelta;

use crate::store::decisions::Decision;

/// Escapes text for a property value (RFC 5545, 3.3.11).
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            ';' => escaped.push_str("\\;"),
            ',' => escaped.push_str("\\,"),
            '\n' => escaped.push_str("\\n"),
            '\r' => {}
            c => escaped.push(c),
        }
    }
    escaped
}

/// Appends a content line, folded at 75 octets without splitting a character (3.1).
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

fn status_word(decision: &Decision) -> &'static str {
    match decision.status.as_str() {
        "proposed" => "foreslått",
        "open" => "åpen",
        "in_progress" => "pågår",
        "done" => "utført",
        _ => "avbrutt",
    }
}

/// A calendar with an all-day event on the deadline of each point that has one.
pub fn calendar(name: &str, decisions: &[Decision]) -> String {
    let mut out = String::new();
    start(&mut out, name);
    for decision in decisions {
        event(&mut out, decision);
    }
    finish(&mut out);
    out
}

/// The start of a calendar of this name, before its events.
pub fn start(out: &mut String, name: &str) {
    line(out, "BEGIN:VCALENDAR");
    line(out, "VERSION:2.0");
    line(out, "PRODID:-//Vedtakslogg//Vedtakslogg//NB");
    line(out, "CALSCALE:GREGORIAN");
    line(out, "METHOD:PUBLISH");
    line(out, &format!("X-WR-CALNAME:{}", escape(name)));
}

/// The all-day event on the deadline of a point; nothing for a point without one.
pub fn event(out: &mut String, decision: &Decision) {
    let Some(deadline) = decision.deadline else {
        return;
    };
    let reference = format!(
        "{} {}-{}",
        decision.case.committee, decision.case.number, decision.position
    );
    let owners: Vec<&str> = decision.owners.iter().map(|o| o.name.as_str()).collect();
    let mut summary: String = decision.text.chars().take(90).collect();
    if decision.text.chars().count() > 90 {
        summary.push('…');
    }
    let description = format!(
        "{}\n\nSak {}: {}\nMøte: {}\nAnsvarlig: {}\nStatus: {}{}",
        decision.text,
        decision.case.number,
        decision.case.title,
        decision.case.meeting_date.format("%d.%m.%Y"),
        if owners.is_empty() {
            "–".to_owned()
        } else {
            owners.join(", ")
        },
        status_word(decision),
        decision
            .status_note
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default(),
    );
    line(out, "BEGIN:VEVENT");
    // The point's id is its identity for good: a moved deadline updates the same event.
    line(out, &format!("UID:{}@vedtakslogg", decision.id));
    // The time of the last change, so that an unchanged feed is the same feed (and 304).
    line(
        out,
        &format!("DTSTAMP:{}", decision.updated_at.format("%Y%m%dT%H%M%SZ")),
    );
    line(
        out,
        &format!(
            "LAST-MODIFIED:{}",
            decision.updated_at.format("%Y%m%dT%H%M%SZ")
        ),
    );
    line(out, &format!("SEQUENCE:{}", decision.version));
    line(
        out,
        &format!("DTSTART;VALUE=DATE:{}", deadline.format("%Y%m%d")),
    );
    line(
        out,
        &format!(
            "DTEND;VALUE=DATE:{}",
            (deadline + TimeDelta::days(1)).format("%Y%m%d")
        ),
    );
    line(
        out,
        &format!(
            "SUMMARY:{}",
            escape(&format!("Frist {reference}: {summary}"))
        ),
    );
    line(out, &format!("DESCRIPTION:{}", escape(&description)));
    line(
        out,
        &format!("CATEGORIES:{}", escape(decision.case.committee.as_str())),
    );
    line(out, "TRANSP:TRANSPARENT");
    line(out, "END:VEVENT");
}

/// The end of a calendar, after its events.
pub fn finish(out: &mut String) {
    line(out, "END:VCALENDAR");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_long_lines_folded_on_character_boundaries() {
        assert_eq!(escape("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
        let mut out = String::new();
        line(&mut out, &format!("SUMMARY:{}", "ø".repeat(60)));
        for physical in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= 75, "{} octets", physical.len());
        }
        let unfolded = out.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, format!("SUMMARY:{}", "ø".repeat(60)));
    }
}
