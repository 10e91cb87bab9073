//! The program's words, each a function of what it names: written by `nabla gen` from
//! its message catalogue, in the language the program was generated in.

use std::fmt::Display;

pub fn accuracy(correct: impl Display, percent: impl Display, rows: impl Display) -> String {
    format!("accuracy {percent}% ({correct} of {rows})")
}

pub fn after_step(element: impl Display) -> String {
    format!("{element} after the step")
}

pub fn appears_twice(key: impl Display) -> String {
    format!("`{key}` appears twice")
}

pub fn at_batch(batch: impl Display, epoch: impl Display) -> String {
    format!("epoch {epoch}, batch {batch}")
}

pub fn at_epoch(epoch: impl Display) -> String {
    format!("epoch {epoch}")
}

pub fn at_last_step(batch: impl Display, epoch: impl Display) -> String {
    format!("epoch {epoch}, batch {batch} (the last step)")
}

pub fn batch_at_least_one() -> String {
    String::from("--batch must be at least 1")
}

pub fn bench(epochs: usize, gflops: impl Display, speed: impl Display, threads: usize) -> String {
    let epochs_form = if epochs == 1 { "epoch" } else { "epochs" };
    let threads_form = if threads == 1 { "thread" } else { "threads" };
    format!(
        "bench: {speed} examples/s, {gflops} GFLOP/s ({epochs} {epochs_form}, {threads} {threads_form})"
    )
}

pub fn bench_no_epochs() -> String {
    String::from("bench: no epochs")
}

pub fn cannot_hold(element: impl Display, value: impl Display) -> String {
    format!("{element} is {value}, which a weights file cannot hold")
}

pub fn cannot_read(error: impl Display, path: impl Display) -> String {
    format!("cannot read {path}: {error}")
}

pub fn cannot_write(error: impl Display, path: impl Display) -> String {
    format!("cannot write {path}: {error}")
}

pub fn cannot_write_output(error: impl Display) -> String {
    format!("cannot write the output: {error}")
}

pub fn cannot_write_weights(error: impl Display, path: impl Display) -> String {
    format!("cannot write the weights to {path}: {error}")
}

pub fn class_missing() -> String {
    String::from("the class is missing")
}

pub fn class_too_many(cell: impl Display, classes: usize, labels: impl Display) -> String {
    let classes_form = if classes == 1 { "class" } else { "classes" };
    format!("`{cell}` would be a class too many: the target has {classes} {classes_form}, {labels}")
}

pub fn classes(classes: impl Display) -> String {
    format!("classes: {classes}")
}

pub fn diverged(
    at: impl Display,
    lr: impl Display,
    smaller: impl Display,
    what: impl Display,
) -> String {
    format!(
        "training stopped at {at}: {what}.\nThe learning rate {lr} is probably too large: try a smaller one, such as --lr {smaller}"
    )
}

pub fn diverged_element(
    at: impl Display,
    element: impl Display,
    lr: impl Display,
    smaller: impl Display,
    what: impl Display,
) -> String {
    format!(
        "training stopped at {at}: {what}; {element}.\nThe learning rate {lr} is probably too large: try a smaller one, such as --lr {smaller}"
    )
}

pub fn diverged_finite(
    at: impl Display,
    largest: impl Display,
    lr: impl Display,
    smaller: impl Display,
    what: impl Display,
) -> String {
    format!(
        "training stopped at {at}: {what}; every parameter is still finite, the largest being {largest}.\nThe learning rate {lr} is probably too large: try a smaller one, such as --lr {smaller}"
    )
}

pub fn element_is(element: impl Display, value: impl Display) -> String {
    format!("{element} is {value}")
}

pub fn empty_cell() -> String {
    String::from("the cell is empty")
}

pub fn empty_file(place: impl Display) -> String {
    format!("{place}: the file is empty: it has no rows of data")
}

pub fn ends_before_value() -> String {
    String::from("the file ends where a value should be")
}

pub fn ends_in_string() -> String {
    String::from("the file ends inside a string")
}

pub fn error(message: impl Display) -> String {
    format!("error: {message}")
}

pub fn escape_needs_hex() -> String {
    String::from("a `\\u` escape needs four hex digits")
}

pub fn expected(wanted: impl Display) -> String {
    format!("expected `{wanted}`")
}

pub fn expected_comma_or_brace() -> String {
    String::from("expected `,` or `}`")
}

pub fn expected_comma_or_bracket() -> String {
    String::from("expected `,` or `]`")
}

pub fn expected_name() -> String {
    String::from("expected a parameter name in double quotes")
}

pub fn expected_value(found: impl Display) -> String {
    format!("expected a number, an array or an object, found `{found}`")
}

pub fn expected_value_control(found: impl Display) -> String {
    format!("expected a number, an array or an object, found the control character {found}")
}

pub fn has_array(count: impl Display) -> String {
    format!("but has an array of {count}")
}

pub fn has_number() -> String {
    String::from("but has a number")
}

pub fn has_object() -> String {
    String::from("but has an object")
}

pub fn has_text() -> String {
    String::from("but has a text")
}

pub fn header_only(place: impl Display) -> String {
    format!("{place}: the file has a header but no rows of data")
}

pub fn in_column(holds: impl Display, place: impl Display, what: impl Display) -> String {
    format!("{place}: {what} ({holds})")
}

pub fn in_named_column(
    holds: impl Display,
    name: impl Display,
    place: impl Display,
    what: impl Display,
) -> String {
    format!("{place}: {what} (column `{name}`: {holds})")
}

pub fn label_empty_or_twice(label: impl Display) -> String {
    format!("the class label {label} is empty or there twice")
}

pub fn label_not_text() -> String {
    String::from("a class label should be a text in double quotes")
}

pub fn labels_not_texts(key: impl Display) -> String {
    format!("`{key}` should be an array of texts")
}

pub fn long_row(
    columns: impl Display,
    first: impl Display,
    found: usize,
    place: impl Display,
) -> String {
    let found_form = if found == 1 { "column" } else { "columns" };
    format!("{place}: a long row: {found} {found_form}, where {first} has {columns}")
}

pub fn loss(loss: impl Display) -> String {
    format!("loss {loss}")
}

pub fn loss_is(loss: impl Display) -> String {
    format!("the loss is {loss}")
}

pub fn loss_of_weights_is(loss: impl Display) -> String {
    format!("the loss of the weights it made is {loss}")
}

pub fn lr_positive() -> String {
    String::from("--lr must be a positive number")
}

pub fn minutes(minutes: impl Display, seconds: impl Display) -> String {
    format!("{minutes} min {seconds} s")
}

pub fn missing(name: impl Display) -> String {
    format!("`{name}` is missing")
}

pub fn needs_data(command: impl Display) -> String {
    format!("{command} needs a data file")
}

pub fn needs_value(option: impl Display) -> String {
    format!("{option} needs a value")
}

pub fn needs_weights(command: impl Display) -> String {
    format!("{command} needs --weights W.json")
}

pub fn nested_too_deeply() -> String {
    String::from("arrays nested too deeply")
}

pub fn no_command() -> String {
    String::from("no command given")
}

pub fn not_a_class(cell: impl Display, last: impl Display) -> String {
    format!("`{cell}` is not a class: classes are numbered 0 to {last}")
}

pub fn not_a_class_number(cell: impl Display) -> String {
    format!("`{cell}` is not a class number, and the first row's class is a number")
}

pub fn not_a_number(cell: impl Display) -> String {
    format!("`{cell}` is not a number")
}

pub fn not_a_parameter(key: impl Display, names: impl Display) -> String {
    format!("`{key}` is not a parameter of this network (its parameters are {names})")
}

pub fn not_an_object() -> String {
    String::from("a weights file is a JSON object keyed by parameter name")
}

pub fn not_finite(cell: impl Display) -> String {
    format!("`{cell}` is not a finite number")
}

pub fn not_saved(stopped: impl Display) -> String {
    format!("{stopped}; the weights were not saved (train with --save W.json to keep them)")
}

pub fn not_text(byte: impl Display, place: impl Display) -> String {
    format!("{place}: not a text file (byte {byte} is not UTF-8)")
}

pub fn only_train(option: impl Display) -> String {
    format!("{option} is an option of train")
}

pub fn or_class_column(columns: impl Display, expected: impl Display) -> String {
    format!("{expected}, or {columns} with the target as one class column")
}

pub fn or_without_targets(columns: impl Display, expected: impl Display) -> String {
    format!("{expected}, or {columns} without targets")
}

pub fn progress(epoch: impl Display, epochs: impl Display, loss: impl Display) -> String {
    format!("epoch {epoch}/{epochs}  loss {loss}")
}

pub fn progress_accuracy(line: impl Display, percent: impl Display) -> String {
    format!("{line}  accuracy {percent}%")
}

pub fn progress_elapsed(elapsed: impl Display, line: impl Display) -> String {
    format!("{line}  {elapsed} elapsed")
}

pub fn progress_left(left: impl Display, line: impl Display) -> String {
    format!("{line}, about {left} left")
}

pub fn reading_thread_failed(path: impl Display) -> String {
    format!("{path}: a thread reading the file failed")
}

pub fn row_one() -> String {
    String::from("row 1")
}

pub fn save_every_seconds() -> String {
    String::from("--save-every takes seconds: 0 or a positive number")
}

pub fn saved(command: impl Display, save: impl Display, stopped: impl Display) -> String {
    format!("{stopped}; its weights are in {save}.\nTo go on from them: {command}")
}

pub fn seconds(seconds: impl Display) -> String {
    format!("{seconds} s")
}

pub fn shape_matrix(count: usize, rows: usize) -> String {
    let rows_form = if rows == 1 { "array" } else { "arrays" };
    let count_form = if count == 1 { "number" } else { "numbers" };
    format!("an array of {rows} {rows_form} of {count} {count_form}")
}

pub fn shape_number() -> String {
    String::from("a number")
}

pub fn shape_vector(count: usize) -> String {
    let count_form = if count == 1 { "number" } else { "numbers" };
    format!("an array of {count} {count_form}")
}

pub fn short_row(
    columns: impl Display,
    first: impl Display,
    found: usize,
    place: impl Display,
) -> String {
    let found_form = if found == 1 { "column" } else { "columns" };
    format!("{place}: a short row: {found} {found_form}, where {first} has {columns}")
}

pub fn should_be(found: impl Display, name: impl Display, shape: impl Display) -> String {
    format!("`{name}` should be {shape}, {found}")
}

pub fn stopped_after_epoch(epoch: impl Display, signal: impl Display) -> String {
    format!("stopped by {signal} after epoch {epoch}")
}

pub fn stopped_in_epoch(batch: impl Display, epoch: impl Display, signal: impl Display) -> String {
    format!("stopped by {signal} after the step on batch {batch} of epoch {epoch}")
}

pub fn sum_of_losses_is(total: impl Display) -> String {
    format!("the sum of its batches' losses is {total}")
}

pub fn takes_a_number(option: impl Display, text: impl Display) -> String {
    format!("{option} takes a number, not `{text}`")
}

pub fn text_after_object() -> String {
    String::from("unexpected text after the JSON object")
}

pub fn the_header() -> String {
    String::from("the header")
}

pub fn threads_at_least_one() -> String {
    String::from("--threads must be at least 1")
}

pub fn too_large_for(cell: impl Display, real: impl Display) -> String {
    format!("`{cell}` is too large for {real}")
}

pub fn too_many_labels(classes: usize, key: impl Display, labels: usize) -> String {
    let labels_form = if labels == 1 { "label" } else { "labels" };
    let classes_form = if classes == 1 { "class" } else { "classes" };
    format!("`{key}` has {labels} {labels_form}, but the target has {classes} {classes_form}")
}

pub fn trained(epochs: usize, rows: usize, seconds: impl Display) -> String {
    let epochs_form = if epochs == 1 { "epoch" } else { "epochs" };
    let rows_form = if rows == 1 { "row" } else { "rows" };
    format!("trained {epochs} {epochs_form} on {rows} {rows_form} in {seconds} s")
}

pub fn unclosed_quote(place: impl Display) -> String {
    format!("{place}: a quoted cell does not close on its line")
}

pub fn unexpected_argument(argument: impl Display) -> String {
    format!("unexpected argument `{argument}`")
}

pub fn unknown_command(command: impl Display) -> String {
    format!("unknown command `{command}`")
}

pub fn unknown_escape() -> String {
    String::from("an unknown escape in a string")
}

pub fn unknown_label(cell: impl Display, labels: impl Display) -> String {
    format!("`{cell}` is not a class the weights know: their classes are {labels}")
}

pub fn unknown_option(command: impl Display, option: impl Display) -> String {
    format!("unknown option `{option}` for {command}")
}

pub fn unknown_to_numbered(cell: impl Display, last: impl Display) -> String {
    format!(
        "`{cell}` is not a class the weights know: they were trained on classes numbered 0 to {last}"
    )
}

pub fn usage_error(message: impl Display, program: impl Display) -> String {
    format!("error: {message}\n(`{program} --help` lists the commands and options)")
}

pub fn wrong_row(expected: impl Display, found: usize, place: impl Display) -> String {
    let found_form = if found == 1 { "column" } else { "columns" };
    format!("{place}: a row of {found} {found_form}, but the network needs {expected}")
}
