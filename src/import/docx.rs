//! Word `.docx` files as the text the document parser reads: one line for each paragraph, and
//! one line for each table row with its cells separated by tabs, as Word's own "save as text"
//! writes them. Automatic list numbering ("1.", "a)", bullets) is written out, because Word
//! keeps it out of the text of the paragraph and the decision points are numbered with it.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use super::ImportError;

/// The largest part of a `.docx` that is read, unpacked; a meeting document is far smaller,
/// and the limit keeps a crafted archive from filling the memory.
const MAX_PART_BYTES: u64 = 16 * 1024 * 1024;

/// Whether the bytes look like a `.docx` (a ZIP archive) rather than text.
pub fn is_docx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// The text of a `.docx` file.
pub fn to_text(bytes: &[u8]) -> Result<String, ImportError> {
    let unreadable = |why: String| ImportError::Unreadable(format!("not a readable .docx: {why}"));
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(e.to_string()))?;
    let document = read_part(&mut archive, "word/document.xml")?
        .ok_or_else(|| unreadable("it has no word/document.xml".into()))?;
    let mut numbering = match read_part(&mut archive, "word/numbering.xml")? {
        Some(xml) => Numbering::parse(&xml).map_err(unreadable)?,
        None => Numbering::default(),
    };
    // Word's list styles ("List Number") number their paragraphs from the style.
    if let Some(xml) = read_part(&mut archive, "word/styles.xml")? {
        numbering.styles = list_styles(&xml).map_err(unreadable)?;
    }
    body_text(&document, numbering).map_err(unreadable)
}

fn read_part(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
) -> Result<Option<String>, ImportError> {
    let file = match archive.by_name(name) {
        Ok(file) => file,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => {
            return Err(ImportError::Unreadable(format!(
                "not a readable .docx: {name}: {e}"
            )));
        }
    };
    let mut text = String::new();
    file.take(MAX_PART_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| ImportError::Unreadable(format!("not a readable .docx: {name}: {e}")))?;
    if text.len() as u64 > MAX_PART_BYTES {
        return Err(ImportError::Unreadable(format!(
            "{name} is larger than {} MiB unpacked; that is no meeting document",
            MAX_PART_BYTES / 1024 / 1024
        )));
    }
    Ok(Some(text))
}

/// The local name of an element (`w:p` is `p`).
fn local(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, local)| local)
}

/// The value of an attribute by its local name (`w:val` is `val`).
fn attribute(element: &BytesStart<'_>, name: &str) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| local(a.key.as_ref()) == name)
        .and_then(|a| {
            a.normalized_value(XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

/// One level of a list: how its number is written.
#[derive(Debug, Clone, Default)]
struct Level {
    start: u32,
    format: String,
    text: String,
}

/// The list definitions of `word/numbering.xml`, and the counters of the lists as the body is
/// read.
#[derive(Debug, Default)]
struct Numbering {
    /// Abstract list id → its levels.
    abstract_levels: HashMap<String, HashMap<u8, Level>>,
    /// List id → (abstract list id, level → start override).
    lists: HashMap<String, (String, HashMap<u8, u32>)>,
    /// The last number given at each level of each list; None until the level is used.
    counters: HashMap<String, [Option<u32>; 9]>,
    /// Paragraph style id → its list numbering.
    styles: HashMap<String, StyleNumbering>,
}

/// The list numbering a paragraph style gives, and the style it is based on.
#[derive(Debug, Default, Clone)]
struct StyleNumbering {
    based_on: Option<String>,
    list: Option<String>,
    level: Option<u8>,
}

fn list_styles(xml: &str) -> Result<HashMap<String, StyleNumbering>, String> {
    let mut styles = HashMap::new();
    let mut reader = Reader::from_str(xml);
    let mut current: Option<(String, StyleNumbering)> = None;
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) if local(e.name().as_ref()) == "style" => {
                current = attribute(&e, "styleId").map(|id| (id, StyleNumbering::default()));
            }
            Event::Start(e) | Event::Empty(e) => {
                if let Some((_, style)) = &mut current {
                    let val = attribute(&e, "val");
                    match local(e.name().as_ref()) {
                        "basedOn" => style.based_on = val,
                        "numId" => style.list = val,
                        "ilvl" => style.level = val.and_then(|v| v.parse().ok()),
                        _ => {}
                    }
                }
            }
            Event::End(e) if local(e.name().as_ref()) == "style" => {
                if let Some((id, style)) = current.take() {
                    styles.insert(id, style);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(styles)
}

impl Numbering {
    fn parse(xml: &str) -> Result<Self, String> {
        let mut numbering = Numbering::default();
        let mut reader = Reader::from_str(xml);
        let mut abstract_id: Option<String> = None;
        let mut level: Option<(u8, Level)> = None;
        let mut list: Option<(String, String, HashMap<u8, u32>)> = None;
        let mut override_level: Option<u8> = None;
        loop {
            let event = reader.read_event().map_err(|e| e.to_string())?;
            match &event {
                Event::Start(e) | Event::Empty(e) => {
                    let val = || attribute(e, "val");
                    match local(e.name().as_ref()) {
                        "abstractNum" => abstract_id = attribute(e, "abstractNumId"),
                        "lvl" if abstract_id.is_some() => {
                            let ilvl = attribute(e, "ilvl").and_then(|v| v.parse().ok());
                            level = ilvl.map(|i| {
                                (
                                    i,
                                    Level {
                                        start: 1,
                                        ..Level::default()
                                    },
                                )
                            });
                        }
                        "start" => {
                            if let (Some((_, l)), Some(v)) = (&mut level, val()) {
                                l.start = v.parse().unwrap_or(1);
                            }
                        }
                        "numFmt" => {
                            if let (Some((_, l)), Some(v)) = (&mut level, val()) {
                                l.format = v;
                            }
                        }
                        "lvlText" => {
                            if let (Some((_, l)), Some(v)) = (&mut level, val()) {
                                l.text = v;
                            }
                        }
                        "num" => {
                            if let Some(id) = attribute(e, "numId") {
                                list = Some((id, String::new(), HashMap::new()));
                            }
                        }
                        "abstractNumId" => {
                            if let (Some((_, abs, _)), Some(v)) = (&mut list, val()) {
                                *abs = v;
                            }
                        }
                        "lvlOverride" => {
                            override_level = attribute(e, "ilvl").and_then(|v| v.parse().ok());
                        }
                        "startOverride" => {
                            if let (Some((_, _, starts)), Some(i), Some(v)) =
                                (&mut list, override_level, val())
                            {
                                starts.insert(i, v.parse().unwrap_or(1));
                            }
                        }
                        _ => {}
                    }
                    // An empty element is also its own end.
                    if matches!(event, Event::Empty(_)) {
                        numbering.end(e.name().as_ref(), &mut abstract_id, &mut level, &mut list);
                    }
                }
                Event::End(e) => {
                    numbering.end(e.name().as_ref(), &mut abstract_id, &mut level, &mut list);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        Ok(numbering)
    }

    /// The list and level of a paragraph of `style`, through the styles it is based on.
    fn of_style(&self, style: &str) -> (Option<String>, Option<u8>) {
        let mut level = None;
        let mut next = Some(style);
        // A chain of styles is short; the bound guards against a cycle.
        for _ in 0..16 {
            let Some(style) = next.and_then(|id| self.styles.get(id)) else {
                break;
            };
            level = level.or(style.level);
            if style.list.is_some() {
                return (style.list.clone(), level);
            }
            next = style.based_on.as_deref();
        }
        (None, level)
    }

    fn end(
        &mut self,
        name: &str,
        abstract_id: &mut Option<String>,
        level: &mut Option<(u8, Level)>,
        list: &mut Option<(String, String, HashMap<u8, u32>)>,
    ) {
        match local(name) {
            "lvl" => {
                if let (Some(abs), Some((i, l))) = (abstract_id.as_ref(), level.take()) {
                    self.abstract_levels
                        .entry(abs.clone())
                        .or_default()
                        .insert(i, l);
                }
            }
            "abstractNum" => *abstract_id = None,
            "num" => {
                if let Some((id, abs, starts)) = list.take() {
                    self.lists.insert(id, (abs, starts));
                }
            }
            _ => {}
        }
    }

    /// The number of the next paragraph of list `id` at level `ilvl`, as written ("2.", "b)",
    /// "-"), or None when the list is unknown or writes no number.
    fn next(&mut self, id: &str, ilvl: u8) -> Option<String> {
        let (abs, starts) = self.lists.get(id)?;
        let levels = self.abstract_levels.get(abs)?;
        let level = levels.get(&ilvl)?;
        let i = usize::from(ilvl.min(8));
        let counters = self.counters.entry(id.to_owned()).or_insert([None; 9]);
        counters[i] = Some(match counters[i] {
            None => starts.get(&ilvl).copied().unwrap_or(level.start),
            Some(n) => n.saturating_add(1),
        });
        for deeper in counters.iter_mut().skip(i + 1) {
            *deeper = None;
        }
        if level.format == "bullet" {
            return Some("-".into());
        }
        if level.format == "none" {
            return None;
        }
        let mut text = level.text.clone();
        for (n, counter) in counters.iter().enumerate().take(i + 1) {
            let placeholder = format!("%{}", n + 1);
            if text.contains(&placeholder) {
                let format = levels
                    .get(&u8::try_from(n).unwrap_or(0))
                    .map_or("decimal", |l| l.format.as_str());
                let number = format_number(counter.unwrap_or(0), format);
                text = text.replace(&placeholder, &number);
            }
        }
        let text = text.trim().to_owned();
        (!text.is_empty()).then_some(text)
    }
}

/// A number as a list writes it. Letters and roman numerals are for short lists; a document
/// that counts higher (or starts a list at four billion) gets plain numbers.
fn format_number(n: u32, format: &str) -> String {
    const LETTERS_UP_TO: u32 = 26 * 4;
    const ROMAN_UP_TO: u32 = 3999;
    let format = match format {
        "lowerLetter" | "upperLetter" if n > LETTERS_UP_TO => "decimal",
        "lowerRoman" | "upperRoman" if n > ROMAN_UP_TO => "decimal",
        other => other,
    };
    match format {
        "lowerLetter" => letters(n),
        "upperLetter" => letters(n).to_uppercase(),
        "lowerRoman" => roman(n),
        "upperRoman" => roman(n).to_uppercase(),
        "decimalZero" => format!("{n:02}"),
        _ => n.to_string(),
    }
}

/// 1 → a, 26 → z, 27 → aa (Word repeats the letter).
fn letters(n: u32) -> String {
    if n == 0 {
        return String::new();
    }
    let letter = char::from(b'a' + u8::try_from((n - 1) % 26).unwrap_or(0));
    std::iter::repeat_n(letter, ((n - 1) / 26 + 1) as usize).collect()
}

fn roman(mut n: u32) -> String {
    const NUMERALS: &[(u32, &str)] = &[
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut out = String::new();
    for (value, numeral) in NUMERALS {
        while n >= *value {
            out.push_str(numeral);
            n -= value;
        }
    }
    out
}

/// A paragraph being read.
#[derive(Default)]
struct Paragraph {
    text: String,
    /// The list the paragraph itself names: `Some("0")` says "no numbering".
    list: Option<String>,
    level: Option<u8>,
    style: Option<String>,
}

/// Where the reader is in a table.
#[derive(Default)]
struct Table {
    cells: Vec<String>,
    cell: Vec<String>,
}

fn body_text(xml: &str, mut numbering: Numbering) -> Result<String, String> {
    let mut reader = Reader::from_str(xml);
    let mut lines: Vec<String> = Vec::new();
    // Paragraphs nest when a text box sits in a paragraph; each is its own line.
    let mut paragraphs: Vec<Paragraph> = Vec::new();
    let mut finished_nested: Vec<String> = Vec::new();
    let mut tables: Vec<Table> = Vec::new();
    let mut in_run = 0u32;
    let mut in_text = false;
    // Deleted text (tracked changes), field instructions and the fallback copy of drawings
    // are not part of what the document says.
    let mut skip_depth = 0u32;
    loop {
        let event = reader.read_event().map_err(|e| e.to_string())?;
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.name();
                let name = local(name.as_ref());
                let empty = matches!(event, Event::Empty(_));
                if skip_depth > 0 {
                    if !empty {
                        skip_depth += 1;
                    }
                    continue;
                }
                match name {
                    // A tracked move is in the text twice: only where it went counts. The
                    // paragraph's properties before a tracked change do not count either.
                    "del" | "moveFrom" | "instrText" | "delText" | "Fallback" | "pPrChange"
                        if !empty =>
                    {
                        skip_depth = 1
                    }
                    "p" => {
                        if empty {
                            finish_paragraph(
                                Paragraph::default(),
                                &mut numbering,
                                &mut tables,
                                &mut paragraphs,
                                &mut lines,
                                &mut finished_nested,
                            );
                        } else {
                            paragraphs.push(Paragraph::default());
                        }
                    }
                    "r" if !empty => in_run += 1,
                    "t" if !empty && in_run > 0 => in_text = true,
                    "tab" if in_run > 0 => push_text(&mut paragraphs, "\t"),
                    "br" | "cr" if in_run > 0 => push_text(&mut paragraphs, "\n"),
                    "noBreakHyphen" if in_run > 0 => push_text(&mut paragraphs, "-"),
                    "ilvl" => {
                        if let (Some(p), Some(v)) = (paragraphs.last_mut(), attribute(e, "val")) {
                            p.level = v.parse().ok();
                        }
                    }
                    "numId" => {
                        if let (Some(p), Some(v)) = (paragraphs.last_mut(), attribute(e, "val")) {
                            p.list = Some(v);
                        }
                    }
                    "pStyle" => {
                        if let (Some(p), Some(v)) = (paragraphs.last_mut(), attribute(e, "val")) {
                            p.style = Some(v);
                        }
                    }
                    "tbl" if !empty => tables.push(Table::default()),
                    "tc" if !empty => {
                        if let Some(table) = tables.last_mut() {
                            table.cell.clear();
                        }
                    }
                    _ => {}
                }
            }
            Event::End(e) => {
                if skip_depth > 0 {
                    skip_depth -= 1;
                    continue;
                }
                match local(e.name().as_ref()) {
                    "t" => in_text = false,
                    "r" => in_run = in_run.saturating_sub(1),
                    "p" => {
                        if let Some(paragraph) = paragraphs.pop() {
                            finish_paragraph(
                                paragraph,
                                &mut numbering,
                                &mut tables,
                                &mut paragraphs,
                                &mut lines,
                                &mut finished_nested,
                            );
                        }
                    }
                    "tc" => {
                        if let Some(table) = tables.last_mut() {
                            let cell = table.cell.join(" ");
                            table.cells.push(cell.trim().to_owned());
                            table.cell.clear();
                        }
                    }
                    "tr" => {
                        if let Some(table) = tables.last_mut() {
                            let row = std::mem::take(&mut table.cells);
                            let line = row.join("\t");
                            match tables.len() {
                                // A row of a table in a table's cell joins that cell's text.
                                n if n > 1 => tables[n - 2].cell.push(line.replace('\t', " ")),
                                _ => lines.push(line),
                            }
                        }
                    }
                    "tbl" => {
                        tables.pop();
                    }
                    _ => {}
                }
            }
            Event::Text(t) if in_text && skip_depth == 0 => {
                let text = t.xml10_content();
                push_text(&mut paragraphs, &text);
            }
            Event::GeneralRef(r) if in_text && skip_depth == 0 => {
                let resolved = match r.as_ref() {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    _ => r.resolve_char_ref().ok().flatten(),
                };
                if let Some(c) = resolved {
                    push_text(&mut paragraphs, c.encode_utf8(&mut [0; 4]));
                }
            }
            Event::CData(t) if in_text && skip_depth == 0 => {
                push_text(&mut paragraphs, &t.xml10_content());
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut text = lines.join("\n");
    text.push('\n');
    Ok(text)
}

fn push_text(paragraphs: &mut [Paragraph], text: &str) {
    if let Some(p) = paragraphs.last_mut() {
        p.text.push_str(text);
    }
}

/// Writes out a finished paragraph: into the table cell being read, after the paragraph that
/// holds it (a text box), or as lines of the document.
fn finish_paragraph(
    paragraph: Paragraph,
    numbering: &mut Numbering,
    tables: &mut [Table],
    open: &mut [Paragraph],
    lines: &mut Vec<String>,
    nested: &mut Vec<String>,
) {
    let mut text = paragraph.text;
    let (list, level) = match (paragraph.list, &paragraph.style) {
        (Some(list), _) => (Some(list), paragraph.level),
        (None, Some(style)) => {
            let (list, level) = numbering.of_style(style);
            (list, paragraph.level.or(level))
        }
        (None, None) => (None, paragraph.level),
    };
    // List 0 means "no numbering".
    if let Some(list) = list.filter(|l| l != "0")
        && let Some(number) = numbering.next(&list, level.unwrap_or(0))
    {
        text = format!("{number} {text}");
    }
    if !open.is_empty() {
        nested.push(text);
        return;
    }
    if let Some(table) = tables.last_mut() {
        table.cell.push(text.replace('\n', " "));
        table.cell.append(nested);
        return;
    }
    lines.extend(text.split('\n').map(str::to_owned));
    lines.append(nested);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_word_shows_them() {
        assert_eq!(letters(1), "a");
        assert_eq!(letters(26), "z");
        assert_eq!(letters(27), "aa");
        assert_eq!(roman(4), "iv");
        assert_eq!(roman(1994), "mcmxciv");
        assert_eq!(format_number(3, "upperLetter"), "C");
        assert_eq!(format_number(7, "decimalZero"), "07");
        assert_eq!(format_number(4_000_000_000, "lowerLetter"), "4000000000");
        assert_eq!(format_number(5000, "upperRoman"), "5000");
    }

    #[test]
    fn list_numbering_counts_per_list_and_restarts_deeper_levels() {
        let numbering = r#"<w:numbering xmlns:w="w">
            <w:abstractNum w:abstractNumId="0">
              <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
              <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%2)"/></w:lvl>
            </w:abstractNum>
            <w:abstractNum w:abstractNumId="1">
              <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl>
            </w:abstractNum>
            <w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
            <w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
            <w:num w:numId="3"><w:abstractNumId w:val="0"/>
              <w:lvlOverride w:ilvl="0"><w:startOverride w:val="4"/></w:lvlOverride></w:num>
          </w:numbering>"#;
        let mut n = Numbering::parse(numbering).unwrap();
        assert_eq!(n.next("1", 0).as_deref(), Some("1."));
        assert_eq!(n.next("1", 1).as_deref(), Some("a)"));
        assert_eq!(n.next("1", 1).as_deref(), Some("b)"));
        assert_eq!(n.next("2", 0).as_deref(), Some("-"));
        assert_eq!(n.next("1", 0).as_deref(), Some("2."));
        assert_eq!(n.next("1", 1).as_deref(), Some("a)"));
        assert_eq!(n.next("3", 0).as_deref(), Some("4."));
        assert_eq!(n.next("9", 0), None);
        // A list may start at 0, and one that starts at the top does not overflow.
        let mut n = Numbering::parse(
            r#"<w:numbering xmlns:w="w"><w:abstractNum w:abstractNumId="0">
              <w:lvl w:ilvl="0"><w:start w:val="0"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
              <w:lvl w:ilvl="1"><w:start w:val="4294967295"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%2)"/></w:lvl>
            </w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>"#,
        )
        .unwrap();
        assert_eq!(n.next("1", 0).as_deref(), Some("0."));
        assert_eq!(n.next("1", 0).as_deref(), Some("1."));
        assert_eq!(n.next("1", 1).as_deref(), Some("4294967295)"));
        assert_eq!(n.next("1", 1).as_deref(), Some("4294967295)"));
    }

    #[test]
    fn list_styles_number_their_paragraphs() {
        let mut numbering = Numbering::parse(
            r#"<w:numbering xmlns:w="w">
            <w:abstractNum w:abstractNumId="0">
              <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
            </w:abstractNum>
            <w:num w:numId="5"><w:abstractNumId w:val="0"/></w:num></w:numbering>"#,
        )
        .unwrap();
        numbering.styles = list_styles(
            r#"<w:styles xmlns:w="w">
            <w:style w:type="paragraph" w:styleId="ListNumber"><w:basedOn w:val="Normal"/>
              <w:pPr><w:numPr><w:numId w:val="5"/></w:numPr></w:pPr></w:style>
            <w:style w:type="paragraph" w:styleId="Vedtak"><w:basedOn w:val="ListNumber"/></w:style>
            <w:style w:type="paragraph" w:styleId="Normal"/></w:styles>"#,
        )
        .unwrap();
        let xml = r#"<w:document xmlns:w="w"><w:body>
            <w:p><w:pPr><w:pStyle w:val="Normal"/></w:pPr><w:r><w:t>Vedtak:</w:t></w:r></w:p>
            <w:p><w:pPr><w:pStyle w:val="ListNumber"/></w:pPr><w:r><w:t>Første.</w:t></w:r></w:p>
            <w:p><w:pPr><w:pStyle w:val="Vedtak"/></w:pPr><w:r><w:t>Andre.</w:t></w:r></w:p>
            <w:p><w:pPr><w:pStyle w:val="Vedtak"/><w:numPr><w:numId w:val="0"/></w:numPr></w:pPr><w:r><w:t>Uten nummer.</w:t></w:r></w:p>
          </w:body></w:document>"#;
        assert_eq!(
            body_text(xml, numbering).unwrap(),
            "Vedtak:\n1. Første.\n2. Andre.\nUten nummer.\n"
        );
    }

    #[test]
    fn paragraphs_tables_tabs_and_breaks_become_lines() {
        let xml = r#"<w:document xmlns:w="w"><w:body>
            <w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>
              <w:r><w:t>Møtedato:</w:t></w:r><w:r><w:tab/><w:t xml:space="preserve">19.06.24 &amp; mer</w:t></w:r></w:p>
            <w:p/>
            <w:p><w:r><w:t>Første linje</w:t><w:br/><w:t>andre linje</w:t></w:r></w:p>
            <w:p><w:del><w:r><w:delText>strøket</w:delText></w:r></w:del><w:r><w:t>Vedtak</w:t></w:r></w:p>
            <w:p><w:moveFrom><w:r><w:t>flyttet</w:t></w:r></w:moveFrom></w:p>
            <w:tbl><w:tr>
              <w:tc><w:p><w:r><w:t>18/24</w:t></w:r></w:p></w:tc>
              <w:tc><w:p><w:r><w:t>Godkjenning</w:t></w:r></w:p><w:p><w:r><w:t>Saker til eventuelt</w:t></w:r></w:p></w:tc>
              <w:tc><w:p/></w:tc>
            </w:tr></w:tbl>
          </w:body></w:document>"#;
        let text = body_text(xml, Numbering::default()).unwrap();
        assert_eq!(
            text,
            "Møtedato:\t19.06.24 & mer\n\nFørste linje\nandre linje\nVedtak\n\n18/24\tGodkjenning Saker til eventuelt\t\n"
        );
    }

    #[test]
    fn something_that_is_not_a_zip_archive_is_unreadable() {
        let error = to_text(b"PK\x03\x04 but not really").unwrap_err();
        assert!(
            error.to_string().contains("not a readable .docx"),
            "{error}"
        );
    }
}
