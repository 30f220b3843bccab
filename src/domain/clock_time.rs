use std::fmt;
use std::str::FromStr;

use chrono::{NaiveTime, Timelike};

use super::{ParseError, serde_via_str};

/// A time of day to the minute, as meetings are announced: `13:00`. "13.00" (the Norwegian
/// way) and "13:00:00" are read too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClockTime(NaiveTime);

impl ClockTime {
    pub fn from_naive(time: NaiveTime) -> Self {
        Self(
            time.with_second(0)
                .and_then(|t| t.with_nanosecond(0))
                .unwrap_or(time),
        )
    }

    pub fn to_naive(self) -> NaiveTime {
        self.0
    }
}

impl FromStr for ClockTime {
    type Err = ParseError;

    fn from_str(input: &str) -> Result<Self, ParseError> {
        let s = input.trim().replace('.', ":");
        ["%H:%M", "%H:%M:%S"]
            .iter()
            .find_map(|format| NaiveTime::parse_from_str(&s, format).ok())
            .map(Self::from_naive)
            .ok_or_else(|| {
                ParseError::new(format!(
                    "invalid time '{input}': expected HH:MM such as 13:00"
                ))
            })
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%H:%M"))
    }
}

serde_via_str!(ClockTime, "a time of day such as 13:00");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_colon_and_dot_forms() {
        assert_eq!("13.00".parse::<ClockTime>().unwrap().to_string(), "13:00");
        assert_eq!(
            "09:30:00".parse::<ClockTime>().unwrap().to_string(),
            "09:30"
        );
        assert!("25:00".parse::<ClockTime>().is_err());
        assert!("1300".parse::<ClockTime>().is_err());
    }
}
