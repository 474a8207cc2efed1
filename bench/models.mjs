// The networks of the training-step benchmark rows, shared by the root CPU benchmark
// (bench/tessera.mjs) and the WebGPU benchmark (packages/gpu/bench/), so every row of every
// benchmark times the same model. `nn` is the caller's @tessera/nn module.

/** LeNet-5 for 1x28x28 inputs (first convolution padded to keep 28x28), ending in `classes` logits. */
export function lenet5(nn, classes = 10) {
  return new nn.Sequential(
    new nn.Conv2d(1, 6, 5, { padding: 2 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(6, 16, 5),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(400, 120),
    new nn.ReLU(),
    new nn.Linear(120, 84),
    new nn.ReLU(),
    new nn.Linear(84, classes),
  );
}

/** A multilayer perceptron with ReLU between its Linear layers; `sizes` = [in, ...hidden, out]. */
export function mlp(nn, sizes) {
  const layers = [];
  for (let i = 1; i < sizes.length; i++) {
    if (i > 1) layers.push(new nn.ReLU());
    layers.push(new nn.Linear(sizes[i - 1], sizes[i]));
  }
  return new nn.Sequential(...layers);
}
