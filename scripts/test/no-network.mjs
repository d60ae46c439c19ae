// Loaded with `node --import` into a process that must not reach the network: any fetch fails.
globalThis.fetch = () => {
  throw new Error("this process must not use the network");
};
