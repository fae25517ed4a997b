//! `summarise --previous FILE` reads a workbook from last term: it is untrusted and must never
//! crash the tool or use unbounded memory. Anything that is not a summary workbook is a clear
//! usage error naming the file.

use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};

use cpoms_qa::summarise::Previous;

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cpoms-qa-prev-hostile-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A minimal previous summary: a Schools sheet with one school's latest return.
fn summary(path: &Path, far_cell: bool) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Schools").unwrap();
    for (c, h) in ["School", "Return", "Overall standard", "CP"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "Old Mill Primary School").unwrap();
    sheet.write_string(1, 1, "latest").unwrap();
    sheet.write_number(1, 2, 3.0).unwrap();
    sheet.write_number(1, 3, 7.0).unwrap();
    if far_cell {
        // XFD1048576: a dense range up to here would need 549 GB.
        sheet.write_string(1_048_575, 16_383, "far").unwrap();
    }
    book.save(path).unwrap();
}

/// Copy the zip at `from` to `to`, changing parts with `edit(name, bytes)`.
fn rewrite_zip(from: &Path, to: &Path, edit: impl Fn(&str, Vec<u8>) -> Vec<u8>) {
    let mut src = zip::ZipArchive::new(std::fs::File::open(from).unwrap()).unwrap();
    let mut out = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..src.len() {
        let mut entry = src.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        out.start_file(name.as_str(), opts).unwrap();
        out.write_all(&edit(&name, bytes)).unwrap();
    }
    out.finish().unwrap();
}

fn assert_unusable(path: &Path) -> String {
    let e = Previous::load(path).expect_err("a hostile previous workbook must be refused");
    assert!(e.contains("not a summary workbook written by cpoms-qa"), "{e}");
    assert!(e.contains(&path.display().to_string()), "the error names the file: {e}");
    e
}

#[test]
fn far_cell_is_streamed_not_allocated() {
    let dir = out_dir("far");
    let path = dir.join("far.xlsx");
    summary(&path, true);
    let prev = Previous::load(&path).expect("a real summary with a stray far cell is still read");
    let school = prev.school("Old Mill Primary School").expect("the school is read");
    assert_eq!(school.overall_standard, Some(3.0));
    assert_eq!(school.cp, Some(7.0));
}

#[test]
fn forged_shared_strings_count_is_refused() {
    let dir = out_dir("sst");
    let good = dir.join("good.xlsx");
    summary(&good, false);
    let bad = dir.join("sst_count.xlsx");
    rewrite_zip(&good, &bad, |name, bytes| {
        if name == "xl/sharedStrings.xml" {
            let text = String::from_utf8(bytes).unwrap();
            let at = text.find("uniqueCount=\"").unwrap() + "uniqueCount=\"".len();
            let end = at + text[at..].find('"').unwrap();
            format!("{}4000000000000{}", &text[..at], &text[end..]).into_bytes()
        } else {
            bytes
        }
    });
    assert_unusable(&bad);
}

#[test]
fn zip_bomb_is_refused() {
    let dir = out_dir("bomb");
    let good = dir.join("good.xlsx");
    summary(&good, false);
    let bomb = dir.join("bomb.xlsx");
    // 160 MB of padding inside the sheet's XML (deflates to about 160 KB).
    rewrite_zip(&good, &bomb, |name, bytes| {
        if name == "xl/worksheets/sheet1.xml" {
            let text = String::from_utf8(bytes).unwrap();
            let at = text.find("<sheetData>").unwrap();
            let mut out = Vec::with_capacity(text.len() + 160_000_000);
            out.extend_from_slice(&text.as_bytes()[..at]);
            out.resize(out.len() + 160_000_000, b' ');
            out.extend_from_slice(&text.as_bytes()[at..]);
            out
        } else {
            bytes
        }
    });
    let e = assert_unusable(&bomb);
    assert!(e.contains("zip bomb") || e.contains("too large"), "{e}");
}

#[test]
fn other_files_are_refused() {
    let dir = out_dir("other");
    // An OLE (.xls) container whose FAT count is absurd: calamine's .xls reader panics on it.
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.resize(512, 0);
    ole[0x2C..0x30].copy_from_slice(&u32::MAX.to_le_bytes());
    ole.resize(4096, 0xAB);
    let xls = dir.join("last.xls");
    std::fs::write(&xls, &ole).unwrap();
    let e = assert_unusable(&xls);
    assert!(e.contains(".xlsx"), "{e}");

    let empty = dir.join("empty.xlsx");
    std::fs::write(&empty, b"").unwrap();
    assert_unusable(&empty);

    // A zip that is not a workbook, and a workbook with no Schools sheet.
    let docx = dir.join("letter.xlsx");
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    z.start_file("word/document.xml", zip::write::SimpleFileOptions::default()).unwrap();
    z.write_all(b"<w:document/>").unwrap();
    std::fs::write(&docx, z.finish().unwrap().into_inner()).unwrap();
    assert_unusable(&docx);

    let other = dir.join("other.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet().write_string(0, 0, "hello").unwrap();
    book.save(&other).unwrap();
    let e = assert_unusable(&other);
    assert!(e.contains("Schools"), "{e}");
}

#[test]
fn cli_gives_a_usage_error() {
    let dir = out_dir("cli");
    let xls = dir.join("last.xls");
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.resize(4096, 0xFF);
    std::fs::write(&xls, &ole).unwrap();
    let form = dir.join("form.txt");
    std::fs::write(&form, "CPOMS QA\nSchool: Old Mill Primary School\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cpoms-qa"))
        .arg("summarise")
        .arg(&form)
        .arg("-o")
        .arg(dir.join("out.xlsx"))
        .arg("--previous")
        .arg(&xls)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not a summary workbook written by cpoms-qa"), "{stderr}");
    assert!(stderr.contains("last.xls"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
