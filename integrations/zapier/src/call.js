// Every call the integration makes to a worker goes through here: the worker's URL from the
// connection, the API key header, the Idempotency-Key of a create, and the one mapping from our
// problems to Zapier's errors (throttled, replayable, halted, expired auth). The key never appears
// in a message: messages are built from the problem's own words and the URL without its query.
import { createHash } from "node:crypto";
import { WORKERS } from "./generated/model.js";
import {
  classifyFailure,
  InputError,
  idempotencyKey,
  retryAfterSeconds,
  workerUrl,
} from "./generated/runtime.js";

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
export const authHeaders = (authData) => ({
  Authorization: `Bearer ${String(authData.apiKey ?? "").trim()}`,
});

/** @param {string} text */
function parseJson(text) {
  try {
    return text === "" ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * @typedef {{ status: number, content: string, getHeader: (name: string) => string | undefined }} Answer
 */

/**
 * One HTTP request through Zapier's client, with our own handling of every status (never
 * Zapier's default 429 and 4xx errors, which would hide the problem's words).
 *
 * @param {ZObject} z
 * @param {{ url: string, method?: "GET" | "POST" | "PATCH" | "PUT" | "DELETE", params?: Record<string, string>, headers: Record<string, string>, body?: string }} options
 * @returns {Promise<Answer>}
 */
export async function send(z, options) {
  const response = /** @type {import("zapier-platform-core").HttpResponse} */ (
    /** @type {unknown} */ (
      await z.request({
        ...options,
        skipThrowForStatus: true,
        // @ts-expect-error core 19 reads this request option (throw-for-throttling.js); its types lag.
        throwForThrottlingEarly: false,
      })
    )
  );
  return {
    status: response.status,
    content: response.content,
    getHeader: (name) => response.getHeader(name),
  };
}

/**
 * Throws the Zapier error for a failed answer; for a 404, answers the problem's message so a
 * search can answer "nothing found" (a create halts with it).
 *
 * @param {ZObject} z
 * @param {Answer} response
 * @param {string} url
 * @returns {string}
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
      throw new z.errors.ExpiredAuthError(
        `The deployment refused the connection's API key. ${failure.message}`,
      );
    case "halt":
      throw new z.errors.HaltedError(failure.message);
    case "retry":
      throw new z.errors.Error(failure.message, "upstream", response.status);
    default:
      return failure.message;
  }
}

/**
 * Calls one operation with prepared inputs; answers the parsed body and the replay flag. A 404 is
 * `notFound` for a search or trigger (nothing found); a create halts with the problem's words (an
 * unknown invoice is a refusal of the step, not an empty answer).
 *
 * @param {ZObject} z
 * @param {Bundle} bundle
 * @param {OperationSpec} op
 * @param {import("./generated/runtime.js").PreparedRequest} request
 * @returns {Promise<{ body: unknown, replayed: boolean, notFound: boolean }>}
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
        // bundle.meta (core 19) has no run, step or attempt id, and a replay, an autoreplay or a
        // throttled retry re-sends the same inputs: the action and its exact body name the step.
        // The Zap id (deprecated, not always sent) is left out on purpose, so a copied or
        // duplicated Zap handling the same payment replays instead of posting it a second time.
        scope: ["zapier", op.key],
        body: request.body,
      },
      sha256Hex,
    );
  }
  const response = await send(z, {
    url,
    method: /** @type {"GET"} */ (request.method),
    params: request.query,
    headers,
    ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
  });
  if (response.status >= 200 && response.status < 300) {
    return {
      body: parseJson(response.content),
      replayed: response.getHeader("idempotent-replayed") === "true",
      notFound: false,
    };
  }
  const notFound = failWith(z, response, url);
  if (op.kind === "create") throw new z.errors.HaltedError(notFound);
  return { body: undefined, replayed: false, notFound: true };
}
