//! PDF files as the text the document parser reads. Secretariats publish notices and minutes
//! as PDF exported from Word or LibreOffice; the text is drawn glyph by glyph at positions on
//! the page, in whatever order the exporter chose. So every glyph is collected with its
//! position (by `pdf-extract`, pure Rust, which decodes the fonts) and the lines are rebuilt
//! from the positions: top to bottom, left to right, with a tab where a wide gap separates two
//! table cells and an empty line where a paragraph ends. A table row then reads as a row of
//! cells, as Word's own text export writes it.
//!
//! A PDF is compressed, and its pages may draw other drawings ("form XObjects") that draw
//! others in turn: a few KiB can unpack to gigabytes, draw forever, or recurse until the stack
//! is gone. Everything is bounded before it is read: what its streams unpack to, the pages, how
//! deep and how often drawings are drawn, and the glyphs that come out.

use std::collections::HashMap;
use std::io::Read;

use pdf_extract::{Document, MediaBox, Object, ObjectId, OutputDev, OutputError, Transform};

use super::{ImportError, MAX_LINES};

/// What all the streams of a PDF may unpack to. ASU's longest notice is a 300 KiB PDF whose
/// streams unpack to under 2 MiB (most of it fonts).
const MAX_UNPACKED_BYTES: u64 = 64 * 1024 * 1024;
/// The most streams: a long notice has a few hundred.
const MAX_STREAMS: usize = 50_000;
/// A meeting document has tens of pages.
const MAX_PAGES: usize = 1_000;
/// How deep drawings may draw drawings, and how many drawings a page may draw in all.
const MAX_FORM_DEPTH: usize = 8;
const MAX_FORM_DRAWS: u64 = 100_000;
/// The most glyphs read: about 8 MiB of text, as a `.docx` may give.
const MAX_GLYPHS: usize = 8 * 1024 * 1024;

/// Whether the bytes are a PDF file (its header may follow up to 1 KiB of other bytes).
pub fn is_pdf(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(1024)]
        .windows(5)
        .any(|w| w == b"%PDF-")
}

fn unreadable(why: impl std::fmt::Display) -> ImportError {
    ImportError::Unreadable(format!("not a readable PDF: {why}"))
}

fn too_big(why: impl std::fmt::Display) -> ImportError {
    ImportError::NotAMeetingDocument(format!(
        "the PDF is refused: {why}; that is no meeting document"
    ))
}

/// The text of a PDF file, line by line in reading order.
pub fn to_text(bytes: &[u8]) -> Result<String, ImportError> {
    check_streams(bytes)?;
    let doc = Document::load_mem(bytes).map_err(unreadable)?;
    if doc.is_encrypted() {
        return Err(unreadable(
            "it is encrypted; export it again without a password",
        ));
    }
    let pages = doc.get_pages();
    if pages.len() > MAX_PAGES {
        return Err(too_big(format!("it has more than {MAX_PAGES} pages")));
    }
    check_drawings(&doc, &pages)?;
    let mut glyphs = Glyphs::default();
    // pdf-extract panics on some malformed files instead of returning an error; a malformed
    // file is the sender's problem, not the server's.
    let extracted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pdf_extract::output_doc(&doc, &mut glyphs)
    }));
    match extracted {
        Ok(Ok(())) => {}
        Ok(Err(_)) if glyphs.full => {
            return Err(too_big(format!(
                "it holds more than {MAX_GLYPHS} characters"
            )));
        }
        Ok(Err(e)) => return Err(unreadable(format!("{e:?}"))),
        Err(_) => return Err(unreadable("its pages cannot be read")),
    }
    let text = glyphs.into_text();
    if text.trim().is_empty() {
        return Err(unreadable(
            "it has no text (a scan?); send the document it was made from",
        ));
    }
    Ok(text)
}

/// Unpacks every compressed stream, up to what all may unpack to, before the PDF reader sees
/// them: the reader unpacks a stream whole. Streams are found by their keyword, which also
/// finds the ones that a broken cross-reference table hides.
fn check_streams(bytes: &[u8]) -> Result<(), ImportError> {
    for filter in [&b"/LZWDecode"[..], b"/LZW ", b"/RunLengthDecode", b"/RL "] {
        if bytes.windows(filter.len()).any(|w| w == filter) {
            return Err(unreadable(format!(
                "it uses {} compression, which no current exporter writes; export it again",
                String::from_utf8_lossy(filter).trim()
            )));
        }
    }
    let mut budget = MAX_UNPACKED_BYTES;
    let mut streams = 0;
    let mut at = 0;
    while let Some(found) = find(&bytes[at..], b"stream") {
        let start = at + found + b"stream".len();
        at = start;
        let data = match &bytes[start..] {
            [b'\r', b'\n', rest @ ..] | [b'\n', rest @ ..] | [b'\r', rest @ ..] => rest,
            _ => continue, // "endstream", or the word inside a string
        };
        streams += 1;
        if streams > MAX_STREAMS {
            return Err(too_big(format!("it has more than {MAX_STREAMS} streams")));
        }
        let mut decoder = flate2::read::ZlibDecoder::new(data).take(budget + 1);
        let mut sink = [0u8; 16 * 1024];
        let mut unpacked = 0u64;
        loop {
            match decoder.read(&mut sink) {
                Ok(0) | Err(_) => break, // the end, or not a deflated stream
                Ok(n) => unpacked += n as u64,
            }
        }
        if unpacked > budget {
            return Err(too_big(format!(
                "its streams unpack to more than {} MiB",
                MAX_UNPACKED_BYTES / 1024 / 1024
            )));
        }
        budget -= unpacked;
    }
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Refuses drawings that draw themselves, nest too deep, or are drawn too often: the text
/// reader follows them without a bound.
fn check_drawings(
    doc: &Document,
    pages: &std::collections::BTreeMap<u32, ObjectId>,
) -> Result<(), ImportError> {
    let mut draws = Draws {
        doc,
        memo: HashMap::new(),
        path: Vec::new(),
    };
    let mut total = 0u64;
    for page in pages.values() {
        let content = doc.get_page_content(*page).unwrap_or_default();
        let resources = doc
            .get_page_resources(*page)
            .ok()
            .and_then(|(own, inherited)| {
                own.cloned().or_else(|| {
                    inherited
                        .first()
                        .and_then(|id| doc.get_dictionary(*id).ok().cloned())
                })
            });
        total = total.saturating_add(draws.of(&content, resources.as_ref())?);
        if total > MAX_FORM_DRAWS {
            return Err(too_big(format!(
                "its pages draw more than {MAX_FORM_DRAWS} drawings"
            )));
        }
    }
    Ok(())
}

struct Draws<'a> {
    doc: &'a Document,
    memo: HashMap<ObjectId, u64>,
    path: Vec<ObjectId>,
}

impl Draws<'_> {
    /// How many drawings a content stream draws, counting what each draws in turn; as if every
    /// "Do" drew the costliest of the drawings its resources name.
    fn of(
        &mut self,
        content: &[u8],
        resources: Option<&pdf_extract::Dictionary>,
    ) -> Result<u64, ImportError> {
        let calls = content
            .split(|b| b.is_ascii_whitespace() || matches!(b, b'/' | b'[' | b']' | b'(' | b')'))
            .filter(|token| *token == b"Do")
            .count() as u64;
        if calls == 0 {
            return Ok(0);
        }
        let mut costliest = 0;
        let forms = resources
            .and_then(|r| r.get(b"XObject").ok())
            .and_then(|x| self.doc.dereference(x).ok())
            .and_then(|(_, x)| x.as_dict().ok());
        for (_, form) in forms.into_iter().flat_map(|d| d.iter()) {
            let Ok(id) = form.as_reference() else {
                continue;
            };
            costliest = costliest.max(self.form(id)?);
        }
        Ok(calls.saturating_mul(1 + costliest))
    }

    fn form(&mut self, id: ObjectId) -> Result<u64, ImportError> {
        if let Some(cost) = self.memo.get(&id) {
            return Ok(*cost);
        }
        if self.path.contains(&id) {
            return Err(too_big("a drawing in it draws itself"));
        }
        if self.path.len() >= MAX_FORM_DEPTH {
            return Err(too_big(format!(
                "its drawings nest deeper than {MAX_FORM_DEPTH}"
            )));
        }
        let Ok(Object::Stream(stream)) = self.doc.get_object(id) else {
            return Ok(0);
        };
        let is_form = stream
            .dict
            .get(b"Subtype")
            .and_then(Object::as_name)
            .is_ok_and(|s| s == b"Form");
        if !is_form {
            return Ok(0);
        }
        let content = stream
            .decompressed_content()
            .unwrap_or_else(|_| stream.content.clone());
        let resources = stream
            .dict
            .get(b"Resources")
            .ok()
            .and_then(|r| self.doc.dereference(r).ok())
            .and_then(|(_, r)| r.as_dict().ok())
            .cloned();
        self.path.push(id);
        let cost = self.of(&content, resources.as_ref());
        self.path.pop();
        let cost = cost?;
        if cost > MAX_FORM_DRAWS {
            return Err(too_big(format!(
                "its pages draw more than {MAX_FORM_DRAWS} drawings"
            )));
        }
        self.memo.insert(id, cost);
        Ok(cost)
    }
}

/// One character drawn on a page: where its baseline starts (from the top of the page), how
/// wide and how large it is.
struct Glyph {
    page: u32,
    x: f64,
    y: f64,
    width: f64,
    size: f64,
    text: String,
}

#[derive(Default)]
struct Glyphs {
    page: u32,
    page_height: f64,
    glyphs: Vec<Glyph>,
    full: bool,
}

impl OutputDev for Glyphs {
    fn begin_page(
        &mut self,
        page: u32,
        media_box: &MediaBox,
        _: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.page = page;
        self.page_height = media_box.ury - media_box.lly;
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), OutputError> {
        if self.glyphs.len() >= MAX_GLYPHS {
            self.full = true;
            return Err(OutputError::FormatError(std::fmt::Error));
        }
        // The size as drawn: the font size through the text matrix, as pdf-extract measures it.
        let scaled_x = font_size * (trm.m11 + trm.m21);
        let scaled_y = font_size * (trm.m12 + trm.m22);
        let size = (scaled_x * scaled_y).abs().sqrt();
        self.glyphs.push(Glyph {
            page: self.page,
            x: trm.m31,
            y: self.page_height - trm.m32,
            width: width * size,
            size,
            text: text.to_string(),
        });
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

impl Glyphs {
    /// The lines of text, page by page, top to bottom and left to right.
    fn into_text(mut self) -> String {
        self.glyphs
            .retain(|g| g.x.is_finite() && g.y.is_finite() && g.size.is_finite());
        self.glyphs.sort_by(|a, b| {
            (a.page, a.y)
                .partial_cmp(&(b.page, b.y))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        // Glyphs whose baselines lie within a fraction of their size make one line: a table
        // row's cells are one line even when their baselines differ by a rounding.
        let mut lines: Vec<Vec<Glyph>> = Vec::new();
        for glyph in self.glyphs {
            match lines.last_mut() {
                Some(line)
                    if line[0].page == glyph.page
                        && (glyph.y - line[0].y).abs() < line[0].size.max(1.0) * 0.4 =>
                {
                    line.push(glyph)
                }
                _ => lines.push(vec![glyph]),
            }
        }
        // No empty line for the space between paragraphs: like Word's text, a paragraph ends
        // with its line, and an empty paragraph is an empty line.
        let mut text = String::new();
        for mut line in lines {
            line.sort_by(|a, b| a.x.partial_cmp(&b.x).unwrap_or(std::cmp::Ordering::Equal));
            let mut end: Option<f64> = None;
            for glyph in &line {
                if let Some(end) = end {
                    let gap = glyph.x - end;
                    if gap > glyph.size * 1.2 {
                        text.push('\t');
                    } else if gap > glyph.size * 0.15 && !text.ends_with(' ') {
                        text.push(' ');
                    }
                }
                text.push_str(&glyph.text);
                end = Some(glyph.x + glyph.width);
            }
            text.push('\n');
            if text.len() > MAX_LINES * 200 {
                break;
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_is_known_by_its_header() {
        assert!(is_pdf(b"%PDF-1.7\n..."));
        assert!(is_pdf(b"\xEF\xBB\xBF%PDF-1.4"));
        assert!(!is_pdf(b"MOTEREFERAT %PD"));
    }

    #[test]
    fn a_deflate_bomb_is_refused_before_it_is_unpacked() {
        use std::io::Write;
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..80 {
            encoder.write_all(&zeros).unwrap();
        }
        let bomb = encoder.finish().unwrap();
        let mut pdf = b"%PDF-1.4\n1 0 obj << /Length 1 /Filter /FlateDecode >>\nstream\n".to_vec();
        pdf.extend_from_slice(&bomb);
        pdf.extend_from_slice(b"\nendstream\nendobj\n%%EOF\n");
        let error = to_text(&pdf).unwrap_err();
        assert!(error.to_string().contains("unpack"), "{error}");
    }
}
