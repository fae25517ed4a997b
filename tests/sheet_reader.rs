//! The spreadsheet reader against the form fixtures, hostile workbooks and the real-world corpus.

use std::path::{Path, PathBuf};

use cpoms_qa::model::{Block, Cell, Document, Format, Table};
use cpoms_qa::read::{self, Deadline, Limits};

fn forms_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/forms")
}

fn read_sheet(path: &Path) -> Result<Document, read::ReadError> {
    let limits = Limits::default();
    let format = read::sniff::sniff_path(path).unwrap_or(Format::Unknown);
    let format = if format.is_spreadsheet() { format } else { format_by_ext(path) };
    read::sheet::read(path, format, &limits, &Deadline::after(limits.max_time))
}

fn format_by_ext(path: &Path) -> Format {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase().as_str() {
        "xlsx" => Format::Xlsx,
        "xlsm" => Format::Xlsm,
        "xls" => Format::Xls,
        _ => Format::Ods,
    }
}

fn tables(doc: &Document) -> Vec<&Table> {
    doc.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .collect()
}

fn all_cells(doc: &Document) -> Vec<&Cell> {
    tables(doc).into_iter().flat_map(|t| t.rows.iter().flat_map(|r| r.cells.iter())).collect()
}

fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").replace('\u{2019}', "'").to_lowercase()
}

fn spreadsheet_forms() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(forms_dir())
        .expect("fixtures/forms exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("xlsx" | "ods" | "xlsm" | "xls")))
        .collect();
    v.sort();
    v
}

fn truth(p: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(format!("{}.truth.json", p.display())).expect("truth file");
    serde_json::from_str(&text).expect("truth is JSON")
}

/// Every spreadsheet form: each of the 42 row wordings and the header labels is in some cell.
#[test]
fn every_spreadsheet_form_holds_the_rows_and_header_labels() {
    let forms = spreadsheet_forms();
    assert!(forms.len() >= 20, "expected the spreadsheet fixtures, found {}", forms.len());
    for p in &forms {
        let doc = read_sheet(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let texts: Vec<String> = all_cells(&doc).iter().map(|c| norm(&c.text())).filter(|t| !t.is_empty()).collect();
        let has = |needle: &str| {
            let n = norm(needle);
            texts.iter().any(|t| t.contains(&n))
        };
        for q in cpoms_qa::catalogue::QUESTIONS {
            assert!(has(q.wording), "{}: row {} wording missing", p.display(), q.id);
        }
        for f in cpoms_qa::catalogue::HEADER {
            assert!(has(f.wording), "{}: header label {:?} missing", p.display(), f.wording);
        }
        // Columns line up: within a sheet, every row covers the same grid width.
        for t in tables(&doc) {
            let widths: Vec<u32> = t.rows.iter().map(|r| r.cells.iter().map(|c| c.span).sum()).collect();
            assert!(widths.windows(2).all(|w| w[0] == w[1]), "{}: ragged rows in {:?}", p.display(), t.name);
        }
    }
}

/// Real dates become ISO text: where the form was written with real date cells, the header date
/// of the truth file is a cell's whole text.
#[test]
fn real_date_cells_read_as_iso_text() {
    let mut checked = 0;
    for p in spreadsheet_forms() {
        let t = truth(&p);
        let variant = t.get("_variant").map(|v| v.get("source_variant").unwrap_or(v).clone());
        let real = variant.as_ref().and_then(|v| v.get("real_dates")).and_then(|v| v.as_bool()) == Some(true);
        let Some(date) = t["header"]["date"].as_str() else { continue };
        if !real {
            continue;
        }
        let doc = read_sheet(&p).expect("readable");
        assert!(all_cells(&doc).iter().any(|c| c.text() == date), "{}: no cell reads {date}", p.display());
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} forms with real dates checked");
}

fn find_cell<'a>(doc: &'a Document, text: &str) -> Vec<&'a Cell> {
    all_cells(doc).into_iter().filter(|c| c.text() == text).collect()
}

#[test]
fn named_fixture_cells() {
    // 009: one sheet, label cells A:B merged with values C:E; section header rows grey and bold.
    let doc = read_sheet(&forms_dir().join("009_Birchwood_Primary_School_cpoms_qa.xlsx")).expect("readable");
    let t = tables(&doc);
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].name.as_deref(), Some("CPOMS QA"));
    let row = t[0].rows.iter().find(|r| r.cells.first().is_some_and(|c| c.text() == "Date:")).expect("Date row");
    assert_eq!(row.cells[0].span, 2);
    assert_eq!(row.cells[1].text(), "2025-07-14");
    let yes = find_cell(&doc, "YES");
    assert!(!yes.is_empty());
    assert!(yes.iter().all(|c| c.shading.as_deref() == Some("D9D9D9") && c.runs()[0].format.bold));
    // The row number 9.10 typed as text stays "9.10"; a comment keeps its line break.
    assert_eq!(find_cell(&doc, "9.10").len(), 1);
    assert_eq!(find_cell(&doc, "No evidence of escalation although concerns persisted\nFollow up next visit").len(), 1);

    // 035: one sheet per section (11 sheets), row numbers as numbers ("9.10" arrives as 9.1).
    let doc = read_sheet(&forms_dir().join("035_Brambleside_Infant_School_cpoms_qa.xlsx")).expect("readable");
    assert_eq!(tables(&doc).len(), 11);
    assert_eq!(find_cell(&doc, "9.1").len(), 2);
    assert!(find_cell(&doc, "9.10").is_empty());

    // 049 (.ods): an "Answer" column; grey bold header cells; a real date.
    let doc = read_sheet(&forms_dir().join("049 CPOMS QA - St Hildas CE (VA) Primary School - Nov 2020.ods")).expect("readable");
    let answer = find_cell(&doc, "Answer");
    assert!(!answer.is_empty());
    assert!(answer.iter().all(|c| c.shading.as_deref() == Some("D9D9D9") && c.runs()[0].format.bold));
    assert_eq!(find_cell(&doc, "2020-11-03").len(), 1);
    assert_eq!(find_cell(&doc, "Disclosure recorded late (next day)\nFollow up next visit").len(), 1);
}

/// A return whose consultant highlighted, bolded or coloured the chosen answer keeps the marks.
#[test]
fn formatting_marks_survive() {
    use rust_xlsxwriter::{Color, Format as XFormat, FormatUnderline, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Section 1").unwrap();
    let yellow = XFormat::new().set_background_color(Color::RGB(0xFFFF00));
    let bold_red = XFormat::new().set_bold().set_font_color(Color::RGB(0xFF0000));
    let under = XFormat::new().set_underline(FormatUnderline::Single);
    let strike = XFormat::new().set_font_strikethrough();
    let date = XFormat::new().set_num_format("dd/mm/yyyy");
    let plain = XFormat::new();
    let bold = XFormat::new().set_bold();
    ws.write_string(0, 0, "1.4").unwrap();
    ws.write_string_with_format(0, 2, "YES", &yellow).unwrap();
    ws.write_string_with_format(0, 3, "NO", &strike).unwrap();
    ws.write_string_with_format(1, 2, "YES", &bold_red).unwrap();
    ws.write_string_with_format(1, 3, "NO", &under).unwrap();
    ws.write_number_with_format(2, 0, 45852.0, &date).unwrap();
    ws.write_number(2, 1, 9.1).unwrap();
    ws.write_number(2, 2, 9.0).unwrap();
    ws.write_boolean(2, 3, true).unwrap();
    ws.write_rich_string(3, 0, &[(&plain, "1  2  "), (&bold, "3"), (&plain, "  4  5")]).unwrap();
    let dir = std::env::temp_dir().join(format!("sheet-marks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("marks.xlsx");
    wb.save(&path).unwrap();
    let doc = read_sheet(&path).expect("readable");
    let _ = std::fs::remove_dir_all(&dir);
    let t = tables(&doc);
    assert_eq!(t[0].name.as_deref(), Some("Section 1"));
    let rows = &t[0].rows;
    assert_eq!(rows[0].cells[2].shading.as_deref(), Some("FFFF00"));
    assert!(rows[0].cells[3].runs()[0].format.strike);
    let f = &rows[1].cells[2].runs()[0].format;
    assert!(f.bold && f.colour.as_deref() == Some("FF0000"));
    assert!(rows[1].cells[3].runs()[0].format.underline);
    let texts: Vec<String> = rows[2].cells.iter().map(|c| c.text()).collect();
    assert_eq!(texts, ["2025-07-14", "9.1", "9", "TRUE"]);
    let runs = rows[3].cells[0].runs();
    assert_eq!(rows[3].cells[0].text(), "1  2  3  4  5");
    let bold_runs: Vec<&str> = runs.iter().filter(|r| r.format.bold).map(|r| r.text.as_str()).collect();
    assert_eq!(bold_runs, ["3"]);
}

/// A 5 KB workbook with cells at A1 and XFD1048576 reads quickly into one small table.
#[test]
fn far_away_cell_is_bounded() {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "near").unwrap();
    ws.write_string(1_048_575, 16_383, "far").unwrap();
    let dir = std::env::temp_dir().join(format!("sheet-far-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("far.xlsx");
    wb.save(&path).unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() < 20_000);
    let started = std::time::Instant::now();
    let doc = read_sheet(&path).expect("readable");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(started.elapsed().as_secs() < 5);
    let t = tables(&doc);
    assert_eq!(t[0].rows.len(), 1);
    assert_eq!(t[0].rows[0].cells.len(), 1);
    assert_eq!(t[0].rows[0].cells[0].text(), "near");
    assert!(doc.notes.iter().any(|n| n.contains("not read")));
}

fn write_zip(path: &Path, parts: &[(&str, &str)]) {
    use std::io::Write;
    let f = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, body) in parts {
        z.start_file(*name, opts).unwrap();
        z.write_all(body.as_bytes()).unwrap();
    }
    z.finish().unwrap();
}

/// Hostile .ods (a million repeated rows of content) and .xlsx (a forged shared-string count)
/// fail cleanly and fast.
#[test]
fn hostile_packages_fail_cleanly() {
    let dir = std::env::temp_dir().join(format!("sheet-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ods = dir.join("rows.ods");
    write_zip(&ods, &[
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        ("content.xml", r#"<?xml version="1.0"?><office:document-content xmlns:office="o" xmlns:table="t" xmlns:text="x"><office:body><office:spreadsheet><table:table table:name="S"><table:table-row table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#),
    ]);
    let started = std::time::Instant::now();
    let r = read_sheet(&ods);
    assert!(matches!(r, Err(read::ReadError::TooLarge(_))), "{r:?}");
    assert!(started.elapsed().as_secs() < 5);

    let xlsx = dir.join("sst.xlsx");
    write_zip(&xlsx, &[
        ("[Content_Types].xml", r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#),
        ("xl/workbook.xml", r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>"#),
        ("xl/sharedStrings.xml", r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4000000000" uniqueCount="4000000000"><si><t>a</t></si></sst>"#),
    ]);
    let r = read_sheet(&xlsx);
    assert!(matches!(r, Err(read::ReadError::Damaged(_))), "{r:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// .ods marks: a highlighted cell, a struck-through cell, one bold word inside a cell, repeated
/// and spanned cells, a comment that must not leak into the text.
#[test]
fn ods_marks_and_structure() {
    let dir = std::env::temp_dir().join(format!("sheet-odsmarks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("marks.ods");
    write_zip(&path, &[
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        ("content.xml", r##"<?xml version="1.0"?><office:document-content xmlns:office="o" xmlns:table="t" xmlns:text="x" xmlns:style="s" xmlns:fo="f"><office:automatic-styles><style:style style:name="ce1" style:family="table-cell"><style:table-cell-properties fo:background-color="#ffff00"/></style:style><style:style style:name="ce2" style:family="table-cell"><style:text-properties style:text-line-through-style="solid"/></style:style><style:style style:name="T1" style:family="text"><style:text-properties fo:font-weight="bold" fo:color="#ff0000"/></style:style></office:automatic-styles><office:body><office:spreadsheet><table:table table:name="Section 1"><table:table-row><table:table-cell office:value-type="float" office:value="1.4"><text:p>1.40</text:p></table:table-cell><table:table-cell table:style-name="ce1" office:value-type="string"><text:p>YES</text:p></table:table-cell><table:table-cell table:style-name="ce2" office:value-type="string"><text:p>NO</text:p></table:table-cell><table:table-cell office:value-type="string"><office:annotation><text:p>private note</text:p></office:annotation><text:p>1  2 <text:span text:style-name="T1">3</text:span><text:s text:c="2"/>4</text:p><text:p>second line</text:p></table:table-cell></table:table-row><table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-spanned="2" office:value-type="date" office:date-value="2020-03-23T00:00:00"><text:p>Monday 23 March 2020</text:p></table:table-cell><table:covered-table-cell/><table:table-cell table:number-columns-repeated="2" office:value-type="boolean" office:boolean-value="true"><text:p>TRUE</text:p></table:table-cell></table:table-row><table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"##),
    ]);
    let doc = read_sheet(&path).expect("readable");
    let _ = std::fs::remove_dir_all(&dir);
    let t = tables(&doc);
    assert_eq!(t[0].name.as_deref(), Some("Section 1"));
    let rows = &t[0].rows;
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].cells[0].text(), "1.4");
    assert_eq!(rows[0].cells[1].shading.as_deref(), Some("FFFF00"));
    assert!(rows[0].cells[2].runs()[0].format.strike);
    assert_eq!(rows[0].cells[3].text(), "1  2 3  4\nsecond line");
    let bold: Vec<(&str, Option<&str>)> =
        rows[0].cells[3].runs().iter().filter(|r| r.format.bold).map(|r| (r.text.as_str(), r.format.colour.as_deref())).collect();
    assert_eq!(bold, [("3", Some("FF0000"))]);
    for r in &rows[1..] {
        let cells: Vec<(String, u32)> = r.cells.iter().map(|c| (c.text(), c.span)).collect();
        assert_eq!(cells, [("2020-03-23".to_string(), 2), ("TRUE".to_string(), 1), ("TRUE".to_string(), 1)]);
    }
}

/// A part that inflates past the limit is refused before calamine reads it.
#[test]
fn zip_bomb_is_refused() {
    use std::io::Write;
    let dir = std::env::temp_dir().join(format!("sheet-bomb-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bomb.xlsx");
    let f = std::fs::File::create(&path).unwrap();
    let mut z = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    z.start_file("xl/workbook.xml", opts).unwrap();
    z.write_all(b"<workbook/>").unwrap();
    z.start_file("xl/sharedStrings.xml", opts).unwrap();
    let zeros = vec![b' '; 1024 * 1024];
    for _ in 0..3 {
        z.write_all(&zeros).unwrap();
    }
    z.finish().unwrap();
    let limits = Limits { max_inflated_bytes: 2 * 1024 * 1024, ..Limits::default() };
    let r = read::sheet::read(&path, Format::Xlsx, &limits, &Deadline::after(limits.max_time));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(matches!(r, Err(read::ReadError::TooLarge(_))), "{r:?}");
}

fn real_world_dir() -> Option<PathBuf> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    [here.join("../shared/fixtures/real-world"), here.join("../../shared/fixtures/real-world")]
        .into_iter()
        .find(|p| p.is_dir())
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if matches!(
            p.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase()).as_deref(),
            Some("xlsx" | "xlsm" | "xls" | "ods")
        ) {
            out.push(p);
        }
    }
}

/// Every real-world spreadsheet reads or fails with a reason: no panic, none slow.
#[test]
fn real_world_spreadsheets_never_panic() {
    let Some(dir) = real_world_dir() else {
        eprintln!("real-world fixtures not found; skipped");
        return;
    };
    let mut files = Vec::new();
    walk(&dir, &mut files);
    files.sort();
    assert!(files.len() > 300, "found only {} spreadsheets", files.len());
    let limits = Limits::default();
    let mut panics = Vec::new();
    let mut slow = Vec::new();
    let (mut ok, mut failed) = (0, 0);
    for p in &files {
        let started = std::time::Instant::now();
        let format = format_by_ext(p);
        let outcome = std::panic::catch_unwind(|| read::sheet::read(p, format, &limits, &Deadline::after(limits.max_time)));
        let took = started.elapsed();
        match outcome {
            Ok(Ok(_)) => ok += 1,
            Ok(Err(e)) => {
                failed += 1;
                if std::env::var("SHEET_VERBOSE").is_ok() {
                    eprintln!("{}: {e}", p.display());
                }
            }
            Err(_) => panics.push(p.display().to_string()),
        }
        // The deadline must be honoured (debug builds are slow; anything past it hung).
        if took > limits.max_time + std::time::Duration::from_secs(5) {
            slow.push(format!("{} ({took:?})", p.display()));
        } else if took.as_secs() > 3 {
            eprintln!("{}: {took:?}", p.display());
        }
    }
    eprintln!("real-world spreadsheets: {ok} read, {failed} failed with a reason");
    assert!(panics.is_empty(), "panicked on: {panics:#?}");
    assert!(slow.is_empty(), "slow: {slow:#?}");
}

