use std::fmt;
use std::str::FromStr;

use super::{ParseError, serde_via_str};

/// The position of a decision point within a case's decision: `1`, `2`, a lettered sub-point
/// `2a`, or a bullet under a point `2.1`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    diesel::AsExpression,
    diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub struct Position {
    point: u16,
    sub: Option<Sub>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Sub {
    Letter(u8),
    Bullet(u16),
}

impl Position {
    pub fn point(&self) -> u16 {
        self.point
    }

    /// A number that orders positions as people read them (1 < 2 < 2a < 2b < 2.1 < 3); stored
    /// beside the text so that the database can sort by it.
    pub fn sort_key(&self) -> i32 {
        let sub = match self.sub {
            None => 0,
            Some(Sub::Letter(l)) => i32::from(l - b'a') + 1,
            Some(Sub::Bullet(b)) => 100 + i32::from(b),
        };
        i32::from(self.point) * 1000 + sub
    }
}

impl FromStr for Position {
    type Err = ParseError;

    fn from_str(input: &str) -> Result<Self, ParseError> {
        let invalid = || {
            ParseError::new(format!(
                "invalid position '{input}': expected a point number such as 2, a sub-point such as 2a, or a bullet such as 2.1"
            ))
        };
        // Spaces around are trimmed; a control character (a line break) is never part of one.
        if input.chars().any(char::is_control) {
            return Err(invalid());
        }
        let s = input.trim().trim_end_matches(['.', ')']);
        let digits_end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let (number, rest) = s.split_at(digits_end);
        if number.is_empty() || number.len() > 3 {
            return Err(invalid());
        }
        let point: u16 = number.parse().map_err(|_| invalid())?;
        if point == 0 {
            return Err(invalid());
        }
        let sub = match rest.as_bytes() {
            [] => None,
            [letter] if letter.is_ascii_alphabetic() => {
                Some(Sub::Letter(letter.to_ascii_lowercase()))
            }
            [b'.', bullet @ ..]
                if (1..=2).contains(&bullet.len()) && bullet.iter().all(u8::is_ascii_digit) =>
            {
                let n: u16 = rest[1..].parse().map_err(|_| invalid())?;
                if n == 0 {
                    return Err(invalid());
                }
                Some(Sub::Bullet(n))
            }
            _ => return Err(invalid()),
        };
        Ok(Self { point, sub })
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.sub {
            None => write!(f, "{}", self.point),
            Some(Sub::Letter(l)) => write!(f, "{}{}", self.point, l as char),
            Some(Sub::Bullet(b)) => write!(f, "{}.{}", self.point, b),
        }
    }
}

serde_via_str!(Position, "a decision point position such as 2 or 2a");

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(s: &str) -> Position {
        s.parse().unwrap()
    }

    #[test]
    fn parses_points_letters_and_bullets() {
        assert_eq!(pos("2").to_string(), "2");
        assert_eq!(pos("2A").to_string(), "2a");
        assert_eq!(pos("3.").to_string(), "3");
        assert_eq!(pos("2a)").to_string(), "2a");
        assert_eq!(pos("2.1").to_string(), "2.1");
    }

    #[test]
    fn sort_key_orders_as_read() {
        let order = ["1", "2", "2a", "2b", "2.1", "2.2", "3", "10"];
        let keys: Vec<i32> = order.iter().map(|s| pos(s).sort_key()).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
    }

    #[test]
    fn rejects_other_text() {
        for bad in ["", "0", "a", "2ab", "2.", "2.0", "1000", "2-1", "2 a", "-1"] {
            // "2." is accepted as "2" (a trailing dot is how lists are written), so skip it.
            if bad == "2." {
                continue;
            }
            assert!(bad.parse::<Position>().is_err(), "{bad:?}");
        }
    }
}
