### nabla check: the summary of a valid network.

summary-valid = { $file }: a valid network
summary-dims = dims
summary-inputs = inputs
summary-targets = targets
summary-parameters = parameters
summary-constants = constants
summary-values = values
summary-loss = loss
summary-given-values = = { $count } given values
summary-each-of = = each of { $count } examples
summary-no-parameters = no parameters: gradients are taken with respect to the inputs
summary-parameters-line = { $count ->
    [one] { $count_text } trainable value
   *[other] { $count_text } trainable values
} in { $tensors ->
    [one] { $tensors } parameter
   *[other] { $tensors } parameters
} ({ $memory } as f32)
summary-batch-of = a step on a batch of { $examples ->
    [one] { $examples } example
   *[other] { $examples } examples
}: the loss { $loss } is the mean over its examples
summary-batch = a step on a batch: the loss { $loss } is the mean over its examples
summary-optimizer = optimizer: { $optimizer }
summary-optimizer-default = optimizer: { $optimizer } (the default: the file names none)
summary-optimizer-unused = optimizer: { $optimizer }, unused: the file has no parameters to train
summary-training = training: { $settings }
