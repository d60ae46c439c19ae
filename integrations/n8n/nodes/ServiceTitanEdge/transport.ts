// Every call the n8n nodes make to a worker: the worker's URL from the credential, the API key
// (applied by n8n from the credential), the Idempotency-Key of a create, and our problems as
// NodeApiErrors carrying the problem's title, detail and field names. The key is never in a message.
import { createHash } from "node:crypto";
import type {
  ICredentialDataDecryptedObject,
  IDataObject,
  IExecuteFunctions,
  IHookFunctions,
  IHttpRequestMethods,
  ILoadOptionsFunctions,
  IPollFunctions,
  JsonObject,
} from "n8n-workflow";
import { NodeApiError, NodeOperationError } from "n8n-workflow";
import { WORKERS } from "./generated/model";
import type { DeploymentUrls, OperationSpec, PreparedRequest, Problem } from "./generated/runtime";
import {
  classifyFailure,
  InputError,
  idempotencyKey,
  retryAfterSeconds,
  workerUrl,
} from "./generated/runtime";

export const CREDENTIAL = "serviceTitanEdgeApi";

type Context = IExecuteFunctions | IPollFunctions | ILoadOptionsFunctions | IHookFunctions;

export const sha256Hex = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

/** The credential's URLs: the Deployment URL (or `{worker}` pattern) and per-worker overrides. */
export function deploymentUrls(credentials: ICredentialDataDecryptedObject): DeploymentUrls {
  const overrides: Record<string, string | undefined> = {};
  for (const { name } of WORKERS) {
    const value = credentials[`url_${name.split("-").join("_")}`];
    overrides[name] = typeof value === "string" ? value : undefined;
  }
  return { baseUrl: typeof credentials.baseUrl === "string" ? credentials.baseUrl : undefined, overrides };
}

export interface WorkerAnswer {
  status: number;
  body: unknown;
  replayed: boolean;
}

export interface CallOptions {
  /** What identifies this step for a derived Idempotency-Key (workflow, node, item). */
  scope?: (string | number)[];
  /** The caller's own Idempotency-Key (an order or receipt number). */
  reference?: unknown;
  itemIndex?: number;
  /** A path on the worker instead of the operation's (REST hook subscriptions). */
  worker?: string;
  /**
   * What a 404 is: `empty` (a search or trigger found nothing: no body) or `error` (a create whose
   * invoice or payment does not exist: a NodeApiError with the problem's words). Default: empty.
   */
  notFound?: "empty" | "error";
}

function parse(body: unknown): unknown {
  if (typeof body !== "string") return body;
  try {
    return body === "" ? undefined : JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** A failed answer as n8n's error, or `notFound` for a 404 when a search then finds nothing. */
export function failureError(
  ctx: Context,
  status: number,
  body: unknown,
  retryAfter: string | undefined,
  url: string,
  { itemIndex, notFound = "empty" }: Pick<CallOptions, "itemIndex" | "notFound"> = {},
): NodeApiError | "notFound" {
  const problem = parse(body) as Problem | undefined;
  const failure = classifyFailure({
    status,
    problem,
    retryAfter: retryAfterSeconds(retryAfter, Date.now()),
    url,
    random: Math.random,
  });
  if (failure.action === "notFound" && notFound === "empty") return "notFound";
  const description =
    failure.action === "throttle"
      ? `Retry after ${failure.delaySeconds} s (turn on Retry On Fail for this node); a create retried with the same inputs is applied once.`
      : failure.action === "reauth"
        ? "The deployment refused the credential's API key: check the ServiceTitan Edge credential."
        : failure.action === "retry"
          ? "A temporary failure: run the node again."
          : undefined;
  return new NodeApiError(ctx.getNode(), (problem ?? { status }) as unknown as JsonObject, {
    message: failure.message,
    description,
    httpCode: String(status),
    itemIndex,
  });
}

/**
 * Calls one operation of a worker with a prepared request.
 *
 * @example const { body } = await callWorker(this, op, prepareRequest(op, input), { itemIndex: i });
 */
export async function callWorker(
  ctx: Context,
  op: Pick<OperationSpec, "worker" | "idempotent" | "key">,
  request: PreparedRequest,
  options: CallOptions = {},
): Promise<WorkerAnswer> {
  const credentials = await ctx.getCredentials(CREDENTIAL);
  let base: string;
  try {
    base = workerUrl(deploymentUrls(credentials), options.worker ?? op.worker);
  } catch (error) {
    const message = error instanceof InputError ? error.message : String(error);
    throw new NodeOperationError(ctx.getNode(), message, { itemIndex: options.itemIndex });
  }
  const url = `${base}${request.path}`;
  const headers: IDataObject = { Accept: "application/json, application/problem+json" };
  if (op.idempotent) {
    headers["Idempotency-Key"] = idempotencyKey(
      { reference: options.reference, scope: options.scope ?? [op.key], body: request.body },
      sha256Hex,
    );
  }
  const response = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL, {
    method: request.method as IHttpRequestMethods,
    url,
    qs: request.query,
    headers,
    ...(request.body !== undefined ? { body: request.body } : {}),
    json: true,
    returnFullResponse: true,
    ignoreHttpStatusErrors: true,
  })) as { statusCode: number; headers: Record<string, string | undefined>; body: unknown };
  const status = response.statusCode;
  if (status >= 200 && status < 300) {
    return {
      status,
      body: parse(response.body),
      replayed: response.headers["idempotent-replayed"] === "true",
    };
  }
  const error = failureError(ctx, status, response.body, response.headers["retry-after"], url, options);
  if (error === "notFound") return { status, body: undefined, replayed: false };
  throw error;
}
