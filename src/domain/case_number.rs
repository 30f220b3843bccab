use std::fmt;
use std::str::FromStr;

use super::{ParseError, serde_via_str};

/// A case number (saksnummer) `NN/YY`: the serial of a case within its committee and year.
///
/// "9/24", "09/24" and "9-24" (the form used in URLs and some documents) are the same number.
/// It displays without a leading zero: `9/24`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaseNumber {
    year: i32,
    serial: i32,
}

impl CaseNumber {
    pub const MAX_SERIAL: i32 = 9999;

    pub fn new(serial: i32, year: i32) -> Result<Self, ParseError> {
        if !(1..=Self::MAX_SERIAL).contains(&serial) {
            return Err(ParseError::new(format!(
                "case serial must be between 1 and {}, got {serial}",
                Self::MAX_SERIAL
            )));
        }
        if !(2000..=2099).contains(&year) {
            return Err(ParseError::new(format!(
                "case year must be between 2000 and 2099, got {year}"
            )));
        }
        Ok(Self { year, serial })
    }

    /// The serial within the year: 37 in 37/23.
    pub fn serial(&self) -> i32 {
        self.serial
    }

    /// The full year: 2023 in 37/23.
    pub fn year(&self) -> i32 {
        self.year
    }
}

impl FromStr for CaseNumber {
    type Err = ParseError;

    fn from_str(input: &str) -> Result<Self, ParseError> {
        let invalid = || {
            ParseError::new(format!(
                "invalid case number '{input}': expected NN/YY such as 37/23 or 09/24"
            ))
        };
        // Spaces around are trimmed; a control character (a line break) is never part of one.
        if input.chars().any(char::is_control) {
            return Err(invalid());
        }
        let trimmed = input.trim();
        let (serial, year) = trimmed.split_once(['/', '-']).ok_or_else(invalid)?;
        let digits = |s: &str, max_len: usize| {
            (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<i32>().ok())
                .flatten()
        };
        let serial = digits(serial, 4).ok_or_else(invalid)?;
        // Two-digit years as in the documents; four digits are accepted from integrations.
        let year = match year.len() {
            2 => digits(year, 2).map(|y| 2000 + y),
            4 => digits(year, 4),
            _ => None,
        }
        .ok_or_else(invalid)?;
        Self::new(serial, year)
            .map_err(|e| ParseError::new(format!("invalid case number '{input}': {e}")))
    }
}

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{:02}", self.serial, self.year % 100)
    }
}

serde_via_str!(CaseNumber, "a case number such as 37/23");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_zero_and_dash_forms_are_the_same_number() {
        let a: CaseNumber = "9/24".parse().unwrap();
        assert_eq!(a, "09/24".parse().unwrap());
        assert_eq!(a, "9-24".parse().unwrap());
        assert_eq!(a, " 09/2024 ".parse().unwrap());
        assert_eq!(a.to_string(), "9/24");
        assert_eq!((a.serial(), a.year()), (9, 2024));
    }

    #[test]
    fn rejects_what_is_not_a_case_number() {
        for bad in [
            "37/2x", "37", "/23", "37/", "0/23", "37/123", "a/23", "37//23", "12345/23", "-1/23",
            "",
        ] {
            assert!(
                bad.parse::<CaseNumber>().is_err(),
                "{bad} should be rejected"
            );
        }
    }

    #[test]
    fn orders_by_year_then_serial() {
        let mut numbers: Vec<CaseNumber> = ["3/24", "41/23", "24/24", "9/24"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        numbers.sort();
        let shown: Vec<String> = numbers.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["41/23", "3/24", "9/24", "24/24"]);
    }
}
