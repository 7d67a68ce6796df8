//! Exit codes and error printing shared by all commands.

/// Everything fine (or, for `check`/`load`, every threshold passed).
pub const OK: i32 = 0;
/// A threshold or budget was breached.
pub const BREACHED: i32 = 1;
/// Bad usage, invalid config or input, or the target could not be reached.
pub const USAGE: i32 = 2;

/// Prints an error with its context chain and returns [`USAGE`].
pub fn fail(err: &anyhow::Error) -> i32 {
    // Errors quote what the user typed (URLs, headers, connection strings): mask secrets.
    let mut text = format!("error: {}\n", perfhound_model::redact::text(&err.to_string()));
    for cause in err.chain().skip(1) {
        text.push_str(&format!("  caused by: {}\n", perfhound_model::redact::text(&cause.to_string())));
    }
    perfhound_term::eprint(&text);
    USAGE
}

/// Writing to a closed pipe (`perfhound … | head`) ends the program quietly with 0.
pub fn install_broken_pipe_handler() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info.payload().downcast_ref::<String>().map(String::as_str).unwrap_or("");
        if msg.contains("Broken pipe") || msg.contains("failed printing to stdout") {
            std::process::exit(OK);
        }
        default(info);
    }));
}
