//! Action timescales resolved to due dates with the England term calendar and with `--terms`.

use chrono::{Datelike, NaiveDate};
use cpoms_qa::summarise::terms::{resolve_due, DueSource, TermCalendar};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn due(text: &str, form: Option<NaiveDate>) -> Option<NaiveDate> {
    resolve_due(text, form, &TermCalendar::england()).map(|(date, _)| date)
}

#[test]
fn term_phrases_from_an_autumn_form() {
    let form = Some(d(2024, 10, 1));
    // Autumn 2024: half term from Monday 28 October, term ends Friday 20 December.
    assert_eq!(due("by half term", form), Some(d(2024, 10, 25)));
    assert_eq!(due("Before Half-Term", form), Some(d(2024, 10, 25)));
    assert_eq!(due("Autumn 1", form), Some(d(2024, 10, 25)));
    assert_eq!(due("end of term", form), Some(d(2024, 12, 20)));
    assert_eq!(due("end of autumn term", form), Some(d(2024, 12, 20)));
    assert_eq!(due("before Christmas", form), Some(d(2024, 12, 20)));
    // Easter 2025 is late (20 April): spring ends Friday 4 April.
    assert_eq!(due("Spring term", form), Some(d(2025, 4, 4)));
    assert_eq!(due("before Easter", form), Some(d(2025, 4, 4)));
    assert_eq!(due("next term", form), Some(d(2025, 4, 4)));
    // "by next term": ready when spring starts (Monday 6 January 2025).
    assert_eq!(due("by next term", form), Some(d(2025, 1, 3)));
    assert_eq!(due("end of summer term", form), Some(d(2025, 7, 21)));
    assert_eq!(due("end of the academic year", form), Some(d(2025, 7, 21)));
    assert_eq!(due("by the end of November", form), Some(d(2024, 11, 30)));
}

#[test]
fn record_rule_first_and_no_date_for_ongoing() {
    let form = Some(d(2024, 10, 1));
    assert_eq!(resolve_due("2 weeks", form, &TermCalendar::england()), Some((d(2024, 10, 15), DueSource::Record)));
    assert_eq!(resolve_due("by half term", form, &TermCalendar::england()).map(|x| x.1), Some(DueSource::Terms));
    assert_eq!(due("ASAP", form), form);
    assert_eq!(due("31/01/2025", form), Some(d(2025, 1, 31)));
    assert_eq!(due("ongoing", form), None);
    assert_eq!(due("termly", form), None);
    assert_eq!(due("next INSET day", form), None);
    // No form date: only explicit dates.
    assert_eq!(due("by half term", None), None);
    assert_eq!(due("30/12/2024", None), Some(d(2024, 12, 30)));
}

#[test]
fn forms_dated_in_a_holiday_or_half_term() {
    // In the Christmas holiday "end of term" is the coming spring term's end (2024: Easter 31 March).
    assert_eq!(due("end of term", Some(d(2023, 12, 27))), Some(d(2024, 3, 28)));
    // Dated in the February 2024 half term: the next half term is late May.
    assert_eq!(due("by half term", Some(d(2024, 2, 21))), Some(d(2024, 5, 24)));
    // Summer 2024 starts two weeks after spring ends.
    let cal = TermCalendar::england();
    let summer = cal.terms().iter().find(|t| t.start.year() == 2024 && t.start.month() == 4).unwrap();
    assert_eq!(summer.start, d(2024, 4, 15));
}

#[test]
fn own_term_dates_from_csv() {
    let csv = "term,start,end,half_term_start,half_term_end\n\
               Autumn 2024,02/09/2024,18/12/2024,21/10/2024,01/11/2024\n\
               Spring 2025,06/01/2025,04/04/2025,17/02/2025,21/02/2025\n";
    let cal = TermCalendar::from_csv(csv).unwrap();
    let form = Some(d(2024, 10, 1));
    assert_eq!(resolve_due("by half term", form, &cal).map(|x| x.0), Some(d(2024, 10, 18)));
    assert_eq!(resolve_due("end of term", form, &cal).map(|x| x.0), Some(d(2024, 12, 18)));
    // Terms the file does not cover come from the built-in calendar.
    assert_eq!(resolve_due("end of summer term", form, &cal).map(|x| x.0), Some(d(2025, 7, 21)));
    let err = TermCalendar::from_csv("term,start,end\nAutumn 2024,2/9/2024,someday\n").unwrap_err();
    assert!(err.contains("line 2"), "{err}");
    assert!(TermCalendar::from_csv("Winter 2024,01/01/2024,01/02/2024\n").is_err());
}
