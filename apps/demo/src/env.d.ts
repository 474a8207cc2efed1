/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Folder URL of the MNIST .gz files (default: the public mirror used by TensorFlow Datasets). */
  readonly VITE_MNIST_URL?: string;
}
