use std::fmt;
use std::str::FromStr;

use super::{ParseError, serde_via_str};

/// The short code of a committee (utvalg), such as `ASU` or `AU`: 1 to 16 letters, digits
/// or dashes, stored in upper case so that `asu` and `ASU` are the same committee.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, diesel::AsExpression, diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub struct CommitteeCode(String);

impl CommitteeCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The letters and digits of a code: the Latin alphabet with the Norwegian, Swedish and German
/// letters, as the spec's pattern says (codes are abbreviations of Scandinavian names).
fn is_code_letter(c: char) -> bool {
    c.is_ascii_alphanumeric() || "ÆØÅÄÖÜ".contains(c)
}

impl FromStr for CommitteeCode {
    type Err = ParseError;

    fn from_str(input: &str) -> Result<Self, ParseError> {
        let code = input.trim().to_uppercase();
        // Spaces around are trimmed; a control character (a line break) is never part of one.
        let valid = !input.chars().any(char::is_control)
            && !code.is_empty()
            && code.chars().count() <= 16
            && code.chars().all(|c| is_code_letter(c) || c == '-')
            && code.chars().next().is_some_and(is_code_letter);
        if valid {
            Ok(Self(code))
        } else {
            Err(ParseError::new(format!(
                "invalid committee code '{input}': expected 1 to 16 letters (A-Z, Æ, Ø, Å, Ä, Ö, Ü), digits or dashes, such as ASU"
            )))
        }
    }
}

impl fmt::Display for CommitteeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

serde_via_str!(CommitteeCode, "a committee code such as ASU");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_latin_and_scandinavian_letters_digits_and_dashes() {
        for good in ["ASU", "ksu-ph", "FAGRÅD2", "Æøå", "ÄÖÜ"] {
            assert!(good.parse::<CommitteeCode>().is_ok(), "{good}");
        }
        for bad in ["QÙ", "-ASU", "A SU", "\u{0}", "ΑΣΥ", "", "\rASU", "ASU\n"] {
            assert!(bad.parse::<CommitteeCode>().is_err(), "{bad}");
        }
    }

    #[test]
    fn codes_are_case_insensitive() {
        assert_eq!("asu".parse::<CommitteeCode>().unwrap().as_str(), "ASU");
        assert_eq!(" AU ".parse::<CommitteeCode>().unwrap().as_str(), "AU");
    }

    #[test]
    fn rejects_empty_long_and_punctuated_codes() {
        for bad in ["", " ", "A SU", "ASU/1", "-ASU", "ABCDEFGHIJKLMNOPQ"] {
            assert!(bad.parse::<CommitteeCode>().is_err(), "{bad:?}");
        }
    }
}
