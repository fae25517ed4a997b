//! The record: the public JSON output of `cpoms-qa extract --json`, one per input file
//! (`../shared/form/SPEC.md`). Names here are a contract with consumers: add, never rename.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::catalogue::{self, Kind};

/// The schema tag written in every record.
pub const SCHEMA: &str = "cpoms-qa/1";

/// How much of a file could be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// A complete form was read.
    Ok,
    /// A form, with gaps (missing sections, unreadable parts).
    Partial,
    /// Nothing usable; `errors` says why.
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Partial => "partial",
            Status::Failed => "failed",
        }
    }
}

/// A YES/NO answer as marked on the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Answer {
    Yes,
    No,
    /// Both YES and NO marked (always reported in a warning too).
    Both,
}

impl Answer {
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Yes => "yes",
            Answer::No => "no",
            Answer::Both => "both",
        }
    }
}

/// The header block at the top of the form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub reviewer: Option<String>,
    pub reviewer_role: Option<String>,
    pub subject: Option<String>,
    pub subject_role: Option<String>,
    pub external_auditor: Option<String>,
    pub school: Option<String>,
    /// ISO date "YYYY-MM-DD".
    pub date: Option<String>,
}

/// Counts of active cases, from overview questions O6..O9.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CaseCounts {
    pub cp: Option<u32>,
    pub cin: Option<u32>,
    pub lac: Option<u32>,
    pub eh: Option<u32>,
}

/// One numbered row's answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QuestionAnswer {
    pub answer: Option<Answer>,
    /// Only on rating rows (3.3, 4.2): `Some(None)` there when no rating was marked.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "double_option")]
    pub rating: Option<Option<u8>>,
    pub comment: Option<String>,
}

/// One row of the action table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Action {
    pub action: String,
    pub by_whom: Option<String>,
    pub timescale: Option<String>,
    /// The timescale as a date where it can be one (ISO "YYYY-MM-DD").
    pub due: Option<String>,
}

/// The sign-off block.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Signatures {
    pub head: Option<String>,
    pub designated_person: Option<String>,
    pub external_auditor: Option<String>,
    pub date: Option<String>,
}

/// Everything extracted from one input file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub schema: String,
    /// The path as given on the command line (or found under a folder given).
    pub source: String,
    pub format: String,
    pub status: Status,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
    pub form_version: Option<String>,
    pub header: Header,
    /// Keyed by the catalogue's own ids (`&'static str`), so 10,000 records do not carry 550,000
    /// copies of "1.4"; unknown ids in JSON read back are an error.
    #[serde(deserialize_with = "catalogue_keys::overview")]
    pub overview: IndexMap<&'static str, Option<String>>,
    pub case_counts: CaseCounts,
    /// Every question id of the catalogue, in form order.
    #[serde(deserialize_with = "catalogue_keys::questions")]
    pub questions: IndexMap<&'static str, QuestionAnswer>,
    pub overall_standard: Option<u8>,
    pub actions_required: Option<bool>,
    pub actions: Vec<Action>,
    pub review_required: Option<bool>,
    pub review_date: Option<String>,
    pub signatures: Signatures,
}

impl Record {
    /// Give back the spare capacity of every string and list. The strings are built piece by
    /// piece, so up to half of each allocation is slack; a summary of 10,000 returns holds every
    /// record at once, and this keeps it within its memory budget.
    pub fn shrink_to_fit(&mut self) {
        fn opt(s: &mut Option<String>) {
            if let Some(s) = s {
                s.shrink_to_fit();
            }
        }
        fn all(v: &mut Vec<String>) {
            v.iter_mut().for_each(String::shrink_to_fit);
            v.shrink_to_fit();
        }
        self.schema.shrink_to_fit();
        self.source.shrink_to_fit();
        self.format.shrink_to_fit();
        all(&mut self.errors);
        all(&mut self.warnings);
        opt(&mut self.form_version);
        let h = &mut self.header;
        for f in [&mut h.reviewer, &mut h.reviewer_role, &mut h.subject, &mut h.subject_role, &mut h.external_auditor, &mut h.school, &mut h.date] {
            opt(f);
        }
        self.overview.values_mut().for_each(opt);
        self.overview.shrink_to_fit();
        self.questions.values_mut().for_each(|q| opt(&mut q.comment));
        self.questions.shrink_to_fit();
        for a in &mut self.actions {
            a.action.shrink_to_fit();
            for f in [&mut a.by_whom, &mut a.timescale, &mut a.due] {
                opt(f);
            }
        }
        self.actions.shrink_to_fit();
        opt(&mut self.review_date);
        let s = &mut self.signatures;
        for f in [&mut s.head, &mut s.designated_person, &mut s.external_auditor, &mut s.date] {
            opt(f);
        }
    }

    /// An empty record for `source`: every catalogue id present and null.
    pub fn empty(source: impl Into<String>, format: impl Into<String>) -> Self {
        let overview = catalogue::OVERVIEW.iter().map(|f| (f.id, None)).collect();
        let questions = catalogue::QUESTIONS
            .iter()
            .map(|q| {
                let rating = if q.kind == Kind::Rating { Some(None) } else { None };
                (q.id, QuestionAnswer { answer: None, rating, comment: None })
            })
            .collect();
        Record {
            schema: SCHEMA.to_string(),
            source: source.into(),
            format: format.into(),
            status: Status::Ok,
            errors: Vec::new(),
            warnings: Vec::new(),
            form_version: None,
            header: Header::default(),
            overview,
            case_counts: CaseCounts::default(),
            questions,
            overall_standard: None,
            actions_required: None,
            actions: Vec::new(),
            review_required: None,
            review_date: None,
            signatures: Signatures::default(),
        }
    }

    /// A failed record: nothing usable, with the reason in a consultant's words.
    pub fn failed(source: impl Into<String>, format: impl Into<String>, reason: impl Into<String>) -> Self {
        let mut record = Record::empty(source, format);
        record.status = Status::Failed;
        record.errors.push(reason.into());
        record
    }

    /// The record as pretty JSON (what `extract --json` prints for one file).
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| String::from("{}")) // ok: plain data always serialises
    }
}

/// serde helpers: JSON object keys read back as the catalogue's `&'static str` ids.
mod catalogue_keys {
    use indexmap::IndexMap;
    use serde::de::{Deserialize, Deserializer, Error};

    use super::QuestionAnswer;
    use crate::catalogue;

    fn keyed<'de, D: Deserializer<'de>, V: Deserialize<'de>>(
        d: D,
        ids: impl Iterator<Item = &'static str> + Clone,
    ) -> Result<IndexMap<&'static str, V>, D::Error> {
        let raw = IndexMap::<String, V>::deserialize(d)?;
        raw.into_iter()
            .map(|(k, v)| match ids.clone().find(|id| *id == k) {
                Some(id) => Ok((id, v)),
                None => Err(D::Error::custom(format!("unknown id {k:?}"))),
            })
            .collect()
    }

    pub fn questions<'de, D: Deserializer<'de>>(d: D) -> Result<IndexMap<&'static str, QuestionAnswer>, D::Error> {
        keyed(d, catalogue::QUESTIONS.iter().map(|q| q.id))
    }

    pub fn overview<'de, D: Deserializer<'de>>(d: D) -> Result<IndexMap<&'static str, Option<String>>, D::Error> {
        keyed(d, catalogue::OVERVIEW.iter().map(|f| f.id))
    }
}

/// serde helper: `Option<Option<T>>` where the outer `None` means "field absent".
mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<Option<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<u8>>, D::Error> {
        Ok(Some(Option::<u8>::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_record_has_every_id_and_rating_keys_only_on_ratings() {
        let record = Record::empty("a.docx", "docx");
        assert_eq!(record.questions.len(), 42);
        let json: serde_json::Value = serde_json::from_str(&record.to_json_pretty()).unwrap();
        assert!(json["questions"]["3.3"].as_object().unwrap().contains_key("rating"));
        assert!(!json["questions"]["1.4"].as_object().unwrap().contains_key("rating"));
        assert_eq!(json["overview"]["O13"], serde_json::Value::Null);
        assert_eq!(json["status"], "ok");
    }
}
