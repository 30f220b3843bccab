//! The import against documents it has not seen: every fixture (its text, the text of its
//! `.docx`, and its PDF) rendered in the layouts secretariats' documents come in, each read and
//! compared, fact by fact, with the fixture's expected JSON. The share of facts right is
//! printed per fixture and layout (the table in the README) and must be 100%.
//!
//! The layouts are made here, from the fixtures, by [`VARIANTS`]: a PDF export that breaks a
//! table into one cell a line (times and case numbers on lines of their own), the other
//! spellings of the titles and headings, other point numbering, extra blank lines and
//! non-breaking spaces, Windows line endings and UTF-16.

use serde_json::Value;
use vedtakslogg::import::{docx, read_document};

struct Fixture {
    name: &'static str,
    text: &'static str,
    docx: Option<&'static [u8]>,
    pdf: Option<&'static [u8]>,
    expected: &'static str,
}

macro_rules! fixture {
    ($name:literal $(, docx $docx:literal)? $(, pdf $pdf:literal)?) => {
        Fixture {
            name: $name,
            text: include_str!(concat!("../fixtures/", $name, ".txt")),
            docx: None $(.or(Some(include_bytes!(concat!("../fixtures/", $docx)))))?,
            pdf: None $(.or(Some(include_bytes!(concat!("../fixtures/", $pdf)))))?,
            expected: include_str!(concat!("../fixtures/", $name, ".expected.json")),
        }
    };
}

fn fixtures() -> Vec<Fixture> {
    vec![
        fixture!("asu-2023-10-04-innkalling", docx "asu-2023-10-04-innkalling.docx", pdf "asu-2023-10-04-innkalling.pdf"),
        fixture!("asu-2024-06-19-referat", docx "asu-2024-06-19-referat.docx", pdf "asu-2024-06-19-referat.pdf"),
        fixture!("asu-2024-08-30-innkalling", docx "asu-2024-08-30-innkalling.docx", pdf "asu-2024-08-30-innkalling.pdf"),
        fixture!("asu-2025-02-12-innkalling", pdf "asu-2025-02-12-innkalling.pdf"),
        fixture!("asu-2025-02-12-referat", pdf "asu-2025-02-12-referat.pdf"),
        fixture!("asu-2025-02-12-referat-korrigert", pdf "asu-2025-02-12-referat-korrigert.pdf"),
    ]
}

type Render = fn(&str) -> Vec<u8>;

/// The layouts, by name.
const VARIANTS: [(&str, Render); 9] = [
    ("as written", |t| t.as_bytes().to_vec()),
    ("pdf cells", |t| pdf_cells(t).into_bytes()),
    ("headings", |t| headings(t).into_bytes()),
    ("1) numbering", |t| paren_numbering(t).into_bytes()),
    ("a) • unnumbered", |t| other_numbering(t).into_bytes()),
    ("blank lines, nbsp", |t| spacing(t).into_bytes()),
    ("crlf", |t| t.replace('\n', "\r\n").into_bytes()),
    ("utf-16", utf16),
    ("all at once", |t| {
        let text = spacing(&other_numbering(&paren_numbering(&headings(&pdf_cells(t)))));
        utf16(&text.replace('\n', "\r\n"))
    }),
];

/// A PDF export of a narrow table: every cell on a line of its own, a time range broken after
/// its dash ("13.10-" / "13.30"), and a long cell broken into lines of a few words.
fn pdf_cells(text: &str) -> String {
    let mut out = Vec::new();
    for line in text.lines() {
        if !line.contains('\t') {
            // A sakliste already one cell a line: its case number apart from its title too.
            match line.trim().split_once(' ') {
                Some((number, title)) if is_case_number(number) => {
                    out.push(number.to_string());
                    out.push(title.to_string());
                }
                _ => out.push(line.to_string()),
            }
            continue;
        }
        for cell in line.split('\t').map(str::trim).filter(|c| !c.is_empty()) {
            if let Some((from, to)) = time_range(cell) {
                out.push(format!("{from}-"));
                out.push(to.to_string());
                continue;
            }
            let mut piece = String::new();
            for word in cell.split_whitespace() {
                if piece.len() + word.len() > 40 && !piece.is_empty() {
                    out.push(std::mem::take(&mut piece));
                }
                if !piece.is_empty() {
                    piece.push(' ');
                }
                piece.push_str(word);
            }
            out.push(piece);
        }
    }
    out.join("\n")
}

/// "35/23", "9/24".
fn is_case_number(word: &str) -> bool {
    word.split_once('/').is_some_and(|(serial, year)| {
        (1..=3).contains(&serial.len())
            && year.len() == 2
            && serial
                .chars()
                .chain(year.chars())
                .all(|c| c.is_ascii_digit())
    })
}

/// "13.00-13.10", "15.35 – 15.45".
fn time_range(cell: &str) -> Option<(&str, &str)> {
    let (from, to) = cell.split_once(['-', '–'])?;
    Some((clock(from)?, clock(to)?))
}

/// "13.10" (spaces around it ignored).
fn clock(s: &str) -> Option<&str> {
    let s = s.trim();
    (s.len() == 5 && s.as_bytes()[2] == b'.' && s.replace('.', "").parse::<u16>().is_ok())
        .then_some(s)
}

/// The other spellings: INNKALLING and PROTOKOLL for titles, "Innstilling:" for a proposal,
/// "Enstemmig vedtatt:" for a decision, "Sak 36/23" without its colon, "9/24" for "09/24".
fn headings(text: &str) -> String {
    let mut titled = false;
    text.lines()
        .map(|line| {
            let line = &line
                .split(' ')
                .map(|word| match word.strip_prefix('0') {
                    Some(rest) if is_case_number(word) => rest,
                    _ => word,
                })
                .collect::<Vec<_>>()
                .join(" ");
            let trimmed = line.trim().trim_start_matches("**");
            if !titled && trimmed.starts_with("MØTEINNKALLING") {
                titled = true;
                return line.replacen("MØTEINNKALLING", "INNKALLING", 1);
            }
            if !titled && trimmed.starts_with("MØTEREFERAT") {
                titled = true;
                return line.replacen("MØTEREFERAT", "PROTOKOLL", 1);
            }
            match trimmed.trim_end() {
                "Forslag til vedtak" => "Innstilling:".to_string(),
                "Vedtak" | "Vedtak:" => "Enstemmig vedtatt:".to_string(),
                _ if trimmed.starts_with("Sak: ") => line.replacen("Sak: ", "Sak ", 1),
                _ => line.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The number of a numbered line, and its text: "2. ASU ber …".
fn numbered(line: &str) -> Option<(u32, &str)> {
    let trimmed = line.trim_start();
    let (number, rest) = trimmed.split_once(". ")?;
    let n = number.parse().ok().filter(|n| (1..30).contains(n))?;
    Some((n, rest))
}

/// Points numbered "1)", "2)" instead of "1.", "2.".
fn paren_numbering(text: &str) -> String {
    text.lines()
        .map(|line| match numbered(line) {
            Some((n, rest)) => format!("{n}) {rest}"),
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A decision of single-line points, each after the other, numbered "a)", "b)" or as bullets
/// ("•") in turn, and a decision of one point written without a number. Decisions with
/// sub-points or broken lines keep their numbers.
fn other_numbering(text: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut block = 0;
    let mut i = 0;
    while i < lines.len() {
        let heading = lines[i].trim().trim_end_matches(':').to_string();
        i += 1;
        if heading != "Forslag til vedtak" && heading != "Vedtak" {
            continue;
        }
        while i < lines.len() && lines[i].trim().is_empty() {
            i += 1;
        }
        let start = i;
        while i < lines.len()
            && numbered(&lines[i]).is_some_and(|(n, _)| n as usize == i - start + 1)
        {
            i += 1;
        }
        let count = i - start;
        let ends = i == lines.len() || lines[i].trim().is_empty();
        if count == 0 || !ends {
            continue;
        }
        block += 1;
        for (k, line) in lines[start..i].iter_mut().enumerate() {
            let (_, rest) = numbered(line).expect("numbered");
            *line = match (count, block % 2) {
                (1, _) => rest.to_string(),
                (_, 0) => format!("{}) {rest}", (b'a' + k as u8) as char),
                _ => format!("• {rest}"),
            };
        }
    }
    lines.join("\n")
}

/// Extra blank lines (each doubled; a blank line after every line when there are none) and
/// non-breaking spaces after list numbers, in "Sak:" and at the ends of lines.
fn spacing(text: &str) -> String {
    let spaced = text.lines().any(|l| l.trim().is_empty());
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            out.push(String::new());
            out.push("\u{a0}".to_string());
            continue;
        }
        let line = match numbered(line) {
            Some((n, rest)) => format!("{n}.\u{a0}{rest}"),
            None => line.replacen("Sak: ", "Sak:\u{a0}", 1),
        };
        out.push(format!("{line}\u{a0}"));
        if !spaced {
            out.push(String::new());
        }
    }
    out.join("\n")
}

/// UTF-16 (little-endian, with its byte order mark), as Word's "Unicode text" writes it.
fn utf16(text: &str) -> Vec<u8> {
    [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect()
}

/// The facts a careful reader takes from a document, as (what, value) pairs: its kind, the
/// meeting's date and kind, each case (number, status, how many points) and each point (kind,
/// owners, deadline).
fn facts(document: &Value) -> Vec<(String, String)> {
    let mut facts = vec![
        ("kind".to_string(), document["document"]["kind"].to_string()),
        ("date".to_string(), document["meeting"]["date"].to_string()),
        (
            "meeting kind".to_string(),
            document["meeting"]["kind"].to_string(),
        ),
    ];
    for case in document["cases"].as_array().into_iter().flatten() {
        let number = case["number"].as_str().unwrap_or("?");
        let points = case["decisions"].as_array().cloned().unwrap_or_default();
        facts.push((format!("case {number}"), "present".into()));
        facts.push((format!("{number} status"), case["status"].to_string()));
        facts.push((format!("{number} points"), points.len().to_string()));
        for point in points {
            let at = format!("{number}-{}", point["position"].as_str().unwrap_or("?"));
            for field in ["kind", "owners", "deadline"] {
                facts.push((format!("{at} {field}"), point[field].to_string()));
            }
        }
    }
    facts
}

/// How many of the expected facts were read right, of how many, and the ones that were not
/// (a fact read that is not expected counts as one more wrong).
fn score(read: &Value, expected: &Value) -> (usize, usize, Vec<String>) {
    let read = facts(read);
    let expected = facts(expected);
    let mut wrong = Vec::new();
    for (what, value) in &expected {
        match read.iter().find(|(w, _)| w == what) {
            Some((_, v)) if v == value => {}
            Some((_, v)) => wrong.push(format!("{what}: read {v}, expected {value}")),
            None => wrong.push(format!("{what}: not read, expected {value}")),
        }
    }
    let extra: Vec<String> = read
        .iter()
        .filter(|(w, _)| !expected.iter().any(|(e, _)| e == w))
        .map(|(w, v)| format!("{w}: read {v}, not in the document"))
        .collect();
    let total = expected.len() + extra.len();
    wrong.extend(extra);
    (total - wrong.len(), total, wrong)
}

fn read(bytes: &[u8]) -> Value {
    match read_document(bytes) {
        Ok(parsed) => serde_json::to_value(parsed).expect("serialisable"),
        Err(e) => serde_json::json!({ "error": e.to_string() }),
    }
}

#[test]
fn every_layout_of_every_fixture_and_every_pdf_reads_to_the_expected_facts() {
    let mut table = vec![format!(
        "| document | {} | PDF |",
        VARIANTS.map(|(name, _)| name).join(" | ")
    )];
    table.push(format!("|---|{}---|", "---|".repeat(VARIANTS.len())));
    let mut failures = Vec::new();
    let mut check = |name: String, bytes: &[u8], expected: &Value| -> String {
        let (right, total, wrong) = score(&read(bytes), expected);
        if !wrong.is_empty() {
            failures.push(format!("{name}:\n  {}", wrong.join("\n  ")));
        }
        format!(
            "{:.0}% ({right}/{total})",
            100.0 * right as f64 / total as f64
        )
    };
    for fixture in fixtures() {
        let expected: Value = serde_json::from_str(fixture.expected).unwrap();
        let mut sources = vec![(format!("{}.txt", fixture.name), fixture.text.to_string())];
        if let Some(bytes) = fixture.docx {
            let text = docx::to_text(bytes).expect("the .docx fixture reads");
            sources.push((format!("{}.docx", fixture.name), text));
        }
        for (i, (source, text)) in sources.iter().enumerate() {
            let mut row = vec![source.clone()];
            for (variant, render) in VARIANTS {
                let rendered = render(text);
                // Every layout but the first changes every document: no variant is a copy.
                assert!(
                    variant == "as written" || rendered != text.as_bytes(),
                    "{source} {variant}: the layout changed nothing"
                );
                row.push(check(format!("{source} {variant}"), &rendered, &expected));
            }
            row.push(match fixture.pdf {
                Some(pdf) if i == 0 => check(format!("{}.pdf", fixture.name), pdf, &expected),
                _ => "".into(),
            });
            table.push(format!("| {} |", row.join(" | ")));
        }
    }
    println!("{}", table.join("\n"));
    assert!(
        failures.is_empty(),
        "facts read wrong:\n{}",
        failures.join("\n")
    );
}

#[test]
fn the_layouts_change_the_text_they_claim_to() {
    let text = "MØTEREFERAT - ASU\nKl.\tSaksnr.\n13.00-13.10\t18/24\tGodkjenning\n\nSak: 18/24 Godkjenning\nVedtak\n1. Innkalling godkjennes.\n2. ASU tar saken til orientering.\n";
    let cells = pdf_cells(text);
    assert!(
        cells.contains("13.00-\n13.10\n18/24\nGodkjenning"),
        "{cells}"
    );
    assert_eq!(
        pdf_cells("35/23 Godkjenning av innkalling"),
        "35/23\nGodkjenning av innkalling"
    );
    let heads = headings(text);
    assert!(heads.starts_with("PROTOKOLL - ASU"), "{heads}");
    assert!(
        heads.contains("Sak 18/24 Godkjenning\nEnstemmig vedtatt:"),
        "{heads}"
    );
    assert_eq!(
        headings("Sak: 09/24 Tittel\n09/24 Tittel"),
        "Sak 9/24 Tittel\n9/24 Tittel"
    );
    assert!(paren_numbering(text).contains("\n2) ASU tar"));
    assert!(other_numbering(text).contains("\n• Innkalling godkjennes.\n• ASU tar"));
    let spaced = spacing(text);
    assert!(spaced.contains("1.\u{a0}Innkalling") && spaced.contains("\n\n\u{a0}\n"));
    assert_eq!(&utf16("Mø")[..], &[0xFF, 0xFE, b'M', 0, 0xF8, 0]);
}
