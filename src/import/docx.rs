//! Word `.docx` files as the text the document parser reads: one line for each paragraph, and
//! one line for each table row with its cells separated by tabs, as Word's own "save as text"
//! writes them. Automatic list numbering ("1.", "a)", bullets) is written out, because Word
//! keeps it out of the text of the paragraph and the decision points are numbered with it.
//!
//! A `.docx` is a ZIP archive of XML, and a few KiB of it can unpack, or number itself out, to
//! gigabytes. So every size is bounded *while* reading, before the memory is spent: the entries
//! of the archive, what is unpacked from each part and from all of them, the nesting of the XML,
//! the number a list writes before a paragraph, and the text and lines that come out.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use super::{ImportError, MAX_LINES};

/// The parts that are read, and the most of each that is read unpacked. A long set of minutes
/// has a `document.xml` of a few hundred KiB, a `numbering.xml` and `styles.xml` of tens.
const PARTS: [(&str, u64); 3] = [
    ("word/document.xml", 16 * MIB),
    ("word/numbering.xml", MIB),
    ("word/styles.xml", 4 * MIB),
];
/// The most unpacked from the archive in all.
const MAX_UNPACKED_BYTES: u64 = 16 * MIB;
/// A document from Word has a few dozen entries (a few hundred with many pictures); an archive
/// of a million empty ones costs memory to index before any is read.
const MAX_ENTRIES: usize = 5_000;
/// How deep the XML may nest. Word nests a few dozen levels (a table in a text box in a table);
/// each open paragraph and table is held while it is read.
const MAX_DEPTH: usize = 256;
/// The longest number a list may write before a paragraph ("1.2.3.", "iv)", "Vedtak 3:").
const MAX_NUMBER_BYTES: usize = 256;
/// The most text a document may give, counting each paragraph and table cell as well, since
/// each costs memory even when empty. A long notice is about 100 KiB of text.
const MAX_TEXT_BYTES: usize = 8 * 1024 * 1024;
const MIB: u64 = 1024 * 1024;
/// What a paragraph or a cell costs beyond its text.
const PIECE_BYTES: usize = 32;

/// Whether the bytes look like a `.docx` (a ZIP archive) rather than text.
pub fn is_docx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

fn unreadable(why: impl std::fmt::Display) -> ImportError {
    ImportError::Unreadable(format!("not a readable .docx: {why}"))
}

/// A document refused for its size: a limit no meeting document comes near.
fn too_big(why: impl std::fmt::Display) -> ImportError {
    ImportError::NotAMeetingDocument(format!(
        "the .docx is refused: {why}; that is no meeting document"
    ))
}

/// The text of a `.docx` file.
pub fn to_text(bytes: &[u8]) -> Result<String, ImportError> {
    // Every entry has a central directory header with this signature, so their count bounds the
    // entries, counted before the archive builds its index of them.
    let headers = bytes.windows(4).filter(|w| w == b"PK\x01\x02").count();
    if headers > MAX_ENTRIES {
        return Err(too_big(format_args!(
            "the archive has more than {MAX_ENTRIES} entries"
        )));
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    let mut budget = MAX_UNPACKED_BYTES;
    let [document, numbering, styles] =
        PARTS.map(|(name, limit)| read_part(&mut archive, name, limit, &mut budget));
    let document = document?.ok_or_else(|| unreadable("it has no word/document.xml"))?;
    let mut numbering = match numbering? {
        Some(xml) => Numbering::parse(&xml)?,
        None => Numbering::default(),
    };
    // Word's list styles ("List Number") number their paragraphs from the style.
    if let Some(xml) = styles? {
        numbering.styles = list_styles(&xml)?;
    }
    body_text(&document, numbering)
}

/// A part of the archive as text, unpacking at most `limit` bytes of it and of what is left of
/// `budget`.
fn read_part(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    limit: u64,
    budget: &mut u64,
) -> Result<Option<String>, ImportError> {
    let file = match archive.by_name(name) {
        Ok(file) => file,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(unreadable(format_args!("{name}: {e}"))),
    };
    let limit = limit.min(*budget);
    let refused = || {
        too_big(format_args!(
            "{name} unpacks to more than {} KiB",
            limit / 1024
        ))
    };
    // The size the archive declares is refused at once; the bytes are counted as well, since
    // the declaration may lie.
    if file.size() > limit {
        return Err(refused());
    }
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(format_args!("{name}: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(refused());
    }
    *budget -= bytes.len() as u64;
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|e| unreadable(format_args!("{name} is not UTF-8: {e}")))
}

/// XML events, refusing nesting deeper than [`MAX_DEPTH`].
struct Events<'a> {
    reader: Reader<&'a [u8]>,
    depth: usize,
}

impl<'a> Events<'a> {
    fn new(xml: &'a str) -> Self {
        Self {
            reader: Reader::from_str(xml),
            depth: 0,
        }
    }

    fn next(&mut self) -> Result<Event<'a>, ImportError> {
        let event = self.reader.read_event().map_err(unreadable)?;
        match &event {
            Event::Start(_) => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(too_big(format_args!(
                        "its XML nests deeper than {MAX_DEPTH} elements"
                    )));
                }
            }
            Event::End(_) => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        Ok(event)
    }
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

fn list_styles(xml: &str) -> Result<HashMap<String, StyleNumbering>, ImportError> {
    let mut styles = HashMap::new();
    let mut events = Events::new(xml);
    let mut current: Option<(String, StyleNumbering)> = None;
    loop {
        match events.next()? {
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
    fn parse(xml: &str) -> Result<Self, ImportError> {
        let mut numbering = Numbering::default();
        let mut events = Events::new(xml);
        let mut abstract_id: Option<String> = None;
        let mut level: Option<(u8, Level)> = None;
        let mut list: Option<(String, String, HashMap<u8, u32>)> = None;
        let mut override_level: Option<u8> = None;
        loop {
            let event = events.next()?;
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
    /// "-"), or None when the list is unknown or writes no number. A number longer than
    /// [`MAX_NUMBER_BYTES`] is refused: it would be copied into every paragraph of the list.
    fn next(&mut self, id: &str, ilvl: u8) -> Result<Option<String>, ImportError> {
        let too_long = || {
            too_big(format_args!(
                "list {id} of word/numbering.xml writes a number longer than {MAX_NUMBER_BYTES} bytes before its paragraphs (level {ilvl})"
            ))
        };
        let Some((abs, starts)) = self.lists.get(id) else {
            return Ok(None);
        };
        let Some(levels) = self.abstract_levels.get(abs) else {
            return Ok(None);
        };
        let Some(level) = levels.get(&ilvl) else {
            return Ok(None);
        };
        if level.text.len() > MAX_NUMBER_BYTES {
            return Err(too_long());
        }
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
            return Ok(Some("-".into()));
        }
        if level.format == "none" {
            return Ok(None);
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
        if text.len() > MAX_NUMBER_BYTES {
            return Err(too_long());
        }
        Ok((!text.is_empty()).then_some(text))
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

/// The text read so far, and what it has cost.
#[derive(Default)]
struct Output {
    lines: Vec<String>,
    /// Paragraphs of a text box, written after the paragraph that holds it.
    nested: Vec<String>,
    spent: usize,
}

impl Output {
    /// Counts `bytes` more of text, refusing a document that gives more than
    /// [`MAX_TEXT_BYTES`].
    fn spend(&mut self, bytes: usize) -> Result<(), ImportError> {
        self.spent = self.spent.saturating_add(bytes);
        if self.spent > MAX_TEXT_BYTES {
            return Err(too_big(format_args!(
                "its text is larger than {} MiB",
                MAX_TEXT_BYTES / 1024 / 1024
            )));
        }
        Ok(())
    }

    fn push_line(&mut self, line: String) -> Result<(), ImportError> {
        self.spend(PIECE_BYTES)?;
        self.lines.push(line);
        if self.lines.len() > MAX_LINES {
            return Err(too_big(format_args!(
                "it has more than {MAX_LINES} lines; a notice or minutes has far fewer"
            )));
        }
        Ok(())
    }
}

fn body_text(xml: &str, mut numbering: Numbering) -> Result<String, ImportError> {
    let mut events = Events::new(xml);
    let mut out = Output::default();
    // Paragraphs nest when a text box sits in a paragraph; each is its own line.
    let mut paragraphs: Vec<Paragraph> = Vec::new();
    let mut tables: Vec<Table> = Vec::new();
    let mut in_run = 0u32;
    let mut in_text = false;
    // Deleted text (tracked changes), field instructions and the fallback copy of drawings
    // are not part of what the document says.
    let mut skip_depth = 0u32;
    loop {
        let event = events.next()?;
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
                                &mut out,
                            )?;
                        } else {
                            paragraphs.push(Paragraph::default());
                        }
                    }
                    "r" if !empty => in_run += 1,
                    "t" if !empty && in_run > 0 => in_text = true,
                    "tab" if in_run > 0 => push_text(&mut paragraphs, &mut out, "\t")?,
                    "br" | "cr" if in_run > 0 => push_text(&mut paragraphs, &mut out, "\n")?,
                    "noBreakHyphen" if in_run > 0 => push_text(&mut paragraphs, &mut out, "-")?,
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
                                &mut out,
                            )?;
                        }
                    }
                    "tc" => {
                        if let Some(table) = tables.last_mut() {
                            out.spend(PIECE_BYTES)?;
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
                                n if n > 1 => {
                                    out.spend(PIECE_BYTES)?;
                                    tables[n - 2].cell.push(line.replace('\t', " "));
                                }
                                _ => out.push_line(line)?,
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
                push_text(&mut paragraphs, &mut out, &text)?;
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
                    push_text(&mut paragraphs, &mut out, c.encode_utf8(&mut [0; 4]))?;
                }
            }
            Event::CData(t) if in_text && skip_depth == 0 => {
                push_text(&mut paragraphs, &mut out, &t.xml10_content())?;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut text = out.lines.join("\n");
    text.push('\n');
    Ok(text)
}

fn push_text(
    paragraphs: &mut [Paragraph],
    out: &mut Output,
    text: &str,
) -> Result<(), ImportError> {
    if let Some(p) = paragraphs.last_mut() {
        out.spend(text.len())?;
        p.text.push_str(text);
    }
    Ok(())
}

/// Writes out a finished paragraph: into the table cell being read, after the paragraph that
/// holds it (a text box), or as lines of the document.
fn finish_paragraph(
    paragraph: Paragraph,
    numbering: &mut Numbering,
    tables: &mut [Table],
    open: &mut [Paragraph],
    out: &mut Output,
) -> Result<(), ImportError> {
    out.spend(PIECE_BYTES)?;
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
        && let Some(number) = numbering.next(&list, level.unwrap_or(0))?
    {
        out.spend(number.len() + 1)?;
        text = format!("{number} {text}");
    }
    if !open.is_empty() {
        out.nested.push(text);
        return Ok(());
    }
    if let Some(table) = tables.last_mut() {
        table.cell.push(text.replace('\n', " "));
        table.cell.append(&mut out.nested);
        return Ok(());
    }
    for line in text.split('\n') {
        out.push_line(line.to_owned())?;
    }
    for line in std::mem::take(&mut out.nested) {
        out.push_line(line)?;
    }
    Ok(())
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
        assert_eq!(n.next("1", 0).unwrap().as_deref(), Some("1."));
        assert_eq!(n.next("1", 1).unwrap().as_deref(), Some("a)"));
        assert_eq!(n.next("1", 1).unwrap().as_deref(), Some("b)"));
        assert_eq!(n.next("2", 0).unwrap().as_deref(), Some("-"));
        assert_eq!(n.next("1", 0).unwrap().as_deref(), Some("2."));
        assert_eq!(n.next("1", 1).unwrap().as_deref(), Some("a)"));
        assert_eq!(n.next("3", 0).unwrap().as_deref(), Some("4."));
        assert_eq!(n.next("9", 0).unwrap(), None);
        // A list may start at 0, and one that starts at the top does not overflow.
        let mut n = Numbering::parse(
            r#"<w:numbering xmlns:w="w"><w:abstractNum w:abstractNumId="0">
              <w:lvl w:ilvl="0"><w:start w:val="0"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
              <w:lvl w:ilvl="1"><w:start w:val="4294967295"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%2)"/></w:lvl>
            </w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>"#,
        )
        .unwrap();
        assert_eq!(n.next("1", 0).unwrap().as_deref(), Some("0."));
        assert_eq!(n.next("1", 0).unwrap().as_deref(), Some("1."));
        assert_eq!(n.next("1", 1).unwrap().as_deref(), Some("4294967295)"));
        assert_eq!(n.next("1", 1).unwrap().as_deref(), Some("4294967295)"));
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

    /// A `.docx` of these parts, deflated as Word does.
    fn docx(parts: &[(&str, &[u8])]) -> Vec<u8> {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, bytes) in parts {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    const NUMBERED: &str = r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>x</w:t></w:r></w:p>"#;

    fn numbering(level_text: &str) -> String {
        format!(
            r#"<w:numbering xmlns:w="w"><w:abstractNum w:abstractNumId="0">
              <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="{level_text}"/></w:lvl>
            </w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>"#
        )
    }

    fn document(body: &str) -> String {
        format!(r#"<w:document xmlns:w="w"><w:body>{body}</w:body></w:document>"#)
    }

    fn refusal(bytes: &[u8]) -> String {
        let error = to_text(bytes).expect_err("refused");
        assert!(
            matches!(error, ImportError::NotAMeetingDocument(_)),
            "{error:?}"
        );
        error.to_string()
    }

    #[test]
    fn a_list_number_is_bounded_before_it_is_copied_into_every_paragraph() {
        let fine = docx(&[
            (
                "word/document.xml",
                document(&NUMBERED.repeat(3)).as_bytes(),
            ),
            ("word/numbering.xml", numbering("Punkt %1:").as_bytes()),
        ]);
        assert_eq!(
            to_text(&fine).unwrap(),
            "Punkt 1: x\nPunkt 2: x\nPunkt 3: x\n"
        );
        // 40 KB of number text before each of 20,000 paragraphs would be 800 MB.
        let bomb = docx(&[
            (
                "word/document.xml",
                document(&NUMBERED.repeat(20_000)).as_bytes(),
            ),
            (
                "word/numbering.xml",
                numbering(&"A".repeat(40_000)).as_bytes(),
            ),
        ]);
        let detail = refusal(&bomb);
        assert!(
            detail.contains("list 1 of word/numbering.xml writes a number longer than 256 bytes"),
            "{detail}"
        );
        // A short text of placeholders that each write ten digits.
        let ten_digits = numbering(&"%1".repeat(120))
            .replace(r#"w:start w:val="1""#, r#"w:start w:val="4000000000""#);
        let bomb = docx(&[
            ("word/document.xml", document(NUMBERED).as_bytes()),
            ("word/numbering.xml", ten_digits.as_bytes()),
        ]);
        let detail = refusal(&bomb);
        assert!(detail.contains("longer than 256 bytes"), "{detail}");
    }

    #[test]
    fn the_text_and_its_lines_are_bounded_while_they_are_read() {
        // A number of 200 bytes before 50,000 paragraphs is 10 MB of text.
        let long = docx(&[
            (
                "word/document.xml",
                document(&NUMBERED.repeat(45_000)).as_bytes(),
            ),
            ("word/numbering.xml", numbering(&"A".repeat(200)).as_bytes()),
        ]);
        let detail = refusal(&long);
        assert!(detail.contains("its text is larger than 8 MiB"), "{detail}");
        let many = docx(&[(
            "word/document.xml",
            document(&"<w:p/>".repeat(50_001)).as_bytes(),
        )]);
        let detail = refusal(&many);
        assert!(detail.contains("more than 50000 lines"), "{detail}");
    }

    #[test]
    fn the_archive_and_its_xml_are_bounded() {
        // 100 MB of spaces deflate to 100 KB.
        let mut xml = document("").into_bytes();
        xml.splice(10..10, std::iter::repeat_n(b' ', 100 * 1024 * 1024));
        let detail = refusal(&docx(&[("word/document.xml", &xml)]));
        assert!(
            detail.contains("word/document.xml unpacks to more than 16384 KiB"),
            "{detail}"
        );
        let detail = refusal(&docx(&[
            ("word/document.xml", document("").as_bytes()),
            ("word/numbering.xml", " ".repeat(2 * 1024 * 1024).as_bytes()),
        ]));
        assert!(
            detail.contains("word/numbering.xml unpacks to more than 1024 KiB"),
            "{detail}"
        );
        let deep = document(&format!("{}{}", "<w:p>".repeat(300), "</w:p>".repeat(300)));
        let detail = refusal(&docx(&[("word/document.xml", deep.as_bytes())]));
        assert!(detail.contains("nests deeper than 256"), "{detail}");
        let names: Vec<String> = (0..5_001).map(|i| format!("media/{i}")).collect();
        let mut parts: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
        let body = document("");
        parts.push(("word/document.xml", body.as_bytes()));
        let detail = refusal(&docx(&parts));
        assert!(detail.contains("more than 5000 entries"), "{detail}");
        // A table nested as deep as allowed still reads.
        let nested = document(&format!(
            "{}<w:p><w:r><w:t>inne</w:t></w:r></w:p>{}",
            "<w:tbl><w:tr><w:tc>".repeat(60),
            "</w:tc></w:tr></w:tbl>".repeat(60)
        ));
        assert_eq!(
            to_text(&docx(&[("word/document.xml", nested.as_bytes())])).unwrap(),
            "inne\n"
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
