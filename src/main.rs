//! The `cpoms-qa` command line: a thin layer over the library's pipeline.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit codes (the same for every command but check):
  0  every file was read (fully, or with gaps reported as warnings)
  1  the output was written, but some files could not be read (each has a failed record saying why)
  2  usage error, or the output could not be written";

/// Reads returned CPOMS Quality Assurance Tool forms and writes records and a summary workbook.
#[derive(Parser, Debug)]
#[command(name = "cpoms-qa", version, about, long_about = None)]
#[command(after_help = EXIT_CODES)]
struct Cli {
    #[command(flatten)]
    common: Common,
    #[command(subcommand)]
    command: Command,
}

/// Options every command shares.
#[derive(Args, Debug, Clone)]
struct Common {
    /// Files read at once, 1 to 256 (default: one per processor core). The output is the same
    /// whatever the number.
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,
    /// No progress bar and no notes on stderr (errors are still printed).
    #[arg(short, long, global = true)]
    quiet: bool,
    /// Replace person names (header and sign-off) by stable pseudonyms ("Person 1") in every output,
    /// for outputs that leave the consultancy.
    #[arg(long, global = true)]
    redact: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print the record extracted from each form (files, or folders searched recursively).
    #[command(after_help = EXIT_CODES)]
    Extract {
        /// Forms or folders of forms.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// One JSON array of records (the default).
        #[arg(long, conflicts_with = "jsonl")]
        json: bool,
        /// One record per line.
        #[arg(long)]
        jsonl: bool,
        /// Write the records to this file (readable by you only) instead of the screen.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Read every form and write the summary workbook (Dashboard, Schools, Answers, Actions,
    /// Questions, Problems; History when a school has several returns).
    #[command(after_help = SUMMARISE_HELP)]
    Summarise {
        /// Forms or folders of forms.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The workbook to write (never one of the inputs).
        #[arg(short, long)]
        output: PathBuf,
        /// Measure overdue reviews and actions against this day (YYYY-MM-DD or DD/MM/YYYY); default today.
        #[arg(long)]
        as_of: Option<String>,
        /// Your own term dates (CSV: term,start,end,half_term_start,half_term_end; see below).
        #[arg(long, value_name = "FILE")]
        terms: Option<PathBuf>,
        /// Schools register (CSV with a School or URN column, and any others such as Trust,
        /// Local authority, Phase) joined to each return by name.
        #[arg(long, value_name = "REGISTER.CSV")]
        schools: Option<PathBuf>,
        /// Group and subtotal the Dashboard and Schools sheets by this register column (e.g. trust).
        #[arg(long, value_name = "COLUMN", requires = "schools")]
        group_by: Option<String>,
        /// Last term's summary workbook (written by this tool), for changes term on term.
        #[arg(long, value_name = "SUMMARY.XLSX")]
        previous: Option<PathBuf>,
        /// Overall standards and ratings up to this are green (default 2).
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=5))]
        green_max: u8,
        /// Up to this (above green) amber; above it red and "poor" (default 3).
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(1..=5))]
        amber_max: u8,
    },
    /// Check one return: what a consultant must chase (unanswered rows, missing ratings,
    /// actions with no owner or timescale, review with no date, missing signatures, ambiguous marks).
    #[command(after_help = "Exit codes: 0 the return is complete; 1 something to chase; 2 usage error or the file could not be read.")]
    Check {
        /// The returned form.
        file: PathBuf,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Rewrite each return as a clean copy of the current form (or its JSON record) in a folder.
    #[command(after_help = EXIT_CODES)]
    Convert {
        /// Forms or folders of forms.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// What to write: the record as JSON, or the form as .xlsx or .docx.
        #[arg(long, value_enum)]
        to: ConvertTo,
        /// The folder to write into (created if missing); each output keeps its input's name.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Write N synthetic filled returns (.docx and .xlsx), deterministic from a seed (benchmarks).
    #[command(hide = true)]
    Generate {
        /// How many returns.
        #[arg(long, default_value_t = 100)]
        count: usize,
        /// The seed: the same seed gives the same files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write each return's truth record beside it as NAME.truth.json.
        #[arg(long)]
        truth: bool,
        /// Write the six README samples instead of a pile.
        #[arg(long)]
        samples: bool,
        /// The folder to write into.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Benchmark floor: open each file and inflate its main XML part, nothing else.
    #[command(hide = true)]
    Floor {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
}

/// The kinds of file `convert` writes.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum ConvertTo {
    Json,
    Xlsx,
    Docx,
}

impl From<ConvertTo> for cpoms_qa::write::Target {
    fn from(t: ConvertTo) -> Self {
        match t {
            ConvertTo::Json => cpoms_qa::write::Target::Json,
            ConvertTo::Xlsx => cpoms_qa::write::Target::Xlsx,
            ConvertTo::Docx => cpoms_qa::write::Target::Docx,
        }
    }
}

const SUMMARISE_HELP: &str = "\
Timescales become due dates: explicit dates, spans (\"2 weeks\", \"10 working days\"), ASAP, and term
phrases (\"by half term\", \"end of summer term\", \"next term\", \"before Christmas\") counted from the
form's date with typical England term dates 2017-2031. \"ongoing\" and \"termly\" have no date.
Action status: overdue / due within 4 weeks / later / no date, against --as-of.

--terms FILE, one term a line (a header line is allowed; dates day first):
  term,start,end,half_term_start,half_term_end
  Autumn 2024,02/09/2024,20/12/2024,28/10/2024,01/11/2024
  Spring 2025,06/01/2025,04/04/2025,17/02/2025,21/02/2025
  Summer 2025,22/04/2025,22/07/2025,26/05/2025,30/05/2025
The name must say autumn, spring or summer; your terms replace the built-in ones they overlap.

Exit codes: 0 every file was read (fully or with gaps); 1 the workbook was written but some files
failed (listed on the Problems sheet); 2 usage error or the workbook could not be written.";

/// `eprintln!` with control characters escaped: messages name files, and a file name must not
/// reach the terminal raw (ESC, BEL, CR).
macro_rules! say {
    ($($arg:tt)*) => {
        eprintln!("{}", cpoms_qa::printable(&format!($($arg)*)))
    };
}

/// "1 file", "2 files".
fn plural(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

fn main() -> ExitCode {
    // Interrupted (Ctrl-C, or SIGTERM/SIGHUP from a closing terminal): LibreOffice runs in a
    // process group of its own and would outlive us with a copy of a return in the temporary
    // folder, so stop it and remove the copy first; and remove an output's temporary file if one
    // is being written (outputs are only renamed into place once complete).
    let _ = ctrlc::set_handler(|| {
        cpoms_qa::read::legacy::stop_all();
        cpoms_qa::remove_unfinished_outputs();
        std::process::exit(130);
    });
    let code = run_command();
    // A file the watchdog gave up on may still be converting: stop LibreOffice and remove the
    // copy of the return before the process ends (threads are not unwound at exit).
    cpoms_qa::read::legacy::stop_all();
    code
}

fn run_command() -> ExitCode {
    let cli = Cli::parse();
    let common = cli.common;
    if let Some(n) = common.threads {
        // The global pool: only `generate` uses it (reading has its own workers, one per thread).
        let _ = rayon::ThreadPoolBuilder::new().num_threads(usize::from(n)).build_global();
    }
    let opts = options(&common);
    match cli.command {
        Command::Extract { paths, json: _, jsonl, output } => {
            let inputs = cpoms_qa::collect_inputs(&paths);
            let batch = run(&inputs, &common);
            let records = &batch.records;
            let mut text = String::new();
            if jsonl {
                for r in records {
                    text.push_str(&serde_json::to_string(r).unwrap_or_default());
                    text.push('\n');
                }
            } else {
                text = serde_json::to_string_pretty(records).unwrap_or_default();
                text.push('\n');
            }
            let written = match &output {
                Some(out) => cpoms_qa::write_output(out, text.as_bytes(), &inputs).map_err(|e| e.to_string()),
                None => std::io::stdout().lock().write_all(text.as_bytes()).map_err(|e| format!("cannot write the output: {e}")),
            };
            if let Err(e) = written {
                say!("error: {e}");
                return ExitCode::from(2);
            }
            ExitCode::from(cpoms_qa::exit_code(records))
        }
        Command::Summarise { paths, output, as_of, terms, schools, group_by, previous, green_max, amber_max } => {
            let as_of = match as_of {
                Some(text) => match cpoms_qa::dates::parse_iso(&text).or_else(|| cpoms_qa::dates::parse_uk_date(&text)) {
                    Some(d) => d,
                    None => {
                        say!("error: --as-of {text:?} is not a date; write it as YYYY-MM-DD");
                        return ExitCode::from(2);
                    }
                },
                None => chrono::Local::now().date_naive(),
            };
            if green_max > amber_max {
                say!("error: --green-max ({green_max}) must not be above --amber-max ({amber_max})");
                return ExitCode::from(2);
            }
            let mut sopts = cpoms_qa::summarise::SummaryOptions::new(as_of);
            sopts.green_max = green_max;
            sopts.amber_max = amber_max;
            let loaded = (|| -> Result<(), String> {
                if let Some(t) = &terms {
                    sopts.terms = Some(cpoms_qa::summarise::TermCalendar::load(t)?);
                }
                if let Some(s) = &schools {
                    let reg = cpoms_qa::summarise::Register::load(s)?;
                    if let Some(g) = &group_by {
                        if reg.column(g).is_none() {
                            return Err(format!(
                                "--group-by {g:?}: the register has no such column (it has: {})",
                                reg.columns.join(", ")
                            ));
                        }
                    }
                    sopts.register = Some(reg);
                }
                if let Some(p) = &previous {
                    sopts.previous = Some(cpoms_qa::summarise::Previous::load(p)?);
                }
                Ok(())
            })();
            if let Err(e) = loaded {
                say!("error: {e}");
                return ExitCode::from(2);
            }
            sopts.group_by = group_by;
            sopts.threads = common.threads.map(usize::from);
            let inputs = cpoms_qa::collect_inputs(&paths);
            if inputs.contains_file(&output) {
                say!("error: {}", cpoms_qa::OutputError::IsInput(output));
                return ExitCode::from(2);
            }
            sopts.skipped = inputs.skipped.iter().map(|s| (s.source.clone(), s.kind.clone())).collect();
            sopts.inputs = inputs.files.iter().map(|i| i.path.clone()).collect();
            sopts.inputs.extend(terms.iter().cloned());
            sopts.inputs.extend(schools.iter().cloned());
            sopts.inputs.extend(previous.iter().cloned());
            let records = run(&inputs, &common).records;
            match cpoms_qa::summarise::write_workbook(&records, &output, &sopts) {
                Ok(summary) if common.quiet => drop(summary),
                Ok(summary) => {
                    say!(
                        "{}: {} ({} failed), {}; {}, {}, {}",
                        output.display(),
                        plural(summary.files, "file"),
                        summary.failed,
                        plural(summary.schools, "school"),
                        plural(summary.overdue_reviews, "overdue review"),
                        plural(summary.poor_standards, "poor standard"),
                        plural(summary.overdue_actions, "overdue action")
                    );
                    if !summary.unmatched.is_empty() {
                        say!("{} returns name a school not in the register (listed on the Problems sheet)", summary.unmatched.len());
                    }
                }
                Err(e) => {
                    say!("error: {e}");
                    return ExitCode::from(2);
                }
            }
            if cpoms_qa::all_read(&records) { ExitCode::SUCCESS } else { ExitCode::from(1) }
        }
        Command::Check { file, json } => {
            if let Some(why) = cpoms_qa::walk::not_a_file(&file) {
                say!("error: {}: {why}", file.display());
                return ExitCode::from(2);
            }
            let mut record = cpoms_qa::process_file(&file, &file.to_string_lossy(), &opts);
            if common.redact {
                cpoms_qa::redact::redact(std::slice::from_mut(&mut record));
            }
            let result = cpoms_qa::check::check(&record);
            if json {
                println!("{}", serde_json::to_string_pretty(&result).unwrap_or_default());
            } else {
                print!("{}", cpoms_qa::printable_lines(&cpoms_qa::check::render_text(&result)));
            }
            if record.status == cpoms_qa::record::Status::Failed {
                ExitCode::from(2)
            } else if result.complete {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Command::Convert { paths, to, output } => {
            if common.redact {
                say!("error: --redact is not available for convert yet; use extract --redact for pseudonymised records");
                return ExitCode::from(2);
            }
            convert(&paths, to.into(), &output, &opts, common.quiet)
        }
        Command::Generate { count, seed, truth, samples, output } => generate(count, seed, truth, samples, &output),
        Command::Floor { paths } => floor(&paths, opts.threads),
    }
}

/// `convert`: exit 0 when every input was read and written, 1 when some inputs could not be read,
/// 2 when nothing was given or an output could not be written.
fn convert(
    paths: &[PathBuf],
    target: cpoms_qa::write::Target,
    out_dir: &std::path::Path,
    opts: &cpoms_qa::Options,
    quiet: bool,
) -> ExitCode {
    use cpoms_qa::write::Converted;
    let inputs = cpoms_qa::collect_inputs(paths);
    for missing in &inputs.missing {
        say!("{}: {}", missing.source, missing.reason);
    }
    if inputs.files.is_empty() {
        say!("error: no forms found to convert");
        return ExitCode::from(2);
    }
    if let Err(e) = cpoms_qa::write::create_private_dir(out_dir) {
        say!("error: cannot create the output folder {}: {}", out_dir.display(), cpoms_qa::read::io_reason(&e));
        return ExitCode::from(2);
    }
    let outcomes = cpoms_qa::write::convert_inputs(&inputs.files, target, out_dir, opts);
    let (mut written, mut unreadable, mut not_written) = (0usize, inputs.missing.len(), 0usize);
    for (input, outcome) in inputs.files.iter().zip(&outcomes) {
        match outcome {
            Converted::Written(_) => written += 1,
            Converted::Unreadable(reason) => {
                unreadable += 1;
                say!("{}: not converted: {reason}", input.source);
            }
            Converted::NotWritten(out, e) => {
                not_written += 1;
                say!("{}: {} not written: {e}", input.source, out.display());
            }
        }
    }
    if !quiet {
        say!("converted {written} of {} files into {}", inputs.files.len() + inputs.missing.len(), out_dir.display());
    }
    if not_written > 0 {
        ExitCode::from(2)
    } else if unreadable > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `generate` (hidden): a seeded pile of synthetic returns, or the README samples.
fn generate(count: usize, seed: u64, truth: bool, samples: bool, out_dir: &std::path::Path) -> ExitCode {
    let result = if samples {
        cpoms_qa::generate::samples().and_then(|all| {
            std::fs::create_dir_all(out_dir)?;
            for g in &all {
                cpoms_qa::write::write_private(&out_dir.join(&g.file_name), &g.bytes)?;
                if truth {
                    let json = cpoms_qa::write::to_bytes(&g.truth, cpoms_qa::write::Target::Json)?;
                    cpoms_qa::write::write_private(&out_dir.join(format!("{}.truth.json", g.file_name)), &json)?;
                }
            }
            Ok(all.len())
        })
    } else {
        cpoms_qa::generate::write_pile(count, seed, out_dir, truth).map(|paths| paths.len())
    };
    match result {
        Ok(n) => {
            say!("wrote {n} returns into {}", out_dir.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            say!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// `floor` (hidden): the least work per file (open + inflate the main XML part), in parallel,
/// for the benchmark to compare `extract` against.
fn floor(paths: &[PathBuf], threads: Option<usize>) -> ExitCode {
    use rayon::prelude::*;
    let inputs = cpoms_qa::collect_inputs(paths);
    let start = std::time::Instant::now();
    let run = || -> Vec<std::io::Result<u64>> {
        inputs
            .files
            .par_iter()
            .with_max_len(1)
            .map(|i| cpoms_qa::generate::inflate_main_parts(&i.path))
            .collect()
    };
    let results = match rayon::ThreadPoolBuilder::new().num_threads(threads.unwrap_or(0)).build() {
        Ok(pool) => pool.install(run),
        Err(_) => run(),
    };
    let secs = start.elapsed().as_secs_f64();
    let bytes: u64 = results.iter().filter_map(|r| r.as_ref().ok()).sum();
    let failed = results.iter().filter(|r| r.is_err()).count();
    println!("files={} failed={failed} inflated_bytes={bytes} seconds={secs:.3}", inputs.files.len());
    if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

/// The library options the shared flags give.
fn options(common: &Common) -> cpoms_qa::Options {
    cpoms_qa::Options { threads: common.threads.map(usize::from), redact: common.redact, ..cpoms_qa::Options::default() }
}

/// Read every input, with a progress bar on long runs and a note on stderr of the files passed
/// over: a record for every file and every path that could not be read. Shared by every command.
fn run(inputs: &cpoms_qa::walk::Inputs, common: &Common) -> cpoms_qa::Batch {
    let bar = Progress::new(inputs.files.len(), common.quiet);
    let batch = cpoms_qa::process_batch(inputs, &options(common), |_| bar.tick());
    bar.finish();
    if !common.quiet {
        report_passed_over(&batch);
    }
    batch
}

/// Name the files not read on stderr (file names and types only, never content).
fn report_passed_over(batch: &cpoms_qa::Batch) {
    if batch.skipped.is_empty() {
        return;
    }
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "note: {} file(s) skipped because they cannot hold a return:", batch.skipped.len());
    // A few by name; a folder of thousands of unrelated files should not flood the terminal
    // (the summary's Problems sheet lists every one).
    const SHOWN: usize = 10;
    for s in batch.skipped.iter().take(SHOWN) {
        let _ = writeln!(err, "  {}: {}", cpoms_qa::printable(&s.source), cpoms_qa::printable(&s.kind));
    }
    if batch.skipped.len() > SHOWN {
        let _ = writeln!(err, "  … and {} more", batch.skipped.len() - SHOWN);
    }
}

/// A progress bar on stderr, drawn only once a run has taken more than a second, and never when
/// stderr is not a terminal or with `--quiet`. It shows counts only, never file names.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    start: Instant,
    shown: AtomicBool,
}

impl Progress {
    fn new(total: usize, quiet: bool) -> Progress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::with_draw_target(Some(total as u64), indicatif::ProgressDrawTarget::hidden());
            if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files read, {eta} left") {
                bar.set_style(style);
            }
            bar
        });
        Progress { bar, start: Instant::now(), shown: AtomicBool::new(false) }
    }

    fn tick(&self) {
        let Some(bar) = &self.bar else { return };
        bar.inc(1);
        if self.start.elapsed() > Duration::from_secs(1) && !self.shown.swap(true, Ordering::Relaxed) {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
