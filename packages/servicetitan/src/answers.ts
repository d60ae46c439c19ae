// ServiceTitan answers that arrived whole but cannot be read: a 2xx whose body is not JSON, or
// that has no body where one is expected. openapi-fetch parses a 2xx body after every middleware
// has run, so its one parse error (JSON.parse's SyntaxError) is caught around each call here and
// becomes ServiceTitanError { failure: "invalid-response" } naming the operation. Each answer (the
// Response and its parsed body) is also remembered with its operation, so `unwrap` and `allPages`,
// which only see results, can name it too. A body cut off midway is the timeout's (transport/timeout.ts).
import { ServiceTitanError } from "./errors.ts";
import { operationIds } from "./generated/operations.ts";

/** The ServiceTitan operation an answer came from. */
export interface AnsweredBy {
  method: string;
  operationId: string | undefined;
}

/** The operation id of a call, from its method and openapi-fetch's schema path. */
export const operationIdOf = (method: string, schemaPath: string): string | undefined =>
  operationIds[`${method.toUpperCase()} ${schemaPath}`];

// Responses and parsed bodies → the call that produced them. Weak: answers are dropped as usual.
const answers = new WeakMap<object, AnsweredBy>();

/** The operation `answer` (a Response or a parsed body from this client) came from, when known. */
export function answeredBy(answer: unknown): AnsweredBy | undefined {
  return typeof answer === "object" && answer !== null ? answers.get(answer) : undefined;
}

const remember = (answer: unknown, by: AnsweredBy) => {
  if (typeof answer === "object" && answer !== null) answers.set(answer, by);
};

const CALLS = new Set(["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"]);

async function read(by: AnsweredBy, call: () => Promise<unknown>): Promise<unknown> {
  let result: unknown;
  try {
    result = await call();
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new ServiceTitanError({ failure: "invalid-response", ...by, detail: "not JSON", cause: error });
    }
    throw error;
  }
  if (typeof result === "object" && result !== null) {
    if ("response" in result) remember(result.response, by);
    if ("data" in result) remember(result.data, by);
  }
  return result;
}

/**
 * The same client, with every call's unreadable 2xx answer turned into a ServiceTitanError and
 * every answer remembered with its operation.
 *
 * @example const st = readableAnswers(createClient<ServiceTitanPaths>({ baseUrl, fetch }));
 */
export function readableAnswers<C extends object>(client: C): C {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      if (property === "request") {
        return (method: string, path: string, init?: unknown) =>
          read({ method: method.toUpperCase(), operationId: operationIdOf(method, path) }, () =>
            Reflect.apply(value, target, [method, path, init]),
          );
      }
      if (typeof property !== "string" || !CALLS.has(property)) return value;
      return (path: string, init?: unknown) =>
        read({ method: property, operationId: operationIdOf(property, path) }, () =>
          Reflect.apply(value, target, [path, init]),
        );
    },
  });
}
