//! Dates as people write them on UK forms: day first ("3/4/2020" is 3 April 2020), "3rd April 2020",
//! "Thursday 3 April 2020", "03-Apr-20", ISO "2020-04-03"; and action timescales ("2 weeks",
//! "ASAP") turned into due dates for the record.

use chrono::{Datelike, Days, Months, NaiveDate};
use regex::Regex;
use std::sync::LazyLock;

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

fn month_number(word: &str) -> Option<u32> {
    let w = word.to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    let w = if w == "sept" { "sep".to_string() } else { w };
    MONTHS.iter().position(|m| w.starts_with(m) && full_month_prefix(&w)).map(|i| i as u32 + 1)
}

/// "sep", "sept", "september" are months; "mayor" is not.
fn full_month_prefix(w: &str) -> bool {
    const FULL: [&str; 12] = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
        "december",
    ];
    FULL.iter().any(|f| f.starts_with(w)) || w == "sept"
}

fn year4(y: i32) -> i32 {
    if y < 100 {
        2000 + y
    } else {
        y
    }
}

// Word boundaries are ASCII ones, `(?-u:\b)`: a Unicode `\b` sends the regex engine to its slow
// path on any text with a non-ASCII character ("…", curly quotes), which form text nearly always has.
static NUMERIC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?x)(?-u:\b)(\d{1,2})\s*[./\-]\s*(\d{1,2})\s*[./\-]\s*(\d{4}|\d{2})(?-u:\b)").expect("static regex"));
static ISO: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?-u:\b)(\d{4})-(\d{1,2})-(\d{1,2})(?-u:\b)").expect("static regex"));
static WORDY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?[\s\-/.,]*([a-z]{3,9})\.?[\s\-/.,]*(\d{4}|\d{2})(?-u:\b)").expect("static regex")
});
static MONTH_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?-u:\b)").expect("static regex")
});

/// The first date in `text`, read day first. `None` when there is no date (or an impossible one).
pub fn parse_uk_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    // Every pattern needs a digit (most texts tried have none: skip the regexes).
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    // Pick the earliest match across the patterns, so "review 3/4/20 (was 1 May 2020)" gives 3/4/20.
    let mut best: Option<(usize, NaiveDate)> = None;
    let mut consider = |pos: usize, date: Option<NaiveDate>| {
        if let Some(d) = date {
            if best.is_none_or(|(p, _)| pos < p) {
                best = Some((pos, d));
            }
        }
    };
    for c in ISO.captures_iter(text) {
        let (Some(m), Some(y), Some(mo), Some(d)) = (c.get(0), c.get(1), c.get(2), c.get(3)) else { continue };
        consider(m.start(), ymd(y.as_str(), mo.as_str(), d.as_str()));
    }
    for c in NUMERIC.captures_iter(text) {
        let (Some(m), Some(d), Some(mo), Some(y)) = (c.get(0), c.get(1), c.get(2), c.get(3)) else { continue };
        consider(m.start(), ymd(y.as_str(), mo.as_str(), d.as_str()));
    }
    for c in WORDY.captures_iter(text) {
        let (Some(m), Some(d), Some(mo), Some(y)) = (c.get(0), c.get(1), c.get(2), c.get(3)) else { continue };
        let Some(month) = month_number(mo.as_str()) else { continue };
        consider(m.start(), ymd(y.as_str(), &month.to_string(), d.as_str()));
    }
    for c in MONTH_FIRST.captures_iter(text) {
        let (Some(m), Some(mo), Some(d), Some(y)) = (c.get(0), c.get(1), c.get(2), c.get(3)) else { continue };
        let Some(month) = month_number(mo.as_str()) else { continue };
        consider(m.start(), ymd(y.as_str(), &month.to_string(), d.as_str()));
    }
    best.map(|(_, d)| d)
}

fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    let y: i32 = y.parse().ok()?;
    let m: u32 = m.parse().ok()?;
    let d: u32 = d.parse().ok()?;
    let y = year4(y);
    if !(1990..=2100).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

/// ISO "YYYY-MM-DD" for the record.
pub fn iso(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// UK display "DD/MM/YYYY".
pub fn uk(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// Parse an ISO date written by this tool.
pub fn parse_iso(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

static SPAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve)\s*(working\s+days?|school\s+days?|days?|weeks?|wks?|fortnights?|months?|mths?|years?)(?-u:\b)")
        .expect("static regex")
});
static IMMEDIATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(?-u:\b)(asap|a\.s\.a\.p|immediate(ly)?|straight away|now|at once|urgent(ly)?)(?-u:\b)").expect("static regex"));

fn small_number(word: &str) -> Option<u64> {
    let w = word.to_ascii_lowercase();
    Some(match w.as_str() {
        "a" | "an" | "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "twelve" => 12,
        _ => w.parse().ok()?,
    })
}

/// The record's `due` for an action timescale: an explicit date as written (day first), or a span
/// ("2 weeks", "1 month", "10 working days") or "ASAP"/"immediately" counted from the form's date.
/// Anything else ("termly", "ongoing", "by half term") has no due date in the record.
pub fn record_due(timescale: &str, form_date: Option<NaiveDate>) -> Option<NaiveDate> {
    if let Some(d) = parse_uk_date(timescale) {
        return Some(d);
    }
    let base = form_date?;
    if let Some(c) = SPAN.captures(timescale) {
        let n = small_number(c.get(1)?.as_str())?;
        let unit = c.get(2)?.as_str().to_ascii_lowercase();
        return add_span(base, n, &unit);
    }
    if IMMEDIATE.is_match(timescale) {
        return Some(base);
    }
    None
}

/// `base` plus `n` units; months are calendar months clamped to the month's end.
pub fn add_span(base: NaiveDate, n: u64, unit: &str) -> Option<NaiveDate> {
    let unit = unit.to_ascii_lowercase();
    if unit.starts_with("working") || unit.starts_with("school") {
        let mut d = base;
        let mut left = n;
        while left > 0 {
            d = d.checked_add_days(Days::new(1))?;
            if d.weekday().number_from_monday() <= 5 {
                left -= 1;
            }
        }
        Some(d)
    } else if unit.starts_with("day") {
        base.checked_add_days(Days::new(n))
    } else if unit.starts_with('w') {
        base.checked_add_days(Days::new(n.checked_mul(7)?))
    } else if unit.starts_with('f') {
        base.checked_add_days(Days::new(n.checked_mul(14)?))
    } else if unit.starts_with('m') {
        base.checked_add_months(Months::new(u32::try_from(n).ok()?))
    } else if unit.starts_with('y') {
        base.checked_add_months(Months::new(u32::try_from(n.checked_mul(12)?).ok()?))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn day_first_numeric_dates() {
        assert_eq!(parse_uk_date("3/4/2020"), Some(d(2020, 4, 3)));
        assert_eq!(parse_uk_date("12/02/24"), Some(d(2024, 2, 12)));
        assert_eq!(parse_uk_date("Date: 05.11.2023"), Some(d(2023, 11, 5)));
        assert_eq!(parse_uk_date("2024-10-24"), Some(d(2024, 10, 24)));
        assert_eq!(parse_uk_date("31/02/2024"), None);
    }

    #[test]
    fn worded_dates() {
        assert_eq!(parse_uk_date("15 November 2024"), Some(d(2024, 11, 15)));
        assert_eq!(parse_uk_date("Thursday 3rd April 2025"), Some(d(2025, 4, 3)));
        assert_eq!(parse_uk_date("03-Apr-20"), Some(d(2020, 4, 3)));
        assert_eq!(parse_uk_date("1st of Sept 2023"), Some(d(2023, 9, 1)));
        assert_eq!(parse_uk_date("April 3, 2025"), Some(d(2025, 4, 3)));
        assert_eq!(parse_uk_date("termly"), None);
    }

    #[test]
    fn due_dates_from_spans() {
        let base = Some(d(2024, 1, 31));
        assert_eq!(record_due("1 month", base), Some(d(2024, 2, 29)));
        assert_eq!(record_due("within 2 weeks", base), Some(d(2024, 2, 14)));
        assert_eq!(record_due("within a fortnight", base), Some(d(2024, 2, 14)));
        assert_eq!(record_due("ASAP", base), base);
        assert_eq!(record_due("ongoing", base), None);
        assert_eq!(record_due("30/12/2024", None), Some(d(2024, 12, 30)));
        assert_eq!(record_due("2 weeks", None), None);
        assert_eq!(record_due("5 working days", Some(d(2024, 1, 5))), Some(d(2024, 1, 12)));
    }
}
