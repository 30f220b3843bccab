use std::fmt;
use std::str::FromStr;

use super::{ParseError, serde_via_str};

/// Text that holds at least one visible character, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NonEmptyText(String);

impl NonEmptyText {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl FromStr for NonEmptyText {
    type Err = ParseError;

    fn from_str(input: &str) -> Result<Self, ParseError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            Err(ParseError::new("must not be empty"))
        } else {
            Ok(Self(trimmed.to_owned()))
        }
    }
}

impl fmt::Display for NonEmptyText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

serde_via_str!(NonEmptyText, "a non-empty string");

/// Folds text for searching: lower case (æ, ø, å included) and whitespace collapsed.
pub fn fold_text(input: &str) -> String {
    input
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Folds a name for comparison: as [`fold_text`], and without surrounding punctuation.
/// "  Analysegruppen. " and "analysegruppen" fold alike; "St. Olavs hospital" keeps its inner dot.
pub fn fold(input: &str) -> String {
    fold_text(input)
        .trim_matches(|c: char| c.is_ascii_punctuation())
        .to_owned()
}

/// SHA-256 of some bytes, in lower-case hex: how a token is stored, and which file an import
/// came from.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_handles_norwegian_letters_and_spacing() {
        assert_eq!(fold("  ÆRØ  Åsen. "), "ærø åsen");
        assert_eq!(fold("St. Olavs   Hospital"), "st. olavs hospital");
        assert_eq!(fold_text(" 50% _av_ "), "50% _av_");
    }

    #[test]
    fn non_empty_text_trims_and_rejects_blank() {
        assert_eq!("  ja ".parse::<NonEmptyText>().unwrap().as_str(), "ja");
        assert!(" \n ".parse::<NonEmptyText>().is_err());
    }
}
