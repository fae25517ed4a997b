//! `--redact`: person names replaced by stable pseudonyms ("Person 1", "Person 2") for outputs
//! that leave the consultancy.
//!
//! The names are those the form asks for: the header's reviewer, subject (usually the DSL) and
//! external auditor, and the three sign-off names. The same name (ignoring case, spacing and
//! trailing dots) gets the same pseudonym everywhere in the run. Pseudonyms are given in the
//! sorted order of the names, so they do not depend on the thread count or on which file was read
//! first. Where a full name (two words or more) also appears inside free text (comments,
//! overview answers, actions, warnings) it is replaced there too. File names (`source`) are kept:
//! they are needed to find the return again.

use std::collections::{BTreeMap, BTreeSet};

use crate::record::Record;

/// The pseudonym of each name met, by normalised name.
#[derive(Debug, Clone, Default)]
pub struct Pseudonyms {
    by_key: BTreeMap<String, String>,
}

impl Pseudonyms {
    /// Pseudonyms for every person named in `records`, numbered in sorted order of the names.
    pub fn for_records(records: &[Record]) -> Self {
        let keys: BTreeSet<String> =
            records.iter().flat_map(name_fields).filter_map(|n| n.as_deref().map(key)).filter(|k| !k.is_empty()).collect();
        let by_key = keys.into_iter().enumerate().map(|(i, k)| (k, format!("Person {}", i + 1))).collect();
        Pseudonyms { by_key }
    }

    /// The pseudonym for `name`, if it is one of the names met.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.by_key.get(&key(name)).map(String::as_str)
    }

    /// How many different people were named.
    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// A matcher for full names (two words or more) inside free text, longest first.
    fn text_matcher(&self) -> Option<regex::Regex> {
        let mut names: Vec<&String> = self.by_key.keys().filter(|k| k.split(' ').count() >= 2).collect();
        if names.is_empty() {
            return None;
        }
        names.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        let alternatives: Vec<String> =
            names.iter().map(|n| n.split(' ').map(regex::escape).collect::<Vec<_>>().join(r"\s+")).collect();
        regex::RegexBuilder::new(&format!(r"\b(?:{})\b", alternatives.join("|")))
            .case_insensitive(true)
            .size_limit(64 * 1024 * 1024)
            .build()
            .ok()
    }
}

/// The person-name fields of a record.
fn name_fields(r: &Record) -> [&Option<String>; 6] {
    [
        &r.header.reviewer,
        &r.header.subject,
        &r.header.external_auditor,
        &r.signatures.head,
        &r.signatures.designated_person,
        &r.signatures.external_auditor,
    ]
}

/// A name made comparable: lower case, single spaces, no trailing dots or commas.
fn key(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    words.join(" ").trim_end_matches(['.', ',', ';', ':']).to_lowercase()
}

/// Replace every person name in `records` by its pseudonym (see the module documentation).
pub fn redact(records: &mut [Record]) -> Pseudonyms {
    let names = Pseudonyms::for_records(records);
    let matcher = names.text_matcher();
    let in_text = |text: &mut String| {
        if let Some(re) = &matcher {
            if re.is_match(text) {
                let replaced = re.replace_all(text, |caps: &regex::Captures| {
                    let found = caps.get(0).map(|m| m.as_str()).unwrap_or_default();
                    names.get(found).unwrap_or("a person").to_string()
                });
                *text = replaced.into_owned();
            }
        }
    };
    for r in records.iter_mut() {
        for field in [
            &mut r.header.reviewer,
            &mut r.header.subject,
            &mut r.header.external_auditor,
            &mut r.signatures.head,
            &mut r.signatures.designated_person,
            &mut r.signatures.external_auditor,
        ] {
            if let Some(name) = field.as_deref() {
                if let Some(p) = names.get(name) {
                    *field = Some(p.to_string());
                }
            }
        }
        for text in r.overview.values_mut().flatten() {
            in_text(text);
        }
        for q in r.questions.values_mut() {
            if let Some(c) = q.comment.as_mut() {
                in_text(c);
            }
        }
        for a in r.actions.iter_mut() {
            in_text(&mut a.action);
            if let Some(who) = a.by_whom.as_mut() {
                match names.get(who) {
                    Some(p) => *who = p.to_string(),
                    None => in_text(who),
                }
            }
            if let Some(t) = a.timescale.as_mut() {
                in_text(t);
            }
        }
        for w in r.warnings.iter_mut().chain(r.errors.iter_mut()) {
            in_text(w);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Action;

    fn rec(source: &str, reviewer: &str, subject: &str) -> Record {
        let mut r = Record::empty(source, "docx");
        r.header.reviewer = Some(reviewer.into());
        r.header.subject = Some(subject.into());
        r
    }

    #[test]
    fn same_name_same_pseudonym_in_sorted_order_whatever_the_record_order() {
        let mut a = vec![rec("1.docx", "Zoe Adams", "Bob  Brown."), rec("2.docx", "bob brown", "Ann Cole")];
        a[0].questions.get_index_mut(0).unwrap().1.comment = Some("Discussed with ANN COLE and Zoe\nAdams.".into());
        a[1].actions.push(Action { action: "Train staff".into(), by_whom: Some("Zoe Adams".into()), timescale: None, due: None });
        let mut b: Vec<Record> = a.iter().rev().cloned().collect();
        let na = redact(&mut a);
        redact(&mut b);
        assert_eq!(na.len(), 3);
        // Sorted: ann cole = 1, bob brown = 2, zoe adams = 3.
        assert_eq!(a[0].header.reviewer.as_deref(), Some("Person 3"));
        assert_eq!(a[0].header.subject.as_deref(), Some("Person 2"));
        assert_eq!(a[1].header.reviewer.as_deref(), Some("Person 2"));
        assert_eq!(a[1].header.subject.as_deref(), Some("Person 1"));
        assert_eq!(a[0].questions.get_index(0).unwrap().1.comment.as_deref(), Some("Discussed with Person 1 and Person 3."));
        assert_eq!(a[1].actions[0].by_whom.as_deref(), Some("Person 3"));
        assert_eq!(b[1].header.reviewer, a[0].header.reviewer);
        assert_eq!(b[0].header.subject, a[1].header.subject);
    }

    #[test]
    fn single_word_names_are_not_replaced_inside_text() {
        let mut a = vec![rec("1.docx", "DSL", "Head")];
        a[0].questions.get_index_mut(0).unwrap().1.comment = Some("DSL to check with Head".into());
        redact(&mut a);
        assert_eq!(a[0].header.reviewer.as_deref(), Some("Person 1"));
        assert_eq!(a[0].questions.get_index(0).unwrap().1.comment.as_deref(), Some("DSL to check with Head"));
    }
}
