//! The languages nabla speaks.

/// A language of nabla's output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Language {
    English,
    Vietnamese,
}

impl Language {
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
