//! `cpoms-qa check FILE`: what a consultant must chase on one return the moment it comes back:
//! unanswered rows, missing ratings and standard, "Actions required? Y" with no actions, actions
//! with no owner or timescale, review "Y" with no date, missing signatures or date, and the
//! reader's warnings (ambiguous marks). Never prints comment text: row ids and the form's wording.

use serde::Serialize;

use crate::catalogue::{self, Kind};
use crate::record::{Record, Status};

/// One thing to chase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// A stable key: "error", "unanswered", "rating_missing", "standard_missing", "actions_required_unmarked",
    /// "no_actions", "action_no_owner", "action_no_timescale", "review_unmarked",
    /// "review_no_date", "signature_missing", "header_missing", "warning".
    pub kind: &'static str,
    /// The row id ("1.4"), action number ("action 2"), or field ("signatures.head").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<String>,
    /// What is missing, in the form's words.
    pub what: String,
}

/// The check of one return.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub source: String,
    pub status: &'static str,
    pub school: Option<String>,
    pub date: Option<String>,
    /// True when there is nothing to chase.
    pub complete: bool,
    pub items: Vec<Item>,
}

fn item(kind: &'static str, row: Option<String>, what: impl Into<String>) -> Item {
    Item { kind, row, what: what.into() }
}

/// Check one record.
pub fn check(record: &Record) -> Check {
    let mut items = Vec::new();
    for e in &record.errors {
        items.push(item("error", None, e.clone()));
    }
    if record.status == Status::Failed {
        return Check {
            source: record.source.clone(),
            status: record.status.as_str(),
            school: record.header.school.clone(),
            date: record.header.date.clone(),
            complete: false,
            items,
        };
    }
    for f in catalogue::HEADER {
        let value = match f.id {
            "reviewer" => &record.header.reviewer,
            "subject" => &record.header.subject,
            "school" => &record.header.school,
            "date" => &record.header.date,
            _ => continue,
        };
        if value.is_none() {
            items.push(item("header_missing", Some(format!("header.{}", f.id)), format!("not filled in: {}", f.wording)));
        }
    }
    for q in catalogue::QUESTIONS {
        let qa = record.questions.get(q.id);
        match q.kind {
            Kind::Rating => {
                if qa.and_then(|a| a.rating.flatten()).is_none() {
                    items.push(item("rating_missing", Some(q.id.into()), format!("no rating 1-5 marked: {}", q.wording)));
                }
            }
            _ => {
                if qa.and_then(|a| a.answer).is_none() {
                    items.push(item("unanswered", Some(q.id.into()), q.wording));
                }
            }
        }
    }
    if record.overall_standard.is_none() {
        items.push(item("standard_missing", Some("overall_standard".into()), "no overall standard of recording (1-5) marked"));
    }
    match record.actions_required {
        None => items.push(item("actions_required_unmarked", Some("actions_required".into()), "\"Actions required? Y/N\" not marked")),
        Some(true) if record.actions.is_empty() => {
            items.push(item("no_actions", Some("actions".into()), "\"Actions required?\" is Y but the action table is empty"))
        }
        _ => {}
    }
    for (i, a) in record.actions.iter().enumerate() {
        let row = Some(format!("action {}", i + 1));
        if a.by_whom.is_none() {
            items.push(item("action_no_owner", row.clone(), "no one named under BY WHOM"));
        }
        if a.timescale.is_none() {
            items.push(item("action_no_timescale", row, "no TIMESCALE given"));
        }
    }
    match record.review_required {
        None => items.push(item("review_unmarked", Some("review_required".into()), "\"Quality Assurance to be reviewed? Y/N\" not marked")),
        Some(true) if record.review_date.is_none() => {
            items.push(item("review_no_date", Some("review_date".into()), "review is Y but there is no date of review"))
        }
        _ => {}
    }
    for f in catalogue::SIGNATURES {
        let value = match f.id {
            "head" => &record.signatures.head,
            "designated_person" => &record.signatures.designated_person,
            // Only chased when the form names an external auditor.
            "external_auditor" if record.header.external_auditor.is_some() => &record.signatures.external_auditor,
            "date" => &record.signatures.date,
            _ => continue,
        };
        if value.is_none() {
            let what = if f.id == "date" { "sign-off not dated".to_string() } else { format!("not signed by: {}", f.wording) };
            items.push(item("signature_missing", Some(format!("signatures.{}", f.id)), what));
        }
    }
    for w in &record.warnings {
        items.push(item("warning", None, without_quoted_text(w)));
    }
    Check {
        source: record.source.clone(),
        status: record.status.as_str(),
        school: record.header.school.clone(),
        date: record.header.date.clone(),
        complete: items.is_empty() && record.status != Status::Failed,
        items,
    }
}

/// A warning with the form's own text it quotes ('…', e.g. a date that could not be read, which
/// can hold anything a person typed) left out: the terminal shows row ids and the form's wording.
fn without_quoted_text(warning: &str) -> String {
    let mut out = String::with_capacity(warning.len());
    let mut rest = warning;
    while let Some(open) = rest.find(" '") {
        let (before, after) = rest.split_at(open);
        let Some(close) = after.get(2..).and_then(|a| a.find("' ")) else { break };
        out.push_str(before);
        out.push_str(" what is written there");
        rest = after.get(2 + close + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

fn heading(kind: &str) -> &'static str {
    match kind {
        "header_missing" => "Header not filled in",
        "unanswered" => "Rows with neither YES nor NO marked",
        "rating_missing" => "Ratings missing",
        "standard_missing" => "Overall standard missing",
        "actions_required_unmarked" | "no_actions" => "Actions",
        "action_no_owner" | "action_no_timescale" => "Action table gaps",
        "review_unmarked" | "review_no_date" => "Review",
        "signature_missing" => "Sign-off",
        "error" => "Could not be read",
        _ => "Warnings from reading the form (check these marks)",
    }
}

/// The check as plain terminal text.
pub fn render_text(c: &Check) -> String {
    let mut out = String::new();
    let school = c.school.as_deref().unwrap_or("(school not given)");
    let date = c.date.as_deref().and_then(crate::dates::parse_iso).map(crate::dates::uk).unwrap_or_else(|| "undated".into());
    out.push_str(&format!("{school}, {date}\n{}\n", c.source));
    if c.complete {
        out.push_str("Complete: nothing to chase.\n");
        return out;
    }
    if c.status == "failed" {
        out.push_str("This file could not be read as a QA form.\n");
    }
    out.push_str(&format!("{} thing{} to chase:\n", c.items.len(), if c.items.len() == 1 { "" } else { "s" }));
    // Row ids padded to the widest in their group, so the wording lines up.
    let width_of = |h: &str| {
        c.items.iter().filter(|i| heading(i.kind) == h).filter_map(|i| i.row.as_ref()).map(|r| r.chars().count()).max().unwrap_or(0)
    };
    let mut last = "";
    for i in &c.items {
        let h = heading(i.kind);
        if h != last {
            out.push_str(&format!("\n{h}:\n"));
            last = h;
        }
        match &i.row {
            Some(r) => out.push_str(&format!("  {r:<width$}  {}\n", i.what, width = width_of(h))),
            None => out.push_str(&format!("  {}\n", i.what)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_form_text_is_not_shown() {
        assert_eq!(
            without_quoted_text("header date: could not read 'SECRET Tom Smith born 31/13/2015' as a date"),
            "header date: could not read what is written there as a date"
        );
        assert_eq!(without_quoted_text("row 1.4: both YES and NO marked"), "row 1.4: both YES and NO marked");
    }

    #[test]
    fn empty_record_has_everything_to_chase() {
        let c = check(&Record::empty("a.docx", "docx"));
        assert!(!c.complete);
        assert_eq!(c.items.iter().filter(|i| i.kind == "unanswered").count(), 40);
        assert_eq!(c.items.iter().filter(|i| i.kind == "rating_missing").count(), 2);
        let text = render_text(&c);
        assert!(text.lines().any(|l| l.trim_start().starts_with("1.4 ") && l.ends_with("Does the chronology evidence child’s voice? Show examples")));
    }
}
