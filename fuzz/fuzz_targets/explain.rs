//! Any valid file with values: explain in every format and language, with a few steps and the
//! gradient check; JSON output (and a notebook) is valid JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../shared/source.rs"]
mod source;
use nabla::pipeline::{self, ExplainOptions};
use nabla::render::explain::{Format, Language};

fuzz_target!(|bytes: &[u8]| {
    let Some(model) = source::model_of(bytes) else {
        return;
    };
    for format in [
        Format::Text,
        Format::Markdown,
        Format::Latex,
        Format::Html,
        Format::Json,
        Format::Notebook,
    ] {
        for language in [Language::English, Language::Vietnamese] {
            let options = ExplainOptions {
                wrt: Vec::new(),
                form: None,
                digits: 9,
                steps: 3,
                gradcheck: true,
                format,
                language,
                weights: Vec::new(),
                examples: None,
                data_file: None,
                weights_file: None,
            };
            match pipeline::explain(&model, &options, &mut |_| {}) {
                Ok(output) if format == Format::Json => {
                    serde_json::from_str::<serde_json::Value>(&output)
                        .expect("explain JSON parses");
                }
                Err(pipeline::Failure::Internal(message)) => panic!("{}", message.english()),
                _ => {}
            }
        }
    }
});
