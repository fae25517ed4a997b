//! The form's catalogue: every part of the CPOMS Quality Assurance Tool (July 2019) that the record
//! holds, with its id, section, printed wording and kind. This is the one place the form is
//! described; the extractor, the record, the summary and the `convert` writer all read it.
//!
//! Wording is the form's own, spelling included ("CORRESPONDANCE"). Rows are matched by number and
//! wording together, so later editions that renumber or reword still match (see `extract`).

/// What kind of answer a catalogue entry takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A numbered row with YES / NO / Comments cells.
    YesNo,
    /// A numbered row whose answer is one of "1 2 3 4 5" (1 = good, 5 = poor); YES/NO cells too.
    Rating,
    /// An overview question answered in free text.
    OverviewText,
    /// An overview question whose answer is a count of active cases.
    OverviewCount,
    /// A header field typed after its label.
    HeaderField,
    /// A "Y/N" choice (actions required, review required).
    YesNoField,
    /// A 1..5 choice outside the numbered rows (overall standard).
    Scale,
    /// A signature line or the sign-off date.
    Signature,
}

/// A section of numbered rows, with its printed title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Section {
    pub number: u8,
    pub title: &'static str,
}

/// One numbered row of the nine sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Question {
    /// The record's id ("1.4", "9.10").
    pub id: &'static str,
    pub section: u8,
    pub kind: Kind,
    /// The wording printed on the July 2019 form.
    pub wording: &'static str,
}

/// A field outside the numbered rows (header, overview, standards, review, sign-off).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The record's key ("reviewer", "O6", "overall_standard", "head").
    pub id: &'static str,
    pub kind: Kind,
    /// The printed label or question.
    pub wording: &'static str,
}

/// The edition this catalogue describes, as printed in the form's footer.
pub const FORM_VERSION: &str = "July 2019";

/// The form's title.
pub const TITLE: &str = "CPOMS Quality Assurance Tool";

/// The nine sections, in form order.
pub const SECTIONS: &[Section] = &[
    Section { number: 1, title: "BASIC INFORMATION" },
    Section { number: 2, title: "REFERRAL AND ASSESSMENT" },
    Section { number: 3, title: "CHILD PROTECTION CONFERENCES" },
    Section { number: 4, title: "PLANNING AND REVIEWING" },
    Section { number: 5, title: "CHILD PROTECTION PLANS" },
    Section { number: 6, title: "CORE GROUP MEETINGS" },
    Section { number: 7, title: "CORRESPONDANCE" },
    Section { number: 8, title: "MISCELLANEOUS" },
    Section { number: 9, title: "ADDITIONAL USE OF CPOMS" },
];

const fn yes_no(id: &'static str, section: u8, wording: &'static str) -> Question {
    Question { id, section, kind: Kind::YesNo, wording }
}

const fn rating(id: &'static str, section: u8, wording: &'static str) -> Question {
    Question { id, section, kind: Kind::Rating, wording }
}

/// The 42 numbered rows, in form order. The numbering has gaps (no 3, 4.1, 5.2).
pub const QUESTIONS: &[Question] = &[
    yes_no("1", 1, "Can you show evidence of the child’s basic details and parents contact details?"),
    yes_no("1.1", 1, "Can you show evidence of information held on the child’s current address and who holds parental responsibility for the child?"),
    yes_no("1.2", 1, "Can you evidence an up to date chronology that is a current reflection on the child’s situation?"),
    yes_no("1.3", 1, "Does the chronology demonstrate PURPOSE, ACTION and OUTCOME for the child at each entry?"),
    yes_no("1.4", 1, "Does the chronology evidence child’s voice? Show examples"),
    yes_no("1.5", 1, "Does the chronology evidence professional escalation? Show examples"),
    yes_no("1.6", 1, "Does the chronology evidence actions being created and achieved? Show evidence"),
    yes_no("1.7", 1, "Show an example of management review of the recording in chronologies."),
    yes_no("2", 2, "Is there evidence of referrals being made and the outcomes recorded and the paperwork scanned/stored on CPOMS?"),
    yes_no("2.1", 2, "Is there evidence of clearly recorded disclosures made in school and subsequent actions taken?"),
    yes_no("2.2", 2, "Is there evidence of assessment on the child’s file, including SF, initial, core, parenting or risk? Where are they stored and how can they be accessed?"),
    yes_no("3.1", 3, "Is there evidence of Initial Child Protection Conference Report written by the school and stored on CPOMS?"),
    yes_no("3.2", 3, "Does the report follow the LSCB/Safeguarding Partners format?"),
    rating("3.3", 3, "Standard of completion of the report"),
    yes_no("3.4", 3, "Where are the minutes of the Child Protection Conference stored?"),
    yes_no("3.5", 3, "Where is the copy of the CP plan stored?"),
    yes_no("4", 4, "Is there evidence of Child Protection Review Reports written by the school and stored on CPOMS?"),
    rating("4.2", 4, "Standard of completion of the report"),
    yes_no("4.3", 4, "Is there evidence of other professionals child protection reports stored electronically on CPOMS?"),
    yes_no("5", 5, "Is there evidence of a current Child Protection Plan for each individual child?"),
    yes_no("5.1", 5, "Are the school’s interventions clearly identified within the Child Protection Plan?"),
    yes_no("5.3", 5, "Is there evidence that the plan is effective and progressing?"),
    yes_no("5.4", 5, "Is there evidence (age appropriate) of the views and the wishes of the child?"),
    yes_no("6.1", 6, "Is there evidence of Core Groups being held regularly within Local Safeguarding Partnership timescales? Where are the outcomes and progress recorded on CPOMS?"),
    yes_no("6.2", 6, "If not, why not and actions have the Core Group taken and where is this recorded?"),
    yes_no("6.3", 6, "Is there evidence of school attendance at Core groups?"),
    yes_no("6.4", 6, "Is there written evidence of Core Group meetings and where is this stored?"),
    yes_no("6.5", 6, "Who takes responsibility for the writing and disseminating of the FORMAL minutes of the meetings?"),
    yes_no("6.6", 6, "Is there evidence that the Child Protection Plan has been reviewed and is PROGRESSING at the Core Group meetings? Where is the action of this recorded?"),
    yes_no("7", 7, "Are there copies of any correspondence in relation to the child and where is it stored?"),
    yes_no("8", 8, "Is there appropriate information held on this child and where is it stored?"),
    yes_no("9", 9, "Are there any recordings held regarding parental issues?"),
    yes_no("9.1", 9, "Are there any recordings regarding OFSTED reviewed cases?"),
    yes_no("9.2", 9, "Are there any recordings regarding cases in criminal proceedings?"),
    yes_no("9.3", 9, "Are there any recordings regarding cases going into Court Proceedings?"),
    yes_no("9.4", 9, "Are there any recordings regarding Serious Case Reviews/Safeguarding Practice Reviews, Management Reviews or Lessons Learnt?"),
    yes_no("9.5", 9, "Are there any recordings regarding staff/personnel and incidents regarding LADO?"),
    yes_no("9.6", 9, "If yes to any of the above, is there evidence of this information being stored securely and confidentially?"),
    yes_no("9.7", 9, "If yes, is there evidence of senior staff only having access?"),
    yes_no("9.8", 9, "If yes, is there evidence of case progression, outcomes and actions undertaken?"),
    yes_no("9.9", 9, "Do new staff/supply staff gain log ins? Is there evidence of how this is managed?"),
    yes_no("9.10", 9, "Is there a RAG rating used for cases of parents who may pose a risk on site? Is there evidence of how this is managed?"),
];

const fn field(id: &'static str, kind: Kind, wording: &'static str) -> Field {
    Field { id, kind, wording }
}

/// Header fields, in form order; `id` is the record's `header` key.
pub const HEADER: &[Field] = &[
    field("reviewer", Kind::HeaderField, "Name of Person conducting the Quality Assurance"),
    field("reviewer_role", Kind::HeaderField, "Position/Role of Person conducting the Quality Assurance"),
    field("subject", Kind::HeaderField, "Name of Person whose CPOMS recording is being Quality Assured"),
    field("subject_role", Kind::HeaderField, "Position/Role of Person in School/Setting"),
    field("external_auditor", Kind::HeaderField, "Name of External Auditor"),
    field("school", Kind::HeaderField, "Name of school"),
    field("date", Kind::HeaderField, "Date"),
];

/// The 13 overview questions; O6..O9 are counts of active cases.
pub const OVERVIEW: &[Field] = &[
    field("O1", Kind::OverviewText, "When did you start recording electronically?"),
    field("O2", Kind::OverviewText, "How have you stored/archived existing paper files?"),
    field("O3", Kind::OverviewText, "How will you transfer information on to a receiving school?"),
    field("O4", Kind::OverviewText, "How many vulnerable children do you have and how are they tabbed/lozenged?"),
    field("O5", Kind::OverviewText, "What categories and subcategories have you created on CPOMS and why?"),
    field("O6", Kind::OverviewCount, "How many active Child Protection cases are there on CPOMS?"),
    field("O7", Kind::OverviewCount, "How many active Child in Need cases are there on CPOMS?"),
    field("O8", Kind::OverviewCount, "How many active Looked After Children cases are there on CPOMS?"),
    field("O9", Kind::OverviewCount, "How many active Early Help cases are there on CPOMS?"),
    field("O10", Kind::OverviewText, "How many CP/CIN/EH/LAC cases are created on CPOMS?"),
    field("O11", Kind::OverviewText, "How can you show from data an overview of the current situation in school?"),
    field("O12", Kind::OverviewText, "How do you monitor impact?"),
    field("O13", Kind::OverviewText, "How do you transfer information to other schools/sites with or without CPOMS?"),
];

/// Which overview question gives which `case_counts` key.
pub const CASE_COUNTS: &[(&str, &str)] = &[("cp", "O6"), ("cin", "O7"), ("lac", "O8"), ("eh", "O9")];

/// The standards, actions and review fields.
pub const STANDARDS: &[Field] = &[
    field("overall_standard", Kind::Scale, "Overall Standard of recording"),
    field("actions_required", Kind::YesNoField, "Actions required?"),
    field("review_required", Kind::YesNoField, "Quality Assurance to be reviewed?"),
    field("review_date", Kind::HeaderField, "Date of review (if applicable)"),
];

/// The action table's printed column headings, in order.
pub const ACTION_COLUMNS: [&str; 3] = ["ACTION REQUIRED", "BY WHOM", "TIMESCALE"];

/// Number of empty action rows printed on the form.
pub const PRINTED_ACTION_ROWS: usize = 5;

/// Printed furniture around the answers (used by the `convert` writer and the generator).
pub const OVERVIEW_TITLE: &str = "OVERVIEW:";
/// The title above the overall standard, actions and review.
pub const STANDARDS_TITLE: &str = "STANDARDS AND ACTIONS";
/// The answer columns' headings in every section table, after the title cell.
pub const ANSWER_COLUMNS: [&str; 3] = ["YES", "NO", "Comments/Actions"];
/// The key printed under every 1..5 scale.
pub const SCALE_KEY: [&str; 2] = ["1 = good", "5 = poor"];
/// The printed choice beside "Actions required?" and "Quality Assurance to be reviewed?".
pub const YES_NO_CHOICE: &str = "Y/N";
/// The word before each sign-off name.
pub const SIGNED: &str = "Signed";

/// Sign-off lines; `id` is the record's `signatures` key.
pub const SIGNATURES: &[Field] = &[
    field("head", Kind::Signature, "Headteacher/Principal/CEO/Chair of Governors"),
    field("designated_person", Kind::Signature, "Designated Person"),
    field("external_auditor", Kind::Signature, "External Auditor"),
    field("date", Kind::Signature, "Date"),
];

/// The catalogue entry for a question id.
pub fn question(id: &str) -> Option<&'static Question> {
    QUESTIONS.iter().find(|q| q.id == id)
}

/// The section with this number.
pub fn section(number: u8) -> Option<&'static Section> {
    SECTIONS.iter().find(|s| s.number == number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_matches_the_spec_counts() {
        assert_eq!(QUESTIONS.len(), 42);
        assert_eq!(OVERVIEW.len(), 13);
        let ratings: Vec<_> = QUESTIONS.iter().filter(|q| q.kind == Kind::Rating).map(|q| q.id).collect();
        assert_eq!(ratings, ["3.3", "4.2"]);
        for section in SECTIONS {
            assert!(QUESTIONS.iter().any(|q| q.section == section.number), "section {} empty", section.number);
        }
    }

    #[test]
    fn ids_are_unique() {
        let mut ids: Vec<_> = QUESTIONS.iter().map(|q| q.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), QUESTIONS.len());
    }
}
