// Every call the integration makes to a worker goes through here: the worker's URL from the
// connection, the API key header, the Idempotency-Key of a create, and the one mapping from our
// problems to Zapier's errors (throttled, replayable, halted, expired auth). The key never appears
// in a message: messages are built from the problem's own words and the URL without its query.
import { createHash } from "node:crypto";
import { WORKERS } from "./generated/model.js";
import { classifyFailure, idempotencyKey, InputError, retryAfterSeconds, workerUrl } from "./generated/runtime.js";

/** @typedef {import("zapier-platform-core").ZObject} ZObject */
/** @typedef {import("zapier-platform-core").Bundle} Bundle */
/** @typedef {import("./generated/runtime.js").OperationSpec} OperationSpec */

/** @param {string} text */
export const sha256Hex = (text) => createHash("sha256").update(text, "utf8").digest("hex");

/**
 * The deployment's URLs as the connection holds them: one Deployment URL (or a `{worker}` pattern)
 * plus an optional URL per worker (`url_<worker>` fields, generated per worker document).
 *
 * @param {Record<string, string | undefined>} authData
 */
export function deploymentUrls(authData) {
  /** @type {Record<string, string | undefined>} */
  const overrides = {};
  for (const { name } of WORKERS) overrides[name] = authData[`url_${name.replaceAll("-", "_")}`];
  return { baseUrl: authData.baseUrl, overrides };
}

/** @param {Record<string, string | undefined>} authData */
export const authHeaders = (authData) => ({ Authorization: `Bearer ${String(authData.apiKey ?? "").trim()}` });

/** @param {string} text */
function parseJson(text) {
  try {
    return text === "" ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Throws the Zapier error for a failed answer; returns "notFound" for a 404 so a search can
 * answer "nothing found".
 *
 * @param {ZObject} z
 * @param {{ status: number, content: string, getHeader: (name: string) => string | null | undefined }} response
 * @param {string} url
 * @returns {"notFound"}
 */
export function failWith(z, response, url) {
  const failure = classifyFailure({
    status: response.status,
    problem: parseJson(response.content),
    retryAfter: retryAfterSeconds(response.getHeader("retry-after"), Date.now()),
    url,
    random: Math.random,
  });
  switch (failure.action) {
    case "throttle":
      throw new z.errors.ThrottledError(failure.message, failure.delaySeconds);
    case "reauth":
      throw new z.errors.ExpiredAuthError(`The deployment refused the connection's API key. ${failure.message}`);
    case "halt":
      throw new z.errors.HaltedError(failure.message);
    case "retry":
      throw new z.errors.Error(failure.message, "upstream", response.status);
    case "notFound":
      return "notFound";
  }
}

/**
 * Calls one operation with prepared inputs; answers the parsed body, the replay flag, or
 * `notFound`.
 *
 * @param {ZObject} z
 * @param {Bundle} bundle
 * @param {OperationSpec} op
 * @param {import("./generated/runtime.js").PreparedRequest} request
 */
export async function callWorker(z, bundle, op, request) {
  let base;
  try {
    base = workerUrl(deploymentUrls(bundle.authData), op.worker);
  } catch (error) {
    if (error instanceof InputError) throw new z.errors.HaltedError(error.message);
    throw error;
  }
  const url = `${base}${request.path}`;
  /** @type {Record<string, string>} */
  const headers = { ...authHeaders(bundle.authData), Accept: "application/json, application/problem+json" };
  if (request.body !== undefined) headers["Content-Type"] = "application/json";
  if (op.idempotent) {
    headers["Idempotency-Key"] = idempotencyKey(
      {
        reference: bundle.inputData?.idempotencyKey,
        // What identifies this step: Zapier gives no run or step id in bundle.meta (core 19), and a
        // replay re-sends the same inputs, so the Zap (when Zapier names it) + action + body do.
        scope: ["zapier", op.key, String(bundle.meta?.zap?.id ?? "")],
        body: request.body,
      },
      sha256Hex,
    );
  }
  const response = await z.request({
    url,
    method: /** @type {"GET"} */ (request.method),
    params: request.query,
    headers,
    ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
    skipThrowForStatus: true,
    // @ts-expect-error core 19 reads this request option (throw-for-throttling.js); its types lag.
    throwForThrottlingEarly: false,
  });
  const getHeader = (/** @type {string} */ name) => response.getHeader(name);
  if (response.status >= 200 && response.status < 300) {
    return {
      body: parseJson(response.content),
      replayed: getHeader("idempotent-replayed") === "true",
      notFound: false,
    };
  }
  failWith(z, { status: response.status, content: response.content, getHeader }, url);
  return { body: undefined, replayed: false, notFound: true };
}
