//! The summary workbook, written from the fixtures' truth records and read back with calamine.

mod common;

use common::truth_records;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use calamine::{open_workbook_auto, Data, Reader};
use chrono::NaiveDate;
use cpoms_qa::record::Record;
use cpoms_qa::summarise::{write_workbook, SummaryOptions};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cpoms-qa-summary-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn sheet(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut book = open_workbook_auto(path).unwrap();
    let range = book.worksheet_range(name).unwrap();
    // Absolute rows from A1, so indices match the sheet.
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let mut rows = vec![Vec::new(); r0 as usize];
    for row in range.rows() {
        let mut v = vec![Data::Empty; c0 as usize];
        v.extend(row.iter().cloned());
        rows.push(v);
    }
    rows
}

fn s(cell: Option<&Data>) -> String {
    match cell {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(f)) => f.to_string(),
        Some(Data::Int(i)) => i.to_string(),
        Some(Data::DateTime(dt)) => (d(1899, 12, 30) + chrono::Days::new(dt.as_f64() as u64)).format("%Y-%m-%d").to_string(),
        _ => String::new(),
    }
}

fn num(cell: Option<&Data>) -> Option<f64> {
    match cell {
        Some(Data::Float(f)) => Some(*f),
        Some(Data::Int(i)) => Some(*i as f64),
        _ => None,
    }
}

/// Header row index and a title → column map.
fn header(rows: &[Vec<Data>], first: &str) -> (usize, BTreeMap<String, usize>) {
    let at = rows.iter().position(|r| r.iter().any(|c| s(Some(c)) == first)).expect("header row");
    let map = rows[at].iter().enumerate().map(|(i, c)| (s(Some(c)), i)).filter(|(k, _)| !k.is_empty()).collect();
    (at, map)
}

fn zip_part(path: &Path, part: &str) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut text = String::new();
    zip.by_name(part).unwrap().read_to_string(&mut text).unwrap();
    text
}

fn sqrefs(xml: &str) -> Vec<String> {
    xml.split("<conditionalFormatting sqref=\"").skip(1).filter_map(|p| p.split('"').next()).map(String::from).collect()
}

#[test]
fn workbook_from_truth_records() {
    let records = truth_records();
    let dir = out_dir("main");
    let out = dir.join("summary.xlsx");
    let opts = SummaryOptions::new(d(2025, 1, 1));
    let summary = write_workbook(&records, &out, &opts).unwrap();
    assert_eq!(summary.files, records.len());

    // Sheets, in order.
    let book = open_workbook_auto(&out).unwrap();
    let names = book.sheet_names();
    assert_eq!(&names[..6], &["Dashboard", "Schools", "Answers", "Actions", "Questions", "Problems"]);
    assert_eq!(names, summary.sheets);

    // 0600 on Unix.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    }

    // Schools: one row per return; Old Mill's latest return (24/10/2024) has standard 3.
    let rows = sheet(&out, "Schools");
    let (h, col) = header(&rows, "School");
    let data: Vec<&Vec<Data>> = rows.iter().skip(h + 1).filter(|r| !s(r.get(col["School"])).is_empty()).collect();
    assert_eq!(data.len(), records.len());
    let old_mill: Vec<&&Vec<Data>> = data.iter().filter(|r| s(r.get(col["School"])) == "Old Mill Primary School").collect();
    assert_eq!(old_mill.len(), 3);
    let latest: Vec<_> = old_mill.iter().filter(|r| s(r.get(col["Return"])) == "latest").collect();
    assert_eq!(latest.len(), 1);
    assert_eq!(s(latest[0].get(col["Form date"])), "2024-10-24");
    assert_eq!(num(latest[0].get(col["Overall standard"])), Some(3.0));
    assert_eq!(num(latest[0].get(col["Rating 4.2"])), Some(4.0));
    // Its review is due on 03/09/2025: not overdue on 01/01/2025.
    assert_eq!(s(latest[0].get(col["Review status"])), "due");
    // The 23/04/2024 return asked for a review by 15/11/2024; the 24/10/2024 return came before
    // it, so on 01/01/2025 that review is overdue.
    let april = old_mill.iter().find(|r| s(r.get(col["Form date"])) == "2024-04-23").unwrap();
    assert_eq!(s(april.get(col["Return"])), "earlier");
    assert_eq!(s(april.get(col["Review status"])), "overdue");

    // Flags say in words what the red means, on latest returns only.
    let old_mill_overdue = num(latest[0].get(col["Overdue actions"])).unwrap_or(0.0) as usize;
    let expected = match old_mill_overdue {
        0 => "poor standard".to_string(),
        1 => "poor standard; 1 overdue action".to_string(),
        n => format!("poor standard; {n} overdue actions"),
    };
    assert_eq!(s(latest[0].get(col["Flags"])), expected);
    assert_eq!(s(april.get(col["Flags"])), "");

    // Rowan Tree's 26/02/2021 review (due 17/09/2021) is done: a later return is dated after it.
    let rowan = data
        .iter()
        .find(|r| s(r.get(col["School"])) == "Rowan Tree Primary" && s(r.get(col["Form date"])) == "2021-02-26")
        .unwrap();
    assert_eq!(s(rowan.get(col["Review date"])), "2021-09-17");
    assert_eq!(s(rowan.get(col["Review status"])), "done");

    // Flagged (overdue review or poor standard) latest rows come first, and earlier returns last.
    let flagged: Vec<(bool, bool)> = data
        .iter()
        .filter(|r| s(r.get(col["Return"])) == "latest")
        .map(|r| {
            let poor = ["Overall standard", "Rating 3.3", "Rating 4.2"].iter().any(|c| num(r.get(col[*c])).is_some_and(|v| v >= 4.0));
            let overdue = s(r.get(col["Review status"])) == "overdue";
            let flags = s(r.get(col["Flags"]));
            assert_eq!(flags.contains("poor standard"), poor);
            assert_eq!(flags.contains("overdue review"), overdue);
            let late_actions = num(r.get(col["Overdue actions"])).is_some_and(|n| n > 0.0);
            assert_eq!(flags.contains("overdue action"), late_actions);
            (poor || overdue, late_actions)
        })
        .collect();
    let first_unflagged = flagged.iter().position(|f| !f.0).unwrap();
    assert!(first_unflagged > 0);
    assert!(flagged[first_unflagged..].iter().all(|f| !f.0), "flagged rows sort first");
    // Then the returns whose only flag is an overdue action, then the rest.
    let rest: Vec<bool> = flagged[first_unflagged..].iter().map(|f| f.1).collect();
    let first_on_time = rest.iter().position(|late| !late).unwrap_or(rest.len());
    assert!(rest[first_on_time..].iter().all(|late| !late), "overdue actions sort before the rest");
    let returns: Vec<String> = data.iter().map(|r| s(r.get(col["Return"]))).collect();
    let first_earlier = returns.iter().position(|r| r == "earlier").unwrap();
    assert!(returns[first_earlier..].iter().all(|r| r == "earlier"));

    // Actions: Old Mill's "Move historic paper files onto CPOMS" is due 30/12/2024: overdue.
    let rows = sheet(&out, "Actions");
    let (h, col) = header(&rows, "Action");
    let acts: Vec<&Vec<Data>> = rows.iter().skip(h + 1).filter(|r| !s(r.get(col["Action"])).is_empty()).collect();
    assert_eq!(acts.len(), records.iter().map(|r| r.actions.len()).sum::<usize>());
    let mv = acts
        .iter()
        .find(|r| s(r.get(col["Action"])) == "Move historic paper files onto CPOMS" && s(r.get(col["Form date"])) == "2024-10-24")
        .unwrap();
    assert_eq!(s(mv.get(col["Timescale (as written)"])), "30/12/2024");
    assert_eq!(s(mv.get(col["Due date"])), "2024-12-30");
    assert_eq!(s(mv.get(col["Status"])), "overdue");
    // "by half term" on Forest Gate's 26/09/2023 return: the Friday before the October half term.
    let fg: Vec<_> = acts
        .iter()
        .filter(|r| s(r.get(col["School"])) == "Forest Gate Primary School" && s(r.get(col["Timescale (as written)"])) == "by half term")
        .collect();
    assert_eq!(fg.len(), 1);
    assert_eq!(s(fg[0].get(col["Due date"])), "2023-10-27");
    assert_eq!(s(fg[0].get(col["Due date from"])), "term dates");
    // "termly" has no date, and the timescale stays beside it.
    let termly = acts.iter().find(|r| s(r.get(col["Timescale (as written)"])) == "termly").unwrap();
    assert_eq!(s(termly.get(col["Due date"])), "");
    // Overdue first.
    let statuses: Vec<String> = acts.iter().map(|r| s(r.get(col["Status"]))).collect();
    let first_not = statuses.iter().position(|x| x != "overdue").unwrap();
    assert!(statuses[first_not..].iter().all(|x| x != "overdue"));

    // Dashboard totals of active cases equal the sums over the truth records (all returns) and
    // over each school's latest return.
    let rows = sheet(&out, "Dashboard");
    let (h, col) = header(&rows, "Cases");
    let mut latest_by_school: BTreeMap<String, &Record> = BTreeMap::new();
    for r in &records {
        let key = r.header.school.clone().unwrap_or_else(|| r.source.clone());
        let e = latest_by_school.entry(key).or_insert(r);
        if (r.header.date.clone(), &r.source) > (e.header.date.clone(), &e.source) {
            *e = r;
        }
    }
    type Get = fn(&Record) -> Option<u32>;
    let kinds: [(&str, Get); 4] = [
        ("CP", |r| r.case_counts.cp),
        ("CIN", |r| r.case_counts.cin),
        ("LAC", |r| r.case_counts.lac),
        ("EH", |r| r.case_counts.eh),
    ];
    for (i, (name, get)) in kinds.iter().enumerate() {
        let row = &rows[h + 1 + i];
        assert!(s(row.first()).starts_with(name));
        let all: u32 = records.iter().filter_map(get).sum();
        let latest: u32 = latest_by_school.values().filter_map(|r| get(r)).sum();
        assert_eq!(num(row.get(col["All returns read"])), Some(all as f64), "{name} over all returns");
        assert_eq!(num(row.get(col["Latest return per school"])), Some(latest as f64), "{name} over latest returns");
    }
    // Questions: worst first; counts over each school's latest return.
    let qrows = sheet(&out, "Questions");
    let (qh, qcol) = header(&qrows, "Id");
    let qdata: Vec<&Vec<Data>> = qrows.iter().skip(qh + 1).filter(|r| !s(r.first()).is_empty()).collect();
    assert_eq!(qdata.len(), 42);
    let worst: Vec<f64> = qdata.iter().map(|r| num(r.get(qcol["% NO or blank"])).unwrap()).collect();
    assert!(worst.windows(2).all(|w| w[0] >= w[1]), "worst first");
    for id in ["1.5", "3.3", "9.10"] {
        let row = qdata.iter().find(|r| s(r.first()) == id).unwrap();
        let no = latest_by_school.values().filter(|r| r.questions[id].answer == Some(cpoms_qa::record::Answer::No)).count();
        let blank = latest_by_school
            .values()
            .filter(|r| r.questions[id].answer.is_none() && r.questions[id].rating.flatten().is_none())
            .count();
        assert_eq!(num(row.get(qcol["NO"])), Some(no as f64), "{id}");
        assert_eq!(num(row.get(qcol["Blank"])), Some(blank as f64), "{id}");
    }
    // The dashboard's five questions are the Questions sheet's first five, and any tied with the
    // fifth.
    let (fh, _) = header(&rows, "Question");
    for i in 0..5 {
        let id = s(qdata[i].first());
        assert!(s(rows[fh + 1 + i].first()).starts_with(&format!("{id}: ")), "{id}");
    }
    let share = |r: &Vec<Data>| num(r.get(qcol["% NO or blank"]));
    let tied = qdata.iter().skip(5).take_while(|r| share(r) == share(qdata[4])).count();
    for i in 5..5 + tied {
        let id = s(qdata[i].first());
        assert!(s(rows[fh + 1 + i].first()).starts_with(&format!("{id}: ")), "tie {id} shown");
    }
    assert!(!s(rows[fh + 1 + 5 + tied].first()).contains(": "), "nothing after the ties");
    let files = rows.iter().find(|r| s(r.first()) == "Files read").unwrap();
    assert_eq!(num(files.get(1)), Some(records.len() as f64));

    // Conditional formats: Schools RAG on overall standard and ratings (F..H) over every data row;
    // Answers NO/blank over every question column (D..AS).
    let n = records.len() as u32;
    let schools_xml = zip_part(&out, "xl/worksheets/sheet2.xml");
    let refs = sqrefs(&schools_xml);
    assert!(refs.contains(&format!("F3:H{}", n + 2)), "{refs:?}");
    assert!(refs.contains(&format!("A3:A{}", n + 2)), "{refs:?}");
    let answers_xml = zip_part(&out, "xl/worksheets/sheet3.xml");
    let refs = sqrefs(&answers_xml);
    assert!(refs.contains(&format!("D3:AS{}", n + 2)), "{refs:?}");
    assert!(answers_xml.contains("containsBlanks"));
    // Dates are real dates with a day-first format.
    let styles = zip_part(&out, "xl/styles.xml");
    assert!(styles.contains("dd/mm/yyyy"));
}

#[test]
fn refuses_to_write_over_an_input() {
    let dir = out_dir("refuse");
    let input = dir.join("return.xlsx");
    std::fs::write(&input, b"not really a workbook").unwrap();
    let mut record = Record::empty(input.to_string_lossy(), "xlsx");
    record.header.school = Some("Old Mill Primary School".into());
    let err = write_workbook(&[record], &input, &SummaryOptions::new(d(2025, 1, 1))).unwrap_err();
    assert!(err.contains("refusing"), "{err}");
    assert_eq!(std::fs::read(&input).unwrap(), b"not really a workbook");
}

#[test]
fn empty_and_failed_only_piles_still_give_a_workbook() {
    let dir = out_dir("edge");
    let opts = SummaryOptions::new(d(2025, 1, 1));
    let empty = dir.join("empty.xlsx");
    let summary = write_workbook(&[], &empty, &opts).unwrap();
    assert_eq!(summary.files, 0);
    assert_eq!(open_workbook_auto(&empty).unwrap().sheet_names().len(), 6);
    let failed = Record::failed("letter.docx", "docx", "not a QA form");
    let mut opts = SummaryOptions::new(d(2025, 1, 1));
    opts.skipped = vec![("photo.png".into(), ".png file".into())];
    let out = dir.join("failed.xlsx");
    let summary = write_workbook(&[failed], &out, &opts).unwrap();
    assert_eq!((summary.failed, summary.schools, summary.skipped), (1, 0, 1));
    let problems = sheet(&out, "Problems");
    let (h, col) = header(&problems, "File");
    assert_eq!(s(problems[h + 1].get(col["Status"])), "failed");
    assert_eq!(s(problems[h + 1].get(col["Problem"])), "not a QA form");
    assert_eq!(s(problems[h + 2].get(col["Status"])), "skipped");
}

#[test]
fn hostile_text_and_odd_dates_still_give_a_workbook() {
    let mut r = truth_records().remove(0);
    r.header.school = Some("=HYPERLINK(\"http://x\")\u{0}\u{7}<b>&amp; 🏫".into());
    r.header.date = Some("1066-10-14".into());
    r.review_date = Some("9999-12-31".into());
    r.questions.get_mut("1.4").unwrap().comment = Some("x".repeat(40_000));
    r.actions[0].action = "y\u{1b}[31m".repeat(10_000);
    r.actions[0].timescale = Some("by half term".into());
    let out = out_dir("hostile").join("summary.xlsx");
    let summary = write_workbook(&[r], &out, &SummaryOptions::new(d(2025, 1, 1))).unwrap();
    assert_eq!(summary.schools, 1);
    let rows = sheet(&out, "Schools");
    let (h, col) = header(&rows, "School");
    // A formula-like name stays text; the pre-1900 date is shown as text.
    assert!(s(rows[h + 1].get(col["School"])).starts_with("=HYPERLINK"));
    assert_eq!(s(rows[h + 1].get(col["Form date"])), "14/10/1066");
}

/// Every part of the workbook but its creation time (docProps/core.xml), by name.
fn parts(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).unwrap();
        let mut bytes = Vec::new();
        part.read_to_end(&mut bytes).unwrap();
        let name = part.name().map(|n| n.to_string()).unwrap_or_default();
        out.insert(name, bytes);
    }
    out.remove("docProps/core.xml");
    out
}

#[test]
fn the_workbook_is_the_same_whatever_the_number_of_threads_building_its_sheets() {
    // Enough returns for every sheet (Comments too) and for the long sheets to be built at the
    // same time as the others: 25 copies of each truth record, one school a copy so each has a
    // history.
    let truth = truth_records();
    let mut records = Vec::new();
    for copy in 0..25 {
        for r in &truth {
            let mut r = r.clone();
            r.source = format!("copy{copy:02}/{}", r.source);
            records.push(r);
        }
    }
    records.push(Record::failed("broken.docx", "docx", "the file is damaged"));
    let dir = out_dir("threads");
    let build = |threads: usize, run: usize| {
        let mut opts = SummaryOptions::new(d(2025, 1, 1));
        opts.threads = Some(threads);
        let out = dir.join(format!("t{threads}-{run}.xlsx"));
        let summary = write_workbook(&records, &out, &opts).unwrap();
        (summary.sheets, parts(&out))
    };
    let (sheets, one) = build(1, 0);
    assert!(sheets.iter().any(|s| s == "Comments") && sheets.iter().any(|s| s == "History"), "{sheets:?}");
    for run in 0..3 {
        let (_, many) = build(4, run);
        assert_eq!(one.keys().collect::<Vec<_>>(), many.keys().collect::<Vec<_>>());
        for (name, bytes) in &one {
            assert!(many.get(name) == Some(bytes), "{name} differs between 1 and 4 threads (run {run})");
        }
    }
}
