use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

use super::{ParseError, serde_via_str};

/// A calendar date written exactly `YYYY-MM-DD`, in the years 1900 to 2999. Looser forms that
/// chrono would read ("24-06-19" as the year 24, "+12345-06-07") are refused, because they are
/// typing errors, not dates a committee meets on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CalendarDate(NaiveDate);

impl CalendarDate {
    pub fn get(self) -> NaiveDate {
        self.0
    }
}

impl TryFrom<NaiveDate> for CalendarDate {
    type Error = ParseError;

    /// A date read from elsewhere (a document), held to the same years as one typed.
    fn try_from(date: NaiveDate) -> Result<Self, ParseError> {
        if (1900..=2999).contains(&date.year()) {
            Ok(Self(date))
        } else {
            Err(ParseError::new(format!(
                "the date {date} is outside the years 1900 to 2999"
            )))
        }
    }
}

impl From<CalendarDate> for NaiveDate {
    fn from(date: CalendarDate) -> Self {
        date.0
    }
}

impl FromStr for CalendarDate {
    type Err = ParseError;

    fn from_str(input: &str) -> Result<Self, ParseError> {
        let invalid = |why: &str| {
            ParseError::new(format!(
                "invalid date '{input}': {why}; expected YYYY-MM-DD such as 2024-06-19"
            ))
        };
        let bytes = input.as_bytes();
        let shape_ok = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shape_ok {
            return Err(invalid("not of the form YYYY-MM-DD"));
        }
        let number = |range: std::ops::Range<usize>| input[range].parse::<u32>().unwrap_or(0);
        let year = i32::try_from(number(0..4)).unwrap_or(0);
        if !(1900..=2999).contains(&year) {
            return Err(invalid("the year must be between 1900 and 2999"));
        }
        NaiveDate::from_ymd_opt(year, number(5..7), number(8..10))
            .map(Self)
            .ok_or_else(|| invalid("no such day"))
    }
}

impl fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.0.year(),
            self.0.month(),
            self.0.day()
        )
    }
}

serde_via_str!(CalendarDate, "a date as YYYY-MM-DD");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_only_real_iso_dates() {
        assert_eq!(
            "2024-06-19".parse::<CalendarDate>().unwrap().to_string(),
            "2024-06-19"
        );
        assert_eq!(
            "2024-02-29".parse::<CalendarDate>().unwrap().to_string(),
            "2024-02-29"
        );
        for bad in [
            "2024-02-31",
            "2023-02-29",
            "24-06-19",
            "+12345-06-07",
            "-5000-01-01",
            "19.06.2024",
            "2024-6-19",
            "1899-12-31",
            " 2024-06-19",
            "",
        ] {
            assert!(bad.parse::<CalendarDate>().is_err(), "{bad:?}");
        }
        let message = "2024-02-31"
            .parse::<CalendarDate>()
            .unwrap_err()
            .to_string();
        assert_eq!(
            message,
            "invalid date '2024-02-31': no such day; expected YYYY-MM-DD such as 2024-06-19"
        );
    }
}
