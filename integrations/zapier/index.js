// The Zapier integration for ServiceTitan Accounting at the edge. Its triggers, searches and
// creates are generated from the workers' OpenAPI documents (src/generated/, `pnpm gen`).
import { version as platformVersion } from "zapier-platform-core";
import packageJson from "./package.json" with { type: "json" };
import { authentication } from "./src/authentication.js";
import { creates, searches, searchOrCreates, triggers } from "./src/operations.js";

export default {
  version: packageJson.version,
  platformVersion,
  authentication,
  triggers,
  searches,
  creates,
  searchOrCreates,
};
