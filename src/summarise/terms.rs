//! England school terms, so that timescales like "by half term" or "end of summer term" become due
//! dates. A typical calendar for 2018-2030 is built in (schools' own dates vary by a few days); a
//! school's or trust's own dates can be loaded from a CSV file (`--terms FILE`).
//!
//! The CSV format (one term a line, dates day first or ISO, a header line is allowed):
//!
//! ```text
//! term,start,end,half_term_start,half_term_end
//! Autumn 2024,02/09/2024,20/12/2024,28/10/2024,01/11/2024
//! Spring 2025,06/01/2025,04/04/2025,17/02/2025,21/02/2025
//! Summer 2025,22/04/2025,22/07/2025,26/05/2025,30/05/2025
//! ```
//!
//! The term name must contain "autumn", "spring" or "summer"; the half-term columns may be empty.

use std::path::Path;
use std::sync::LazyLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use regex::Regex;

use crate::dates;

/// Which of the three terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Season {
    Autumn,
    Spring,
    Summer,
}

impl Season {
    fn from_text(text: &str) -> Option<Season> {
        let t = text.to_ascii_lowercase();
        if t.contains("autumn") || t.contains("christmas") || t.contains("michaelmas") {
            Some(Season::Autumn)
        } else if t.contains("spring") || t.contains("easter") || t.contains("lent") {
            Some(Season::Spring)
        } else if t.contains("summer") || t.contains("trinity") {
            Some(Season::Summer)
        } else {
            None
        }
    }
}

/// One term: its first and last school days and its half-term holiday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub season: Season,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub half_term: Option<(NaiveDate, NaiveDate)>,
}

/// The terms, in date order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermCalendar {
    terms: Vec<Term>,
}

impl Default for TermCalendar {
    fn default() -> Self {
        TermCalendar::england()
    }
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN) // ok: callers pass real calendar days
}

/// Easter Sunday (Gregorian, anonymous algorithm).
pub fn easter(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    ymd(year, month as u32, day as u32)
}

/// The last `weekday` of a month.
fn last_weekday(year: i32, month: u32, weekday: Weekday) -> NaiveDate {
    let first_next = if month == 12 { ymd(year + 1, 1, 1) } else { ymd(year, month + 1, 1) };
    let mut d = first_next.pred_opt().unwrap_or(first_next);
    while d.weekday() != weekday {
        d = d.pred_opt().unwrap_or(d);
    }
    d
}

/// The first `weekday` on or after `date`.
fn on_or_after(date: NaiveDate, weekday: Weekday) -> NaiveDate {
    let mut d = date;
    while d.weekday() != weekday {
        d = d.succ_opt().unwrap_or(d);
    }
    d
}

/// The last `weekday` on or before `date`.
fn on_or_before(date: NaiveDate, weekday: Weekday) -> NaiveDate {
    let mut d = date;
    while d.weekday() != weekday {
        d = d.pred_opt().unwrap_or(d);
    }
    d
}

fn plus(d: NaiveDate, days: u64) -> NaiveDate {
    d.checked_add_days(Days::new(days)).unwrap_or(d)
}

fn minus(d: NaiveDate, days: u64) -> NaiveDate {
    d.checked_sub_days(Days::new(days)).unwrap_or(d)
}

impl TermCalendar {
    /// Typical England dates for the academic years 2017/18 to 2030/31: autumn from 1 September to
    /// the last weekday on or before 20 December, half term in the week of the last Monday of
    /// October; spring from the first Monday on or after 4 January to the Thursday before Good
    /// Friday (or the Friday on or before 4 April when Easter is late), half term in the week of the
    /// third Monday of February; summer from two weeks after spring ends (never before the
    /// Tuesday after Easter Monday) to the last weekday on or before 21 July, half term in the
    /// week of the late-May bank holiday. Schools' own dates vary by a few days: `--terms` them.
    pub fn england() -> TermCalendar {
        let mut terms = Vec::new();
        for year in 2017..=2030 {
            let oct = last_weekday(year, 10, Weekday::Mon);
            terms.push(Term {
                season: Season::Autumn,
                start: ymd(year, 9, 1),
                end: last_school_day_before(ymd(year, 12, 21)),
                half_term: Some((oct, plus(oct, 4))),
            });
            let y = year + 1;
            let easter = easter(y);
            let feb = plus(on_or_after(ymd(y, 2, 1), Weekday::Mon), 14);
            let spring_end = minus(easter, 3).min(on_or_before(ymd(y, 4, 4), Weekday::Fri));
            terms.push(Term {
                season: Season::Spring,
                start: on_or_after(ymd(y, 1, 4), Weekday::Mon),
                end: spring_end,
                half_term: Some((feb, plus(feb, 4))),
            });
            let may = last_weekday(y, 5, Weekday::Mon);
            terms.push(Term {
                season: Season::Summer,
                start: on_or_after(plus(spring_end, 14), Weekday::Mon).max(plus(easter, 2)),
                end: last_school_day_before(ymd(y, 7, 22)),
                half_term: Some((may, plus(may, 4))),
            });
        }
        TermCalendar { terms }
    }

    /// A calendar from the `--terms` CSV text: its terms, plus the built-in ones for dates it does
    /// not cover. Errors name the line, never its content beyond the dates.
    pub fn from_csv(text: &str) -> Result<TermCalendar, String> {
        let mut own: Vec<Term> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let fields = super::register::split_csv_line(line);
            if fields.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            let field = |n: usize| fields.get(n).map(|s| s.trim()).unwrap_or("");
            let parse = |s: &str| dates::parse_iso(s).or_else(|| dates::parse_uk_date(s));
            let (Some(start), Some(end)) = (parse(field(1)), parse(field(2))) else {
                if i == 0 {
                    continue; // a header line
                }
                return Err(format!("terms file line {}: the start and end dates could not be read (write them as DD/MM/YYYY)", i + 1));
            };
            let Some(season) = Season::from_text(field(0)) else {
                return Err(format!("terms file line {}: the term name must say autumn, spring or summer", i + 1));
            };
            if end < start {
                return Err(format!("terms file line {}: the term ends before it starts", i + 1));
            }
            let half_term = match (parse(field(3)), parse(field(4))) {
                (Some(a), Some(b)) if a <= b => Some((a, b)),
                (Some(a), None) => Some((a, plus(a, 4))),
                _ => None,
            };
            own.push(Term { season, start, end, half_term });
        }
        if own.is_empty() {
            return Err("the terms file holds no terms (expected lines of: term,start,end,half_term_start,half_term_end)".into());
        }
        let mut terms: Vec<Term> = TermCalendar::england()
            .terms
            .into_iter()
            .filter(|t| !own.iter().any(|o| o.start <= t.end && t.start <= o.end))
            .collect();
        terms.extend(own);
        terms.sort_by_key(|t| t.start);
        Ok(TermCalendar { terms })
    }

    /// Load `--terms FILE`.
    pub fn load(path: &Path) -> Result<TermCalendar, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("the terms file {} could not be read: {e}", path.display()))?;
        TermCalendar::from_csv(&text)
    }

    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    /// The term `date` falls in, or else the next one to start after it (holidays count toward
    /// the coming term).
    fn current_or_next(&self, date: NaiveDate) -> Option<usize> {
        self.terms.iter().position(|t| date <= t.end)
    }

    /// The last school day of the current (or coming) term.
    pub fn end_of_term(&self, date: NaiveDate) -> Option<NaiveDate> {
        self.current_or_next(date).and_then(|i| self.terms.get(i)).map(|t| t.end)
    }

    /// The term after the current (or coming) one.
    pub fn next_term(&self, date: NaiveDate) -> Option<&Term> {
        // In a holiday the coming term counts as the current one, so "next term" is the one after.
        let i = self.current_or_next(date)?;
        self.terms.get(i + 1)
    }

    /// The last school day before the next half-term holiday to start after `date`.
    pub fn before_half_term(&self, date: NaiveDate) -> Option<NaiveDate> {
        self.terms
            .iter()
            .filter_map(|t| t.half_term.map(|(hs, _)| hs))
            .find(|hs| *hs > date)
            .map(last_school_day_before)
    }

    /// The end of the next term of `season` ending on or after `date`.
    pub fn end_of_season(&self, date: NaiveDate, season: Season) -> Option<NaiveDate> {
        self.terms.iter().find(|t| t.season == season && t.end >= date).map(|t| t.end)
    }

    /// The first half of the next `season` term ending on or after `date` ("Autumn 1").
    pub fn end_of_first_half(&self, date: NaiveDate, season: Season) -> Option<NaiveDate> {
        self.terms
            .iter()
            .filter(|t| t.season == season)
            .filter_map(|t| t.half_term.map(|(hs, _)| last_school_day_before(hs)))
            .find(|d| *d >= date)
    }
}

fn last_school_day_before(d: NaiveDate) -> NaiveDate {
    let mut day = d.pred_opt().unwrap_or(d);
    while day.weekday().number_from_monday() > 5 {
        day = day.pred_opt().unwrap_or(day);
    }
    day
}

/// How a due date was found, for the workbook's "resolved from" column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueSource {
    /// The record's rule (explicit date, span, ASAP).
    Record,
    /// A term phrase resolved with the term calendar.
    Terms,
}

static NO_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(ongoing|on-going|termly|continuous(ly)?|throughout|each term|every term|half[- ]termly|weekly|monthly|annually|yearly|as required|as needed|regularly|when|inset)(?-u:\b)")
        .expect("static regex") // ok: static pattern
});
static HALF_TERM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(before|by|until|for|ahead of|end of|prior to)?\s*(the\s+)?(next\s+|october\s+|february\s+|feb\s+|may\s+)?half[\s-]*term(?-u:\b)")
        .expect("static regex") // ok: static pattern
});
static SEASON_HALF: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(?-u:\b)(autumn|spring|summer)\s*(1|2|one|two)(?-u:\b)").expect("static regex")); // ok: static pattern
static SEASON_TERM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(autumn|spring|summer)(\s+term)?(?-u:\b)").expect("static regex") // ok: static pattern
});
static NEXT_TERM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(?-u:\b)(by|before|for|start of|beginning of)?\s*(the\s+)?next\s+term(?-u:\b)").expect("static regex")); // ok: static pattern
static END_OF_TERM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(end of|by end of|before end of|this|by the end of|before the end of|before|by)\s*(the\s+)?(this\s+|current\s+)?term(?-u:\b)")
        .expect("static regex") // ok: static pattern
});
static HOLIDAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(before|by|until|prior to|ahead of)\s+(the\s+)?(christmas|xmas|easter|summer)(\s+(holidays?|break))?(?-u:\b)")
        .expect("static regex") // ok: static pattern
});
static YEAR_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(end of|by end of|by the end of|before the end of)\s+(the\s+)?(academic|school)\s+year(?-u:\b)").expect("static regex") // ok: static pattern
});
static MONTH_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(by|before|end of|by end of|by the end of|during|in)\s+(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)(?-u:\b)")
        .expect("static regex") // ok: static pattern
});

/// The due date the workbook shows for an action's `timescale`, counted from the form's date: the
/// record's rule first (explicit date, span, ASAP), then term phrases with `calendar`. "ongoing",
/// "termly" and the like have none.
pub fn resolve_due(timescale: &str, form_date: Option<NaiveDate>, calendar: &TermCalendar) -> Option<(NaiveDate, DueSource)> {
    if let Some(d) = dates::record_due(timescale, form_date) {
        return Some((d, DueSource::Record));
    }
    if NO_DATE.is_match(timescale) {
        return None;
    }
    let base = form_date?;
    let found = if let Some(c) = SEASON_HALF.captures(timescale) {
        let season = Season::from_text(c.get(1)?.as_str())?;
        let second = matches!(c.get(2)?.as_str().to_ascii_lowercase().as_str(), "2" | "two");
        if second { calendar.end_of_season(base, season) } else { calendar.end_of_first_half(base, season) }
    } else if HALF_TERM.is_match(timescale) {
        calendar.before_half_term(base)
    } else if let Some(c) = NEXT_TERM.captures(timescale) {
        let by = c.get(1).is_some();
        let next = calendar.next_term(base)?;
        // "by next term" means ready when it starts; "next term" means during it.
        if by { Some(last_school_day_before(next.start)) } else { Some(next.end) }
    } else if let Some(c) = HOLIDAY.captures(timescale) {
        let season = match c.get(3)?.as_str().to_ascii_lowercase().as_str() {
            "christmas" | "xmas" => Season::Autumn,
            "easter" => Season::Spring,
            _ => Season::Summer,
        };
        calendar.end_of_season(base, season)
    } else if YEAR_END.is_match(timescale) {
        calendar.end_of_season(base, Season::Summer)
    } else if let Some(c) = SEASON_TERM.captures(timescale) {
        calendar.end_of_season(base, Season::from_text(c.get(1)?.as_str())?)
    } else if END_OF_TERM.is_match(timescale) {
        calendar.end_of_term(base)
    } else if let Some(c) = MONTH_END.captures(timescale) {
        month_end_after(base, c.get(2)?.as_str())
    } else {
        None
    };
    found.map(|d| (d, DueSource::Terms))
}

/// The last day of the named month, the first such month ending on or after `base`.
fn month_end_after(base: NaiveDate, month: &str) -> Option<NaiveDate> {
    let probe = dates::parse_uk_date(&format!("1 {month} {}", base.year()))?;
    let m = probe.month();
    for year in [base.year(), base.year() + 1] {
        let first_next = if m == 12 { NaiveDate::from_ymd_opt(year + 1, 1, 1)? } else { NaiveDate::from_ymd_opt(year, m + 1, 1)? };
        let end = first_next.pred_opt()?;
        if end >= base {
            return Some(end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn easter_dates() {
        assert_eq!(easter(2024), d(2024, 3, 31));
        assert_eq!(easter(2025), d(2025, 4, 20));
        assert_eq!(easter(2019), d(2019, 4, 21));
    }

    #[test]
    fn built_in_calendar_is_ordered_and_typical() {
        let cal = TermCalendar::england();
        let t = cal.terms();
        assert!(t.windows(2).all(|w| w[0].end < w[1].start));
        let autumn24 = t.iter().find(|t| t.start == d(2024, 9, 1)).unwrap();
        assert_eq!(autumn24.end, d(2024, 12, 20));
        assert_eq!(autumn24.half_term, Some((d(2024, 10, 28), d(2024, 11, 1))));
    }
}
