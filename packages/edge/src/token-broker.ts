// The token broker Durable Object class, which every worker exports (see @st-edge/token-cache and
// docs/deploying.md). A subpath of its own: it imports cloudflare:workers, which the OpenAPI
// generation (Node) never loads.
export { TokenBroker } from "@st-edge/token-cache/broker";
