//! Turning results into text. Renderers lay out data that earlier stages computed; they never
//! compute math themselves. Words live in the askama templates under `templates/`.

pub mod derive;
pub mod explain;
pub mod graph;
mod graph_layout;
mod grid;
pub mod ipynb;
pub mod json;
pub mod math;
pub mod summary;

/// askama drops a template's final newline; output files and terminals want one.
pub(crate) fn with_final_newline(mut text: String) -> String {
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}
