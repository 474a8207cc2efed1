import { Conv2d, Dropout, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '@tessera/nn';

/** The MNIST MLP of examples/src/mnist-mlp.ts. */
export function mlp(width = 512): Sequential {
  return new Sequential(
    new Flatten(),
    new Linear(784, width),
    new ReLU(),
    new Dropout(0.2),
    new Linear(width, width / 2),
    new ReLU(),
    new Dropout(0.2),
    new Linear(width / 2, 10),
  );
}

/** LeNet-5 of examples/src/mnist-lenet.ts. */
export function lenet5(): Sequential {
  return new Sequential(
    new Conv2d(1, 6, 5, { padding: 2 }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(6, 16, 5),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(16 * 5 * 5, 120),
    new ReLU(),
    new Linear(120, 84),
    new ReLU(),
    new Linear(84, 10),
  );
}
