// The connection to one ServiceTitan edge deployment: its URL(s) and a caller API key.
import type {
  IAuthenticateGeneric,
  ICredentialTestRequest,
  ICredentialType,
  Icon,
  INodeProperties,
} from "n8n-workflow";
import { WORKERS, workerUrlProperties } from "../nodes/ServiceTitanEdge/generated/model";

// The connection test reads one worker's /openapi.json: it needs the key, costs no ServiceTitan call.
const probe = WORKERS.find((w) => w.name === "invoice-lookup") ?? WORKERS[0];
const probeField = `url_${(probe?.name ?? "").split("-").join("_")}`;

export class ServiceTitanEdgeApi implements ICredentialType {
  name = "serviceTitanEdgeApi";

  displayName = "ServiceTitan Edge API";

  icon: Icon = { light: "file:servicetitan-edge.svg", dark: "file:servicetitan-edge.dark.svg" };

  documentationUrl = "https://github.com/st-edge/servicetitan-edge/blob/main/docs/n8n.md";

  properties: INodeProperties[] = [
    {
      displayName: "Deployment URL",
      name: "baseUrl",
      type: "string",
      default: "",
      required: true,
      placeholder: "https://acme-plumbing-{worker}.acme.workers.dev",
      description:
        "One host in front of every capability, or a pattern with {worker} when each capability has its own address",
    },
    {
      displayName: "API Key",
      name: "apiKey",
      type: "string",
      typeOptions: { password: true },
      default: "",
      required: true,
      description: "A caller key of the deployment, sent as a Bearer token",
    },
    {
      displayName: "Hook Signing Secret",
      name: "hookSecret",
      type: "string",
      typeOptions: { password: true },
      default: "",
      description:
        "Optional: the deployment's hook secret. When set, instant trigger deliveries without a valid X-Signature are refused.",
    },
    ...workerUrlProperties,
  ];

  authenticate: IAuthenticateGeneric = {
    type: "generic",
    properties: {
      headers: {
        Authorization: "=Bearer {{$credentials.apiKey}}",
      },
    },
  };

  test: ICredentialTestRequest = {
    request: {
      baseURL: `={{$credentials.${probeField} || $credentials.baseUrl.split("{worker}").join("${probe?.name ?? ""}")}}`,
      url: "/openapi.json",
    },
  };
}
