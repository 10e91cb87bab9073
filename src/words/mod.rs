//! The languages nabla speaks, and the phrases it says in them.
//!
//! Every word nabla prints comes from a message catalogue: `locales/en/*.ftl` and
//! `locales/vi/*.ftl`, in Project Fluent's format (phrases with named arguments, plural forms
//! chosen by each language's rules). `build.rs` checks that both languages have every phrase
//! with the same arguments and writes [`phrase`]: a function per phrase, taking its arguments
//! by name. A stage that has something to say builds a [`Message`] (data, no language); the
//! boundary, or a renderer, says it in the language asked for. No code path chooses words by
//! language.

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// A function per phrase of the catalogues (written by build.rs), each returning a
/// [`Message`]; and, on [`Words`], the same phrases said in one language, for templates.
pub mod phrase {
    use super::{Arg, Count, Message, Words};
    include!(concat!(env!("OUT_DIR"), "/phrases.rs"));
}

/// A language of nabla's output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Language {
    English,
    Vietnamese,
}

impl Language {
    /// Every language, English first.
    pub const ALL: [Language; 2] = [Language::English, Language::Vietnamese];

    /// The tag of the language, as `--lang` takes it.
    pub fn tag(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Vietnamese => "vi",
        }
    }

    /// The message in this language.
    pub fn say(self, message: &Message) -> String {
        self.say_in(message, Markup::Plain)
    }

    /// The message in this language, its own words escaped for `markup` (the arguments are
    /// put in as they are: typeset formulas, or text already escaped).
    pub fn say_in(self, message: &Message, markup: Markup) -> String {
        let bundle = self.bundle(markup);
        let Said {
            id,
            arguments: given,
        } = &*message.0;
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            // build.rs makes this impossible: every id a `Message` can hold has a phrase.
            return id.to_string();
        };
        let mut arguments = FluentArgs::with_capacity(given.len());
        for (name, argument) in given {
            let value: FluentValue = match argument {
                Arg::Text(text) => text.clone().into(),
                Arg::Count(Count(n)) => (*n).into(),
                Arg::Phrase(inner) => self.say_in(inner, markup).into(),
                Arg::List(items) => items
                    .iter()
                    .map(|item| self.say_argument(item, markup))
                    .collect::<Vec<_>>()
                    .join(", ")
                    .into(),
            };
            arguments.set(*name, value);
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&arguments), &mut errors);
        debug_assert!(errors.is_empty(), "{id}: {errors:?}");
        text.into_owned()
    }

    /// The phrase `id` with no arguments given (each shows as its name): for checking the
    /// catalogues.
    pub fn say_id(self, id: &str) -> String {
        let bundle = self.bundle(Markup::Plain);
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            return String::new();
        };
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, None, &mut errors)
            .into_owned()
    }

    /// The phrase `id` as the catalogue writes it (Fluent's syntax tree), for a generator that
    /// writes the phrase into a program of its own (`codegen::words`).
    pub fn pattern(self, id: &str) -> Option<&'static fluent_syntax::ast::Pattern<&'static str>> {
        self.bundle(Markup::Plain).get_message(id)?.value()
    }

    fn say_argument(self, argument: &Arg, markup: Markup) -> String {
        match argument {
            Arg::Text(text) => text.clone(),
            Arg::Count(Count(n)) => n.to_string(),
            Arg::Phrase(inner) => self.say_in(inner, markup),
            Arg::List(items) => items
                .iter()
                .map(|item| self.say_argument(item, markup))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// The words of this language, for a template of plain text or Markdown.
    pub fn words(self) -> Words {
        self.words_in(Markup::Plain)
    }

    /// The words of this language, escaped for a template of this markup.
    pub fn words_in(self, markup: Markup) -> Words {
        Words {
            language: self,
            markup,
        }
    }

    fn bundle(self, markup: Markup) -> &'static FluentBundle<FluentResource> {
        type Cell = OnceLock<FluentBundle<FluentResource>>;
        static BUNDLES: [Cell; 6] = [const { OnceLock::new() }; 6];
        let (index, sources) = match self {
            Language::English => (0, phrase::EN),
            Language::Vietnamese => (3, phrase::VI),
        };
        let (offset, transform): (usize, Option<Transform>) = match markup {
            Markup::Plain => (0, None),
            Markup::Latex => (1, Some(escape_latex)),
            Markup::Html => (2, Some(escape_html)),
        };
        BUNDLES[index + offset].get_or_init(|| {
            let tag = self.tag().parse().expect("a valid language tag");
            let mut bundle = FluentBundle::new_concurrent(vec![tag]);
            // Arguments are code and numbers, written inside text: no bidi isolation marks.
            bundle.set_use_isolating(false);
            bundle.set_transform(transform);
            for source in sources {
                let resource = FluentResource::try_new(source.to_string())
                    .expect("build.rs parsed every catalogue");
                bundle
                    .add_resource(resource)
                    .expect("build.rs found no phrase defined twice");
            }
            bundle
        })
    }

    /// The language a POSIX locale asks for: the first of `LC_ALL`, `LC_MESSAGES` and `LANG`
    /// that is set and not empty decides (the precedence of setlocale for messages); a locale
    /// starting with `vi` (`vi_VN.UTF-8`, `vi`) is Vietnamese, anything else English.
    pub fn from_locale(variable: impl Fn(&str) -> Option<String>) -> Language {
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .into_iter()
            .filter_map(variable)
            .find(|value| !value.is_empty());
        match locale {
            Some(locale) if locale.starts_with("vi") => Language::Vietnamese,
            _ => Language::English,
        }
    }
}

/// What a template's words are written into: the phrases' own text is escaped for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Markup {
    /// Plain text and Markdown: as written.
    Plain,
    /// LaTeX: `%`, `&`, `_` … escaped.
    Latex,
    /// HTML: `<`, `&` … escaped.
    Html,
}

/// How a markup escapes the phrases' own text.
type Transform = fn(&str) -> std::borrow::Cow<'_, str>;

fn escape_latex(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains([
        '\\', '{', '}', '#', '$', '%', '&', '_', '~', '^', '−', '′', '≈', '"',
    ]) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut open_quote = true;
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '{' | '}' | '#' | '$' | '%' | '&' | '_' => {
                out.push('\\');
                out.push(c);
            }
            // Signs of mathematics in a sentence, which text fonts lack.
            '−' => out.push_str("\\ensuremath{-}"),
            '′' => out.push_str("\\ensuremath{'}"),
            '≈' => out.push_str("\\ensuremath{\\approx}"),
            // Straight double quotes, as TeX's opening and closing quotes.
            '"' => {
                out.push_str(if open_quote { "``" } else { "''" });
                open_quote = !open_quote;
            }
            c => out.push(c),
        }
    }
    out.into()
}

fn escape_html(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['<', '>', '&', '"']) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut open_quote = true;
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // Straight double quotes, as typographic opening and closing quotes.
            '"' => {
                out.push(if open_quote { '“' } else { '”' });
                open_quote = !open_quote;
            }
            c => out.push(c),
        }
    }
    out.into()
}

/// Something to say: a phrase of the catalogues and its arguments, in no language yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message(Box<Said>);

/// A message's phrase and arguments, boxed so that a message, and the diagnostics and results
/// that carry several, stay small.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Said {
    id: &'static str,
    arguments: Vec<(&'static str, Arg)>,
}

impl Message {
    fn new(id: &'static str, arguments: Vec<(&'static str, Arg)>) -> Message {
        Message(Box::new(Said { id, arguments }))
    }

    /// The phrase's id in the catalogues.
    pub fn id(&self) -> &'static str {
        self.0.id
    }

    /// In English: for tests and debugging output.
    pub fn english(&self) -> String {
        Language::English.say(self)
    }
}

/// An argument of a phrase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    /// Written as it is, in every language: a name, a number, code.
    Text(String),
    /// A number that chooses a phrase's form (`1 error`, `2 errors`).
    Count(Count),
    /// Another phrase, said in the same language.
    Phrase(Box<Message>),
    /// Several, joined with commas.
    List(Vec<Arg>),
}

/// A number that chooses a phrase's form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Count(pub i64);

impl From<&str> for Arg {
    fn from(text: &str) -> Arg {
        Arg::Text(text.to_string())
    }
}

impl From<String> for Arg {
    fn from(text: String) -> Arg {
        Arg::Text(text)
    }
}

/// Templates pass their values by reference, sometimes twice over.
impl<T: Clone + Into<Arg>> From<&T> for Arg {
    fn from(value: &T) -> Arg {
        value.clone().into()
    }
}

impl<T: Copy + Into<Count>> From<&T> for Count {
    fn from(value: &T) -> Count {
        (*value).into()
    }
}

impl From<Message> for Arg {
    fn from(message: Message) -> Arg {
        Arg::Phrase(Box::new(message))
    }
}

impl From<Vec<Message>> for Arg {
    fn from(messages: Vec<Message>) -> Arg {
        Arg::List(messages.into_iter().map(Arg::from).collect())
    }
}

macro_rules! numbers {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Arg {
                Arg::Text(n.to_string())
            }
        }
        impl From<$t> for Count {
            fn from(n: $t) -> Count {
                Count(i64::try_from(n).unwrap_or(i64::MAX))
            }
        }
    )*};
}
numbers!(usize, u64, u32, u8, i64, i32);

/// The phrases said in one language (the methods are written by build.rs from the catalogues).
#[derive(Clone, Copy, Debug)]
pub struct Words {
    language: Language,
    markup: Markup,
}

impl Words {
    pub fn language(&self) -> Language {
        self.language
    }

    /// A message built elsewhere, in this language and markup.
    pub fn say(&self, message: &Message) -> String {
        self.language.say_in(message, self.markup)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(pairs: &[(&str, &str)]) -> Language {
        Language::from_locale(|name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn the_locale_variables_decide_in_their_usual_precedence() {
        assert_eq!(from(&[]), Language::English);
        assert_eq!(from(&[("LANG", "vi_VN.UTF-8")]), Language::Vietnamese);
        assert_eq!(from(&[("LANG", "vi")]), Language::Vietnamese);
        assert_eq!(from(&[("LANG", "en_US.UTF-8")]), Language::English);
        assert_eq!(from(&[("LANG", "C")]), Language::English);
        assert_eq!(
            from(&[("LANG", "en_US.UTF-8"), ("LC_MESSAGES", "vi_VN.UTF-8")]),
            Language::Vietnamese
        );
        assert_eq!(
            from(&[("LANG", "vi_VN.UTF-8"), ("LC_MESSAGES", "C")]),
            Language::English
        );
        assert_eq!(
            from(&[
                ("LC_ALL", "vi_VN"),
                ("LC_MESSAGES", "en_GB"),
                ("LANG", "en_GB")
            ]),
            Language::Vietnamese
        );
        assert_eq!(
            from(&[("LC_ALL", "C.UTF-8"), ("LANG", "vi_VN.UTF-8")]),
            Language::English
        );
        // An empty variable is as good as unset.
        assert_eq!(
            from(&[("LC_ALL", ""), ("LANG", "vi_VN.UTF-8")]),
            Language::Vietnamese
        );
    }
}
