//! Trust roll-up (`--schools`, `--group-by`), term on term (`--previous`) and history, from the
//! fixtures' truth records.

mod common;

use common::truth_records;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use calamine::{open_workbook_auto, Data, Reader};
use chrono::NaiveDate;
use cpoms_qa::record::Record;
use cpoms_qa::summarise::{write_workbook, Previous, Register, SummaryOptions};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cpoms-qa-rollup-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn rows(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut book = open_workbook_auto(path).unwrap();
    book.worksheet_range(name).unwrap().rows().map(|r| r.to_vec()).collect()
}

fn s(cell: Option<&Data>) -> String {
    match cell {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(f)) => f.to_string(),
        _ => String::new(),
    }
}

fn num(cell: Option<&Data>) -> Option<f64> {
    match cell {
        Some(Data::Float(f)) => Some(*f),
        Some(Data::Int(i)) => Some(*i as f64),
        Some(Data::String(s)) => s.parse().ok(),
        _ => None,
    }
}

fn header(rows: &[Vec<Data>], first: &str) -> (usize, BTreeMap<String, usize>) {
    let at = rows.iter().position(|r| r.iter().any(|c| s(Some(c)) == first)).expect("header row");
    (at, rows[at].iter().enumerate().map(|(i, c)| (s(Some(c)), i)).collect())
}

/// A register naming the schools differently from the returns, with trusts; one school left out.
const REGISTER: &str = "URN,School,Trust,Local authority,Phase\n\
100001,The Old Mill Primary,Pennine Learning Trust,Calderdale,Primary\n\
100002,Rowan Tree Primary School,Pennine Learning Trust,Calderdale,Primary\n\
100003,\"St. Hildas C of E (VA) Primary School\",Diocesan Trust,Kirklees,Primary\n\
100004,Lady Margarets Church of England Junior School,Diocesan Trust,Kirklees,Primary\n\
100005,Wharfedale Academy,Dales Academies Trust,Leeds,Secondary\n";

#[test]
fn register_join_group_by_trust_with_subtotals() {
    let records = truth_records();
    let mut opts = SummaryOptions::new(d(2025, 1, 1));
    opts.register = Some(Register::from_csv(REGISTER).unwrap());
    opts.group_by = Some("Trust".into());
    let out = out_dir("group").join("summary.xlsx");
    let summary = write_workbook(&records, &out, &opts).unwrap();
    let in_register = ["Old Mill Primary School", "Rowan Tree Primary", "St Hilda's CE (VA) Primary School", "Lady Margaret's CE Junior School", "Wharfedale Academy"];
    let expected_unmatched = records.iter().filter(|r| !in_register.contains(&r.header.school.as_deref().unwrap_or(""))).count();
    assert_eq!(summary.unmatched.len(), expected_unmatched);

    let sheet = rows(&out, "Schools");
    let (h, col) = header(&sheet, "School");
    let trust = col["Trust"];
    // Each return carries its register row: St Hilda's is in the Diocesan Trust, named as in the register.
    let hilda = sheet.iter().skip(h + 1).find(|r| s(r.get(col["Source file"])).contains("St_Hilda") || s(r.get(col["School"])).contains("Hildas")).unwrap();
    assert_eq!(s(hilda.get(trust)), "Diocesan Trust");
    assert_eq!(s(hilda.get(col["Register: URN"])), "100003");
    // Subtotal rows: CP summed over each trust's latest returns.
    let mut expected: BTreeMap<&str, f64> = BTreeMap::new();
    let mut latest: BTreeMap<&str, &Record> = BTreeMap::new();
    for r in &records {
        let name = r.header.school.as_deref().unwrap_or("");
        if in_register.contains(&name) {
            let e = latest.entry(name).or_insert(r);
            if r.header.date > e.header.date {
                *e = r;
            }
        }
    }
    for (name, r) in &latest {
        let t = match *name {
            "Old Mill Primary School" | "Rowan Tree Primary" => "Pennine Learning Trust",
            "Wharfedale Academy" => "Dales Academies Trust",
            _ => "Diocesan Trust",
        };
        *expected.entry(t).or_default() += r.case_counts.cp.unwrap_or(0) as f64;
    }
    let dash = rows(&out, "Dashboard");
    let (dh, dcol) = header(&dash, "Trust");
    for (t, cp) in &expected {
        let row = dash.iter().skip(dh + 1).find(|r| s(r.first()) == *t).unwrap();
        assert_eq!(num(row.get(dcol["CP"])), Some(*cp), "dashboard {t}");
    }
    for (t, cp) in expected {
        let sub = sheet.iter().find(|r| s(r.get(trust)) == format!("Subtotal: {t}")).unwrap_or_else(|| panic!("subtotal for {t}"));
        assert_eq!(num(sub.get(col["CP"])), Some(cp), "{t}");
    }
    assert!(sheet.iter().any(|r| s(r.get(trust)) == "Subtotal: (not in register)"));
    // Unmatched returns are listed on Problems.
    let problems = rows(&out, "Problems");
    let listed = problems.iter().filter(|r| s(r.get(1)) == "not in register").count();
    assert_eq!(listed, expected_unmatched);
}

#[test]
fn previous_term_changes() {
    let records = truth_records();
    let dir = out_dir("previous");
    // Last term's summary: the returns dated before 2024.
    let before: Vec<Record> = records.iter().filter(|r| r.header.date.as_deref().is_some_and(|x| x < "2024-01-01")).cloned().collect();
    let last = dir.join("last-term.xlsx");
    write_workbook(&before, &last, &SummaryOptions::new(d(2024, 1, 1))).unwrap();
    let prev = Previous::load(&last).unwrap();
    // Old Mill's latest return before 2024 is 15/06/2022, standard 4.
    let old_mill = prev.school("Old Mill Primary School").unwrap();
    assert_eq!(old_mill.overall_standard, Some(4.0));

    let mut opts = SummaryOptions::new(d(2025, 1, 1));
    opts.previous = Some(prev);
    let out = dir.join("this-term.xlsx");
    write_workbook(&records, &out, &opts).unwrap();
    let sheet = rows(&out, "Schools");
    let (h, col) = header(&sheet, "School");
    let row = sheet
        .iter()
        .skip(h + 1)
        .find(|r| s(r.get(col["School"])) == "Old Mill Primary School" && s(r.get(col["Return"])) == "latest")
        .unwrap();
    // 24/10/2024 standard 3 against 4 last term: improved by one.
    assert_eq!(num(row.get(col["Standard last term"])), Some(4.0));
    assert_eq!(num(row.get(col["Standard change"])), Some(-1.0));
    assert_eq!(s(row.get(col["Trend"])), "improved");
    let cp_now = records.iter().find(|r| r.header.school.as_deref() == Some("Old Mill Primary School") && r.header.date.as_deref() == Some("2024-10-24")).unwrap().case_counts.cp;
    let cp_then = records.iter().find(|r| r.header.school.as_deref() == Some("Old Mill Primary School") && r.header.date.as_deref() == Some("2022-06-15")).unwrap().case_counts.cp;
    if let (Some(a), Some(b)) = (cp_now, cp_then) {
        assert_eq!(num(row.get(col["CP change"])), Some(a as f64 - b as f64));
    }
    // Redbrook's only return (05/06/2025) is new since last term.
    let chapel = sheet.iter().skip(h + 1).find(|r| s(r.get(col["School"])) == "Redbrook Primary Academy" && s(r.get(col["Return"])) == "latest").unwrap();
    assert_eq!(s(chapel.get(col["Trend"])), "new");
}
