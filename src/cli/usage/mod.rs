//! nabla's command line in the user's language: the help of every command, the placeholders of
//! values, and the errors in a command line, all from the catalogues (locales/*/usage.ftl).
//!
//! clap writes help and errors while it parses, so the language is decided first, from the
//! command line itself (`--lang`, wherever it is) or else the locale, exactly as the commands
//! decide it. The clap definition (`Cli`, derived) gives the structure; [`command`] gives it
//! words: each command's about, each argument's help, heading and placeholder, the possible
//! values with their descriptions and defaults (written by us, since clap writes "[default: …]"
//! in English), our own `-h`/`--help`, `-V`/`--version` and `help` command, and a help template
//! whose usage line is ours. Completions and manual pages are generated from the same command.

mod errors;
mod texts;
mod values;

use std::ffi::OsString;

use clap::builder::{PossibleValuesParser, StyledStr};
use clap::{Arg, ArgAction, Command};

use nabla::words::{Language, phrase};

pub use errors::render as render_error;
pub use values::{Described, choices, digits, whole_number};

/// The value of option `--name` on a command line, as clap would read it (`--name VALUE` or
/// `--name=VALUE`), before clap reads it; none after a `--`.
pub fn option_value<'a>(args: &'a [OsString], name: &str) -> Option<&'a str> {
    let flag = format!("--{name}");
    let mut words = args.iter().skip(1).map(|a| a.to_str());
    while let Some(word) = words.next() {
        let Some(word) = word else { continue };
        if word == "--" {
            return None;
        }
        if word == flag {
            return words.next().flatten();
        }
        if let Some(value) = word.strip_prefix(&flag).and_then(|v| v.strip_prefix('=')) {
            return Some(value);
        }
    }
    None
}

/// The language of everything nabla writes: `--lang` on the command line, else the locale.
pub fn language(args: &[OsString], variable: impl Fn(&str) -> Option<String>) -> Language {
    match option_value(args, "lang") {
        Some("en") => Language::English,
        Some("vi") => Language::Vietnamese,
        _ => Language::from_locale(variable),
    }
}

/// What a command line is built for: its words are laid out for it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Parsing, with help and errors: defaults and possible values written as clap writes them.
    Parse,
    /// Shell completions: each option's help alone (the shell lists the values itself).
    Completions,
    /// Manual pages: no `help` command, each value and default a paragraph of its own.
    Manual,
}

/// nabla's command line (`cli`, the derived definition) with its words in `language`, laid
/// out for `purpose`.
pub fn command(cli: Command, language: Language, purpose: Purpose) -> Command {
    let mut command = cli;
    if purpose != Purpose::Manual {
        let names: Vec<String> = command
            .get_subcommands()
            .map(|c| c.get_name().to_string())
            .chain(["help".to_string()])
            .collect();
        command = command.subcommand(
            Command::new("help").arg(
                Arg::new("command")
                    .action(ArgAction::Set)
                    .value_parser(PossibleValuesParser::new(names)),
            ),
        );
    }
    let command = localize(command, "", language, purpose)
        .disable_version_flag(true)
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help(language.say(&phrase::usage_version()))
                .help_heading(language.say(&phrase::usage_options_heading()))
                .display_order(LAST + 1),
        );
    // A manual page's synopsis lists every option (clap_mangen writes it from the arguments).
    if purpose == Purpose::Manual {
        command
    } else {
        with_usages(command, language)
    }
}

/// Global options come after a command's own, and help and version last.
const GLOBAL: usize = 1000;
const LAST: usize = 2000;

/// `command` (the subcommand `name`, or nabla itself for `""`) and its subcommands with their
/// words in `language`.
fn localize(command: Command, name: &str, language: Language, purpose: Purpose) -> Command {
    let say = |message| language.say(&message);
    let styles = command.get_styles().clone();
    let usage = styles.get_usage();
    let template = format!(
        "{{before-help}}{{about-with-newline}}\n{}{}{} {{usage}}\n\n{{all-args}}{{after-help}}",
        usage.render(),
        say(phrase::usage_heading()),
        usage.render_reset()
    );
    let commands = say(phrase::usage_commands_heading());
    let mut command = command
        .help_template(template)
        .subcommand_help_heading(if purpose == Purpose::Manual {
            commands.to_uppercase()
        } else {
            commands
        })
        .subcommand_value_name(say(phrase::usage_value_command()))
        .disable_help_flag(true)
        .disable_help_subcommand(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help(say(phrase::usage_help()))
                .long_help(say(phrase::usage_help_long()))
                .display_order(LAST),
        )
        .mut_args(|arg| describe(arg, name, language, purpose, &styles));
    if let Some(about) = texts::about(name) {
        command = command.about(say(about));
    }
    command.mut_subcommands(|sub| {
        let name = sub.get_name().to_string();
        localize(sub, &name, language, purpose)
    })
}

/// An argument with its words: help (with its default and possible values, as clap would write
/// them), heading and placeholder.
fn describe(
    arg: Arg,
    command: &str,
    language: Language,
    purpose: Purpose,
    styles: &clap::builder::Styles,
) -> Arg {
    let say = |message| language.say(&message);
    let id = arg.get_id().as_str().to_string();
    let heading = if arg.is_positional() {
        say(phrase::usage_arguments_heading())
    } else {
        say(phrase::usage_options_heading())
    };
    let mut arg = arg.help_heading(heading);
    if arg.is_global_set() {
        let order = GLOBAL + arg.get_display_order();
        arg = arg.display_order(order);
    }
    if let Some(name) = texts::value_name(command, &id) {
        arg = arg.value_name(say(name));
    }
    let Some(help) = texts::argument(command, &id) else {
        return arg;
    };
    let help = say(help);
    if !arg.get_action().takes_values() || purpose == Purpose::Completions {
        return arg.help(help);
    }
    // Lines of the long help; a manual page fills lines into paragraphs, so there each line
    // is a paragraph.
    let line = if purpose == Purpose::Manual {
        "\n\n"
    } else {
        "\n"
    };
    let values: Vec<_> = arg
        .get_possible_values()
        .into_iter()
        .filter(|v| !v.is_hide_set())
        .collect();
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    let literal = styles.get_literal();
    let mut specs = Vec::new();
    if !defaults.is_empty() {
        specs.push(say(phrase::usage_default(defaults.join(" "))));
    }
    let names = values
        .iter()
        .map(|v| {
            format!(
                "{}{}{}",
                literal.render(),
                v.get_name(),
                literal.render_reset()
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let described = values.iter().any(|v| v.get_help().is_some());
    let mut short = help.clone();
    for spec in specs
        .iter()
        .cloned()
        .chain((!values.is_empty()).then(|| say(phrase::usage_possible_values(names.clone()))))
    {
        short.push(' ');
        short.push_str(&spec);
    }
    let mut long = help;
    if described {
        // Each value on a line, its description aligned after the longest name.
        let longest = values.iter().map(|v| v.get_name().chars().count()).max();
        long.push_str("\n\n");
        long.push_str(&say(phrase::usage_possible_values_heading()));
        for value in &values {
            let name = value.get_name();
            long.push_str(line);
            long.push_str(&format!(
                "- {}{name}{}",
                literal.render(),
                literal.render_reset()
            ));
            if let Some(help) = value.get_help() {
                let padding = longest.unwrap_or(0) - name.chars().count();
                long.push_str(&format!(": {:padding$}{help}", ""));
            }
        }
    } else if !values.is_empty() {
        specs.push(say(phrase::usage_possible_values(names)));
    }
    if !specs.is_empty() {
        long.push_str("\n\n");
        long.push_str(&specs.join(line));
    }
    arg.help(short)
        .long_help(long)
        .hide_default_value(true)
        .hide_possible_values(true)
}

/// Each command with its usage line written in `language`: clap's own usage, with our word for
/// `[OPTIONS]` (the usage line of the help, and of every error).
fn with_usages(command: Command, language: Language) -> Command {
    let mut built = command.clone();
    built.build();
    let top = usage_line(&built.render_usage(), language);
    let subcommands: Vec<(String, StyledStr)> = built
        .get_subcommands_mut()
        .map(|sub| {
            let name = sub.get_name().to_string();
            (name, usage_line(&sub.render_usage(), language))
        })
        .collect();
    command.override_usage(top).mut_subcommands(|sub| {
        match subcommands.iter().find(|(name, _)| name == sub.get_name()) {
            Some((_, usage)) => sub.override_usage(usage.clone()),
            None => sub,
        }
    })
}

/// A usage line as clap writes it (`Usage: nabla explain [OPTIONS] <FILE>`, styled), without
/// its heading and with `[OPTIONS]` in `language`.
fn usage_line(usage: &StyledStr, language: Language) -> StyledStr {
    let text = usage.ansi().to_string();
    let line = without_heading(&text);
    let options = format!("[{}]", language.say(&phrase::usage_options_placeholder()));
    StyledStr::from(line.replace("[OPTIONS]", &options))
}

/// A usage line of clap without its heading ("Usage:" and the styles around it).
fn without_heading(text: &str) -> &str {
    let Some((_, rest)) = text.split_once("Usage:") else {
        return text;
    };
    let mut rest = rest;
    loop {
        if let Some(after) = rest.strip_prefix(' ') {
            return after;
        }
        // An escape sequence that ends the heading's style: ESC [ … m.
        match rest.strip_prefix("\u{1b}[").and_then(|r| r.split_once('m')) {
            Some((_, after)) => rest = after,
            None => return rest,
        }
    }
}

/// The help that `nabla help [COMMAND]` asks for, long form.
pub fn help_of(command: &mut Command, name: Option<&str>) -> StyledStr {
    command.build();
    match name.and_then(|name| command.find_subcommand_mut(name)) {
        Some(sub) => sub.render_long_help(),
        None => command.render_long_help(),
    }
}

/// A manual page's sections named in `language` (clap_mangen writes them in English).
pub fn translate_manual(page: &str, language: Language) -> String {
    let sections = [
        ("NAME", phrase::usage_man_name()),
        ("SYNOPSIS", phrase::usage_man_synopsis()),
        ("DESCRIPTION", phrase::usage_man_description()),
        ("VERSION", phrase::usage_man_version()),
    ];
    page.lines()
        .map(|line| {
            let section = line.strip_prefix(".SH ");
            match sections.iter().find(|(name, _)| section == Some(*name)) {
                Some((_, words)) => format!(".SH {}\n", quote_roff(&language.say(words))),
                None => format!("{line}\n"),
            }
        })
        .collect()
}

/// A macro argument of roff: quoted when it holds a space.
fn quote_roff(text: &str) -> String {
    if text.contains(' ') {
        format!("\"{text}\"")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<OsString> {
        std::iter::once("nabla")
            .chain(words.iter().copied())
            .map(OsString::from)
            .collect()
    }

    #[test]
    fn the_language_is_read_from_the_command_line_as_clap_reads_it() {
        let none = |_: &str| None;
        let vi = |name: &str| (name == "LANG").then(|| "vi_VN.UTF-8".to_string());
        let cases: [(&[&str], Language); 7] = [
            (&["--lang", "vi", "check", "f"], Language::Vietnamese),
            (&["check", "f", "--lang=vi"], Language::Vietnamese),
            (&["explain", "--lang", "en"], Language::English),
            (&["explain", "--lang"], Language::English),
            (&["explain", "--", "--lang", "vi"], Language::English),
            (&["explain", "--language", "vi"], Language::English),
            (&["explain", "--lang", "fr"], Language::English),
        ];
        for (words, expected) in cases {
            assert_eq!(language(&args(words), none), expected, "{words:?}");
        }
        assert_eq!(language(&args(&["check"]), vi), Language::Vietnamese);
        assert_eq!(
            language(&args(&["check", "--lang", "en"]), vi),
            Language::English
        );
    }

    #[test]
    fn every_part_of_the_command_line_has_its_words() {
        use clap::CommandFactory;
        let mut command = command(
            super::super::Cli::command(),
            Language::English,
            Purpose::Parse,
        );
        command.build();
        let mut missing = Vec::new();
        let commands = std::iter::once(("", &command))
            .chain(command.get_subcommands().map(|sub| (sub.get_name(), sub)));
        for (name, sub) in commands {
            if texts::about(name).is_none() {
                missing.push(format!("what `{name}` does"));
            }
            for arg in sub.get_arguments() {
                let id = arg.get_id().as_str();
                if matches!(id, "help" | "version") {
                    continue;
                }
                let owner = if arg.is_global_set() { "" } else { name };
                if texts::argument(owner, id).is_none() {
                    missing.push(format!("what `{name} {id}` is for"));
                }
                if arg.get_action().takes_values()
                    && texts::value_name(owner, id).is_none()
                    && id != "rows"
                {
                    missing.push(format!("the placeholder of `{name} {id}`"));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "give these a phrase in locales/*/usage.ftl and src/cli/usage/texts.rs: {missing:?}"
        );
    }

    #[test]
    fn usage_lines_lose_their_heading_only() {
        assert_eq!(without_heading("Usage: nabla [OPTIONS]"), "nabla [OPTIONS]");
        assert_eq!(
            without_heading("\u{1b}[1m\u{1b}[4mUsage:\u{1b}[0m \u{1b}[1mnabla\u{1b}[0m"),
            "\u{1b}[1mnabla\u{1b}[0m"
        );
        assert_eq!(without_heading("nabla check"), "nabla check");
    }
}
