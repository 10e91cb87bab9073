//! `nabla gen --target pytorch`: a checked model becomes a small Python project that trains the
//! same network with PyTorch, by the Rust trainer's rules (docs/pytorch.md).
//!
//! [`expr`] translates the expression graph into PyTorch expressions (reusable by any writer of
//! PyTorch code); [`model`] writes `model.py` from it, with the Rust trainer's formulas and names
//! of batch statistics; [`words`] puts everything `train.py` says into it, in the language of
//! the generation; this module renders the files from the askama templates under
//! `templates/pytorch/`. The same purity as the Rust target: no I/O, and the same file gives the
//! same project.

pub mod expr;
pub mod model;
pub mod names;
pub mod words;

use askama::Template;

use super::project::{DEFAULT_BATCH, DEFAULT_EPOCHS};
use super::{Dtype, File, GenError, Options};
use crate::ir::{Model, Optimizer};
use crate::words::Words;
use model::{Declared, Network};

/// PyTorch versions the project is written for: `torch.distributed.nn` and the `dim=` and
/// `correction=` forms it uses are in every 2.x.
pub const TORCH_REQUIREMENT: &str = "torch>=2.1,<3";

/// Every file of the PyTorch project for `model`.
pub fn generate(model: &Model, options: &Options) -> Result<Vec<File>, GenError> {
    let task = super::checked(model, options.dtype)?;
    let (plan, _) = super::whole_plan(model, &task, Dtype::F64)?;
    let network = model::network(model, &plan, &task)?;
    let words = options.language.words();
    let training = &model.training;
    let settings = Settings {
        source: options.source.clone(),
        epochs: training.epochs.unwrap_or(DEFAULT_EPOCHS),
        batch: training.batch.unwrap_or(DEFAULT_BATCH),
        shuffle: training.shuffle.unwrap_or(true),
        seed: training.seed.unwrap_or(0),
        lr: expr::python_float(crate::exact::to_f64(model.optimizer.learning_rate())),
        dtype: match options.dtype {
            Dtype::F32 => "f32",
            Dtype::F64 => "f64",
        },
        optimizer_text: crate::render::summary::optimizer_text(&model.optimizer),
    };
    let m = ModelPy {
        source: &options.source,
        network: &network,
    };
    let t = TrainPy {
        source: &options.source,
        epochs: settings.epochs,
        batch: settings.batch,
        lr: settings.lr.clone(),
        seed: settings.seed,
        shuffle: if settings.shuffle { "True" } else { "False" },
        dtype: settings.dtype,
        optimizer: optimizer(&model.optimizer),
        usage: words::python_string(&usage(&words, &network, &settings)),
        words: words::table(options.language).map_err(GenError::Internal)?,
    };
    let readme = Readme {
        w: &words,
        s: &settings,
        n: &network,
    };
    let render = |path: &str, text: Result<String, askama::Error>| File {
        path: path.to_string(),
        // askama drops a template's final newline: every file gets one back.
        contents: format!(
            "{}\n",
            text.unwrap_or_else(|e| format!("template error: {e}"))
                .trim_end()
        ),
    };
    Ok(vec![
        render("README.md", readme.render()),
        render("model.py", m.render()),
        render("train.py", t.render()),
        File {
            path: "requirements.txt".to_string(),
            contents: format!("{TORCH_REQUIREMENT}\n"),
        },
    ])
}

/// The settings of the file that the README and `--help` show.
pub struct Settings {
    pub source: String,
    pub epochs: u64,
    pub batch: u64,
    pub shuffle: bool,
    pub seed: u64,
    pub lr: String,
    pub dtype: &'static str,
    pub optimizer_text: String,
}

/// The optimizer as train.py's table: `("sgd", {"momentum": 0.9})`.
fn optimizer(optimizer: &Optimizer) -> String {
    let f = |x: &num_rational::BigRational| expr::python_float(crate::exact::to_f64(x));
    match optimizer {
        Optimizer::Sgd { momentum, .. } => {
            format!("(\"sgd\", {{\"momentum\": {}}})", f(momentum))
        }
        Optimizer::Adam {
            beta1, beta2, eps, ..
        } => format!(
            "(\"adam\", {{\"beta1\": {}, \"beta2\": {}, \"eps\": {}}})",
            f(beta1),
            f(beta2),
            f(eps)
        ),
    }
}

/// `python train.py --help`, in the language of the generation.
fn usage(w: &Words, n: &Network, s: &Settings) -> String {
    let line = |option: &str, text: String| format!("  {option:<22}  {text}\n");
    let mut out = format!("{}\n\n{}\n", w.pytorch_usage(), w.pytorch_usage_commands());
    out.push_str(&line("train DATA.csv", w.pytorch_usage_train()));
    let (eval, predict) = if n.classifier.is_some() {
        (
            w.pytorch_usage_eval_accuracy(),
            w.pytorch_usage_predict_class(),
        )
    } else {
        (w.pytorch_usage_eval(), w.pytorch_usage_predict())
    };
    out.push_str(&line("eval DATA.csv", eval));
    out.push_str(&line("predict DATA.csv", predict));
    out.push_str(&format!(
        "\n{}\n",
        w.pytorch_usage_train_options(s.source.as_str())
    ));
    out.push_str(&line("--epochs N", w.pytorch_usage_epochs(s.epochs)));
    out.push_str(&line("--batch B", w.pytorch_usage_batch(s.batch)));
    out.push_str(&line("--lr X", w.pytorch_usage_lr(s.lr.as_str())));
    out.push_str(&line("--seed S", w.pytorch_usage_seed(s.seed)));
    let (no_shuffle, shuffle) = if s.shuffle {
        (
            w.pytorch_usage_no_shuffle(),
            w.pytorch_usage_default(w.pytorch_usage_shuffle()),
        )
    } else {
        (
            w.pytorch_usage_default(w.pytorch_usage_no_shuffle()),
            w.pytorch_usage_shuffle(),
        )
    };
    out.push_str(&line("--no-shuffle", no_shuffle));
    out.push_str(&line("--shuffle", shuffle));
    out.push_str(&line("--init W.json", w.pytorch_usage_init()));
    out.push_str(&line("--save W.json", w.pytorch_usage_save()));
    out.push_str(&line("--log LOSS.csv", w.pytorch_usage_log()));
    out.push_str(&line("--quiet", w.pytorch_usage_quiet()));
    out.push_str(&format!("\n{}\n", w.pytorch_usage_other_options()));
    out.push_str(&line("--weights W.json", w.pytorch_usage_weights()));
    out.push_str(&format!("\n{}\n", w.pytorch_usage_every_command()));
    out.push_str(&line("--device cpu|cuda|mps", w.pytorch_usage_device()));
    out.push_str(&line("--dtype f32|f64", w.pytorch_usage_dtype(s.dtype)));
    out.push_str(&format!("\n{}\n", w.pytorch_usage_torchrun()));
    out
}

#[derive(Template)]
#[template(path = "pytorch/model.py.txt")]
struct ModelPy<'a> {
    source: &'a str,
    network: &'a Network,
}

impl ModelPy<'_> {
    fn quoted(&self, text: &str) -> String {
        words::python_string(text)
    }

    fn index(&self, d: &Declared) -> String {
        d.index.map_or("None".to_string(), |n| n.to_string())
    }

    fn columns(&self) -> String {
        self.network
            .columns
            .iter()
            .map(|c| words::python_string(c))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn index_columns(&self) -> String {
        self.network
            .index_columns
            .iter()
            .map(|(column, count)| format!("({column}, {count})"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn classes(&self) -> String {
        self.network
            .classes
            .map_or("None".to_string(), |k| k.to_string())
    }

    fn class_index(&self) -> &'static str {
        python_bool(self.network.index_target)
    }

    fn classifier(&self) -> &'static str {
        match self.network.classifier {
            Some(super::task::Classifier::Argmax) => "\"argmax\"",
            Some(super::task::Classifier::Threshold) => "\"threshold\"",
            None => "None",
        }
    }

    fn statistics(&self) -> &'static str {
        python_bool(self.network.statistics)
    }

    fn uses_batch_size(&self) -> &'static str {
        python_bool(self.network.uses_batch_size)
    }

    fn predict_needs_targets(&self) -> &'static str {
        python_bool(self.network.predict_needs_targets)
    }

    fn unused(&self) -> String {
        self.network
            .unused
            .iter()
            .map(|name| words::python_string(name))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn python_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

#[derive(Template)]
#[template(path = "pytorch/train.py.txt")]
struct TrainPy<'a> {
    source: &'a str,
    epochs: u64,
    batch: u64,
    lr: String,
    seed: u64,
    shuffle: &'static str,
    dtype: &'static str,
    optimizer: String,
    usage: String,
    words: String,
}

#[derive(Template)]
#[template(path = "pytorch/README.md.txt")]
struct Readme<'a> {
    w: &'a Words,
    s: &'a Settings,
    n: &'a Network,
}

impl Readme<'_> {
    /// The data columns, listed for the README: `x[0], x[1], y[0]`.
    fn columns(&self) -> String {
        let columns = &self.n.columns;
        if columns.len() <= 12 {
            columns.join(", ")
        } else {
            format!(
                "{} … {}",
                columns[..4].join(", "),
                columns[columns.len() - 4..].join(", ")
            )
        }
    }

    fn index_column_names(&self) -> String {
        self.n
            .index_columns
            .iter()
            .map(|(column, count)| format!("`{}` (0 … {})", self.n.columns[*column], count - 1))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The inputs and targets of three dimensions (images), for the README: `` `X` ``.
    fn maps(&self) -> String {
        self.n
            .inputs
            .iter()
            .chain(&self.n.targets)
            .filter(|d| d.rank == 3)
            .map(|d| format!("`{}`", d.name))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn parameter_names(&self) -> String {
        self.n
            .params
            .iter()
            .map(|p| format!("`{}`", p.name))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn running_names(&self) -> String {
        self.n
            .running
            .iter()
            .map(|r| format!("`\"{}\"`", r.name))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn order(&self) -> String {
        if self.s.shuffle {
            self.w.pytorch_readme_shuffled()
        } else {
            self.w.pytorch_readme_in_order()
        }
    }

    fn accuracy(&self) -> String {
        if self.n.classifier.is_some() {
            self.w.pytorch_readme_and_accuracy()
        } else {
            String::new()
        }
    }

    fn last_class(&self) -> usize {
        self.n.classes.unwrap_or(1).saturating_sub(1)
    }

    /// A command of the README with a data file of the right columns.
    fn data(&self) -> &'static str {
        "DATA.csv"
    }
}
