//! A LibreOffice conversion that is stopped for taking too long leaves nothing behind: no
//! LibreOffice process (soffice.bin is a grandchild of the program started) and no temporary
//! folder holding a copy of the return. Its own test binary, so no other conversion runs at the
//! same time and every `cpoms-qa-convert-<pid>-*` folder and process is this test's.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use cpoms_qa::model::Format;
use cpoms_qa::read::{legacy, Deadline, Limits, ReadError};

/// Folders in the temp folder made by this process's conversions.
fn leftover_folders(prefix: &str) -> Vec<PathBuf> {
    std::fs::read_dir(std::env::temp_dir())
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .map(|e| e.path())
        .collect()
}

/// Live processes whose command line mentions `needle` (zombies have an empty command line).
fn processes_mentioning(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !name.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Ok(cmdline) = std::fs::read(e.path().join("cmdline")) else { continue };
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if cmdline.contains(needle) {
            found.push(format!("{name}: {cmdline}"));
        }
    }
    found
}

#[test]
fn timed_out_conversion_leaves_no_process_and_no_copy() {
    if legacy::find_office(None, std::env::var_os("PATH").as_deref()).is_none() {
        eprintln!("LibreOffice not installed: conversion cleanup test skipped");
        return;
    }
    let dir = std::env::temp_dir().join(format!("cpoms-qa-cleanup-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    // A \bin group declaring a gigabyte of binary data: LibreOffice spins on it for minutes. As
    // Rich Text the reader's own screen refuses it before LibreOffice starts; read as a .doc that
    // is no OLE file, it goes to LibreOffice, which sees the RTF inside and spins.
    let rtf = dir.join("stuck.doc");
    std::fs::write(&rtf, format!("{{\\rtf1\\ansi {{\\bin999999999 {}}}}}", "x".repeat(100))).expect("rtf");

    let prefix = format!("cpoms-qa-convert-{}-", std::process::id());
    let limits = Limits { convert_time: Duration::from_secs(2), ..Limits::default() };
    let started = Instant::now();
    let result = legacy::read(&rtf, Format::Doc, &limits, &Deadline::after(limits.max_time));
    assert!(started.elapsed() < Duration::from_secs(30), "took {:?}", started.elapsed());
    assert!(result.is_err(), "the stuck conversion must fail");
    if let Err(e) = &result {
        assert_eq!(*e, ReadError::TooSlow, "{e}");
    }
    assert_eq!(leftover_folders(&prefix), Vec::<PathBuf>::new(), "the copy of the return is removed");
    assert_eq!(processes_mentioning(&prefix), Vec::<String>::new(), "LibreOffice is stopped");

    // The program ending while a conversion runs (a file the batch's watchdog gave up on):
    // `stop_all` stops LibreOffice and removes the copy at once.
    let limits = Limits { convert_time: Duration::from_secs(120), ..Limits::default() };
    let worker = {
        let rtf = rtf.clone();
        std::thread::spawn(move || legacy::read(&rtf, Format::Doc, &limits, &Deadline::after(limits.max_time)))
    };
    let waiting = Instant::now();
    while processes_mentioning(&prefix).iter().all(|p| !p.contains("soffice.bin")) {
        assert!(waiting.elapsed() < Duration::from_secs(60), "LibreOffice never started");
        std::thread::sleep(Duration::from_millis(100));
    }
    eprintln!("LibreOffice running after {:?}", waiting.elapsed());
    legacy::stop_all();
    assert_eq!(leftover_folders(&prefix), Vec::<PathBuf>::new(), "stop_all removes the copy of the return");
    assert_eq!(processes_mentioning(&prefix), Vec::<String>::new(), "stop_all stops LibreOffice");
    assert!(worker.join().expect("no panic").is_err());
    // No conversion starts once the program is ending.
    assert!(legacy::read(&rtf, Format::Doc, &Limits::default(), &Deadline::after(Duration::from_secs(20))).is_err());
    assert_eq!(leftover_folders(&prefix), Vec::<PathBuf>::new());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Ctrl-C while LibreOffice converts a return: the program stops it and removes the copy of the
/// return before exiting (LibreOffice runs in its own process group, so it would outlive us).
#[cfg(unix)]
#[test]
fn interrupted_run_stops_libreoffice_and_removes_the_copy() {
    if legacy::find_office(None, std::env::var_os("PATH").as_deref()).is_none() {
        eprintln!("LibreOffice not installed: interrupt test skipped");
        return;
    }
    let doc = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/forms"))
        .expect("fixtures")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "doc"))
        .expect("a .doc fixture");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cpoms-qa"))
        .args(["--quiet", "extract"])
        .arg(&doc)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run cpoms-qa");
    let prefix = format!("cpoms-qa-convert-{}-", child.id());
    let waiting = Instant::now();
    let mut seen = false;
    while waiting.elapsed() < Duration::from_secs(30) {
        if processes_mentioning(&prefix).iter().any(|p| p.contains("soffice.bin")) {
            seen = true;
            break;
        }
        if child.try_wait().ok().flatten().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    if !seen {
        let _ = child.kill();
        let _ = child.wait();
        eprintln!("the conversion finished before it could be interrupted: interrupt test skipped");
        return;
    }
    let status = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill");
    assert!(status.success());
    let exit = child.wait().expect("wait");
    assert_eq!(exit.code(), Some(130), "interrupted runs exit 130");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(processes_mentioning(&prefix), Vec::<String>::new(), "LibreOffice is stopped");
    assert_eq!(leftover_folders(&prefix), Vec::<PathBuf>::new(), "the copy of the return is removed");
}
