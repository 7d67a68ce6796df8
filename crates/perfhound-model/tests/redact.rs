//! Property: a secret handed to perfhound in any supported shape never survives
//! [`Run::redact_secrets`] — in the command line, a source, a finding, a warning — nor
//! [`redact::text`] when it sits inside free text such as an error message.

use perfhound_model::{redact, Finding, HostInfo, Rule, Run, Severity, Source, ToolInfo, SCHEMA_VERSION};
use proptest::prelude::*;

const HEADERS: &[&str] = &[
    "Authorization",
    "Proxy-Authorization",
    "Cookie",
    "Set-Cookie",
    "X-Api-Key",
    "X-Auth-Token",
    "X-Client-Secret",
    "api-key",
];
const PARAMS: &[&str] = &["password", "token", "api_key", "secret", "access_token", "apikey", "client_secret"];

/// A secret as users write them: header values may hold `+/=`, URL parts only unreserved characters.
fn secret() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9._~+/=-]{11,31}"
}

fn url_secret() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9._~-]{11,31}"
}

/// One way of passing `secret` on a command line, as the arguments after `perfhound load`.
fn args_with(form: usize, name: &str, param: &str, scheme: &str, s: &str) -> Vec<String> {
    let url = "http://127.0.0.1:8080/".to_string();
    let v: Vec<String> = match form {
        0 => vec![url, "-H".into(), format!("{name}: Bearer {s}")],
        1 => vec![url, format!("-H{name}: {s}")],
        2 => vec![url, "--header".into(), format!("{name}: {s}")],
        3 => vec![url, format!("--header={name}: {s}")],
        4 => vec![url, "-kH".into(), format!("{name}:{s}")],
        5 => vec![url, format!("-kH{name}:{s}")],
        6 => vec![format!("{scheme}://user:{s}@127.0.0.1:8080/x")],
        7 => vec![format!("{scheme}://127.0.0.1:8080/x?a=1&{param}={s}&b=2")],
        8 => vec![format!("host=127.0.0.1 user=u {param}={s} dbname=d")],
        9 => vec![format!("host=127.0.0.1 password='{s} with space' dbname=d")],
        _ => vec![url, "-b".into(), format!("{{\"{param}\": \"{s}\"}}")],
    };
    ["perfhound".to_string(), "load".into()].into_iter().chain(v).collect()
}

fn run_carrying(text: &str, command: Vec<String>) -> Run {
    let rule = Rule { code: "PH-TEST001", name: "test", severity: Severity::Warning, summary: "", why: "", fix: "" };
    let mut finding = Finding::new(&rule, text, text);
    finding.evidence.examples.push(text.into());
    finding.evidence.notes.push(text.into());
    finding.recommendation.text = text.into();
    Run {
        schema_version: SCHEMA_VERSION,
        id: "0".into(),
        tool: ToolInfo { name: "perfhound".into(), version: "0".into(), command },
        started_at: String::new(),
        ended_at: String::new(),
        host: HostInfo::default(),
        sources: vec![Source { kind: perfhound_model::SourceKind::Load, description: text.into() }],
        targets: Vec::new(),
        findings: vec![finding],
        budget_results: Vec::new(),
        load: None,
        resources: None,
        warnings: vec![format!("while loading: {text}")],
        complexity: Vec::new(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_secret_survives_any_form(
        form in 0usize..11,
        name in proptest::sample::select(HEADERS),
        param in proptest::sample::select(PARAMS),
        scheme in proptest::sample::select(&["http", "https", "postgres", "postgresql", "redis"][..]),
        header_secret in secret(),
        url_secret in url_secret(),
    ) {
        let s = if (6..=9).contains(&form) { url_secret } else { header_secret };
        let args = args_with(form, name, param, scheme, &s);
        let shown = redact::command(args.clone());
        prop_assert!(!shown.join(" ").contains(&s), "command kept the secret: {shown:?}");

        let joined = args[2..].join(" ");
        let free = redact::text(&format!("error: cannot reach {joined}: connection refused"));
        prop_assert!(!free.contains(&s), "free text kept the secret: {free}");

        let mut run = run_carrying(&joined, args);
        run.redact_secrets();
        let json = serde_json::to_string(&run).unwrap();
        prop_assert!(!json.contains(&s), "run kept the secret: {json}");
    }

    #[test]
    fn redaction_is_idempotent_and_keeps_ordinary_text(text in "[ -~]{0,80}") {
        let once = redact::text(&text);
        prop_assert_eq!(redact::text(&once), once.clone());
        if !text.contains([':', '=', '@']) {
            prop_assert_eq!(once, text);
        }
    }
}
