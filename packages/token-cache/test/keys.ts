// A fixed TOKEN_ENCRYPTION_KEY for tests that share it between a broker and isolates.
export const TEST_ENCRYPTION_KEY = btoa(
  String.fromCharCode(...Array.from({ length: 32 }, (_, i) => i * 7 + 1)),
);
