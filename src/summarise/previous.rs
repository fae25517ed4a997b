//! Last term's summary (`--previous FILE`), a workbook this tool wrote, read back with calamine:
//! per school its latest return's standard, ratings and case counts, and its open actions, so
//! this term's workbook can show what improved, what declined and what was carried over.

use std::collections::BTreeMap;
use std::path::Path;

use calamine::{open_workbook_auto, Data, DataType, Reader};

use super::register;

/// One school's figures on last term's summary.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PreviousSchool {
    /// The school as shown last term.
    pub school: String,
    pub overall_standard: Option<f64>,
    pub rating_3_3: Option<f64>,
    pub rating_4_2: Option<f64>,
    pub cp: Option<f64>,
    pub cin: Option<f64>,
    pub lac: Option<f64>,
    pub eh: Option<f64>,
    /// The wording of actions still open on last term's summary.
    pub open_actions: Vec<String>,
}

/// Last term's summary, by school key ([`register::school_key`] of the name shown).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Previous {
    pub schools: BTreeMap<String, PreviousSchool>,
}

fn text(d: Option<&Data>) -> String {
    match d {
        Some(Data::String(s)) => s.trim().to_string(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.as_string().unwrap_or_default(),
    }
}

fn number(d: Option<&Data>) -> Option<f64> {
    match d {
        Some(Data::Float(f)) => Some(*f),
        Some(Data::Int(i)) => Some(*i as f64),
        Some(Data::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Column index by lower-case heading, and the rows below the heading row.
type Table = (BTreeMap<String, usize>, Vec<Vec<Data>>);

/// A sheet's rows as a header map and data rows: the header row is the first row with a cell
/// reading `first_heading`.
fn table(range: &calamine::Range<Data>, first_heading: &str) -> Option<Table> {
    let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
    let header_at = rows.iter().position(|r| r.iter().any(|c| text(Some(c)) == first_heading))?;
    let header: BTreeMap<String, usize> = rows
        .get(header_at)?
        .iter()
        .enumerate()
        .map(|(i, c)| (text(Some(c)).to_ascii_lowercase(), i))
        .filter(|(k, _)| !k.is_empty())
        .collect();
    Some((header, rows.into_iter().skip(header_at + 1).collect()))
}

impl Previous {
    /// Read a summary workbook this tool wrote. Only each school's latest return is used.
    pub fn load(path: &Path) -> Result<Previous, String> {
        let mut book = open_workbook_auto(path).map_err(|e| {
            format!("the previous summary {} could not be opened ({e}); give a workbook written by cpoms-qa summarise", path.display())
        })?;
        let schools_range = book
            .worksheet_range("Schools")
            .map_err(|_| format!("{} has no Schools sheet; give a workbook written by cpoms-qa summarise", path.display()))?;
        let (head, rows) = table(&schools_range, "School")
            .ok_or_else(|| format!("{}: the Schools sheet has no heading row", path.display()))?;
        let col = |name: &str| head.get(name).copied();
        let school_col = col("school").ok_or("the previous Schools sheet has no School column")?;
        let mut prev = Previous::default();
        for row in &rows {
            let school = text(row.get(school_col));
            if school.is_empty() {
                continue;
            }
            if let Some(c) = col("return") {
                if text(row.get(c)) != "latest" {
                    continue;
                }
            }
            let get = |name: &str| col(name).and_then(|c| number(row.get(c)));
            prev.schools.insert(
                register::school_key(&school),
                PreviousSchool {
                    school: school.clone(),
                    overall_standard: get("overall standard"),
                    rating_3_3: get("rating 3.3"),
                    rating_4_2: get("rating 4.2"),
                    cp: get("cp"),
                    cin: get("cin"),
                    lac: get("lac"),
                    eh: get("eh"),
                    open_actions: Vec::new(),
                },
            );
        }
        if let Ok(actions_range) = book.worksheet_range("Actions") {
            if let Some((head, rows)) = table(&actions_range, "Action") {
                let col = |name: &str| head.get(name).copied();
                if let (Some(sc), Some(ac), Some(st)) = (col("school"), col("action"), col("status")) {
                    for row in &rows {
                        let status = text(row.get(st));
                        let open = matches!(status.as_str(), "overdue" | "due within 4 weeks" | "later" | "no date");
                        if !open {
                            continue;
                        }
                        let key = register::school_key(&text(row.get(sc)));
                        if let Some(s) = prev.schools.get_mut(&key) {
                            s.open_actions.push(text(row.get(ac)));
                        }
                    }
                }
            }
        }
        Ok(prev)
    }

    /// Last term's figures for a school (by the name shown this term).
    pub fn school(&self, name: &str) -> Option<&PreviousSchool> {
        self.schools.get(&register::school_key(name))
    }
}

/// True when `action` repeats one of last term's open actions.
pub fn was_open_last_term(prev: &PreviousSchool, action: &str) -> bool {
    prev.open_actions.iter().any(|a| register::text_similarity(a, action) >= 0.6)
}
