// Builds a worker's OpenAPI 3.1 document from its route definitions. Runs at build time
// (scripts/openapi.ts writes specs/workers/<worker>.openapi.json); the worker serves that file,
// so the JSON Schema converter never ships in a bundle.
import * as z from "zod/mini";
import type { RouteSpec } from "./routes.ts";
import { components, documented, extensions, Problem } from "./schemas.ts";

/**
 * A request this worker sends (an outgoing webhook): documented under the OpenAPI 3.1 top-level
 * `webhooks`, so receivers see each body and header they will get.
 */
export interface WebhookSpec {
  /** The key under `webhooks`, e.g. the event name "payment.created". */
  name: string;
  operationId: string;
  summary: string;
  description?: string;
  tags?: string[];
  /** Headers the request carries. */
  headers?: z.ZodMiniType;
  body: z.ZodMiniType;
  /** What the receiver may answer, and what each answer makes us do. */
  responses: Record<number, { description: string }>;
}

export interface ApiInfo {
  title: string;
  version: string;
  description: string;
}

type JsonSchema = Record<string, unknown>;

/** Named response shapes met while converting (components.schemas), filled as they are met. */
type Components = Map<string, JsonSchema>;

const replace = (target: JsonSchema, replacement: JsonSchema) => {
  for (const key of Object.keys(target)) delete target[key];
  Object.assign(target, replacement);
};

/** A `$ref` to the component `schema` names, converting it once into `refs`. */
function refTo(schema: z.ZodMiniType, name: string, refs: Components): JsonSchema {
  if (!refs.has(name)) {
    refs.set(name, {});
    refs.set(name, toSchema(schema, refs, schema));
  }
  return { $ref: `#/components/schemas/${name}` };
}

/**
 * JSON Schema for `schema`. With `refs`, named components (and extensions of them) become `$ref`s,
 * except `self`, the component being defined; without, everything is inline (request parts).
 */
const toSchema = (schema: z.ZodMiniType, refs?: Components, self?: z.ZodMiniType): JsonSchema => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
    target: "draft-2020-12",
    override: ({ zodSchema, jsonSchema }) => {
      if (!refs) {
        const replacement = documented.get(zodSchema);
        if (replacement) replace(jsonSchema, replacement);
        return;
      }
      const extension = extensions.get(zodSchema);
      const baseName = extension && components.get(extension.base);
      if (extension && baseName) {
        const added = toSchema(extension.added, refs);
        replace(jsonSchema, { allOf: [refTo(extension.base, baseName, refs), added] });
        return;
      }
      const name = components.get(zodSchema);
      if (name && (zodSchema as unknown) !== self) {
        replace(jsonSchema, refTo(zodSchema as unknown as z.ZodMiniType, name, refs));
        return;
      }
      const replacement = documented.get(zodSchema);
      if (replacement) replace(jsonSchema, replacement);
    },
  });
  return rest;
};

function parameters(schema: z.ZodMiniType | undefined, where: "path" | "query" | "header") {
  if (!schema) return [];
  const json = toSchema(schema);
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === "path" || required.has(name),
      ...(typeof description === "string" ? { description } : {}),
      schema: rest,
      ...(where === "query" && rest.type === "array" ? { style: "form", explode: true } : {}),
    };
  });
}

const PROBLEM_RESPONSE = {
  description: "An RFC 9457 problem (application/problem+json)",
  content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
};

function webhookOperations(webhooks: readonly WebhookSpec[]) {
  return Object.fromEntries(
    webhooks.map((webhook) => [
      webhook.name,
      {
        post: {
          operationId: webhook.operationId,
          summary: webhook.summary,
          ...(webhook.description ? { description: webhook.description } : {}),
          ...(webhook.tags ? { tags: webhook.tags } : {}),
          parameters: parameters(webhook.headers, "header"),
          requestBody: {
            required: true,
            content: { "application/json": { schema: toSchema(webhook.body) } },
          },
          responses: Object.fromEntries(
            Object.entries(webhook.responses).map(([status, { description }]) => [status, { description }]),
          ),
        },
      },
    ]),
  );
}

/** The OpenAPI 3.1 document for a worker. Deterministic: same routes, same JSON. */
export function buildOpenApi(
  info: ApiInfo,
  routes: readonly RouteSpec[],
  webhooks: readonly WebhookSpec[] = [],
) {
  const paths: Record<string, Record<string, unknown>> = {};
  const refs: Components = new Map();
  // Every document has it: the default response of every operation refers to it.
  refTo(Problem, "Problem", refs);
  for (const route of routes) {
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      responses[status] = {
        description: response.description,
        ...(response.headers
          ? {
              headers: Object.fromEntries(
                Object.entries(response.headers).map(([k, v]) => [k, { ...v, schema: { type: "string" } }]),
              ),
            }
          : {}),
        ...(response.schema
          ? {
              content: {
                [response.contentType ?? "application/json"]: { schema: toSchema(response.schema, refs) },
              },
            }
          : {}),
      };
    }
    responses.default = PROBLEM_RESPONSE;
    paths[route.path] = {
      ...paths[route.path],
      [route.method]: {
        operationId: route.operationId,
        summary: route.summary,
        ...(route.description ? { description: route.description } : {}),
        ...(route.tags ? { tags: route.tags } : {}),
        ...(route.open ? { security: [] } : {}),
        parameters: [
          ...parameters(route.params, "path"),
          ...parameters(route.query, "query"),
          ...parameters(route.headers, "header"),
        ],
        ...(route.body
          ? {
              requestBody: {
                required: true,
                content: { "application/json": { schema: toSchema(route.body) } },
              },
            }
          : {}),
        responses,
      },
    };
  }
  return {
    openapi: "3.1.0",
    info,
    servers: [{ url: "/", description: "This deployment" }],
    security: [{ bearerAuth: [] }, { apiKeyHeader: [] }],
    paths,
    ...(webhooks.length > 0 ? { webhooks: webhookOperations(webhooks) } : {}),
    components: {
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "Your API key as a bearer token" },
        apiKeyHeader: { type: "apiKey", in: "header", name: "X-Api-Key" },
      },
      schemas: {
        ...Object.fromEntries([...refs].sort(([a], [b]) => (a < b ? -1 : 1))),
      },
    },
  };
}
