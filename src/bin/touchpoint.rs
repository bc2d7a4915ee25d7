//! The `touchpoint` command-line tool.

fn main() -> std::process::ExitCode {
    touchpoint::cli::main()
}
