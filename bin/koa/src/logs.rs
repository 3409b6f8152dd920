//! koa's logging flags, global to every subcommand: kona's (`-v`…`-vvvvv`, `-q`,
//! `--logs.stdout.format`, `--logs.file.*` and their `KONA_*` variables, `RUST_LOG`) and koa's
//! `--log` filter.
//!
//! The filter is `--log` (`KOA_LOG`) if given, else `RUST_LOG` if set, else the level of `-v`
//! (kona's scale: 1 error, 2 warn, 3 info, 4 debug, 5 trace; koa's default without `-v` is
//! warn, since the summary says what a run did). Logs go to stderr, as koa's errors do, and
//! carry no colour codes unless stderr is a terminal and `NO_COLOR` is unset. kona-host writes
//! its logs to stdout; op-challenger reads both streams alike.

use std::{
    fmt::Write as _,
    fs::File,
    io::IsTerminal,
    path::{Path, PathBuf},
    sync::Mutex,
};

use tracing::{Event, Subscriber, field::Field};
use tracing_subscriber::{
    EnvFilter, Layer as _,
    fmt::{
        FmtContext, FormatEvent, FormatFields,
        format::Writer,
        time::{FormatTime, SystemTime},
    },
    layer::SubscriberExt,
    registry::LookupSpan,
    util::SubscriberInitExt,
};

use crate::{commands::CliError, progress};

/// The first segments of the log targets koa's code logs to: module paths (`koa_host`,
/// `koa_proof`, `koa_protocol`, `koa_serve`) and the explicit `target:`s (`derive::batch`,
/// `proof::driver`, `preimage::server`, `koa::host`, `koa::executor`, `koa::client`, …).
pub(crate) const LOG_TARGETS: &[&str] = &[
    "koa",
    "koa_host",
    "koa_proof",
    "koa_protocol",
    "koa_serve",
    "derive",
    "proof",
    "preimage",
];

/// A log line format (kona's `LogFormat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LogFormat {
    /// tracing's default format.
    Full,
    /// One JSON object a line: `timestamp`, `level`, `fields` (with `message`), `target`.
    Json,
    /// Multi-line, human readable.
    Pretty,
    /// One short line.
    Compact,
    /// `key=value` pairs.
    Logfmt,
}

/// Log file rotation (kona's `LogRotation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LogRotation {
    /// Every minute.
    Minutely,
    /// Every hour.
    Hourly,
    /// Every day.
    Daily,
    /// One file.
    Never,
}

/// The logging flags.
#[derive(Debug, clap::Args)]
pub(crate) struct LogArgs {
    /// Log filter (tracing `EnvFilter` syntax), e.g. `info` or
    /// `koa_host=debug,derive::batch=info`. Overrides `RUST_LOG` and `-v`. Targets start with
    /// one of: koa (koa::host, koa::executor, koa::client), koa_host, koa_proof, koa_protocol,
    /// koa_serve, derive (derive::batch, derive::channel_bank, …), proof (proof::driver),
    /// preimage (preimage::server); another is an error.
    #[arg(long, global = true, env = "KOA_LOG")]
    pub(crate) log: Option<String>,
    /// Verbosity, kona's scale: -v error, -vv warn, -vvv info, -vvvv debug, -vvvvv trace
    /// (default: warn).
    #[arg(short = 'v', global = true, action = clap::ArgAction::Count, env = "KONA_LOG_LEVEL")]
    pub(crate) verbosity: u8,
    /// No logs on stderr (the summary and errors are still printed).
    #[arg(
        short = 'q',
        long = "logs.stdout.quiet",
        global = true,
        env = "KONA_STDOUT_LOG_QUIET"
    )]
    pub(crate) quiet: bool,
    /// The format of the logs on stderr (kona's `--logs.stdout.format`). With `json`, the
    /// summary and errors are JSON lines too.
    #[arg(
        long = "logs.stdout.format",
        global = true,
        value_enum,
        default_value = "full",
        env = "KONA_LOG_STDOUT_FORMAT"
    )]
    pub(crate) stdout_format: LogFormat,
    /// Also write logs to `koa.log` in this directory.
    #[arg(
        long = "logs.file.directory",
        global = true,
        env = "KONA_LOG_FILE_DIRECTORY"
    )]
    pub(crate) file_directory: Option<PathBuf>,
    /// The format of the log file.
    #[arg(
        long = "logs.file.format",
        global = true,
        value_enum,
        default_value = "full",
        env = "KONA_LOG_FILE_FORMAT"
    )]
    pub(crate) file_format: LogFormat,
    /// Log file rotation: koa writes one file (`never`); rotate it with logrotate.
    #[arg(
        long = "logs.file.rotation",
        global = true,
        value_enum,
        default_value = "never",
        env = "KONA_LOG_FILE_ROTATION"
    )]
    pub(crate) file_rotation: LogRotation,
}

impl LogArgs {
    /// Whether the summary and errors are printed as JSON lines.
    pub(crate) fn json(&self) -> bool {
        self.stdout_format == LogFormat::Json
    }

    /// The filter: `--log`, else `RUST_LOG`, else the `-v` level.
    pub(crate) fn filter(&self) -> Result<EnvFilter, CliError> {
        if let Some(filter) = &self.log {
            check_targets(filter)?;
            return EnvFilter::try_new(filter)
                .map_err(|err| CliError::BadInput(format!("bad --log filter {filter:?}: {err}")));
        }
        if let Ok(filter) = std::env::var("RUST_LOG")
            && !filter.is_empty()
        {
            return EnvFilter::try_new(&filter).map_err(|err| {
                CliError::BadInput(format!("bad RUST_LOG filter {filter:?}: {err}"))
            });
        }
        Ok(EnvFilter::new(level_of(self.verbosity)))
    }

    /// Installs the subscriber.
    pub(crate) fn init(&self) -> Result<(), CliError> {
        if self.file_rotation != LogRotation::Never {
            return Err(CliError::BadInput(format!(
                "--logs.file.rotation {:?}: koa writes one log file (never); rotate it with \
                 logrotate",
                self.file_rotation
            )));
        }
        let mut layers: Vec<BoxedLayer> = Vec::new();
        if !self.quiet {
            let ansi: bool =
                std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            layers.push(layer(self.stdout_format, ansi, std::io::stderr));
        }
        if let Some(dir) = &self.file_directory {
            let file = open_log_file(dir)?;
            layers.push(layer(self.file_format, false, Mutex::new(file)));
        }
        tracing_subscriber::registry()
            .with(layers.with_filter(self.filter()?))
            .with(progress::ProgressLayer.with_filter(progress::ProgressLayer::targets()))
            .try_init()
            .map_err(|err| CliError::Internal(format!("cannot install the logger: {err}")))
    }
}

/// The `EnvFilter` level of kona's verbosity count (0: koa's default, warn).
pub(crate) fn level_of(verbosity: u8) -> &'static str {
    match verbosity {
        0 | 2 => "warn",
        1 => "error",
        3 => "info",
        4 => "debug",
        _ => "trace",
    }
}

/// Refuses a directive naming a target koa never logs to: such a filter silently shows nothing.
pub(crate) fn check_targets(filter: &str) -> Result<(), CliError> {
    for directive in filter.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        let target: &str = directive.split(['=', '[']).next().unwrap_or_default();
        let is_level: bool = !directive.contains('=')
            && ["off", "error", "warn", "info", "debug", "trace"]
                .contains(&target.to_ascii_lowercase().as_str());
        if is_level || target.is_empty() {
            continue;
        }
        let root: &str = target.split("::").next().unwrap_or_default();
        if !LOG_TARGETS.contains(&root) {
            return Err(CliError::BadInput(format!(
                "--log {filter:?}: koa logs nothing under {target:?} (targets start with: {})",
                LOG_TARGETS.join(", ")
            )));
        }
    }
    Ok(())
}

fn open_log_file(dir: &Path) -> Result<File, CliError> {
    std::fs::create_dir_all(dir)
        .and_then(|()| {
            File::options()
                .create(true)
                .append(true)
                .open(dir.join("koa.log"))
        })
        .map_err(|err| {
            CliError::BadInput(format!(
                "--logs.file.directory {}: cannot open koa.log: {err}",
                dir.display()
            ))
        })
}

type BoxedLayer = Box<dyn tracing_subscriber::Layer<tracing_subscriber::Registry> + Send + Sync>;

fn layer<W>(format: LogFormat, ansi: bool, writer: W) -> BoxedLayer
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let base = tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_ansi(ansi);
    match format {
        LogFormat::Full => Box::new(base),
        LogFormat::Pretty => Box::new(base.pretty()),
        LogFormat::Compact => Box::new(base.compact()),
        LogFormat::Json => Box::new(base.event_format(JsonLine)),
        LogFormat::Logfmt => Box::new(base.event_format(Logfmt)),
    }
}

/// Collects an event's fields.
#[derive(Default)]
struct Fields(serde_json::Map<String, serde_json::Value>);

impl tracing::field::Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().into(), format!("{value:?}").into());
    }
}

fn timestamp() -> String {
    let mut now = String::new();
    let _ = SystemTime.format_time(&mut Writer::new(&mut now));
    now
}

/// A JSON log line as tracing-subscriber's `json` format writes it (and op-challenger's
/// `ParseRustStructuredLogs` reads it): `{"timestamp","level","fields":{"message",…},"target"}`.
pub(crate) fn json_line(
    level: &str,
    target: &str,
    fields: serde_json::Map<String, serde_json::Value>,
) -> String {
    serde_json::json!({
        "timestamp": timestamp(),
        "level": level,
        "fields": fields,
        "target": target,
    })
    .to_string()
}

struct JsonLine;

impl<S, N> FormatEvent<S, N> for JsonLine
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let meta = event.metadata();
        writeln!(
            writer,
            "{}",
            json_line(meta.level().as_str(), meta.target(), fields.0)
        )
    }
}

struct Logfmt;

impl<S, N> FormatEvent<S, N> for Logfmt
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let meta = event.metadata();
        let mut line = format!(
            "time={} level={} target={}",
            timestamp(),
            meta.level().as_str().to_ascii_lowercase(),
            meta.target()
        );
        for (key, value) in fields.0 {
            let text: String = match value {
                serde_json::Value::String(text) => text,
                other => other.to_string(),
            };
            let _ = write!(line, " {key}={text:?}");
        }
        writeln!(writer, "{line}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kona_verbosity_scale() {
        let levels: Vec<&str> = (0..=6).map(level_of).collect();
        assert_eq!(
            levels,
            ["warn", "error", "warn", "info", "debug", "trace", "trace"]
        );
    }

    #[test]
    fn known_targets_pass_and_unknown_ones_are_refused() {
        for ok in [
            "info",
            "WARN",
            "koa::executor=debug",
            "koa_host=debug,proof::driver=info",
            "derive::batch[span]=trace",
            "off",
        ] {
            check_targets(ok).unwrap_or_else(|err| panic!("{ok}: {err}"));
        }
        for bad in ["koa_executor=debug", "kona_host=info", "nothing"] {
            let err = check_targets(bad).unwrap_err();
            assert!(err.to_string().contains("koa logs nothing under"), "{err}");
        }
    }
}
