// ServiceTitan's two credentials on every accounting call: the application's `ST-App-Key` and a
// tenant's access token in `Authorization` (raw or Bearer, see tokens.ts). A token is bound to
// the tenant it was issued for; using it on another tenant's path is a 403 (our choice: the
// caller is authenticated but not allowed there; ServiceTitan's own answer is UNCONFIRMED).
import type { SimulatorState } from "./context.ts";
import { HttpProblem } from "./errors.ts";
import type { TenantStore } from "./store.ts";

const unauthorized = (title: string) =>
  new HttpProblem(401, title, { headers: { "WWW-Authenticate": 'Bearer error="invalid_token"' } });

/** The caller's tenant store, or an HttpProblem (401/403) explaining why not. */
export function authenticate(
  state: SimulatorState,
  headers: { appKey: string | undefined; authorization: string | undefined },
  tenantId: number,
): TenantStore {
  if (!headers.appKey) throw unauthorized("The ST-App-Key header is required.");
  if (!state.settings.appKeys.includes(headers.appKey.trim()))
    throw unauthorized("The ST-App-Key is not valid.");
  const check = state.tokens.check(headers.authorization);
  if (!check.ok) {
    throw unauthorized(
      check.reason === "missing"
        ? "The Authorization header is required."
        : check.reason === "expired"
          ? "The access token has expired."
          : "The access token is not valid.",
    );
  }
  const store = state.stores.get(tenantId);
  if (check.token.tenantId !== tenantId || !store) {
    throw new HttpProblem(403, `The access token was not issued for tenant ${tenantId}.`);
  }
  return store;
}
