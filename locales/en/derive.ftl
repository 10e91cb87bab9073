### nabla derive: the gradient formulas, and what their symbols mean.
# The line breaks are the text form's; Markdown and LaTeX flow them into paragraphs.

derive-title = Gradients of the loss { $loss }, by the chain rule (vector form)
derive-title-scalar = Gradients of the loss { $loss }, by the chain rule (scalar form, one element at a time)
derive-batch-mean =
    { $mean } is the mean of the losses of the batch's { $m } examples, and { $value }
    is a value in example { $i }. A parameter's gradient is the mean { $average } of its examples' parts.
derive-batch-coupled =
    Batch statistics make every example's loss depend on every example's values, so the
    gradient at a value of example { $i } is written { $gradient }: the gradient of the sum of
    the losses.
derive-compact =
    A second line for the same gradient is batch normalization's compact form: its three paths,
    directly and through the batch's mean and variance, added into one.
derive-signal-of-example = { $delta } is the gradient of { $loss } with respect to the net input of layer { $layer } in example { $i }.
derive-signal-coupled = { $delta } is that gradient at the net input of layer { $layer } in example { $i }.
derive-signal =
    { $delta } is the gradient of { $loss } with respect to the net input { $net } of a layer { $layer }
    (what its activation is applied to); { $odot } multiplies elementwise, { $transpose } transposes, and a product
    written without a sign is a matrix product.
derive-products =
    { $odot } multiplies elementwise, { $transpose } transposes, and a product written without a sign is a matrix
    product.
derive-fused =
    Softmax and cross-entropy are differentiated as one step: for a target that sums to 1
    (one-hot, or a distribution), { $general } is simply { $one_hot }.
derive-rules-heading = Local derivative rules used
derive-where = where { $given }:
derive-scalar-note =
    Each gradient is the chain of partial derivatives along the path from the element to
    { $loss }, then the product of the local derivatives. { $net } is the net input of a layer { $layer }
    (what its activation is applied to). A gradient that is a sum over several paths has its own line,
    and later lines refer to it.
