// OAuth 2.1 for MCP clients that expect it of a remote server, on Cloudflare's
// workers-oauth-provider: discovery metadata (RFC 8414, RFC 9728), dynamic client registration,
// PKCE, the token endpoint, and a consent page (consent.ts) where the person connecting the client
// signs in with one of the deployment's API keys. The access tokens it issues are this server's
// own, bound to its /mcp resource; the API key they stand for stays in the grant's props, which the
// provider encrypts with a key only the token holder can unwrap, and is what the tools forward to
// the capability workers. Removing the key from API_KEY_HASHES therefore ends every grant made
// with it: the workers (and this worker's own caller auth) refuse it on the next call.
//
// An API key presented directly as the Bearer credential is accepted too (scripts, curl, clients
// configured with a header): resolveExternalToken checks it against API_KEY_HASHES.
//
// OAuth is on where the deployment sets MCP_PUBLIC_URL (its public origin, which names the
// resource tokens are bound to) and binds OAUTH_KV; without them /mcp takes API keys alone.
import { type OAuthHelpers, OAuthProvider } from "@cloudflare/workers-oauth-provider";
import { isAcceptedKey, log, parseKeyHashes, presentedKey } from "@st-edge/edge";

export type OAuthEnv = Env & {
  MCP_PUBLIC_URL?: string;
  OAUTH_KV?: KVNamespace;
  OAUTH_PROVIDER?: OAuthHelpers;
};

/** What a grant keeps (encrypted): the API key the person signed in with. */
export interface GrantProps {
  apiKey: string;
}

export const AUTHORIZE_PATH = "/authorize";
/** The one scope: acting on this tenant's books through the tools, as the key's holder could. */
export const SCOPES = ["accounting"];

interface Fetchable {
  fetch(request: Request, env: OAuthEnv, ctx: ExecutionContext): Response | Promise<Response>;
}

/** The deployment's public origin, when OAuth is configured (and valid). */
export function publicOrigin(env: OAuthEnv): string | undefined {
  if (!env.MCP_PUBLIC_URL || !env.OAUTH_KV) return undefined;
  try {
    const url = new URL(env.MCP_PUBLIC_URL);
    return url.protocol === "https:" || url.protocol === "http:" ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/** The request with the grant's API key as its credential, for the app's caller auth and the tools. */
function asKeyHolder(request: Request, props: unknown): Request {
  const apiKey = typeof props === "object" && props !== null && "apiKey" in props ? props.apiKey : undefined;
  const forwarded = new Request(request);
  forwarded.headers.delete("X-Api-Key");
  if (typeof apiKey === "string") forwarded.headers.set("Authorization", `Bearer ${apiKey}`);
  else forwarded.headers.delete("Authorization");
  return forwarded;
}

// One provider per public origin, for the life of the isolate.
const providers = new Map<string, OAuthProvider<OAuthEnv>>();

function providerFor(origin: string, app: Fetchable, route: string): OAuthProvider<OAuthEnv> {
  let provider = providers.get(origin);
  if (provider) return provider;
  const resource = `${origin}${route}`;
  provider = new OAuthProvider<OAuthEnv>({
    apiRoute: route,
    apiHandler: {
      fetch: (request, env, ctx) =>
        app.fetch(asKeyHolder(request, (ctx as ExecutionContext & { props?: unknown }).props), env, ctx),
    },
    defaultHandler: { fetch: (request, env, ctx) => app.fetch(request, env, ctx) },
    authorizeEndpoint: AUTHORIZE_PATH,
    tokenEndpoint: "/oauth/token",
    clientRegistrationEndpoint: "/oauth/register",
    scopesSupported: SCOPES,
    resourceMetadata: { resource, authorization_servers: [origin], resource_name: "ServiceTitan accounting" },
    // One structured line per refusal, as every other log line here (the default is free text).
    onError: ({ code, status, internal }) => {
      log("warn", { event: "oauth-error", worker: "mcp", code, status, internal: String(internal ?? "") });
    },
    resolveExternalToken: async ({ token, env }) => {
      const accepted =
        token.length <= 512 && (await isAcceptedKey(token, parseKeyHashes(env.API_KEY_HASHES)));
      return accepted ? { props: { apiKey: token } satisfies GrantProps, audience: resource } : null;
    },
  });
  providers.set(origin, provider);
  return provider;
}

/**
 * The worker's fetch handler: the app behind the OAuth provider where OAuth is configured, the app
 * alone (API keys only) where it is not.
 *
 * @example export default withOAuth(app, "/mcp");
 */
export function withOAuth(app: Fetchable, route: string): Fetchable {
  return {
    fetch(request, env, ctx) {
      const origin = publicOrigin(env);
      if (origin === undefined) return app.fetch(request, env, ctx);
      // X-Api-Key is this deployment's other way to send a key: the provider reads only Bearer.
      const key = request.headers.get("Authorization") ? undefined : presentedKey(request.headers);
      const provider = providerFor(origin, app, route);
      if (!key) return provider.fetch(request, env, ctx);
      const bearer = new Request(request);
      bearer.headers.set("Authorization", `Bearer ${key}`);
      return provider.fetch(bearer, env, ctx);
    },
  };
}
