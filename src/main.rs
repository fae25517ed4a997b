//! The `cpoms-qa` command line: a thin layer over the library's pipeline.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Reads returned CPOMS Quality Assurance Tool forms and writes records and a summary workbook.
#[derive(Parser, Debug)]
#[command(name = "cpoms-qa", version, about, long_about = None)]
#[command(after_help = "Exit codes: 0 every file was read (fully or with gaps); 1 the output was written but some files failed; 2 usage error or the output could not be written.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print the record extracted from each form (files, or folders searched recursively).
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
    },
    /// Read every form and write the summary workbook.
    Summarise {
        /// Forms or folders of forms.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The workbook to write.
        #[arg(short, long)]
        output: PathBuf,
        /// Measure overdue reviews and actions against this day (YYYY-MM-DD or DD/MM/YYYY); default today.
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Rewrite each return as a clean copy of the current form (or its JSON record) in a folder.
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let opts = cpoms_qa::Options::default();
    match cli.command {
        Command::Extract { paths, json: _, jsonl } => {
            let records = cpoms_qa::process_paths(&paths, &opts);
            if jsonl {
                for r in &records {
                    println!("{}", serde_json::to_string(r).unwrap_or_default());
                }
            } else {
                println!("{}", serde_json::to_string_pretty(&records).unwrap_or_default());
            }
            if cpoms_qa::all_read(&records) { ExitCode::SUCCESS } else { ExitCode::from(1) }
        }
        Command::Summarise { paths, output, as_of } => {
            let as_of = match as_of {
                Some(text) => match cpoms_qa::dates::parse_iso(&text).or_else(|| cpoms_qa::dates::parse_uk_date(&text)) {
                    Some(d) => d,
                    None => {
                        eprintln!("error: --as-of {text:?} is not a date; write it as YYYY-MM-DD");
                        return ExitCode::from(2);
                    }
                },
                None => chrono::Local::now().date_naive(),
            };
            let records = cpoms_qa::process_paths(&paths, &opts);
            let sopts = cpoms_qa::summarise::SummaryOptions::new(as_of);
            if let Err(e) = cpoms_qa::summarise::write_workbook(&records, &output, &sopts) {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
            if cpoms_qa::all_read(&records) { ExitCode::SUCCESS } else { ExitCode::from(1) }
        }
        Command::Convert { paths, to, output } => convert(&paths, to.into(), &output, &opts),
    }
}

/// `convert`: exit 0 when every input was read and written, 1 when some inputs could not be read,
/// 2 when nothing was given or an output could not be written.
fn convert(paths: &[PathBuf], target: cpoms_qa::write::Target, out_dir: &std::path::Path, opts: &cpoms_qa::Options) -> ExitCode {
    use cpoms_qa::write::Converted;
    let inputs = cpoms_qa::collect_inputs(paths);
    for missing in &inputs.missing {
        eprintln!("{missing}: not found");
    }
    if inputs.files.is_empty() {
        eprintln!("error: no forms found to convert");
        return ExitCode::from(2);
    }
    if let Err(e) = std::fs::create_dir_all(out_dir) {
        eprintln!("error: cannot create the output folder {}: {}", out_dir.display(), cpoms_qa::read::io_reason(&e));
        return ExitCode::from(2);
    }
    let outcomes = cpoms_qa::write::convert_inputs(&inputs.files, target, out_dir, opts);
    let (mut written, mut unreadable, mut not_written) = (0usize, inputs.missing.len(), 0usize);
    for (input, outcome) in inputs.files.iter().zip(&outcomes) {
        match outcome {
            Converted::Written(_) => written += 1,
            Converted::Unreadable(reason) => {
                unreadable += 1;
                eprintln!("{}: not converted: {reason}", input.source);
            }
            Converted::NotWritten(out, e) => {
                not_written += 1;
                eprintln!("{}: {} not written: {e}", input.source, out.display());
            }
        }
    }
    eprintln!("converted {written} of {} files into {}", inputs.files.len() + inputs.missing.len(), out_dir.display());
    if not_written > 0 {
        ExitCode::from(2)
    } else if unreadable > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
