// The shape every transport layer shares: a fetch that takes a Request. Layers wrap one another
// (retry → auth → timeout → network) so each retry attempt is re-signed and re-timed.

export type Fetch = (request: Request) => Promise<Response>;
