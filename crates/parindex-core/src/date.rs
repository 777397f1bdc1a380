//! Calendar dates, as written by an office (`15/01/2024`) or in ISO form (`2024-01-15`).

use std::fmt;
use std::str::FromStr;

/// A day of the proleptic Gregorian calendar.
///
/// ```
/// use parindex_core::Date;
/// let due: Date = "2024-01-31".parse()?;
/// let done: Date = "05/02/2024".parse()?;
/// assert_eq!(done.days_since(due), 5);
/// assert_eq!(done.to_string(), "05/02/2024");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// Builds a date, or `None` when the day does not exist.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Self> {
        let valid = (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month)
            && (1..=9999).contains(&year);
        valid.then_some(Self { year, month, day })
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month.
    pub fn day(self) -> u8 {
        self.day
    }

    /// The last day of a month, or `None` for a month outside 1–12.
    pub fn end_of_month(year: i32, month: u8) -> Option<Self> {
        Self::new(year, month, days_in_month(year, month))
    }

    /// Days from `earlier` to `self`: positive when `self` is later.
    pub fn days_since(self, earlier: Date) -> i64 {
        self.day_number() - earlier.day_number()
    }

    /// The day `days` after this one (before, when negative); `None` outside years 1–9999.
    ///
    /// ```
    /// use parindex_core::Date;
    /// let issued: Date = "15/02/2024".parse()?;
    /// assert_eq!(issued.checked_add_days(30).ok_or("out of range")?.to_string(), "16/03/2024");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn checked_add_days(self, days: i64) -> Option<Date> {
        let n = self.day_number().checked_add(days)?;
        let era = n.div_euclid(146_097);
        let day_of_era = n.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let shifted_month = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
        let month = if shifted_month < 10 {
            shifted_month + 3
        } else {
            shifted_month - 9
        };
        let year = era * 400 + year_of_era + i64::from(month <= 2);
        Date::new(
            i32::try_from(year).ok()?,
            u8::try_from(month).ok()?,
            u8::try_from(day).ok()?,
        )
    }

    /// ISO 8601 form, `2024-01-15`.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// Days since 0000-03-01, by the civil-from-days algorithm's inverse.
    fn day_number(self) -> i64 {
        let (y, m) = if self.month <= 2 {
            (i64::from(self.year) - 1, i64::from(self.month) + 9)
        } else {
            (i64::from(self.year), i64::from(self.month) - 3)
        };
        let era = y.div_euclid(400);
        let year_of_era = y.rem_euclid(400);
        let day_of_year = (153 * m + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era
    }
}

const DAYS: [u8; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        1..=12 => DAYS[usize::from(month - 1)],
        _ => 0,
    }
}

/// Why a text is not a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a date (write dd/mm/yyyy or yyyy-mm-dd)")]
pub struct DateError(pub String);

impl FromStr for Date {
    type Err = DateError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let fail = || DateError(text.to_owned());
        let parts: Vec<&str> = if text.contains('/') {
            text.split('/').collect()
        } else {
            text.split('-').collect()
        };
        if parts.len() != 3
            || parts
                .iter()
                .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(fail());
        }
        let number = |p: &str| p.parse::<i32>().map_err(|_| fail());
        let (year, month, day) = if text.contains('/') {
            (number(parts[2])?, number(parts[1])?, number(parts[0])?)
        } else {
            (number(parts[0])?, number(parts[1])?, number(parts[2])?)
        };
        if parts[if text.contains('/') { 2 } else { 0 }].len() != 4 {
            return Err(fail());
        }
        let month = u8::try_from(month).map_err(|_| fail())?;
        let day = u8::try_from(day).map_err(|_| fail())?;
        Date::new(year, month, day).ok_or_else(fail)
    }
}

impl fmt::Display for Date {
    /// Writes `dd/mm/yyyy`, as the office does.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}/{:02}/{:04}", self.day, self.month, self.year)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        text.parse().expect("valid date")
    }

    #[test]
    fn reads_both_forms() {
        assert_eq!(date("15/01/2024"), date("2024-01-15"));
        assert_eq!(date("5/2/2024").to_string(), "05/02/2024");
    }

    #[test]
    fn rejects_impossible_days() {
        assert!("29/02/2023".parse::<Date>().is_err());
        assert!("29/02/2024".parse::<Date>().is_ok());
        assert!("31/04/2024".parse::<Date>().is_err());
        assert!("2024-13-01".parse::<Date>().is_err());
        assert!("15/01/24".parse::<Date>().is_err());
        assert!("soon".parse::<Date>().is_err());
    }

    #[test]
    fn counts_days_across_leap_years_and_years() {
        assert_eq!(date("01/03/2024").days_since(date("28/02/2024")), 2);
        assert_eq!(date("01/03/2023").days_since(date("28/02/2023")), 1);
        assert_eq!(date("01/01/2025").days_since(date("31/12/2024")), 1);
        assert_eq!(date("31/12/2024").days_since(date("01/01/2024")), 365);
        assert_eq!(date("01/01/2024").days_since(date("02/01/2024")), -1);
    }

    #[test]
    fn adds_days_across_months_leap_days_and_years() {
        let cases = [
            ("28/02/2024", 1, "29/02/2024"),
            ("28/02/2023", 1, "01/03/2023"),
            ("31/12/2018", 1, "01/01/2019"),
            ("01/03/2024", -1, "29/02/2024"),
            ("15/01/2024", 0, "15/01/2024"),
            ("01/01/2000", 366, "01/01/2001"),
        ];
        for (from, days, to) in cases {
            assert_eq!(
                date(from).checked_add_days(days),
                Some(date(to)),
                "{from} + {days}"
            );
            assert_eq!(date(to).days_since(date(from)), days);
        }
        assert_eq!(date("31/12/9999").checked_add_days(1), None);
    }

    #[test]
    fn ends_months() {
        assert_eq!(Date::end_of_month(2024, 2), Some(date("29/02/2024")));
        assert_eq!(Date::end_of_month(2025, 2), Some(date("28/02/2025")));
        assert_eq!(Date::end_of_month(2025, 13), None);
    }
}
