//! The integration tests, one binary (see `autotests = false` in Cargo.toml): the `nabla` command
//! run as a user runs it, and the library's front end driven directly.

mod support;

mod batch_properties;
mod batches;
mod catalogues;
mod check_examples;
mod classics;
mod cli_contract;
mod codegen;
mod codegen_batches;
mod codegen_tensors;
mod command_line;
mod data_files;
mod derive;
mod diagnostics;
mod docs;
mod explain_cli;
mod explain_formats;
mod gradients;
mod graph;
mod languages;
mod notebook;
mod numerics;
mod pytorch_target;
mod pytorch_tensors;
mod random_networks;
mod relations;
mod robustness;
mod shortest_f32;
mod softmax_lines;
mod tensors;
mod trainer_languages;
