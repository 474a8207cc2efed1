// The declaration files of the CPU kernels name WebAssembly.Memory, Module and Instance, which
// TypeScript declares in its DOM lib (not in ES2022). These empty interfaces merge with the real
// ones where that lib is loaded, and elsewhere (a Node project without the DOM lib, skipLibCheck
// off) let the package's types compile on their own.
export {};

declare global {
  namespace WebAssembly {
    interface Memory {}
    interface Module {}
    interface Instance {}
  }
}
