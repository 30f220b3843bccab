//! Reading meeting documents: the notices and minutes themselves (as text or Word `.docx`),
//! the references to other cases in their texts, and writing what they say to the log.

pub mod apply;
pub mod document;
pub mod docx;
pub mod pdf;

pub use document::{DocumentKind, ImportError, ParsedDocument};

/// Reads a meeting document as sent: a Word `.docx`, a PDF, or text in UTF-8 (with or without
/// a byte order mark) or UTF-16 with a byte order mark, as Word's "Unicode text" writes it.
pub fn read_document(bytes: &[u8]) -> Result<ParsedDocument, ImportError> {
    read_document_as(bytes, None)
}

/// Reads a meeting document as [`read_document`] does, as a notice or as minutes when the
/// caller says which it is (else its title and cases decide).
pub fn read_document_as(
    bytes: &[u8],
    kind: Option<DocumentKind>,
) -> Result<ParsedDocument, ImportError> {
    let text = if docx::is_docx(bytes) {
        docx::to_text(bytes)?
    } else if pdf::is_pdf(bytes) {
        pdf::to_text(bytes)?
    } else {
        decode_text(bytes)?
    };
    let lines = text.lines().count();
    if lines > MAX_LINES {
        return Err(ImportError::NotAMeetingDocument(format!(
            "the document has {lines} lines; a notice or minutes has far fewer than {MAX_LINES}"
        )));
    }
    // Control characters (a NUL from a broken extraction, a form feed between PDF pages) are
    // no part of the text, and PostgreSQL cannot store a NUL.
    let text: String = text
        .chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            '\u{c}' | '\u{b}' => '\n',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let parsed = document::parse_text_as(&text, kind)?;
    let points: usize = parsed.cases.iter().map(|c| c.decisions.len()).sum();
    if parsed.cases.len() > MAX_CASES || points > MAX_POINTS {
        return Err(ImportError::NotAMeetingDocument(format!(
            "the document has {} cases and {points} decision points; a meeting has at most {MAX_CASES} cases and {MAX_POINTS} points",
            parsed.cases.len()
        )));
    }
    Ok(parsed)
}

/// Refuses to import a document most of whose cases came out without decision points, unless
/// the caller insists (`force`): such a preview is far more likely misread (a notice read as
/// minutes) than a meeting that decided nothing. The warnings say what looks wrong.
pub fn check_importable(parsed: &ParsedDocument, force: bool) -> Result<(), ImportError> {
    let open: Vec<_> = parsed
        .cases
        .iter()
        .filter(|c| c.status != document::ParsedCaseStatus::Postponed)
        .collect();
    let empty = open.iter().filter(|c| c.decisions.is_empty()).count();
    if force || empty * 2 <= open.len() {
        return Ok(());
    }
    Err(ImportError::LooksMisread(format!(
        "{empty} of the {} cases that are not postponed have no decision points, so the document is most likely misread; nothing was written. Check the warnings in a preview (dry_run=true), import it as the other kind (kind=notice or kind=minutes), or import it as it is with force=true. Warnings: {}",
        open.len(),
        parsed.warnings.join("; ")
    )))
}

/// Bounds that no meeting document comes near (ASU's longest notice has 1,000 lines, 8 cases
/// and 17 points), and that keep a crafted file from holding the log's write lock for long.
pub(crate) const MAX_LINES: usize = 50_000;
const MAX_CASES: usize = 200;
const MAX_POINTS: usize = 1_000;

/// SHA-256 of a document as sent, in hex: which file an import came from.
pub fn content_sha256(bytes: &[u8]) -> String {
    crate::domain::sha256_hex(bytes)
}

fn decode_text(bytes: &[u8]) -> Result<String, ImportError> {
    let utf16 = |bytes: &[u8], from: fn([u8; 2]) -> u16| {
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|pair| from([pair[0], pair[1]]))
            .collect();
        String::from_utf16(&units)
            .map_err(|_| ImportError::Unreadable("the UTF-16 text is not valid".into()))
    };
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => decode_utf8(rest),
        [0xFF, 0xFE, rest @ ..] => utf16(rest, u16::from_le_bytes),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, u16::from_be_bytes),
        _ => decode_utf8(bytes),
    }
}

fn decode_utf8(bytes: &[u8]) -> Result<String, ImportError> {
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        ImportError::Unreadable(format!(
            "the file is neither a Word .docx nor UTF-8 text (invalid byte at offset {}); save it as .docx or as UTF-8 text",
            e.utf8_error().valid_up_to()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_read_in_utf8_and_utf16() {
        assert_eq!(decode_text("Møte".as_bytes()).unwrap(), "Møte");
        assert_eq!(decode_text(b"\xEF\xBB\xBFM\xC3\xB8te").unwrap(), "Møte");
        let utf16le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Møte".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode_text(&utf16le).unwrap(), "Møte");
        let error = decode_text(b"M\xF8te").unwrap_err();
        assert!(error.to_string().contains("offset 1"), "{error}");
    }
}
