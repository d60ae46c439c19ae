// The OAuth consent page (GET and POST /authorize): the person connecting an MCP client sees which
// client asks, where its tokens will go (with a warning for an app on their own computer), and
// signs in with one of the deployment's API keys. The key is checked against API_KEY_HASHES before
// anything is granted; the grant keeps it, encrypted, for the tools to use (oauth.ts). The
// provider's consent helpers bind the form to this browser, use it once and forbid framing.
import {
  AuthorizationError,
  CimdFetchError,
  type ConsentDescription,
} from "@cloudflare/workers-oauth-provider";
import { hashApiKey, isAcceptedKey, parseKeyHashes } from "@st-edge/edge";
import type { Context } from "hono";
import type { GrantProps, OAuthEnv } from "./oauth.ts";
import { SCOPES } from "./oauth.ts";

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

function page(details: ConsentDescription, handle: string, problem?: string): string {
  const name = escapeHtml(details.clientName);
  const origin = details.clientDomain
    ? `Published by <strong>${escapeHtml(details.clientDomain)}</strong>.`
    : "This app registered itself: its name is not verified.";
  return `<!doctype html>
<html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Connect ${name}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem}input{width:100%;font:inherit;padding:.4rem}.warn{color:#a40}.error{color:#b00}</style>
<h1>Connect ${name} to ServiceTitan accounting?</h1>
<p>${origin} Access goes to <strong>${escapeHtml(details.redirectHost)}</strong>.</p>
${details.redirectIsLoopback ? '<p class="warn"><strong>That is an app on your computer.</strong> Continue only if you just started connecting it.</p>' : ""}
<p>It will be able to read this tenant's invoices, payments, bills, tax and terms, and prepare and commit payments, payment statuses and export marks, as the API key below can.</p>
${problem ? `<p class="error">${escapeHtml(problem)}</p>` : ""}
<form method="post">
<input type="hidden" name="handle" value="${escapeHtml(handle)}">
<label>API key of this deployment<br><input type="password" name="apiKey" autocomplete="off" required></label>
<p><button name="decision" value="approve">Connect</button> <button name="decision" value="deny" formnovalidate>Cancel</button></p>
</form></html>`;
}

const html = (body: string, status: number, headers = new Headers()) => {
  headers.set("Content-Type", "text/html; charset=utf-8");
  headers.set("Cache-Control", "no-store");
  return new Response(body, { status, headers });
};

/** What the page says when the request itself cannot be trusted enough to redirect back. */
function refusal(error: unknown): Response {
  if (error instanceof AuthorizationError && error.redirectTo)
    return Response.redirect(error.redirectTo, 302);
  if (error instanceof AuthorizationError || error instanceof CimdFetchError) {
    const message =
      error instanceof AuthorizationError ? error.description : "This app could not be verified.";
    return new Response(message, { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
  throw error;
}

/** GET /authorize: the consent page. */
export async function showConsent(c: Context<{ Bindings: OAuthEnv }>): Promise<Response> {
  const oauth = c.env.OAUTH_PROVIDER;
  if (!oauth) return c.notFound();
  try {
    const request = await oauth.parseAuthRequest(c.req.raw);
    const details = await oauth.describeConsent(request);
    const consent = await oauth.beginConsent(request);
    return html(page(details, consent.handle), 200, consent.headers);
  } catch (error) {
    return refusal(error);
  }
}

/** POST /authorize: Cancel, or Connect with an API key of this deployment. */
export async function answerConsent(c: Context<{ Bindings: OAuthEnv }>): Promise<Response> {
  const oauth = c.env.OAUTH_PROVIDER;
  if (!oauth) return c.notFound();
  const form = await c.req.raw.formData().catch(() => undefined);
  const handle = String(form?.get("handle") ?? "");
  try {
    if (form?.get("decision") !== "approve") {
      const denied = await oauth.denyConsent(c.req.raw, handle);
      return new Response(null, { status: 302, headers: denied.headers });
    }
    const apiKey = String(form.get("apiKey") ?? "").trim();
    if (
      apiKey.length === 0 ||
      apiKey.length > 512 ||
      !(await isAcceptedKey(apiKey, parseKeyHashes(c.env.API_KEY_HASHES)))
    ) {
      // The handle is still unused: the same form can be sent again with the right key.
      const request = await oauth.parseAuthRequest(new Request(c.req.url)).catch(() => undefined);
      const details: ConsentDescription = request
        ? await oauth.describeConsent(request)
        : {
            clientId: "",
            clientName: "this app",
            redirectUri: "",
            redirectHost: "its redirect address",
            redirectIsLoopback: false,
            scope: [],
          };
      return html(page(details, handle, "That is not an API key of this deployment."), 401);
    }
    const approved = await oauth.approveConsent(c.req.raw, handle);
    const keyId = (await hashApiKey(apiKey)).slice(0, 8);
    const { redirectTo } = await oauth.completeAuthorization({
      request: approved.request,
      userId: keyId,
      metadata: { keyId },
      scope: grantedScopes(approved.request.scope),
      props: { apiKey } satisfies GrantProps,
    });
    approved.headers.set("Location", redirectTo);
    return new Response(null, { status: 302, headers: approved.headers });
  } catch (error) {
    return refusal(error);
  }
}

/** The scopes granted: what was asked for of ours, or ours when nothing was. */
const grantedScopes = (asked: string[]): string[] => {
  const ours = asked.filter((scope) => SCOPES.includes(scope));
  return ours.length > 0 ? ours : SCOPES;
};
