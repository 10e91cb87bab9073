//! Names in generated code: every name a `.nabla` file chose becomes a Rust identifier that
//! compiles, means nothing else, and still reads like the original.
//!
//! Invariant: an identifier handed out by a [`Namer`] is ASCII, starts with a letter, is not a
//! Rust keyword nor one of the program's own names, is at most [`MAX_LEN`] characters (so that
//! generated lines stay within rustfmt's width), and differs from every other name it handed
//! out. No `r#` raw identifiers: `fn` becomes `fn_`, `θ` becomes `theta`, `größe` `grosse`.

use std::collections::HashSet;

/// The longest identifier handed out, before a `_2`-style suffix.
pub const MAX_LEN: usize = 20;

/// Strict, reserved and edition-2024 keywords, lowercase: a field may be none of them.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// The model module's own constants, which a user's constant must not take. (A user's value
/// becomes a field, `f.h`, or an UPPER_CASE constant, so it never meets the program's
/// lowercase locals and functions.)
const PROGRAM_CONSTANTS: &[&str] = &["COLUMNS", "INPUT_COLUMNS", "CLASSES", "PARAMS", "WORK"];

/// The fields the program gives its own structs beside the user's values: `Batch::rows`.
const PROGRAM_FIELDS: &[&str] = &["rows"];

/// Hands out unique identifiers in one namespace, lowercase (fields) or uppercase (constants).
#[derive(Clone, Debug, Default)]
pub struct Namer {
    taken: HashSet<String>,
}

impl Namer {
    pub fn new() -> Namer {
        let mut taken: HashSet<String> = HashSet::new();
        for name in KEYWORDS
            .iter()
            .chain(PROGRAM_CONSTANTS)
            .chain(PROGRAM_FIELDS)
        {
            taken.insert(name.to_string());
        }
        Namer { taken }
    }

    /// A snake_case identifier for `name` (a field of the generated structs).
    pub fn field(&mut self, name: &str) -> String {
        let base = ascii_identifier(name).to_lowercase();
        self.unique(&base)
    }

    /// An UPPER_CASE identifier for `name` (a constant).
    pub fn constant(&mut self, name: &str) -> String {
        let base = ascii_identifier(name).to_uppercase();
        self.unique(&base)
    }

    /// Takes `name` itself, if it is free and not a keyword: whether it was.
    pub fn reserve(&mut self, name: &str) -> bool {
        !KEYWORDS.contains(&name) && self.taken.insert(name.to_string())
    }

    /// `base` itself if it is free, else `base_2`, `base_3` …; a keyword gets a `_`: `fn_`.
    fn unique(&mut self, base: &str) -> String {
        // Runs of `_` would make rustc's naming lints complain (`a__b` is not snake case).
        let mut base: String = base
            .split('_')
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("_")
            .chars()
            .take(MAX_LEN)
            .collect();
        if base.is_empty() {
            base = "v".to_string();
        }
        while base.ends_with('_') && base.len() > 1 {
            base.pop();
        }
        let keyword = KEYWORDS.contains(&base.as_str());
        let first = if keyword {
            format!("{base}_")
        } else {
            base.clone()
        };
        if self.taken.insert(first.clone()) {
            return first;
        }
        let mut n = 2usize;
        loop {
            let candidate = format!("{base}_{n}");
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }
}

/// Whether `name` is a keyword of Rust (or a name a generated file must not shadow).
pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// `name` in ASCII letters, digits and `_`, starting with a letter: Greek letters by their
/// names, accented Latin letters without the accent, anything else as `u` and its code point.
pub fn ascii_identifier(name: &str) -> String {
    let mut out = String::new();
    // Whether the last thing written was a spelled-out word, which a following letter or digit
    // is separated from by `_` (`Δx` is `delta_x`).
    let mut after_word = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            if after_word && c != '_' {
                out.push('_');
            }
            out.push(c);
            after_word = false;
        } else if let Some(plain) = latin(c) {
            out.push_str(plain);
            after_word = false;
        } else {
            let word = match greek(c) {
                Some(word) => word.to_string(),
                None => format!("u{:x}", c as u32),
            };
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            out.push_str(&word);
            after_word = true;
        }
    }
    let out = out.trim_start_matches('_').to_string();
    match out.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => out,
        _ => format!("v_{out}"),
    }
}

fn greek(c: char) -> Option<&'static str> {
    const LETTERS: [(&str, &str); 24] = [
        ("αΑ", "alpha"),
        ("βΒ", "beta"),
        ("γΓ", "gamma"),
        ("δΔ", "delta"),
        ("εΕϵ", "epsilon"),
        ("ζΖ", "zeta"),
        ("ηΗ", "eta"),
        ("θΘϑ", "theta"),
        ("ιΙ", "iota"),
        ("κΚ", "kappa"),
        ("λΛ", "lambda"),
        ("μΜµ", "mu"),
        ("νΝ", "nu"),
        ("ξΞ", "xi"),
        ("οΟ", "omicron"),
        ("πΠ", "pi"),
        ("ρΡ", "rho"),
        ("σςΣ", "sigma"),
        ("τΤ", "tau"),
        ("υΥ", "upsilon"),
        ("φΦϕ", "phi"),
        ("χΧ", "chi"),
        ("ψΨ", "psi"),
        ("ωΩ", "omega"),
    ];
    LETTERS
        .iter()
        .find(|(forms, _)| forms.contains(c))
        .map(|(_, name)| *name)
}

fn latin(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => "a",
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' => "A",
        'æ' => "ae",
        'Æ' => "AE",
        'ç' | 'č' => "c",
        'Ç' | 'Č' => "C",
        'ð' => "d",
        'Ð' => "D",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ě' => "e",
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ě' => "E",
        'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
        'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' => "I",
        'ñ' | 'ń' => "n",
        'Ñ' | 'Ń' => "N",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => "o",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' => "O",
        'ß' => "ss",
        'š' => "s",
        'Š' => "S",
        'þ' => "th",
        'Þ' => "TH",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' => "u",
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' => "U",
        'ý' | 'ÿ' => "y",
        'Ý' => "Y",
        'ž' => "z",
        'Ž' => "Z",
        _ => return None,
    })
}

/// Names cargo refuses for a package or that clash with its target directory.
const RESERVED_PACKAGES: &[&str] = &[
    "deps",
    "build",
    "examples",
    "incremental",
    "test",
    "std",
    "core",
    "alloc",
    "proc_macro",
    "proc-macro",
    "debug",
    "release",
];

/// A Cargo package name from what the user gave (`--name`, or the file's name): lowercase,
/// `[a-z0-9_-]` only, prefixed with `train-` when cargo would refuse it otherwise.
pub fn package_name(wanted: &str) -> String {
    let mut name: String = wanted
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    name.truncate(64);
    let refused = name.is_empty()
        || !name.starts_with(|c: char| c.is_ascii_lowercase())
        || KEYWORDS.contains(&name.as_str())
        || RESERVED_PACKAGES.contains(&name.as_str());
    if refused {
        name = format!("train-{name}");
    }
    name.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_safe_identifiers() {
        let mut namer = Namer::new();
        assert_eq!(namer.field("W1"), "w1");
        assert_eq!(namer.field("w1"), "w1_2");
        assert_eq!(namer.field("fn"), "fn_");
        assert_eq!(namer.field("θ"), "theta");
        assert_eq!(namer.field("Δx"), "delta_x");
        assert_eq!(namer.field("größe"), "grosse");
        assert_eq!(namer.field("_"), "v");
        assert_eq!(namer.field("_x"), "x");
        assert_eq!(namer.field("a__b_"), "a_b");
        assert_eq!(namer.field("i"), "i");
        assert_eq!(namer.constant("params"), "PARAMS_2");
        assert_eq!(namer.field("本"), "u672c");
        assert_eq!(namer.constant("b1"), "B1");
        assert_eq!(namer.constant("self"), "SELF");
        assert_eq!(
            namer.field("a_very_long_name_for_a_hidden_layer"),
            "a_very_long_name_for"
        );
        assert_eq!(
            namer.field("a_very_long_name_for_another_layer"),
            "a_very_long_name_for_2"
        );
    }

    #[test]
    fn package_names_are_ones_cargo_accepts() {
        assert_eq!(package_name("xor"), "xor");
        assert_eq!(package_name("My Net.v2"), "my-net-v2");
        assert_eq!(package_name("2layer"), "train-2layer");
        assert_eq!(package_name("build"), "train-build");
        assert_eq!(package_name("fn"), "train-fn");
        assert_eq!(package_name(""), "train");
        assert_eq!(package_name("θ"), "train");
    }
}
