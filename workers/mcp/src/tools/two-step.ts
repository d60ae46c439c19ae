// Every write is two tools. `prepare_<write>` checks everything the write would check, writes
// nothing, and answers a preview with a confirmation token binding the exact request
// (confirmation.ts). `commit_<write>` takes only that token: it verifies it, sends the request it
// carries with an Idempotency-Key derived from it, and logs one audit line whatever the outcome.
// An agent that retries a commit sends the same request with the same key and gets the first
// answer back; an agent cannot change the request between prepare and commit.

import type { ToolAnnotations } from "@modelcontextprotocol/server";
import { log, type ProblemType } from "@st-edge/edge";
import * as z from "zod";
import type { Caller } from "../caller.ts";
import { type Capability, callCapability, knownProblem, ownProblem, type Problem } from "../capabilities.ts";
import {
  type ConfirmationClaims,
  idempotencyKeyOf,
  issueConfirmation,
  type Json,
  tokenSecret,
  verifyConfirmation,
} from "../confirmation.ts";
import { defineTool, type Outcome, READ_ONLY, type Tool } from "./define.ts";

/** How long a confirmation token stays valid by default (CONFIRMATION_TTL_SECONDS). */
export const DEFAULT_CONFIRMATION_TTL_SECONDS = 600;

/** What an audit line may carry: ids, amounts, statuses; never a key, token or secret. */
export type AuditFields = Record<string, string | number | boolean | undefined>;

export type Checked<R extends Json> =
  | { ok: true; request: R; preview: Record<string, unknown> }
  | { ok: false; problem: Problem };

export interface TwoStepWrite<P extends z.ZodObject, R extends Json> {
  /** `prepare_<name>` and `commit_<name>`. */
  name: string;
  /** What the write does, for both tools' descriptions. */
  summary: string;
  prepareDescription: string;
  commitDescription: string;
  /** The commit's annotations (the prepare is read-only). */
  annotations: ToolAnnotations;
  input: P;
  /** The request a token carries, re-read on commit: a token of another shape is refused. */
  request: z.ZodType<R>;
  /** Every check the write makes, writing nothing: the canonical request and what it would do. */
  check: (args: z.output<P>, caller: Caller) => Promise<Checked<R>>;
  /** Sends the request. */
  send: (request: R, caller: Caller, idempotencyKey: string) => Promise<Outcome<Record<string, unknown>>>;
  /** The ids and amounts of this write, for the audit line. */
  audit: (request: R, outcome: Outcome<Record<string, unknown>>) => AuditFields;
  /** For an authentic token past its expiry: whether its earlier commit went through (a sentence). */
  whenExpired?: (request: R, caller: Caller, idempotencyKey: string) => Promise<string | undefined>;
}

/**
 * A prepare's refusal of ids this tenant does not have (nothing is written: the write would cover
 * them all or none).
 *
 * @example notInTenant("payment-not-found", "payment", "paymentIds", [42], "changed")
 */
export const notInTenant = (
  type: ProblemType,
  noun: string,
  field: string,
  missing: number[],
  verb: string,
): { ok: false; problem: Problem } => ({
  ok: false,
  problem: knownProblem(type, {
    detail: `No ${noun} ${missing.join(", ")} in this tenant; nothing was ${verb}`,
    errors: [{ in: "body", field, message: `not found: ${missing.join(", ")}` }],
  }),
});

/** A `send` that POSTs the request as the token carries it to a worker (a write that sets values). */
export const postRequest =
  (capability: Capability, path: string): TwoStepWrite<z.ZodObject, Json>["send"] =>
  (request, caller) =>
    callCapability<Record<string, unknown>>(caller, capability, path, { method: "POST", body: request });

/**
 * POSTs a create with the commit's Idempotency-Key (a worker that creates exactly once per key):
 * what it created, and whether the answer replays an earlier commit of the same token.
 */
export async function createOnce<T>(
  caller: Caller,
  capability: Capability,
  path: string,
  body: Json,
  idempotencyKey: string,
): Promise<Outcome<{ created: T; replayed: boolean }>> {
  const answer = await callCapability<T>(caller, capability, path, { method: "POST", body, idempotencyKey });
  if (!answer.ok) return answer;
  return {
    ok: true,
    data: { created: answer.data, replayed: answer.headers.get("Idempotent-Replayed") === "true" },
  };
}

interface Deployment {
  secret: string;
  tenant: string;
  ttlSeconds: number;
}

/** The settings a confirmation needs, or the problem that keeps writes off. */
function deploymentOf(env: Env & { CONFIRMATION_TTL_SECONDS?: string }): Deployment | Problem {
  const secret = tokenSecret(env);
  if (typeof secret !== "string") return secret;
  const ttl = env.CONFIRMATION_TTL_SECONDS
    ? Number(env.CONFIRMATION_TTL_SECONDS)
    : DEFAULT_CONFIRMATION_TTL_SECONDS;
  if (!env.ST_ENVIRONMENT || !env.ST_TENANT_ID || !Number.isInteger(ttl) || ttl < 30 || ttl > 3600) {
    return knownProblem("misconfigured", {
      detail: "ST_ENVIRONMENT and ST_TENANT_ID must be set, and CONFIRMATION_TTL_SECONDS between 30 and 3600",
    });
  }
  return { secret, tenant: `${env.ST_ENVIRONMENT}:${env.ST_TENANT_ID}`, ttlSeconds: ttl };
}

const Token = z.strictObject({
  confirmationToken: z
    .string()
    .min(1)
    .max(16_384)
    .describe("The confirmationToken the prepare tool returned, unchanged"),
});

/** The prepare and commit tools of one write. */
export function twoStepTools<P extends z.ZodObject, R extends Json>(write: TwoStepWrite<P, R>): [Tool, Tool] {
  const commitName = `commit_${write.name}`;
  const prepare = defineTool({
    name: `prepare_${write.name}`,
    title: `Prepare: ${write.summary}`,
    description:
      `${write.prepareDescription} Writes nothing. Answers a preview and a confirmationToken; show the preview ` +
      `to whoever approves, then call ${commitName} with the token alone before it expires.`,
    annotations: READ_ONLY,
    input: write.input,
    async run(args, caller) {
      const deployment = deploymentOf(caller.env);
      if (!("secret" in deployment)) return { ok: false, problem: deployment };
      const checked = await write.check(args, caller);
      if (!checked.ok) return checked;
      const { token, expiresAt } = await issueConfirmation({
        secret: deployment.secret,
        tenant: deployment.tenant,
        tool: commitName,
        keyId: caller.keyId,
        request: checked.request,
        ttlSeconds: deployment.ttlSeconds,
      });
      return {
        ok: true,
        data: { preview: checked.preview, confirmationToken: token, expiresAt, commitWith: commitName },
      };
    },
  });
  const commit = defineTool({
    name: commitName,
    title: `Commit: ${write.summary}`,
    description:
      `${write.commitDescription} Takes only the confirmationToken from prepare_${write.name}. Retrying with ` +
      "the same token is safe: the write happens once and the retry answers what the first did.",
    annotations: write.annotations,
    input: Token,
    async run({ confirmationToken }, caller) {
      const audit = (fields: AuditFields) =>
        log("info", {
          event: "mcp-audit",
          tool: commitName,
          keyId: caller.keyId,
          requestId: caller.requestId,
          ...fields,
        });
      const deployment = deploymentOf(caller.env);
      if (!("secret" in deployment)) return { ok: false, problem: deployment };
      const idempotencyKey = await idempotencyKeyOf(confirmationToken);
      const verified = await verifyConfirmation(confirmationToken, {
        secret: deployment.secret,
        tenant: deployment.tenant,
        tool: commitName,
        keyId: caller.keyId,
      });
      const claims: ConfirmationClaims | undefined = verified.ok ? verified.claims : verified.expired;
      const parsed = claims === undefined ? undefined : write.request.safeParse(claims.request);
      if (!verified.ok) {
        const problem = { ...verified.problem };
        if (parsed?.success && write.whenExpired) {
          const status = await write.whenExpired(parsed.data, caller, idempotencyKey);
          if (status) problem.detail = `${problem.detail}. ${status}`;
        }
        audit({
          outcome: "refused",
          problemType: problem.type,
          idempotencyKey: claims ? idempotencyKey : undefined,
        });
        return { ok: false, problem };
      }
      if (!parsed?.success) {
        const problem = ownProblem({
          type: "confirmation-invalid",
          title: "The confirmation token is not one this server can commit",
          status: 422,
          detail: "It was prepared by another version of this server; prepare the write again",
        });
        audit({ outcome: "refused", problemType: problem.type, idempotencyKey });
        return { ok: false, problem };
      }
      const outcome = await write.send(parsed.data, caller, idempotencyKey);
      audit({
        outcome: outcome.ok ? "committed" : "refused",
        ...(outcome.ok ? {} : { problemType: outcome.problem.type, problemStatus: outcome.problem.status }),
        idempotencyKey,
        ...write.audit(parsed.data, outcome),
      });
      return outcome;
    },
  });
  return [prepare, commit];
}
