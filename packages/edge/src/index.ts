// @st-edge/edge: what every worker shares.

export { createWorkerApp, type WorkerAppOptions, type WorkerEnv } from "./app.ts";
export { counted, type Outcome, outcomesFor } from "./batch-outcomes.ts";
export { ANSWER_RESERVE_MS, DEFAULT_REQUEST_BUDGET_MS, readBudgetMs, requestBudget } from "./budget.ts";
export { callerAuth, hashApiKey, isAcceptedKey, parseKeyHashes, presentedKey } from "./caller-auth.ts";
export { ConfigError, type EdgeBindings, type EdgeConfig, readConfig, SIMULATOR_HOSTS } from "./config.ts";
export { toProblem } from "./errors.ts";
export {
  type AmountRules,
  amountProblem,
  dateProblem,
  lengthProblem,
  MAX_AMOUNT,
  parseAmount,
  placeholderProblem,
  toUtcDateTime,
} from "./inputs.ts";
export { type LogFields, type LogLevel, log } from "./logging.ts";
export {
  type FieldError,
  PROBLEM_TYPE_PREFIX,
  PROBLEM_TYPES,
  ProblemError,
  type ProblemInit,
  type ProblemType,
  problemResponse,
} from "./problem.ts";
export {
  defineRoute,
  type Method,
  mount,
  problemSpec,
  type ResponseSpec,
  type RouteInput,
  type RouteSpec,
  unmatched,
} from "./routes.ts";
export * as schemas from "./schemas.ts";
export {
  type CostKind,
  countCalls,
  countedNamespace,
  countedStub,
  NO_TIMING,
  type RequestTiming,
  recordTiming,
  serverTiming,
} from "./server-timing.ts";
export { type ServiceTitanForOptions, serviceTitanFor, type TenantClient } from "./servicetitan.ts";
export { textProblem } from "./text.ts";
export {
  DEFAULT_BODY_LIMIT_BYTES,
  fieldErrors,
  queryObject,
  readBodyBytes,
  readJsonBody,
} from "./validation.ts";
