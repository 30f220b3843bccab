//! Reminder mails: written in bokmål as text/plain and text/html together, and sent over SMTP
//! with lettre.

use std::fmt::Write as _;

use crate::domain::DecisionStatus;
use crate::store::reminders::{Digest, DuePoint, Mail, ReminderKind};

/// Where mail goes out, from `SMTP_URL` and `VEDTAKSLOGG_MAIL_FROM`.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `smtp://host:25` (no TLS), `smtp://host:587?tls=required` (STARTTLS) or
    /// `smtps://user:password@host:465` (TLS), as lettre reads it.
    pub smtp_url: String,
    pub from: String,
}

/// A mail sender over SMTP.
pub struct Mailer {
    transport: lettre::SmtpTransport,
    from: lettre::message::Mailbox,
}

impl Mailer {
    pub fn new(config: &MailConfig) -> Result<Self, String> {
        let transport = lettre::SmtpTransport::from_url(&config.smtp_url)
            .map_err(|e| format!("SMTP_URL cannot be used: {e}"))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let from = config.from.parse().map_err(|e| {
            format!(
                "VEDTAKSLOGG_MAIL_FROM '{}' is not an address: {e}",
                config.from
            )
        })?;
        Ok(Self { transport, from })
    }

    /// Sends a queued mail.
    pub fn send(&self, mail: &Mail) -> Result<(), String> {
        use lettre::Transport;
        use lettre::message::header::{ContentTransferEncoding, ContentType};
        use lettre::message::{MultiPart, SinglePart};
        // Quoted-printable keeps the mail readable as text wherever it is looked at.
        let part = |content_type: ContentType, body: &str| {
            SinglePart::builder()
                .header(content_type)
                .header(ContentTransferEncoding::QuotedPrintable)
                .body(body.to_owned())
        };
        let to = mail
            .to
            .parse()
            .map_err(|e| format!("'{}' is not an address: {e}", mail.to))?;
        let message = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&mail.subject)
            .multipart(
                MultiPart::alternative()
                    .singlepart(part(ContentType::TEXT_PLAIN, &mail.text))
                    .singlepart(part(ContentType::TEXT_HTML, &mail.html)),
            )
            .map_err(|e| format!("the mail cannot be built: {e}"))?;
        self.transport
            .send(&message)
            .map(|_| ())
            .map_err(|e| format!("SMTP: {e}"))
    }
}

fn date(d: chrono::NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

fn status(s: DecisionStatus) -> &'static str {
    match s {
        DecisionStatus::Open => "åpen",
        DecisionStatus::InProgress => "pågår",
        DecisionStatus::Done => "utført",
        DecisionStatus::Cancelled => "avbrutt",
        DecisionStatus::Proposed => "foreslått",
    }
}

/// The heading of a group of points in a mail.
fn heading(kind: ReminderKind, days_before: i64, on: chrono::NaiveDate) -> String {
    match kind {
        ReminderKind::Before => format!("Frist om {days_before} dager"),
        ReminderKind::Due => format!("Frist i dag ({})", date(on)),
        ReminderKind::Overdue => "Forfalt (fristen er passert)".into(),
        ReminderKind::Summary => "Forfalte vedtakspunkter".into(),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn link(base_url: &str, point: &DuePoint) -> String {
    format!(
        "{}/vedtakspunkter/{}",
        base_url.trim_end_matches('/'),
        point.id
    )
}

/// The mail of a digest: every point with its text, case, meeting, deadline and a link,
/// grouped by why it is there.
pub fn render(digest: &Digest, days_before: i64, base_url: &str) -> Mail {
    let count = digest.points.len();
    let subject = if digest.summary {
        format!("Ukentlig oversikt: {count} forfalte vedtakspunkter")
    } else if count == 1 {
        "Påminnelse: 1 vedtakspunkt med frist".to_owned()
    } else {
        format!("Påminnelse: {count} vedtakspunkter med frist")
    };
    let intro = if digest.summary {
        "Her er ukens oversikt over vedtakspunkter i vedtaksloggen der fristen er passert."
    } else {
        "Dette er en påminnelse fra vedtaksloggen om vedtakspunkter dere er ansvarlige for."
    };
    let mut text = format!("Hei,\n\n{intro}\n");
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"nb\"><body>\n<p>Hei,</p>\n<p>{}</p>\n",
        escape(intro)
    );
    let mut kinds: Vec<ReminderKind> = digest.points.iter().map(|p| p.kind).collect();
    kinds.sort();
    kinds.dedup();
    for kind in kinds {
        let heading = heading(kind, days_before, digest.date);
        let _ = write!(text, "\n{heading}:\n");
        let _ = write!(html, "<h2>{}</h2>\n<ul>\n", escape(&heading));
        for point in digest.points.iter().filter(|p| p.kind == kind) {
            let title = format!(
                "{} sak {} punkt {}",
                point.committee, point.case_number, point.position
            );
            let owners = if point.owners.is_empty() {
                "ingen".to_owned()
            } else {
                point.owners.join(", ")
            };
            let url = link(base_url, point);
            let _ = write!(
                text,
                "\n- {title}: {}\n  Sak: {} {}\n  Møte: {} {}\n  Frist: {}\n  Status: {}\n  \
                 Ansvarlig: {owners}\n  Lenke: {url}\n",
                point.text,
                point.case_number,
                point.case_title,
                point.committee,
                date(point.meeting_date),
                date(point.deadline),
                status(point.status),
            );
            let _ = write!(
                html,
                "<li><p><a href=\"{}\">{}</a>: {}</p>\n<p>Sak: {} {}<br>Møte: {} {}<br>\
                 Frist: {}<br>Status: {}<br>Ansvarlig: {}</p></li>\n",
                escape(&url),
                escape(&title),
                escape(&point.text),
                escape(&point.case_number),
                escape(&point.case_title),
                escape(&point.committee),
                date(point.meeting_date),
                date(point.deadline),
                status(point.status),
                escape(&owners),
            );
        }
        html.push_str("</ul>\n");
    }
    text.push_str("\nHilsen vedtaksloggen\n");
    html.push_str("<p>Hilsen vedtaksloggen</p>\n</body></html>\n");
    Mail {
        to: digest.recipient.clone(),
        subject,
        text,
        html,
    }
}
