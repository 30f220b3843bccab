fn main() -> std::process::ExitCode {
    vedtakslogg::cli::run()
}
