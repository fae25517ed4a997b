//! The `cpoms-qa` command line: a thin layer over the library's pipeline.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
            let sopts = cpoms_qa::summarise::SummaryOptions { as_of };
            if let Err(e) = cpoms_qa::summarise::write_workbook(&records, &output, &sopts) {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
            if cpoms_qa::all_read(&records) { ExitCode::SUCCESS } else { ExitCode::from(1) }
        }
    }
}
