//! Legacy Word (.doc) and Rich Text (.rtf) returns, read through LibreOffice.
//!
//! Binary .doc and RTF are large, old formats; rather than parse them, a copy of the file is
//! converted to .docx by LibreOffice (`soffice --headless --convert-to docx`) and read by the
//! .docx reader, so the one extractor sees the same model. The original is never touched: it is
//! copied into a private (0700) temporary folder, which also holds the conversion's own
//! LibreOffice profile, so conversions running in parallel never share one. A conversion that
//! runs too long is stopped with its whole process group.
//!
//! Before converting, a .doc is checked for a password (Word's FIB "encrypted" flag, or an
//! encrypted OOXML package in an OLE wrapper), which LibreOffice cannot open headless.

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::model::{Document, Format};
use crate::read::{Deadline, Limits, ModelBudget, ReadError};

/// The programs that run LibreOffice headless, in the order they are looked for on the PATH.
const PROGRAMS: &[&str] = &["soffice", "libreoffice"];

/// Read a .doc or .rtf file by converting a copy of it to .docx with LibreOffice.
pub fn read(path: &Path, format: Format, limits: &Limits, deadline: &Deadline) -> Result<Document, ReadError> {
    deadline.check()?;
    match format {
        Format::Doc => check_doc(path)?,
        Format::Rtf => check_rtf(path, limits)?,
        _ => return Err(ReadError::Other("not a legacy Word or RTF file".into())),
    }
    let program = find_office(limits.soffice.as_deref(), std::env::var_os("PATH").as_deref())
        .ok_or_else(|| needs_tool(format))?;
    let work = WorkDir::new()?;
    let docx = {
        let _slot = ConversionSlot::take();
        convert(&program, path, format, &work, limits.convert_time)?
    };
    // The conversion has its own time limit; reading the result gets the usual one.
    let deadline = Deadline::after(limits.max_time);
    crate::read::docx::read(&docx, limits, &deadline).map_err(|e| match e {
        ReadError::Damaged(_) | ReadError::NotADocument(_) => {
            ReadError::Damaged("LibreOffice converted it, but the result could not be read".into())
        }
        other => other,
    })
}

/// The consultant-facing reason when LibreOffice is missing, with both ways out.
pub fn needs_tool(format: Format) -> ReadError {
    let what = match format {
        Format::Rtf => "Rich Text (.rtf)",
        _ => "legacy .doc",
    };
    ReadError::NeedsTool(format!(
        "{what}: install LibreOffice (apt install libreoffice-writer-nogui) or open it in Word and save as .docx"
    ))
}

/// Find LibreOffice: `configured` (a path used as given, or a bare name looked up on the PATH),
/// else `soffice` / `libreoffice` on `path_var`, else the usual install folders on Windows and
/// macOS (where LibreOffice is not put on the PATH).
pub fn find_office(configured: Option<&Path>, path_var: Option<&OsStr>) -> Option<PathBuf> {
    if let Some(p) = configured {
        if p.components().count() > 1 {
            return is_program(p).then(|| p.to_path_buf());
        }
        return find_on_path(&[p.as_os_str()], path_var);
    }
    let names: Vec<&OsStr> = PROGRAMS.iter().map(OsStr::new).collect();
    if let Some(p) = find_on_path(&names, path_var) {
        return Some(p);
    }
    let usual: &[&str] = if cfg!(windows) {
        &[
            r"C:\Program Files\LibreOffice\program\soffice.exe",
            r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
        ]
    } else if cfg!(target_os = "macos") {
        &["/Applications/LibreOffice.app/Contents/MacOS/soffice"]
    } else {
        &[]
    };
    usual.iter().map(PathBuf::from).find(|p| is_program(p))
}

/// The first of `names` found as a program in the folders of `path_var` (a PATH value).
pub fn find_on_path(names: &[&OsStr], path_var: Option<&OsStr>) -> Option<PathBuf> {
    let path_var = path_var?;
    for dir in std::env::split_paths(path_var) {
        if dir.as_os_str().is_empty() {
            continue;
        }
        for name in names {
            let candidate = dir.join(name);
            if is_program(&candidate) {
                return Some(candidate);
            }
            if cfg!(windows) {
                let mut exe = OsString::from(candidate.as_os_str());
                exe.push(".exe");
                let exe = PathBuf::from(exe);
                if is_program(&exe) {
                    return Some(exe);
                }
            }
        }
    }
    None
}

fn is_program(p: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(p) else { return false };
    if !meta.is_file() {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// Most LibreOffice conversions running at once: each is a whole office suite (a few hundred MB),
/// and a batch on a many-core laptop must not start one per core.
const MAX_CONVERSIONS: usize = 4;

static RUNNING: Mutex<usize> = Mutex::new(0);
static FREED: Condvar = Condvar::new();

/// One of the [`MAX_CONVERSIONS`] places, held while a conversion runs.
struct ConversionSlot;

impl ConversionSlot {
    fn take() -> Self {
        let mut running = RUNNING.lock().unwrap_or_else(|p| p.into_inner());
        while *running >= MAX_CONVERSIONS {
            running = FREED.wait(running).unwrap_or_else(|p| p.into_inner());
        }
        *running += 1;
        ConversionSlot
    }
}

impl Drop for ConversionSlot {
    fn drop(&mut self) {
        let mut running = RUNNING.lock().unwrap_or_else(|p| p.into_inner());
        *running = running.saturating_sub(1);
        FREED.notify_one();
    }
}

/// Conversions under way: each one's temporary folder and, while LibreOffice runs, its process
/// group. [`stop_all`] uses it when the program ends with conversions still running (a file
/// given up on by the batch's watchdog), so no LibreOffice and no copy of a return is left.
struct Active {
    id: u64,
    folder: PathBuf,
    group: Option<u32>,
}

static ACTIVE: Mutex<Vec<Active>> = Mutex::new(Vec::new());
/// Set by [`stop_all`]: no conversion starts after it.
static STOPPED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn active() -> std::sync::MutexGuard<'static, Vec<Active>> {
    ACTIVE.lock().unwrap_or_else(|p| p.into_inner())
}

/// Stop every LibreOffice conversion still running and remove their temporary folders. Called
/// when the program ends; conversions asked for afterwards fail instead of starting.
pub fn stop_all() {
    STOPPED.store(true, Ordering::SeqCst);
    let mut list = active();
    let mut groups = Vec::new();
    for a in list.iter_mut() {
        if let Some(group) = a.group.take() {
            kill_group(group);
            groups.push(group);
        }
    }
    let until = Instant::now() + GROUP_EXIT;
    for group in groups {
        wait_group_gone(group, until);
    }
    for a in list.iter() {
        remove_folder(&a.folder);
    }
    list.clear();
}

/// Remove a conversion's folder; a LibreOffice process that was just killed may still be
/// writing into it for a moment, so try again briefly.
fn remove_folder(path: &Path) {
    for attempt in 0..40 {
        match std::fs::remove_dir_all(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound && attempt < 39 => {
                std::thread::sleep(Duration::from_millis(50));
            }
            _ => return,
        }
    }
}

/// A private temporary folder (0700), removed with everything in it when dropped.
struct WorkDir {
    path: PathBuf,
    id: u64,
}

impl WorkDir {
    fn new() -> Result<Self, ReadError> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let base = std::env::temp_dir();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        for _ in 0..16 {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = base.join(format!("cpoms-qa-convert-{}-{n}-{nanos:x}", std::process::id()));
            let mut builder = std::fs::DirBuilder::new();
            #[cfg(unix)]
            {
                use std::os::unix::fs::DirBuilderExt;
                builder.mode(0o700);
            }
            match builder.create(&path) {
                Ok(()) => {
                    active().push(Active { id: n, folder: path.clone(), group: None });
                    return Ok(WorkDir { path, id: n });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(ReadError::Other(format!(
                        "cannot make a temporary folder for the LibreOffice conversion: {}",
                        crate::read::io_reason(&e)
                    )))
                }
            }
        }
        Err(ReadError::Other("cannot make a temporary folder for the LibreOffice conversion".into()))
    }
}

impl WorkDir {
    /// Record (or clear) the process group of the conversion running in this folder.
    fn set_group(&self, group: Option<u32>) {
        if let Some(a) = active().iter_mut().find(|a| a.id == self.id) {
            a.group = group;
        }
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        // Whatever happened (error, time-out, panic), nothing of the conversion survives it.
        let group = {
            let mut list = active();
            let group = list.iter().find(|a| a.id == self.id).and_then(|a| a.group);
            list.retain(|a| a.id != self.id);
            group
        };
        if let Some(g) = group {
            kill_group(g);
        }
        remove_folder(&self.path);
    }
}

/// Convert a copy of `input` to .docx inside `work`; the path of the .docx made.
fn convert(program: &Path, input: &Path, format: Format, work: &WorkDir, limit: Duration) -> Result<PathBuf, ReadError> {
    let ext = match format {
        Format::Rtf => "rtf",
        _ => "doc",
    };
    // A fixed name: the school's file name never reaches LibreOffice's command line or output.
    let copy = work.path.join(format!("input.{ext}"));
    std::fs::copy(input, &copy)
        .map_err(|e| ReadError::Other(format!("cannot copy the file for conversion: {}", crate::read::io_reason(&e))))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o600));
    }
    let out_dir = work.path.join("out");
    let profile = work.path.join("profile");
    let mut cmd = Command::new(program);
    cmd.arg("--headless")
        .arg("--norestore")
        .arg("--nolockcheck")
        .arg(format!("-env:UserInstallation={}", file_url(&profile)))
        .arg("--convert-to")
        .arg("docx")
        .arg("--outdir")
        .arg(&out_dir)
        .arg(&copy)
        .current_dir(&work.path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    #[cfg(unix)]
    {
        // Its own process group, so a stuck conversion is stopped with every helper it started
        // (the `soffice` script starts `oosplash`, which starts `soffice.bin`).
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let mut child = {
        // Started and recorded under the registry's lock, so `stop_all` cannot miss it.
        let mut list = active();
        if STOPPED.load(Ordering::SeqCst) {
            return Err(ReadError::TooSlow);
        }
        let child = cmd.spawn().map_err(|e| {
            ReadError::NeedsTool(format!(
                "LibreOffice could not be started ({}): check the LibreOffice install, or open the file in Word and save as .docx",
                crate::read::io_reason(&e)
            ))
        })?;
        if let Some(a) = list.iter_mut().find(|a| a.id == work.id) {
            a.group = Some(child.id());
        }
        child
    };
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {}
            Err(_) => {
                stop(&mut child, work);
                return Err(ReadError::Other("lost track of the LibreOffice conversion".into()));
            }
        }
        if started.elapsed() > limit {
            stop(&mut child, work);
            return Err(ReadError::TooSlow);
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    // LibreOffice may leave helpers behind in the group even after a clean exit.
    stop_group(&child);
    work.set_group(None);
    let docx = out_dir.join("input.docx");
    if docx.is_file() {
        Ok(docx)
    } else if !status.success() {
        Err(ReadError::Other(
            "LibreOffice failed while converting it: open it in Word and save as .docx".into(),
        ))
    } else {
        Err(ReadError::Damaged("LibreOffice could not open it".into()))
    }
}

/// Stop a conversion: its process group (Unix), then the process itself, and reap it. The
/// group is signalled again after the leader is reaped: `oosplash` may have started a new
/// `soffice.bin` (LibreOffice restarts itself once on a fresh profile) in between.
fn stop(child: &mut Child, work: &WorkDir) {
    stop_group(child);
    let _ = child.kill();
    let _ = child.wait();
    stop_group(child);
    wait_group_gone(child.id(), Instant::now() + GROUP_EXIT);
    work.set_group(None);
}

/// How long a killed LibreOffice may take to be gone (a large process on a busy machine takes
/// a moment to exit; its orphaned `soffice.bin` must then be reaped by init).
const GROUP_EXIT: Duration = Duration::from_secs(3);

/// Wait until no process of the group is left running, or `until`: a killed process is still
/// listed while it exits. (A zombie waiting for init to reap it has stopped, and is not waited for.)
#[cfg(target_os = "linux")]
fn wait_group_gone(leader: u32, until: Instant) {
    while group_running(leader) && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Some process of the group is alive and not a zombie (from /proc/N/stat: state, then pgrp).
#[cfg(target_os = "linux")]
fn group_running(group: u32) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else { return false };
    entries.flatten().any(|e| {
        if !e.file_name().to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else { return false };
        // "pid (command) S ppid pgrp ...": the command may hold spaces and brackets.
        let Some((_, rest)) = stat.rsplit_once(')') else { return false };
        let mut fields = rest.split_whitespace();
        let state = fields.next();
        let pgrp = fields.nth(1).and_then(|g| g.parse::<u32>().ok());
        pgrp == Some(group) && state != Some("Z") && state != Some("X")
    })
}

#[cfg(not(target_os = "linux"))]
fn wait_group_gone(_leader: u32, _until: Instant) {}

fn stop_group(child: &Child) {
    kill_group(child.id());
}

#[cfg(unix)]
fn kill_group(leader: u32) {
    let Ok(pid) = libc::pid_t::try_from(leader) else { return };
    if pid > 1 {
        // SAFETY: kill(2) with a negative pid signals the process group this module created for
        // the conversion (process_group(0) made the child its leader); no memory is involved.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
}

#[cfg(not(unix))]
fn kill_group(_leader: u32) {}

/// A `file://` URL for LibreOffice's `-env:UserInstallation` (spaces and the like escaped).
fn file_url(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    let mut out = String::from("file://");
    if !s.starts_with('/') {
        out.push('/');
    }
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An RTF file starts `{\rtf`; anything else given the name is not one.
fn check_rtf(path: &Path, limits: &Limits) -> Result<(), ReadError> {
    let f = std::fs::File::open(path).map_err(|e| ReadError::Other(crate::read::io_reason(&e)))?;
    let mut bytes = Vec::new();
    f.take(limits.max_file_bytes).read_to_end(&mut bytes).map_err(|e| ReadError::Other(crate::read::io_reason(&e)))?;
    if !bytes.starts_with(b"{\\rtf") {
        return Err(ReadError::NotADocument("it is named as Rich Text but is not RTF".into()));
    }
    screen_rtf(&bytes, limits)
}

/// Most cell boundaries (`\cellx`) one RTF table row may define (the form's widest row has six).
const MAX_RTF_ROW_CELLS: usize = 1000;

/// Refuse, before LibreOffice spends its whole time limit on it, RTF that no return can be:
/// binary data longer than the file (`\bin999999999` in a 100-byte file), a table row with
/// thousands of columns, more cells or paragraphs than the readers' limits.
fn screen_rtf(bytes: &[u8], limits: &Limits) -> Result<(), ReadError> {
    let mut i = 0usize;
    let (mut row_cells, mut cells) = (0usize, 0usize);
    let mut budget = ModelBudget::default();
    while let Some(rel) = bytes.get(i..).and_then(|rest| rest.iter().position(|&b| b == b'\\')) {
        i += rel + 1;
        let word_start = i;
        while bytes.get(i).is_some_and(u8::is_ascii_lowercase) {
            i += 1;
        }
        let word = bytes.get(word_start..i).unwrap_or(&[]);
        let num_start = i;
        if bytes.get(i) == Some(&b'-') {
            i += 1;
        }
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let number = std::str::from_utf8(bytes.get(num_start..i).unwrap_or(&[])).ok().and_then(|n| n.parse::<i64>().ok());
        match word {
            b"bin" => {
                let n = usize::try_from(number.unwrap_or(0)).unwrap_or(usize::MAX);
                if n > bytes.len().saturating_sub(i) {
                    return Err(ReadError::Damaged("the Rich Text declares more binary data than the file holds".into()));
                }
                i = i.saturating_add(n);
            }
            b"trowd" => row_cells = 0,
            b"cellx" => {
                row_cells += 1;
                if row_cells > MAX_RTF_ROW_CELLS {
                    return Err(ReadError::TooLarge(format!("a table row with more than {MAX_RTF_ROW_CELLS} columns")));
                }
            }
            b"cell" => {
                cells += 1;
                if cells > limits.max_cells {
                    return Err(ReadError::TooLarge(format!("more than {} table cells", limits.max_cells)));
                }
            }
            b"par" => budget.paragraph(limits)?,
            _ => {}
        }
    }
    Ok(())
}

/// A .doc is an OLE2 compound file with a `WordDocument` stream; refuse password-protected ones
/// and other OLE files (an Excel workbook named .doc) before starting LibreOffice. Only a sure
/// answer refuses: a container this check cannot parse is left to LibreOffice.
fn check_doc(path: &Path) -> Result<(), ReadError> {
    let mut file = match cfb::open(path) {
        Ok(f) => f,
        // LibreOffice tolerates some damage this strict check does not: let it try.
        Err(_) => return Ok(()),
    };
    // A password-protected .docx/.xlsx is an OLE wrapper holding the encrypted package.
    if file.is_stream("/EncryptionInfo") || file.is_stream("/EncryptedPackage") {
        return Err(ReadError::Encrypted);
    }
    if !file.is_stream("/WordDocument") {
        let what = if file.is_stream("/Workbook") || file.is_stream("/Book") {
            "it is an Excel workbook saved with a Word name: open it in Excel"
        } else {
            "it is an OLE file but not a Word document"
        };
        return Err(ReadError::NotADocument(what.into()));
    }
    let mut fib = [0u8; 12];
    let mut stream = file
        .open_stream("/WordDocument")
        .map_err(|_| ReadError::Damaged("the Word document stream cannot be read".into()))?;
    stream
        .read_exact(&mut fib)
        .map_err(|_| ReadError::Damaged("the Word document stream is truncated".into()))?;
    // FIB: wIdent 0xA5EC (Word 97+) or 0xA5DC (Word 6/95); flags at offset 10, bit 8 = fEncrypted.
    let ident = u16::from_le_bytes([fib[0], fib[1]]);
    if ident != 0xA5EC && ident != 0xA5DC {
        return Err(ReadError::Damaged("the Word document header is not valid".into()));
    }
    let flags = u16::from_le_bytes([fib[10], fib[11]]);
    if flags & 0x0100 != 0 {
        return Err(ReadError::Encrypted);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rtf_that_no_return_can_be_is_refused_before_libreoffice() {
        let limits = Limits::default();
        assert!(screen_rtf(br"{\rtf1\ansi {\pard Hello\par}}", &limits).is_ok());
        let bin = br"{\rtf1\ansi {\bin999999999 xxxx}}";
        assert!(matches!(screen_rtf(bin, &limits), Err(ReadError::Damaged(_))));
        let ok_bin = br"{\rtf1\ansi {\bin4 xxxx}\par}";
        assert!(screen_rtf(ok_bin, &limits).is_ok());
        let wide = format!(r"{{\rtf1\ansi \trowd{}\row}}", r"\cellx100".repeat(MAX_RTF_ROW_CELLS + 1));
        assert!(matches!(screen_rtf(wide.as_bytes(), &limits), Err(ReadError::TooLarge(_))));
        let paras = format!(r"{{\rtf1 {}}}", r"\par".repeat(30));
        let small = Limits { max_paragraphs: 20, ..Limits::default() };
        assert!(matches!(screen_rtf(paras.as_bytes(), &small), Err(ReadError::TooLarge(_))));
    }

    #[test]
    fn no_office_on_an_empty_path() {
        let dir = std::env::temp_dir();
        assert_eq!(find_on_path(&[OsStr::new("soffice-that-does-not-exist")], Some(dir.as_os_str())), None);
        assert_eq!(find_on_path(&[OsStr::new("soffice")], Some(OsStr::new(""))), None);
        assert_eq!(find_office(Some(Path::new("/no/such/folder/soffice")), None), None);
    }

    #[test]
    fn needs_tool_names_the_format_and_the_fix() {
        let doc = needs_tool(Format::Doc).to_string();
        assert!(doc.starts_with("legacy .doc: install LibreOffice (apt install libreoffice-writer-nogui)"));
        assert!(doc.contains("save as .docx"));
        assert!(needs_tool(Format::Rtf).to_string().starts_with("Rich Text (.rtf)"));
    }

    #[test]
    fn file_urls_escape() {
        assert_eq!(file_url(Path::new("/tmp/a b/p")), "file:///tmp/a%20b/p");
        assert_eq!(file_url(Path::new(r"C:\Users\A B\t")), "file:///C:/Users/A%20B/t");
    }

    #[test]
    fn work_dirs_are_private_and_removed() {
        let path = {
            let w = WorkDir::new().expect("temp dir");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&w.path).expect("exists").permissions().mode();
                assert_eq!(mode & 0o777, 0o700);
            }
            let other = WorkDir::new().expect("second temp dir");
            assert_ne!(w.path, other.path);
            w.path.clone()
        };
        assert!(!path.exists());
    }
}
