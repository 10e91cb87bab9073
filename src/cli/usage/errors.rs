//! clap's errors said in the user's language: the kind of error and its context (the argument,
//! the value, the values it could have been, the suggestions) become phrases of the catalogues,
//! laid out as clap lays them out.

use clap::error::{ContextKind, ContextValue, ErrorKind};

use nabla::words::{Language, Message, phrase};

use super::values::Refusal;

/// What `error` says, in `language`, styled with ANSI escapes when `colour`: help and version
/// as clap wrote them from our words; a usage error as clap would write it, with our words.
pub fn render(error: &clap::Error, language: Language, colour: bool) -> String {
    match error.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let text = error.render();
            if colour {
                text.ansi().to_string()
            } else {
                text.to_string()
            }
        }
        _ => usage_error(error, language, colour),
    }
}

fn usage_error(error: &clap::Error, language: Language, colour: bool) -> String {
    let say = |message: Message| language.say(&message);
    let styles = clap::builder::Styles::styled();
    let style = |style: &clap::builder::styling::Style, text: String| {
        if colour {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text
        }
    };
    let text = |kind| match error.get(kind) {
        Some(ContextValue::String(text)) => Some(text.clone()),
        _ => None,
    };
    let texts = |kind| match error.get(kind) {
        Some(ContextValue::Strings(texts)) => texts.clone(),
        Some(ContextValue::String(text)) => vec![text.clone()],
        _ => Vec::new(),
    };
    let number = |kind| match error.get(kind) {
        Some(ContextValue::Number(n)) => *n as i64,
        _ => 0,
    };
    let quoted = |items: &[String]| {
        items
            .iter()
            .map(|item| format!("'{item}'"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let argument = text(ContextKind::InvalidArg).unwrap_or_default();
    let value = text(ContextKind::InvalidValue).unwrap_or_default();
    // The message, and the lines under it (a list of arguments or values).
    let (message, lines): (Message, Vec<String>) = match error.kind() {
        ErrorKind::ArgumentConflict => {
            let others = texts(ContextKind::PriorArg);
            let argument = text(ContextKind::InvalidArg)
                .or_else(|| text(ContextKind::InvalidSubcommand))
                .unwrap_or_default();
            if others.is_empty() || others == [argument.clone()] {
                (phrase::usage_used_twice(argument), Vec::new())
            } else {
                (
                    phrase::usage_conflict(argument, quoted(&others)),
                    Vec::new(),
                )
            }
        }
        ErrorKind::InvalidValue | ErrorKind::NoEquals if value.is_empty() => (
            phrase::usage_missing_value(argument),
            possible(error, language),
        ),
        ErrorKind::InvalidValue => (
            phrase::usage_invalid_value(value, argument),
            possible(error, language),
        ),
        ErrorKind::InvalidSubcommand => (
            phrase::usage_unknown_command(text(ContextKind::InvalidSubcommand).unwrap_or_default()),
            Vec::new(),
        ),
        ErrorKind::MissingRequiredArgument => (
            phrase::usage_missing_arguments(),
            texts(ContextKind::InvalidArg),
        ),
        ErrorKind::MissingSubcommand => {
            let commands = texts(ContextKind::ValidSubcommand);
            (
                phrase::usage_missing_command(
                    text(ContextKind::InvalidSubcommand).unwrap_or_default(),
                ),
                if commands.is_empty() {
                    Vec::new()
                } else {
                    vec![say(phrase::usage_commands_list(commands.join(", ")))]
                },
            )
        }
        ErrorKind::TooManyValues => (phrase::usage_unexpected_value(value, argument), Vec::new()),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            let expected = match error.get(ContextKind::MinValues) {
                Some(ContextValue::Number(n)) => *n as i64,
                _ => number(ContextKind::ExpectedNumValues),
            };
            (
                phrase::usage_wrong_number_of_values(
                    argument,
                    expected,
                    number(ContextKind::ActualNumValues),
                ),
                Vec::new(),
            )
        }
        ErrorKind::ValueValidation => {
            let why = match std::error::Error::source(error) {
                Some(source) => match source.downcast_ref::<Refusal>() {
                    Some(Refusal(why)) => say(why.clone()),
                    None => source.to_string(),
                },
                None => String::new(),
            };
            (
                phrase::usage_invalid_value_because(value, argument, why),
                Vec::new(),
            )
        }
        ErrorKind::UnknownArgument => (phrase::usage_unexpected_argument(argument), Vec::new()),
        ErrorKind::InvalidUtf8 => (phrase::usage_not_utf8(), Vec::new()),
        _ => (
            phrase::usage_cannot_read(
                std::error::Error::source(error)
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| format!("{:?}", error.kind())),
            ),
            Vec::new(),
        ),
    };
    let mut out = style(styles.get_error(), say(phrase::severity_error()));
    out.push_str(": ");
    out.push_str(&say(message));
    for line in lines {
        out.push_str("\n  ");
        out.push_str(&line);
    }
    for (i, tip) in tips(error).into_iter().enumerate() {
        out.push_str(if i == 0 { "\n\n  " } else { "\n  " });
        out.push_str(&style(styles.get_valid(), say(phrase::usage_tip(tip))));
    }
    if let Some(ContextValue::StyledStr(usage)) = error.get(ContextKind::Usage) {
        let usage = if colour {
            usage.ansi().to_string()
        } else {
            usage.to_string()
        };
        out.push_str("\n\n");
        out.push_str(&style(styles.get_usage(), say(phrase::usage_heading())));
        out.push(' ');
        out.push_str(super::without_heading(&usage));
    }
    out.push_str("\n\n");
    out.push_str(&say(phrase::usage_more_information("--help")));
    out.push('\n');
    out
}

/// The values an argument takes, listed under an invalid one.
fn possible(error: &clap::Error, language: Language) -> Vec<String> {
    match error.get(ContextKind::ValidValue) {
        Some(ContextValue::Strings(values)) if !values.is_empty() => {
            vec![language.say(&phrase::usage_possible_values(values.join(", ")))]
        }
        _ => Vec::new(),
    }
}

/// The suggestions clap makes, as phrases.
fn tips(error: &clap::Error) -> Vec<Message> {
    let mut tips = Vec::new();
    let quoted = |items: &[String]| {
        items
            .iter()
            .map(|item| format!("'{item}'"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match error.get(ContextKind::SuggestedSubcommand) {
        Some(ContextValue::String(command)) => tips.push(phrase::usage_similar_command(
            1,
            quoted(std::slice::from_ref(command)),
        )),
        Some(ContextValue::Strings(commands)) if !commands.is_empty() => tips.push(
            phrase::usage_similar_command(commands.len(), quoted(commands)),
        ),
        _ => {}
    }
    if let Some(ContextValue::String(argument)) = error.get(ContextKind::SuggestedArg) {
        tips.push(phrase::usage_similar_argument(argument.clone()));
    }
    if let Some(ContextValue::String(value)) = error.get(ContextKind::SuggestedValue) {
        tips.push(phrase::usage_similar_value(value.clone()));
    }
    if let Some(ContextValue::StyledStrs(suggestions)) = error.get(ContextKind::Suggested) {
        tips.extend(suggestions.iter().map(|s| suggestion(&s.to_string())));
    }
    tips
}

/// One of clap's free-form suggestions (the only context it gives as English text), recognised
/// by its form; one we do not know is passed on as clap wrote it.
fn suggestion(text: &str) -> Message {
    if let Some((argument, written)) = text
        .strip_prefix("to pass '")
        .and_then(|rest| rest.strip_suffix('\''))
        .and_then(|rest| rest.split_once("' as a value, use '"))
    {
        return phrase::usage_pass_as_value(argument, written);
    }
    if let Some(command) = text
        .strip_prefix("subcommand '")
        .and_then(|rest| rest.strip_suffix("' exists; to use it, remove the '--' before it"))
    {
        return phrase::usage_remove_double_dash(command);
    }
    if let Some(written) = text
        .strip_prefix('\'')
        .and_then(|rest| rest.strip_suffix("' exists"))
    {
        return phrase::usage_option_of_command(written);
    }
    phrase::usage_cannot_read(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_suggestions_become_phrases() {
        assert_eq!(
            suggestion("to pass '--bogus' as a value, use '-- --bogus'").english(),
            "to pass '--bogus' as a value, use '-- --bogus'"
        );
        assert_eq!(
            suggestion("to pass '--bogus' as a value, use '-- --bogus'").id(),
            "usage-pass-as-value"
        );
        assert_eq!(
            suggestion("subcommand 'explain' exists; to use it, remove the '--' before it").id(),
            "usage-remove-double-dash"
        );
        assert_eq!(
            Language::Vietnamese.say(&suggestion("'nabla explain --steps' exists")),
            "có 'nabla explain --steps'"
        );
        assert_eq!(suggestion("something new").id(), "usage-cannot-read");
    }
}
