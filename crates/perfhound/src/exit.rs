//! Exit codes and error printing shared by all commands.

/// Everything fine (or, for `check`/`load`, every threshold passed).
pub const OK: i32 = 0;
/// A threshold or budget was breached.
pub const BREACHED: i32 = 1;
/// Bad usage, invalid config or input, or the target could not be reached.
pub const USAGE: i32 = 2;

/// Prints an error with its context chain and returns [`USAGE`].
pub fn fail(err: &anyhow::Error) -> i32 {
    let mut text = format!("error: {err}\n");
    for cause in err.chain().skip(1) {
        text.push_str(&format!("  caused by: {cause}\n"));
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
