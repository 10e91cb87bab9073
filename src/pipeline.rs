//! The commands as library calls: a checked model and options in, the rendered result out.
//!
//! The CLI reads files and prints; everything between — choosing what to differentiate,
//! evaluating, building the derivation, rendering — happens here, so tests and fuzz targets can
//! drive a whole command without a process.

use crate::autodiff::{self, Gradient};
use crate::diagnostic::Diagnostic;
use crate::eval::batch::Batched;
use crate::eval::exact::Value;
use crate::explain::{explanation, gradcheck, gradients, graph_view, scalar, training, values};
use crate::ir::{DeclId, DeclKind, Model};
use crate::render;
use crate::words::{Message, phrase};

/// Why a command produced no result.
#[derive(Debug)]
pub enum Failure {
    /// Problems at places in the file (exit status 1).
    Diagnostics(Vec<Diagnostic>),
    /// The file cannot give what the command needs (exit status 1).
    Invalid(Message),
    /// An option does not fit this file (exit status 2).
    Usage(Message),
    /// A bug in nabla: something every valid file should get did not happen.
    Internal(Message),
}

/// The declarations `names` refers to, or the default: every param, or every input of a file
/// without params.
pub fn resolve_wrt(model: &Model, names: &[String]) -> Result<Vec<DeclId>, Failure> {
    if names.is_empty() {
        return Ok(autodiff::default_wrt(model));
    }
    let mut wrt = Vec::new();
    for name in names {
        let name = name.trim();
        let Some(index) = model.declarations.iter().position(|d| d.name == name) else {
            let known: Vec<&str> = model
                .declarations
                .iter()
                .filter(|d| matches!(d.kind, DeclKind::Input | DeclKind::Param))
                .map(|d| d.name.as_str())
                .collect();
            return Err(Failure::Usage(phrase::wrt_unknown(name, known.join(", "))));
        };
        let declaration = &model.declarations[index];
        if !matches!(declaration.kind, DeclKind::Input | DeclKind::Param) {
            return Err(Failure::Usage(phrase::wrt_not_a_variable(
                name,
                phrase::declared_kind(declaration.kind.keyword()),
            )));
        }
        if let Some(count) = declaration.index {
            return Err(Failure::Usage(phrase::wrt_an_index(name, count - 1)));
        }
        let id = DeclId(index as u32);
        if !wrt.contains(&id) {
            wrt.push(id);
        }
    }
    Ok(wrt)
}

fn differentiate(model: &Model, wrt: &[DeclId]) -> Result<Gradient, Failure> {
    autodiff::differentiate(model, wrt)
        .map_err(|error| Failure::Internal(phrase::internal_differentiating(format!("{error:?}"))))
}

/// The most examples explain works through at once.
pub const MAX_EXAMPLES: usize = 1000;

/// The value of each node that every example shares (all of them, for one example).
fn shared<T: Clone>(values: &[Option<Batched<T>>]) -> Vec<Option<T>> {
    values
        .iter()
        .map(|v| match v.as_ref()? {
            Batched::Shared(value) => Some(value.clone()),
            Batched::Each(each) if each.len() == 1 => each.first().cloned(),
            Batched::Each(_) => None,
        })
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    Vector,
    Scalar,
}

pub struct DeriveOptions {
    pub wrt: Vec<String>,
    pub form: Form,
    pub format: render::derive::Format,
    pub language: crate::words::Language,
}

/// A value for each declaration or node, where there is one (each example's, or one shared).
type Values = Vec<Option<Batched<Value>>>;

/// The values of the file's declarations and, when it gives them all, of every node: derive and
/// graph show them beside the formulas. A network too large to work through by hand (see
/// [`crate::explain::budget`]) gets formulas only: its values would take minutes and gigabytes.
fn shown_values(model: &Model, gradient: &Gradient) -> Result<(Values, Option<Values>), Failure> {
    let examples = model.examples().unwrap_or(1);
    let work = crate::explain::budget::work(model, gradient, examples, 0, false);
    if work.numbers > crate::explain::budget::MOST_NUMBERS {
        return Ok((vec![None; model.declarations.len()], None));
    }
    let declared = values::declared_batch(model);
    let node_values = values::evaluate_batch(model, gradient, &declared, examples)
        .map_err(|d| Failure::Diagnostics(vec![d]))?;
    Ok((declared, node_values))
}

pub fn derive(model: &Model, options: &DeriveOptions) -> Result<String, Failure> {
    let wrt = resolve_wrt(model, &options.wrt)?;
    let gradient = differentiate(model, &wrt)?;
    let derivation = gradients::derive(model, &gradient);
    let (declared, node_values) = shown_values(model, &gradient)?;
    if options.form == Form::Scalar {
        // The values every example shares (a target of the file, not of each example).
        let shared: Vec<Option<Value>> = declared
            .iter()
            .map(|value| value.as_ref().and_then(|v| v.shared().cloned()))
            .collect();
        return match scalar::derive(model, &gradient, &derivation, Some(&shared)) {
            Ok(scalar) => Ok(render::derive::render_scalar(
                &scalar,
                options.format,
                options.language,
            )),
            Err(scalar::ScalarError::TooManyElements(n)) => {
                Err(Failure::Usage(phrase::form_scalar_too_many(n)))
            }
            Err(scalar::ScalarError::TooLarge) => {
                Err(Failure::Usage(phrase::form_scalar_too_large()))
            }
            Err(scalar::ScalarError::Unsupported(why)) => {
                Err(Failure::Usage(scalar_form_unsupported(why)))
            }
        };
    }
    Ok(render::derive::render(
        &derivation,
        node_values
            .as_deref()
            .map(|values| (values, gradient.output)),
        options.format,
        options.language,
    ))
}

pub fn graph(
    model: &Model,
    svg: bool,
    language: crate::words::Language,
) -> Result<String, Failure> {
    let gradient = differentiate(model, &autodiff::default_wrt(model))?;
    let (_, node_values) = shown_values(model, &gradient)?;
    // A node of a batch shows its value when every example shares it (a parameter, a batch
    // statistic, a gradient); a value of each example is the explanation's to show.
    let shared: Option<Vec<Option<Value>>> = node_values.map(|values| {
        values
            .into_iter()
            .map(|v| match v? {
                crate::eval::batch::Batched::Shared(value) => Some(value),
                crate::eval::batch::Batched::Each(mut each) if each.len() == 1 => each.pop(),
                crate::eval::batch::Batched::Each(_) => None,
            })
            .collect()
    });
    let view = graph_view::view(model, &gradient, shared.as_deref());
    Ok(if svg {
        render::graph::svg(&view, language)
    } else {
        render::graph::dot(&view, language)
    })
}

pub struct ExplainOptions {
    pub wrt: Vec<String>,
    /// `None`: element by element when the network is small enough.
    pub form: Option<Form>,
    pub digits: usize,
    pub steps: usize,
    pub gradcheck: bool,
    pub format: render::explain::Format,
    pub language: render::explain::Language,
    /// Values replacing the file's, by declaration (from a weights file).
    pub weights: Vec<(DeclId, Value)>,
    /// The weights file they were read from, as the user named it.
    pub weights_file: Option<String>,
    /// Examples replacing the file's inputs and targets (rows of a data file), and the file's
    /// name as the user wrote it.
    pub examples: Option<crate::data::Table>,
    pub data_file: Option<String>,
}

/// The examples a step is taken on: the data file's rows, else the file's `each` lists.
fn examples_asked(model: &Model, options: &ExplainOptions) -> usize {
    match &options.examples {
        Some(table) => table.rows.len(),
        None => model.examples().unwrap_or(1),
    }
}

pub fn explain(
    model: &Model,
    options: &ExplainOptions,
    progress: &mut dyn FnMut(usize),
) -> Result<String, Failure> {
    let wrt = resolve_wrt(model, &options.wrt)?;
    // Rows of a data file make a batch of any file.
    let objective = match options.examples {
        Some(_) => autodiff::Objective::Batch,
        None => autodiff::Objective::Model,
    };
    let gradient = autodiff::differentiate_for(model, &wrt, objective).map_err(|error| {
        Failure::Internal(phrase::internal_differentiating(format!("{error:?}")))
    })?;
    if let Some(table) = &options.examples
        && table.rows.len() > MAX_EXAMPLES
    {
        return Err(Failure::Usage(phrase::explain_too_many_rows(
            table.rows.len(),
            MAX_EXAMPLES,
        )));
    }
    let examples = examples_asked(model, options);
    let work =
        crate::explain::budget::work(model, &gradient, examples, options.steps, options.gradcheck);
    if work.numbers > crate::explain::budget::MOST_NUMBERS {
        let (largest, size) = work.largest.unwrap_or_default();
        return Err(Failure::Invalid(phrase::explain_too_large(
            crate::check::group_digits(work.numbers),
            largest,
            crate::check::group_digits(size),
            crate::check::group_digits(crate::explain::budget::MOST_NUMBERS),
        )));
    }
    let mut declared = values::declared_batch(model);
    for (decl, value) in &options.weights {
        declared[decl.index()] = Some(Batched::Shared(value.clone()));
    }
    if let Some(table) = &options.examples {
        for (position, decl) in table.declarations.iter().enumerate() {
            declared[decl.index()] = Some(Batched::Each(
                table
                    .rows
                    .iter()
                    .map(|row| Value::Exact(row[position].clone()))
                    .collect(),
            ));
        }
    }
    if gradient.batch && examples == 1 && model.uses_batch_statistics() {
        return Err(Failure::Invalid(phrase::explain_statistics_of_one_row()));
    }
    let node_values = match values::evaluate_batch(model, &gradient, &declared, examples) {
        Ok(Some(values)) => values,
        Ok(None) => {
            let missing: Vec<&crate::ir::Declaration> = model
                .declarations
                .iter()
                .zip(&declared)
                .filter(|(_, value)| value.is_none())
                .map(|(d, _)| d)
                .collect();
            let too_large: Vec<String> = missing
                .iter()
                .filter(|d| d.shape.size() > values::MAX_DRAWN)
                .map(|d| format!("{} {}", d.name, d.shape))
                .collect();
            if !too_large.is_empty() {
                return Err(Failure::Invalid(phrase::explain_too_large_to_draw(
                    too_large.join(", "),
                    too_large.len(),
                    crate::check::group_digits(values::MAX_DRAWN as u64),
                )));
            }
            let names: Vec<&str> = missing.iter().map(|d| d.name.as_str()).collect();
            return Err(Failure::Invalid(phrase::explain_needs_values(
                names.join(", "),
            )));
        }
        Err(diagnostic) => return Err(Failure::Diagnostics(vec![diagnostic])),
    };
    // A batch is shown a layer at a time; its values are each example's, and those every example
    // shares (parameters, batch statistics, gradients) are what the update and the tables read.
    let shared_values = shared(&node_values);
    let shared_declared = shared(&declared);
    let (node_values_all, declared_all) = (node_values, declared);
    let (node_values, declared) = (shared_values, shared_declared);
    let vector = gradients::derive(model, &gradient);
    if gradient.batch && options.form == Some(Form::Scalar) {
        return Err(Failure::Usage(phrase::form_scalar_of_a_batch()));
    }
    let scalar = match options.form {
        _ if gradient.batch => None,
        Some(Form::Vector) => None,
        Some(Form::Scalar) => Some(
            scalar::derive(model, &gradient, &vector, Some(&declared)).map_err(|e| match e {
                scalar::ScalarError::Unsupported(why) => {
                    Failure::Usage(scalar_form_unsupported(why))
                }
                _ => Failure::Usage(phrase::form_scalar_too_many_values(
                    scalar::MAX_SCALAR_ELEMENTS,
                )),
            })?,
        ),
        None => scalar::derive(model, &gradient, &vector, Some(&declared)).ok(),
    };
    if options.steps > 0 && !model.declarations.iter().any(|d| d.kind == DeclKind::Param) {
        return Err(Failure::Usage(phrase::steps_without_params()));
    }
    let history = (options.steps > 0).then(|| {
        training::run(
            model,
            &gradient,
            (&declared_all, examples),
            options.steps,
            progress,
        )
    });
    let checks = if options.gradcheck {
        gradcheck::check(model, &gradient, (&declared_all, examples), &node_values)
    } else {
        Vec::new()
    };
    let explanation = explanation::explain(&explanation::Inputs {
        model,
        gradient: &gradient,
        vector: &vector,
        scalar: scalar.as_ref(),
        values: &node_values,
        declared: &declared,
        digits: options.digits,
        history: history.as_ref(),
        checks: &checks,
        read: &options
            .weights
            .iter()
            .map(|(decl, _)| *decl)
            .collect::<Vec<_>>(),
        weights_file: options.weights_file.as_deref(),
        batch: gradient.batch.then_some(explanation::BatchInputs {
            m: examples,
            values: &node_values_all,
            declared: &declared_all,
            rows: options.examples.as_ref().map(|table| {
                (
                    options.data_file.clone().unwrap_or_default(),
                    table.first_row,
                    table.first_row + table.rows.len() - 1,
                )
            }),
        }),
    });
    let graph_svg = matches!(
        options.format,
        render::explain::Format::Html | render::explain::Format::Notebook
    )
    .then(|| {
        let view = graph_view::view(model, &gradient, Some(&node_values));
        render::graph::svg(&view, options.language)
    });
    if options.format == render::explain::Format::Notebook {
        let network = render::ipynb::Network {
            model,
            wrt: &wrt,
            declared: &declared_all,
            values: &node_values_all,
            examples,
        };
        return render::ipynb::render(&explanation, &network, options.language, graph_svg).map_err(
            |untranslatable| {
                Failure::Invalid(phrase::explain_notebook_untranslatable(untranslatable.0))
            },
        );
    }
    Ok(render::explain::render(
        &explanation,
        options.format,
        options.language,
        graph_svg,
    ))
}

/// Why the scalar form cannot write this network, in the words of the operation that stops it.
fn scalar_form_unsupported(why: crate::ir::scalarize::Unscalar) -> crate::words::Message {
    use crate::ir::scalarize::Unscalar;
    match why {
        Unscalar::Index => phrase::scalar_form_unsupported_index(),
        Unscalar::Batch => phrase::scalar_form_unsupported_batch(),
        Unscalar::MaxPool => phrase::scalar_form_unsupported_max_pool(),
        Unscalar::Axis => phrase::scalar_form_unsupported_axis(),
    }
}
