//! Python names for the names a `.nabla` file chose: the file's own name wherever it is an
//! ASCII identifier Python and `nn.Module` leave free (`W1` stays `W1`), else the Rust
//! trainer's spelling (`θ` is `theta`), and never two the same.

use std::collections::HashSet;

/// Python's keywords, the builtins generated code calls, the model module's own names, and
/// what `nn.Module` already defines on `self` (a parameter named `training` or `forward` would
/// replace them).
const TAKEN: &[&str] = &[
    "False",
    "None",
    "True",
    "and",
    "as",
    "assert",
    "async",
    "await",
    "break",
    "class",
    "continue",
    "def",
    "del",
    "elif",
    "else",
    "except",
    "finally",
    "for",
    "from",
    "global",
    "if",
    "import",
    "in",
    "is",
    "lambda",
    "nonlocal",
    "not",
    "or",
    "pass",
    "raise",
    "return",
    "try",
    "while",
    "with",
    "yield",
    "match",
    "case",
    "type",
    "print",
    "len",
    "range",
    "float",
    "int",
    "list",
    "tuple",
    "dict",
    "str",
    "min",
    "max",
    "sum",
    "abs",
    "super",
    "object",
    "self",
    "torch",
    "nn",
    "F",
    "math",
    "rows",
    "m",
    "batch",
    "batch_mean",
    "output",
    "Network",
    "PARAMETERS",
    "STATISTICS",
    "INPUTS",
    "TARGETS",
    "COLUMNS",
    "CLASSES",
    "CLASSIFIER",
    "STARTS",
    "SOURCE",
    "UNUSED",
    "training",
    "forward",
    "predict",
    "parameters",
    "buffers",
    "modules",
    "children",
    "state_dict",
    "load_state_dict",
    "train",
    "eval",
    "to",
    "cpu",
    "cuda",
    "double",
    "half",
    "apply",
    "zero_grad",
    "register_buffer",
    "register_parameter",
    "named_parameters",
    "requires_grad_",
    "dump_patches",
    "call_super_init",
    "keep_average",
];

/// Hands out unique Python identifiers.
#[derive(Debug)]
pub struct Namer {
    taken: HashSet<String>,
}

impl Namer {
    pub fn new() -> Namer {
        Namer {
            taken: TAKEN.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// An identifier for `name`: itself if it is a free ASCII identifier, else a spelling
    /// of it that is (`θ` → `theta`, `lambda` → `lambda_`), with `_2`, `_3` … on a clash.
    pub fn name(&mut self, name: &str) -> String {
        let ascii = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
        let base = if ascii {
            name.to_string()
        } else {
            super::super::names::ascii_identifier(name)
        };
        let first = if TAKEN.contains(&base.as_str()) {
            format!("{base}_")
        } else {
            base.clone()
        };
        if self.taken.insert(first.clone()) {
            return first;
        }
        (2..)
            .map(|n| format!("{base}_{n}"))
            .find(|candidate| self.taken.insert(candidate.clone()))
            .unwrap_or(base)
    }
}

impl Default for Namer {
    fn default() -> Namer {
        Namer::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_stay_themselves_unless_python_or_torch_has_them() {
        let mut namer = Namer::new();
        assert_eq!(namer.name("W1"), "W1");
        assert_eq!(namer.name("θ"), "theta");
        assert_eq!(namer.name("lambda"), "lambda_");
        assert_eq!(namer.name("training"), "training_");
        assert_eq!(namer.name("_h"), "h");
        assert_eq!(namer.name("h"), "h_2");
    }
}
